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

func (Emitter) Emit(ctx *emit.Context) error { return Generate(ctx.APIDir(), ctx.APIPackage()) }

// Generate writes zz_generated.deepcopy.go for the Go package pkg in folder dir.
func Generate(dir, pkg string) error {
	var gen genall.Generator = deepcopy.Generator{}
	rt, err := genall.Generators{&gen}.ForRootsWithConfig(&packages.Config{Dir: dir}, pkg)
	if err != nil {
		return fmt.Errorf("load %s: %w", pkg, err)
	}
	rt.OutputRules = genall.OutputRules{Default: genall.OutputArtifacts{Code: genall.OutputToDirectory(dir)}}
	var errs bytes.Buffer
	rt.ErrorWriter = &errs
	if failed := rt.Run(); failed {
		return fmt.Errorf("deepcopy for %s: %s", pkg, strings.TrimSpace(errs.String()))
	}
	return nil
}
