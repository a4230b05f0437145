package emit

import (
	"bytes"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/dave/jennifer/jen"
	"golang.org/x/tools/go/packages"
	"sigs.k8s.io/controller-tools/pkg/genall"
	"sigs.k8s.io/controller-tools/pkg/loader"
)

// Run loads the Go packages pkgs once, resolving them from dir's module, and runs
// gens on them through one controller-tools runtime, in order. Generators write
// through out: see ToDirectory and InMemory.
func Run(dir string, pkgs []string, out genall.OutputRule, gens ...genall.Generator) error {
	all := make(genall.Generators, len(gens))
	for i := range gens {
		all[i] = &gens[i]
	}
	rt, err := all.ForRootsWithConfig(&packages.Config{Dir: dir}, pkgs...)
	if err != nil {
		return fmt.Errorf("load %s: %w", strings.Join(pkgs, ", "), err)
	}
	rt.OutputRules = genall.OutputRules{Default: out}
	var errs bytes.Buffer
	rt.ErrorWriter = &errs
	if failed := rt.Run(); failed {
		msg := strings.TrimSpace(errs.String())
		if msg == "" {
			msg = "errors in the loaded packages (printed above)"
		}
		return fmt.Errorf("generate from %s: %s", strings.Join(pkgs, ", "), msg)
	}
	return nil
}

// ToDirectory writes code for a loaded package next to that package's files, and
// every other artefact to its path below dir.
func ToDirectory(dir string) genall.OutputRule {
	return genall.OutputArtifacts{Config: genall.OutputToDirectory(dir)}
}

// InMemory is an output rule that keeps what generators write, for tests: an
// artefact under its path below the output folder, code for a loaded package under
// that package's import path joined with the file name.
type InMemory map[string][]byte

// Open implements genall.OutputRule.
func (m InMemory) Open(pkg *loader.Package, itemPath string) (io.WriteCloser, error) {
	if pkg != nil {
		itemPath = path.Join(pkg.PkgPath, itemPath)
	}
	return &memoryFile{files: m, path: itemPath}, nil
}

type memoryFile struct {
	bytes.Buffer
	files InMemory
	path  string
}

func (f *memoryFile) Close() error {
	f.files[f.path] = f.Bytes()
	return nil
}

// Recorder is an output rule that writes through Rule and keeps a copy of every
// artefact (not code for a loaded package) under its path, so that a later
// generator of the same run can build on what earlier ones wrote.
type Recorder struct {
	Rule  genall.OutputRule
	Files InMemory
}

// NewRecorder records what rule is given.
func NewRecorder(rule genall.OutputRule) *Recorder { return &Recorder{Rule: rule, Files: InMemory{}} }

// Open implements genall.OutputRule.
func (r *Recorder) Open(pkg *loader.Package, itemPath string) (io.WriteCloser, error) {
	w, err := r.Rule.Open(pkg, itemPath)
	if err != nil || pkg != nil {
		return w, err
	}
	return &teeFile{WriteCloser: w, copy: &memoryFile{files: r.Files, path: itemPath}}, nil
}

type teeFile struct {
	io.WriteCloser
	copy *memoryFile
}

func (f *teeFile) Write(p []byte) (int, error) {
	f.copy.Write(p)
	return f.WriteCloser.Write(p)
}

func (f *teeFile) Close() error {
	f.copy.Close()
	return f.WriteCloser.Close()
}

// Output writes data as itemPath (slash-separated, below the output folder)
// through the generation context's output rule.
func Output(ctx *genall.GenerationContext, itemPath string, data []byte) error {
	w, err := ctx.Open(nil, itemPath)
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		w.Close()
		return fmt.Errorf("write %s: %w", itemPath, err)
	}
	return w.Close()
}

// OutputGo renders a jennifer file, gofmt'd, and writes it as itemPath.
func OutputGo(ctx *genall.GenerationContext, itemPath string, f *jen.File) error {
	data, err := RenderGo(f, itemPath)
	if err != nil {
		return err
	}
	return Output(ctx, itemPath, data)
}
