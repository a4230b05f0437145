package crd_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	ctcrd "sigs.k8s.io/controller-tools/pkg/crd"
	crdmarkers "sigs.k8s.io/controller-tools/pkg/crd/markers"
	"sigs.k8s.io/controller-tools/pkg/loader"
	"sigs.k8s.io/controller-tools/pkg/markers"

	"github.com/kubefed-gen/kubefed/generator/discover"
	"github.com/kubefed-gen/kubefed/generator/discover/crd"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

const thisPackage = "github.com/kubefed-gen/kubefed/generator/discover/crd"

// runDir makes a temporary folder inside this module (generated code must compile
// against the module's dependencies) and returns it with its import path.
func runDir(t *testing.T) (string, string) {
	t.Helper()
	dir, err := os.MkdirTemp("testdata", "run-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	return abs, path.Join(thisPackage, filepath.ToSlash(dir))
}

func readCRDs(t *testing.T, file string) []*apiextensionsv1.CustomResourceDefinition {
	t.Helper()
	crds, err := crd.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	return crds
}

func storage(c *apiextensionsv1.CustomResourceDefinition) *apiextensionsv1.CustomResourceDefinitionVersion {
	for i := range c.Spec.Versions {
		if c.Spec.Versions[i].Storage {
			return &c.Spec.Versions[i]
		}
	}
	return &c.Spec.Versions[0]
}

// written is one CRD converted into a package of the run folder.
type written struct {
	crd    *apiextensionsv1.CustomResourceDefinition
	result *crd.Result
	dir    string
}

func writeAll(t *testing.T, crds []*apiextensionsv1.CustomResourceDefinition) []written {
	t.Helper()
	dir, pkg := runDir(t)
	var out []written
	for _, c := range crds {
		v := storage(c).Name
		sub := c.Spec.Names.Plural + "_" + strings.ReplaceAll(c.Spec.Group, ".", "_")
		res, err := crd.WriteGoTypes(c, crd.Options{OutputDir: filepath.Join(dir, sub, v), GoPackage: path.Join(pkg, sub, v)})
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		out = append(out, written{crd: c, result: res, dir: filepath.Join(dir, sub, v)})
	}
	return out
}

// goTool runs the go command on packages, failing the test with its output.
func goTool(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command("go", args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args[:1], " "), err, out)
	}
}

// regenerate writes the CRDs back from the Go packages with controller-tools, set
// up as generator/emit/crd sets it up for the federated types.
func regenerate(t *testing.T, ws []written) map[string]*apiextensionsv1.CustomResourceDefinition {
	t.Helper()
	var pkgs []string
	for _, w := range ws {
		pkgs = append(pkgs, w.result.GoPackage)
	}
	roots, err := loader.LoadRootsWithConfig(&packages.Config{}, pkgs...)
	if err != nil {
		t.Fatal(err)
	}
	reg := &markers.Registry{}
	if err := crdmarkers.Register(reg); err != nil {
		t.Fatal(err)
	}
	parser := &ctcrd.Parser{
		Collector:                  &markers.Collector{Registry: reg},
		Checker:                    &loader.TypeChecker{},
		GenerateEmbeddedObjectMeta: true,
	}
	ctcrd.AddKnownTypes(parser)
	for _, r := range roots {
		parser.NeedPackage(r)
	}
	out := map[string]*apiextensionsv1.CustomResourceDefinition{}
	for _, w := range ws {
		gk := schema.GroupKind{Group: w.result.Group, Kind: w.result.Kind}
		parser.NeedCRDFor(gk, nil)
		c, ok := parser.CustomResourceDefinitions[gk]
		if !ok {
			t.Fatalf("controller-tools wrote no CRD for %s", gk)
		}
		out[w.crd.Name] = &c
	}
	var errs []error
	for _, r := range roots {
		for _, e := range r.Errors {
			var typeErr packages.Error
			if errors.As(e, &typeErr) && typeErr.Kind == packages.TypeError {
				continue
			}
			errs = append(errs, e)
		}
	}
	if len(errs) > 0 {
		t.Fatalf("controller-tools: %v", errors.Join(errs...))
	}
	return out
}

// roundTrip converts CRDs, builds and vets the packages, writes the CRDs back with
// controller-tools and compares them with the originals.
func roundTrip(t *testing.T, crds []*apiextensionsv1.CustomResourceDefinition) []written {
	t.Helper()
	ws := writeAll(t, crds)
	var pkgs []string
	for _, w := range ws {
		pkgs = append(pkgs, w.result.GoPackage)
	}
	goTool(t, append([]string{"build"}, pkgs...)...)
	goTool(t, append([]string{"vet"}, pkgs...)...)
	back := regenerate(t, ws)
	for _, w := range ws {
		for _, d := range compareCRD(w.crd, back[w.crd.Name]) {
			t.Errorf("%s: %s", w.crd.Name, d)
		}
	}
	return ws
}

// compareCRD lists the differences between a CRD and the one written back from its
// Go types: names, scope, subresources, printer columns, and the storage version's
// schema without apiVersion, kind, metadata and descriptions.
func compareCRD(orig, back *apiextensionsv1.CustomResourceDefinition) []string {
	var diffs []string
	o, b := orig.Spec.Names, back.Spec.Names
	if o.Kind != b.Kind || o.ListKind != b.ListKind || o.Plural != b.Plural || o.Singular != b.Singular ||
		!slices.Equal(o.ShortNames, b.ShortNames) || !slices.Equal(o.Categories, b.Categories) {
		diffs = append(diffs, fmt.Sprintf("names: %+v, written back %+v", o, b))
	}
	if orig.Spec.Scope != back.Spec.Scope {
		diffs = append(diffs, fmt.Sprintf("scope: %s, written back %s", orig.Spec.Scope, back.Spec.Scope))
	}
	ov, bv := storage(orig), storage(back)
	if !reflect.DeepEqual(subresources(ov.Subresources), subresources(bv.Subresources)) {
		diffs = append(diffs, fmt.Sprintf("subresources: %+v, written back %+v", ov.Subresources, bv.Subresources))
	}
	if !reflect.DeepEqual(ov.AdditionalPrinterColumns, bv.AdditionalPrinterColumns) {
		diffs = append(diffs, fmt.Sprintf("printer columns: %+v, written back %+v", ov.AdditionalPrinterColumns, bv.AdditionalPrinterColumns))
	}
	if !reflect.DeepEqual(ov.SelectableFields, bv.SelectableFields) {
		diffs = append(diffs, fmt.Sprintf("selectable fields: %+v, written back %+v", ov.SelectableFields, bv.SelectableFields))
	}
	want := normalize(toJSON(ov.Schema.OpenAPIV3Schema), true)
	got := normalize(toJSON(bv.Schema.OpenAPIV3Schema), false)
	for _, m := range []map[string]any{want, got} {
		if props, ok := m["properties"].(map[string]any); ok {
			delete(props, "apiVersion")
			delete(props, "kind")
			delete(props, "metadata")
		}
	}
	return append(diffs, diffJSON("", want, got)...)
}

func subresources(s *apiextensionsv1.CustomResourceSubresources) *apiextensionsv1.CustomResourceSubresources {
	if s == nil || s.Status == nil && s.Scale == nil {
		return nil
	}
	return s
}

func toJSON(v any) map[string]any {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out map[string]any
	if err := dec.Decode(&out); err != nil {
		panic(err)
	}
	return out
}

// normalize removes what the comparison ignores (descriptions) and, on the original
// side, rewrites what the Go types are documented to reproduce differently, each of
// which WriteGoTypes reports in a warning:
//   - junctors (allOf, oneOf, anyOf, not) that only validate are dropped;
//   - an int-or-string gets anyOf [integer, string] if it lacked it;
//   - additionalProperties: true becomes {x-kubernetes-preserve-unknown-fields: true};
//   - required names that are not properties are dropped, and null enum values.
func normalize(s map[string]any, original bool) map[string]any {
	delete(s, "description")
	if original {
		intOrString := s["x-kubernetes-int-or-string"] == true
		for _, j := range []string{"allOf", "oneOf", "anyOf", "not"} {
			if _, ok := s[j]; ok && !(j == "anyOf" && intOrString) {
				delete(s, j)
			}
		}
		if intOrString {
			s["anyOf"] = []any{map[string]any{"type": "integer"}, map[string]any{"type": "string"}}
		}
		if s["additionalProperties"] == true {
			s["additionalProperties"] = map[string]any{"x-kubernetes-preserve-unknown-fields": true}
		}
		if s["x-kubernetes-preserve-unknown-fields"] == false {
			delete(s, "x-kubernetes-preserve-unknown-fields")
		}
		if enum, ok := s["enum"].([]any); ok {
			s["enum"] = slices.DeleteFunc(enum, func(v any) bool { return v == nil })
		}
		if req, ok := s["required"].([]any); ok {
			props, _ := s["properties"].(map[string]any)
			s["required"] = slices.DeleteFunc(req, func(r any) bool { _, ok := props[r.(string)]; return !ok })
			if len(s["required"].([]any)) == 0 {
				delete(s, "required")
			}
		}
	}
	if req, ok := s["required"].([]any); ok {
		sort.Slice(req, func(i, j int) bool { return req[i].(string) < req[j].(string) })
	}
	if props, ok := s["properties"].(map[string]any); ok {
		for k, p := range props {
			props[k] = normalize(p.(map[string]any), original)
		}
	}
	for _, k := range []string{"items", "additionalProperties", "not"} {
		if sub, ok := s[k].(map[string]any); ok {
			s[k] = normalize(sub, original)
		}
	}
	for _, k := range []string{"anyOf", "oneOf", "allOf"} {
		if list, ok := s[k].([]any); ok {
			for i, sub := range list {
				list[i] = normalize(sub.(map[string]any), original)
			}
		}
	}
	return s
}

// diffJSON compares two JSON values, numbers by value, and names each difference
// by its path in the schema.
func diffJSON(at string, want, got any) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want %v, written back %v", at, short(want), short(got))}
		}
		keys := map[string]bool{}
		for k := range w {
			keys[k] = true
		}
		for k := range g {
			keys[k] = true
		}
		var sorted []string
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		var diffs []string
		for _, k := range sorted {
			diffs = append(diffs, diffJSON(at+"/"+k, w[k], g[k])...)
		}
		return diffs
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s: want %v, written back %v", at, short(want), short(got))}
		}
		var diffs []string
		for i := range w {
			diffs = append(diffs, diffJSON(fmt.Sprintf("%s[%d]", at, i), w[i], g[i])...)
		}
		return diffs
	case json.Number:
		if g, ok := got.(json.Number); ok {
			wf, _ := strconv.ParseFloat(w.String(), 64)
			gf, _ := strconv.ParseFloat(g.String(), 64)
			if wf == gf {
				return nil
			}
		}
	}
	if !reflect.DeepEqual(want, got) {
		return []string{fmt.Sprintf("%s: want %v, written back %v", at, short(want), short(got))}
	}
	return nil
}

func short(v any) string {
	if v == nil {
		return "(absent)"
	}
	raw, _ := json.Marshal(v)
	if len(raw) > 300 {
		return string(raw[:300]) + "…"
	}
	return string(raw)
}

// hasWarning is true when some warning contains every one of the parts.
func hasWarning(warnings []string, parts ...string) bool {
	for _, w := range warnings {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(w, p)
		}
		if ok {
			return true
		}
	}
	return false
}

func TestRoundTripRealCRDs(t *testing.T) {
	var crds []*apiextensionsv1.CustomResourceDefinition
	for _, f := range []string{
		"monitoring.coreos.com_servicemonitors.yaml",
		"cert-manager.io_certificates.yaml",
		"velero.io_backups.yaml",
		"kyverno.io_clustercleanuppolicies.yaml",
	} {
		crds = append(crds, readCRDs(t, f)...)
	}
	ws := roundTrip(t, crds)
	loader := discover.NewLoader()
	for _, w := range ws {
		for _, warning := range w.result.Warnings {
			t.Logf("%s: warning: %s", w.crd.Name, warning)
		}
		target, err := loader.GoType(w.result.GoPackage + "." + w.result.Kind)
		if err != nil {
			t.Errorf("%s: the generator's loader cannot read the written type: %v", w.crd.Name, err)
			continue
		}
		if target.Group != w.crd.Spec.Group || target.Version != w.result.Version || target.Kind != w.crd.Spec.Names.Kind ||
			target.Plural != w.crd.Spec.Names.Plural || target.Namespaced != (w.crd.Spec.Scope == apiextensionsv1.NamespaceScoped) ||
			!slices.Equal(target.ShortNames, w.crd.Spec.Names.ShortNames) {
			t.Errorf("%s: loader reads %+v", w.crd.Name, target)
		}
	}
}
