package generator

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGolden generates a small set of types and compares the API types, CRDs and
// controllers with testdata/golden: the diff of a change in output is reviewed there.
// Clients are left out; they are code-generator's output, tested in emit/clients.
func TestGolden(t *testing.T) {
	// Output must sit inside this module to compile, so generate below testdata
	// under a unique name and compare with that name replaced.
	if err := os.MkdirAll("testdata", 0o755); err != nil {
		t.Fatal(err)
	}
	run, err := os.MkdirTemp("testdata", "run-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(run) })
	err = Generate(Options{
		Types:         []string{"configmaps", "namespaces", "clusterroles.rbac.authorization.k8s.io"},
		InputPackages: []string{"github.com/kubefed-gen/kubefed/generator/discover/testdata/widgets/v1alpha1"},
		OutputDir:     run,
	})
	if err != nil {
		t.Fatal(err)
	}

	golden := filepath.Join("testdata", "golden")
	if *update {
		os.RemoveAll(golden)
	}
	compared := 0
	for _, sub := range []string{"apis", "config", "controllers"} {
		err := filepath.WalkDir(filepath.Join(run, sub), func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(run, path)
			got, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			got = []byte(strings.ReplaceAll(string(got), filepath.Base(run), "golden"))
			want := filepath.Join(golden, rel)
			if *update {
				os.MkdirAll(filepath.Dir(want), 0o755)
				return os.WriteFile(want, got, 0o644)
			}
			wantData, err := os.ReadFile(want)
			if err != nil {
				t.Errorf("%s: not in golden files (run go test ./generator -run TestGolden -update): %v", rel, err)
				return nil
			}
			compared++
			if string(wantData) != string(got) {
				t.Errorf("%s differs from %s; run go test ./generator -run TestGolden -update and review the diff", rel, want)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if !*update && compared < 10 {
		t.Errorf("compared only %d files; golden set incomplete", compared)
	}
}
