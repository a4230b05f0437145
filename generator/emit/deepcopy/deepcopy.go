// Package deepcopy emits zz_generated.deepcopy.go for the generated API package
// with controller-tools' deepcopy generator, the same code controller-gen writes.
package deepcopy

import (
	"bytes"
	"fmt"
	"strings"

	"golang.org/x/tools/go/packages"
	"sigs.k8s.io/controller-tools/pkg/deepcopy"
	"sigs.k8s.io/controller-tools/pkg/genall"

	"github.com/kubefed-gen/kubefed/generator/emit"
)

// Emitter writes the deepcopy functions of the API package.
type Emitter struct{}

func (Emitter) Name() string { return "deepcopy" }

func (Emitter) Emit(ctx *emit.Context) error {
	var gen genall.Generator = deepcopy.Generator{}
	rt, err := genall.Generators{&gen}.ForRootsWithConfig(&packages.Config{Dir: ctx.OutputDir}, ctx.APIPackage())
	if err != nil {
		return fmt.Errorf("load %s: %w", ctx.APIPackage(), err)
	}
	rt.OutputRules = genall.OutputRules{Default: genall.OutputArtifacts{Code: genall.OutputToDirectory(ctx.APIDir())}}
	var errs bytes.Buffer
	rt.ErrorWriter = &errs
	if failed := rt.Run(); failed {
		return fmt.Errorf("deepcopy for %s: %s", ctx.APIPackage(), strings.TrimSpace(errs.String()))
	}
	return nil
}
