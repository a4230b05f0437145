package generator_test

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"

	"github.com/kubefed-gen/kubefed/generator"
)

const fixtureModule = "example.com/fedgen"

// beyondDefaultSet are built-in types KubeFed's default set leaves out, each in an API
// group the default set does not use, so the generator meets them fresh.
var beyondDefaultSet = []string{
	"statefulsets.apps",
	"daemonsets.apps",
	"cronjobs.batch",
	"horizontalpodautoscalers.autoscaling",
	"poddisruptionbudgets.policy",
	"networkpolicies.networking.k8s.io",
}

// TestGenerateBuiltinsBeyondDefaultSet generates built-in types outside the default
// set into a throw-away module and checks that the output builds, vets, is gofmt'd
// and is byte-identical when generated again, and that version resolution, CRD
// files, scope and short names come out as kubectl users expect.
func TestGenerateBuiltinsBeyondDefaultSet(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and compiles client-go based code")
	}
	mod := writeFixtureModule(t)
	// No network: everything comes from the module cache, and -mod=mod lets the go
	// command fill in requirements the fixture does not spell out. Generate runs the
	// go command itself (package loading), so the test process needs the same
	// environment; and it resolves Go packages from the working directory's module.
	t.Setenv("GOFLAGS", "-mod=mod")
	t.Setenv("GOPROXY", "off")
	t.Chdir(mod)

	out := filepath.Join(mod, "federation")
	var log bytes.Buffer
	opts := generator.Options{Types: beyondDefaultSet, OutputDir: out, Log: &log}
	if err := generator.Generate(opts); err != nil {
		t.Fatalf("Generate: %v\n%s", err, log.String())
	}
	t.Logf("first run:\n%s", log.String())
	first := readTree(t, out)

	for _, args := range [][]string{{"build", "./..."}, {"vet", "./..."}} {
		cmd := exec.Command("go", args...)
		cmd.Dir = mod
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, b)
		}
	}
	if b, err := exec.Command("gofmt", "-l", out).CombinedOutput(); err != nil || len(b) > 0 {
		t.Errorf("gofmt -l %s: err %v, files needing gofmt:\n%s", out, err, b)
	}

	log.Reset()
	if err := generator.Generate(opts); err != nil {
		t.Fatalf("second Generate: %v\n%s", err, log.String())
	}
	second := readTree(t, out)
	for name, b := range first {
		if s, ok := second[name]; !ok {
			t.Errorf("%s disappeared on the second run", name)
		} else if !bytes.Equal(s, b) {
			t.Errorf("%s changed on the second run", name)
		}
	}
	for name := range second {
		if _, ok := first[name]; !ok {
			t.Errorf("%s appeared on the second run", name)
		}
	}

	t.Run("autoscaling resolves to v2", func(t *testing.T) {
		path := filepath.Join(out, "apis", "types", "v1beta1", "zz_generated.federatedhorizontalpodautoscaler.go")
		pkg, name := targetObjectType(t, path)
		if pkg != "k8s.io/api/autoscaling/v2" || name != "HorizontalPodAutoscaler" {
			t.Errorf("FederatedHorizontalPodAutoscaler targets %s.%s, want k8s.io/api/autoscaling/v2.HorizontalPodAutoscaler", pkg, name)
		}
	})

	crds := map[string]apiextensionsv1.CustomResourceDefinition{}
	t.Run("a CRD per type", func(t *testing.T) {
		for kind, plural := range map[string]string{
			"FederatedStatefulSet":             "federatedstatefulsets",
			"FederatedDaemonSet":               "federateddaemonsets",
			"FederatedCronJob":                 "federatedcronjobs",
			"FederatedHorizontalPodAutoscaler": "federatedhorizontalpodautoscalers",
			"FederatedPodDisruptionBudget":     "federatedpoddisruptionbudgets",
			"FederatedNetworkPolicy":           "federatednetworkpolicies",
		} {
			name := "config/crd/bases/types.kubefed.io_" + plural + ".yaml"
			data, ok := first[name]
			if !ok {
				t.Errorf("no CRD file %s for %s", name, kind)
				continue
			}
			var crd apiextensionsv1.CustomResourceDefinition
			if err := yaml.UnmarshalStrict(data, &crd); err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			if crd.Spec.Names.Kind != kind || crd.Spec.Names.Plural != plural || crd.Spec.Group != "types.kubefed.io" {
				t.Errorf("%s defines %s (%s) in group %s, want %s (%s) in types.kubefed.io", name, crd.Spec.Names.Kind, crd.Spec.Names.Plural, crd.Spec.Group, kind, plural)
			}
			crds[kind] = crd
		}
		if n := countPrefix(first, "config/crd/bases/"); n != len(beyondDefaultSet) {
			t.Errorf("%d CRD files, want one per type (%d)", n, len(beyondDefaultSet))
		}
	})

	t.Run("FederatedStatefulSet is namespaced with short name fsts", func(t *testing.T) {
		crd, ok := crds["FederatedStatefulSet"]
		if !ok {
			t.Fatal("no FederatedStatefulSet CRD")
		}
		if crd.Spec.Scope != apiextensionsv1.NamespaceScoped {
			t.Errorf("scope %s, want Namespaced", crd.Spec.Scope)
		}
		if !slices.Contains(crd.Spec.Names.ShortNames, "fsts") {
			t.Errorf("short names %v, want fsts among them", crd.Spec.Names.ShortNames)
		}
	})
}

// targetObjectType returns the import path and name of the type TargetObject
// returns a pointer to, in the generated Go file at path.
func targetObjectType(t *testing.T, path string) (pkgPath, name string) {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	check(t, err)
	imports := map[string]string{}
	for _, imp := range f.Imports {
		p, err := strconv.Unquote(imp.Path.Value)
		check(t, err)
		local := p[strings.LastIndex(p, "/")+1:]
		if imp.Name != nil {
			local = imp.Name.Name
		}
		imports[local] = p
	}
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "TargetObject" || fn.Type.Results == nil || len(fn.Type.Results.List) != 1 {
			continue
		}
		star, ok := fn.Type.Results.List[0].Type.(*ast.StarExpr)
		if !ok {
			t.Fatalf("%s: TargetObject does not return a pointer", path)
		}
		sel, ok := star.X.(*ast.SelectorExpr)
		if !ok {
			t.Fatalf("%s: TargetObject does not return a type of another package", path)
		}
		return imports[sel.X.(*ast.Ident).Name], sel.Sel.Name
	}
	t.Fatalf("%s has no TargetObject method", path)
	return "", ""
}

func countPrefix(tree map[string][]byte, prefix string) int {
	n := 0
	for name := range tree {
		if strings.HasPrefix(name, prefix) {
			n++
		}
	}
	return n
}

// writeFixtureModule writes an empty module into a temp dir that requires this
// module (replaced by its checkout) and the k8s.io and controller-runtime versions it
// uses, and reuses its go.sum, so no module needs downloading. (The same helper as in
// generator/emit/clients's tests, which a test of another package cannot import.)
func writeFixtureModule(t *testing.T) string {
	t.Helper()
	root := moduleRoot(t)
	mainMod := readModFile(t, filepath.Join(root, "go.mod"))

	mf := &modfile.File{}
	check(t, mf.AddModuleStmt(fixtureModule))
	check(t, mf.AddGoStmt(mainMod.Go.Version))
	const pseudo = "v0.0.0-00010101000000-000000000000"
	mf.AddNewRequire(mainMod.Module.Mod.Path, pseudo, false)
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
	writeFiles(t, dir, map[string]string{"go.mod": string(goMod), "go.sum": string(goSum)})
	return dir
}

// moduleRoot finds this module's root from the test's working directory (the package folder).
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	check(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's working directory")
		}
		dir = parent
	}
}

func readModFile(t *testing.T, name string) *modfile.File {
	t.Helper()
	b, err := os.ReadFile(name)
	check(t, err)
	f, err := modfile.Parse(name, b, nil)
	check(t, err)
	return f
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		check(t, os.MkdirAll(filepath.Dir(p), 0o755))
		check(t, os.WriteFile(p, []byte(content), 0o644))
	}
}

// readTree returns every file under dir by slash-separated relative path.
func readTree(t *testing.T, dir string) map[string][]byte {
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

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
