package generator_test

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"

	"github.com/kubefed-gen/kubefed/generator"
	"github.com/kubefed-gen/kubefed/test/gomodule"
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
		t.Skip("generates and compiles client-go based code in a throwaway module; make test runs it")
	}
	mod := gomodule.New(t, fixtureModule)
	// Generate resolves Go packages from the working directory's module.
	t.Chdir(mod)

	out := filepath.Join(mod, "federation")
	var log bytes.Buffer
	opts := generator.Options{Types: beyondDefaultSet, OutputDir: out, Log: &log}
	if err := generator.Generate(opts); err != nil {
		t.Fatalf("Generate: %v\n%s", err, log.String())
	}
	t.Logf("first run:\n%s", log.String())
	first := gomodule.ReadTree(t, out)

	gomodule.Go(t, mod, "build", "./...")
	gomodule.Go(t, mod, "vet", "./...")
	if b, err := exec.Command("gofmt", "-l", out).CombinedOutput(); err != nil || len(b) > 0 {
		t.Errorf("gofmt -l %s: err %v, files needing gofmt:\n%s", out, err, b)
	}

	log.Reset()
	if err := generator.Generate(opts); err != nil {
		t.Fatalf("second Generate: %v\n%s", err, log.String())
	}
	second := gomodule.ReadTree(t, out)
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
	if err != nil {
		t.Fatal(err)
	}
	imports := map[string]string{}
	for _, imp := range f.Imports {
		p, err := strconv.Unquote(imp.Path.Value)
		if err != nil {
			t.Fatal(err)
		}
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
