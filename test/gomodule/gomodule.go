// Package gomodule makes throwaway Go modules for tests that build generated code:
// each requires this module (replaced by the checkout under test) and the k8s.io and
// controller-runtime versions it uses, and reuses its go.sum, so nothing is
// downloaded.
package gomodule

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"
)

// New writes an empty module named path into a temporary folder and returns the
// folder. It sets GOFLAGS=-mod=mod and GOPROXY=off for the test, so that go commands
// (and generators that run them) resolve everything from the module cache.
func New(t testing.TB, path string) string {
	t.Helper()
	root := Root(t)
	mainMod := readModFile(t, filepath.Join(root, "go.mod"))

	mf := &modfile.File{}
	check(t, mf.AddModuleStmt(path))
	check(t, mf.AddGoStmt(mainMod.Go.Version))
	const pseudo = "v0.0.0-00010101000000-000000000000"
	check(t, mf.AddRequire(mainMod.Module.Mod.Path, pseudo))
	for _, r := range mainMod.Require {
		if strings.HasPrefix(r.Mod.Path, "k8s.io/") || r.Mod.Path == "sigs.k8s.io/controller-runtime" {
			mf.AddNewRequire(r.Mod.Path, r.Mod.Version, r.Indirect)
		}
	}
	check(t, mf.AddReplace(mainMod.Module.Mod.Path, "", root, ""))
	goMod, err := mf.Format()
	check(t, err)
	goSum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	check(t, err)

	dir := t.TempDir()
	WriteFiles(t, dir, map[string]string{"go.mod": string(goMod), "go.sum": string(goSum)})
	t.Setenv("GOFLAGS", "-mod=mod")
	t.Setenv("GOPROXY", "off")
	return dir
}

// Root is the folder of this module's go.mod, found from the test's working
// directory (its package folder).
func Root(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	check(t, err)
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && modfile.ModulePath(b) == "github.com/kubefed-gen/kubefed" {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod of github.com/kubefed-gen/kubefed above the test's working directory")
		}
		dir = parent
	}
}

// Go runs the go command in dir and fails the test with its output on error.
func Go(t testing.TB, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s in %s: %v\n%s", strings.Join(args, " "), dir, err, out)
	}
}

// WriteFiles writes files (slash-separated paths relative to dir) into dir.
func WriteFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		check(t, os.MkdirAll(filepath.Dir(p), 0o755))
		check(t, os.WriteFile(p, []byte(content), 0o644))
	}
}

// ReadTree returns every file under dir by slash-separated relative path.
func ReadTree(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	tree := map[string][]byte{}
	check(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		tree[filepath.ToSlash(rel)] = b
		return err
	}))
	return tree
}

func readModFile(t testing.TB, name string) *modfile.File {
	t.Helper()
	b, err := os.ReadFile(name)
	check(t, err)
	f, err := modfile.Parse(name, b, nil)
	check(t, err)
	return f
}

func check(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
