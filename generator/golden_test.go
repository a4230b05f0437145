package generator_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/kubefed-gen/kubefed/generator"
	"github.com/kubefed-gen/kubefed/test/gomodule"
)

var update = flag.Bool("update", false, "rewrite the golden output under testdata")

// TestGoldenHealthCondition generates testdata/healthcondition (a CRD target
// with a health condition named in its kubefed-gen.yaml) and compares the
// output with the checked-in one, which the end-to-end tests compile into
// their manager; -update rewrites it. The output is written next to the
// golden one, inside this module, so that it resolves the same packages; only
// its import path differs, and is mapped back before comparing.
func TestGoldenHealthCondition(t *testing.T) {
	if testing.Short() {
		t.Skip("loads Go packages from source with go/packages; make test runs it")
	}
	const golden = "testdata/healthcondition"
	data, err := os.ReadFile(filepath.Join(golden, "kubefed-gen.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var opts generator.Options
	if err := yaml.UnmarshalStrict(data, &opts); err != nil {
		t.Fatal(err)
	}
	for i, f := range opts.CRDFiles {
		opts.CRDFiles[i] = filepath.Join(golden, f)
	}
	want := filepath.Join(golden, opts.OutputDir)
	if *update {
		if err := os.RemoveAll(want); err != nil {
			t.Fatal(err)
		}
		opts.OutputDir = want
		if err := generator.Generate(opts); err != nil {
			t.Fatal(err)
		}
		return
	}
	dir, err := os.MkdirTemp("testdata", "golden-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	opts.OutputDir = filepath.Join(dir, "federation")
	var log bytes.Buffer
	opts.Log = &log
	if err := generator.Generate(opts); err != nil {
		t.Fatalf("Generate: %v\n%s", err, log.String())
	}
	const pkg = "github.com/kubefed-gen/kubefed/generator/"
	got, wantTree := gomodule.ReadTree(t, opts.OutputDir), gomodule.ReadTree(t, want)
	for name, b := range got {
		b = bytes.ReplaceAll(b, []byte(pkg+filepath.ToSlash(dir)+"/"), []byte(pkg+golden+"/"))
		if w, ok := wantTree[name]; !ok {
			t.Errorf("%s is new; go test ./generator -run %s -update writes it", name, t.Name())
		} else if !bytes.Equal(b, w) {
			t.Errorf("%s differs from the golden one; go test ./generator -run %s -update rewrites it, and the diff shows the change:\n%s",
				name, t.Name(), firstDifference(w, b))
		}
	}
	for name := range wantTree {
		if _, ok := got[name]; !ok {
			t.Errorf("%s is no longer generated", name)
		}
	}
}

// firstDifference shows the first line where got differs from want.
func firstDifference(want, got []byte) string {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := range min(len(w), len(g)) {
		if w[i] != g[i] {
			return "line " + strconv.Itoa(i+1) + ":\n- " + w[i] + "\n+ " + g[i]
		}
	}
	return "one is longer"
}
