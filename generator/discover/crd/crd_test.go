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
	"sigs.k8s.io/yaml"

	"github.com/kubefed-gen/kubefed/generator"
	"github.com/kubefed-gen/kubefed/generator/discover"
	"github.com/kubefed-gen/kubefed/generator/discover/crd"
	"github.com/kubefed-gen/kubefed/test/gomodule"
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

// skipShort skips a test that builds, vets or loads the converted Go packages.
func skipShort(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("writes Go packages and loads them with controller-tools (deepcopy) or the go command; make test runs it")
	}
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
// controller-tools and compares them with the originals, which it returns by name.
func roundTrip(t *testing.T, crds []*apiextensionsv1.CustomResourceDefinition) ([]written, map[string]*apiextensionsv1.CustomResourceDefinition) {
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
	return ws, back
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

// normalize evens out descriptions (see normalizeDescription) and, on the original
// side, rewrites what the Go types are documented to reproduce differently, each of
// which WriteGoTypes reports in a warning:
//   - junctors (allOf, oneOf, anyOf, not) that only validate are dropped;
//   - an int-or-string gets anyOf [integer, string] if it lacked it;
//   - additionalProperties: true becomes {x-kubernetes-preserve-unknown-fields: true};
//   - required names that are not properties are dropped, and null enum values.
func normalize(s map[string]any, original bool) map[string]any {
	if d, ok := s["description"].(string); ok {
		s["description"] = normalizeDescription(d, original)
	}
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

// normalizeDescription applies what a Go doc comment does to a description on its
// way through controller-tools: trailing spaces and runs of blank lines go, lines
// starting with TODO are dropped and a --- line ends the text. A description line
// starting with + is written escaped (\+), or it would be read as a marker.
func normalizeDescription(d string, original bool) string {
	var out []string
	for _, l := range strings.Split(d, "\n") {
		l = strings.TrimRight(l, " \t")
		if !original {
			if t := strings.TrimLeft(l, " \t"); strings.HasPrefix(t, `\+`) {
				l = l[:len(l)-len(t)] + t[1:]
			}
		}
		if original && strings.HasPrefix(l, "TODO") {
			continue
		}
		if original && strings.HasPrefix(l, "---") {
			break
		}
		if l == "" && (len(out) == 0 || out[len(out)-1] == "") {
			continue
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// realCRDs are CRDs of well-known operators, copied from the module cache (see
// testdata/README.md).
var realCRDs = []string{
	"monitoring.coreos.com_servicemonitors.yaml",
	"cert-manager.io_certificates.yaml",
	"velero.io_backups.yaml",
	"kyverno.io_clustercleanuppolicies.yaml",
}

// TestRoundTrip converts operators' CRDs and hand-written ones that exercise every
// mapping rule, builds and vets the packages, writes the CRDs back from them with
// controller-tools and requires the same schema, descriptions included. One go
// build, go vet and controller-tools load serve every CRD.
func TestRoundTrip(t *testing.T) {
	skipShort(t)
	var operators []*apiextensionsv1.CustomResourceDefinition
	for _, f := range realCRDs {
		operators = append(operators, readCRDs(t, f)...)
	}
	rules := append(readCRDs(t, "mapping.yaml"), readCRDs(t, "cluster-versions.yaml")...)
	ws, back := roundTrip(t, append(slices.Clone(operators), rules...))
	byName := map[string]written{}
	for _, w := range ws {
		byName[w.crd.Name] = w
	}

	// The real CRDs' warnings, and each package read by the generator's Go type loader.
	t.Run("real CRDs", func(t *testing.T) {
		wantWarnings := map[string][][]string{
			"clustercleanuppolicies.kyverno.io": {
				{"CRD has versions v2, v2beta1; using storage version v2"},
				{"spec.context[*]: oneOf dropped"},
				{"spec.match.any[*].resources: not dropped"},
			},
		}
		var pkgs []string
		for _, c := range operators {
			pkgs = append(pkgs, byName[c.Name].result.GoPackage)
		}
		loader := discover.NewLoader()
		if err := loader.Load(pkgs...); err != nil {
			t.Fatal(err)
		}
		for _, c := range operators {
			w := byName[c.Name]
			for _, want := range wantWarnings[w.crd.Name] {
				if !hasWarning(w.result.Warnings, want...) {
					t.Errorf("%s: no warning with %q in %q", w.crd.Name, want, w.result.Warnings)
				}
			}
			if _, ok := wantWarnings[w.crd.Name]; !ok && len(w.result.Warnings) > 0 {
				t.Errorf("%s: unexpected warnings %q", w.crd.Name, w.result.Warnings)
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
	})

	// The warnings and Result of each rules CRD, and the written Go code of the
	// mapping rules against the golden file.
	t.Run("mapping rules", func(t *testing.T) {
		tests := []struct {
			crd          string
			want         crd.Result
			wantWarnings [][]string
		}{{
			crd: "widgets.example.com",
			want: crd.Result{Kind: "Widget", Group: "example.com", Version: "v1", Plural: "widgets",
				Namespaced: true, ShortNames: []string{"wd"}},
			wantWarnings: [][]string{
				{"spec.choice: oneOf dropped"},
				{"spec.freeForm: additionalProperties: true becomes map[string]apiextensionsv1.JSON"},
				{"spec.settings: has properties and x-kubernetes-preserve-unknown-fields"},
			},
		}, {
			crd:          "gadgets.example.com",
			want:         crd.Result{Kind: "Gadget", Group: "example.com", Version: "v1beta1", Plural: "gadgets"},
			wantWarnings: [][]string{{"CRD has versions v1alpha1, v1beta1; using storage version v1beta1"}},
		}, {
			crd:  "gizmos.example.com",
			want: crd.Result{Kind: "Gizmo", Group: "example.com", Version: "v2", Plural: "gizmos", Namespaced: true},
		}}
		for _, tt := range tests {
			w, ok := byName[tt.crd]
			if !ok {
				t.Fatalf("%s not written", tt.crd)
			}
			got := *w.result
			got.GoPackage, got.Warnings = "", nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%s: Result %+v, want %+v", tt.crd, got, tt.want)
			}
			for _, want := range tt.wantWarnings {
				if !hasWarning(w.result.Warnings, want...) {
					t.Errorf("%s: no warning with %q in %q", tt.crd, want, w.result.Warnings)
				}
			}
			if len(w.result.Warnings) != len(tt.wantWarnings) {
				t.Errorf("%s: warnings %q, want %d", tt.crd, w.result.Warnings, len(tt.wantWarnings))
			}
		}

		widget := byName["widgets.example.com"]
		got, err := os.ReadFile(filepath.Join(widget.dir, "types.go"))
		if err != nil {
			t.Fatal(err)
		}
		checkGolden(t, got)

		// The comparison must see a change deep in the schema, or the round trip proves nothing.
		changed := widget.crd.DeepCopy()
		quoted := storage(changed).Schema.OpenAPIV3Schema.Properties["spec"].Properties["quoted"]
		quoted.MaxLength = new(int64(21))
		storage(changed).Schema.OpenAPIV3Schema.Properties["spec"].Properties["quoted"] = quoted
		if diffs := compareCRD(changed, back[widget.crd.Name]); len(diffs) != 1 || !strings.Contains(diffs[0], "/properties/spec/properties/quoted/maxLength") {
			t.Errorf("a changed maxLength gives differences %q, want one at spec.quoted", diffs)
		}
	})
}

// checkGolden compares types.go of widgets.example.com in mapping.yaml with its
// golden file, or rewrites that with -update.
func checkGolden(t *testing.T, got []byte) {
	t.Helper()
	golden := filepath.Join("testdata", "golden", "widgets_types.go.golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("types.go of widgets.example.com differs from %s; run go test -update and review the diff", golden)
	}
}

// TestConversion converts the mapping rules CRD without writing it: its types.go
// against the golden file, and the same code and warnings when converted again,
// for it and for the largest real CRD.
func TestConversion(t *testing.T) {
	for _, c := range append(readCRDs(t, "mapping.yaml"), readCRDs(t, "kyverno.io_clustercleanuppolicies.yaml")...) {
		pkg := path.Join("example.com/m", c.Spec.Names.Plural)
		first, firstWarnings, err := crd.ConvertedTypes(c, pkg)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if c.Name == "widgets.example.com" {
			checkGolden(t, first)
		}
		second, secondWarnings, err := crd.ConvertedTypes(c, pkg)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if !bytes.Equal(first, second) || !slices.Equal(firstWarnings, secondWarnings) {
			t.Errorf("%s: types.go or warnings differ between conversions", c.Name)
		}
	}
}

// TestDeterministic writes the same CRDs twice into one folder and wants the same bytes.
func TestDeterministic(t *testing.T) {
	skipShort(t)
	dir, pkg := runDir(t)
	for _, c := range append(readCRDs(t, "mapping.yaml"), readCRDs(t, "kyverno.io_clustercleanuppolicies.yaml")...) {
		opts := crd.Options{OutputDir: filepath.Join(dir, c.Spec.Names.Plural), GoPackage: path.Join(pkg, c.Spec.Names.Plural)}
		read := func() map[string][]byte {
			files := map[string][]byte{}
			entries, err := os.ReadDir(opts.OutputDir)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				b, err := os.ReadFile(filepath.Join(opts.OutputDir, e.Name()))
				if err != nil {
					t.Fatal(err)
				}
				files[e.Name()] = b
			}
			return files
		}
		first, err := crd.WriteGoTypes(c, opts)
		if err != nil {
			t.Fatal(err)
		}
		before := read()
		second, err := crd.WriteGoTypes(c, opts)
		if err != nil {
			t.Fatal(err)
		}
		after := read()
		if !reflect.DeepEqual(first, second) {
			t.Errorf("%s: Result differs between runs: %+v, %+v", c.Name, first, second)
		}
		if len(before) != 4 || len(after) != len(before) {
			t.Errorf("%s: files %d then %d, want doc.go, types.go, register.go, zz_generated.deepcopy.go", c.Name, len(before), len(after))
		}
		for name, b := range before {
			if !bytes.Equal(b, after[name]) {
				t.Errorf("%s: %s differs between runs", c.Name, name)
			}
		}
	}
}

func TestPackageDir(t *testing.T) {
	crds := readCRDs(t, "cluster-versions.yaml")
	for _, tt := range []struct{ crd, want string }{
		{"gadgets.example.com", "example.com/gadgets/v1beta1"},
		{"gizmos.example.com", "example.com/gizmos/v2"},
	} {
		i := slices.IndexFunc(crds, func(c *apiextensionsv1.CustomResourceDefinition) bool { return c.Name == tt.crd })
		if got, err := crd.PackageDir(crds[i]); err != nil || got != tt.want {
			t.Errorf("PackageDir(%s) = %q, %v; want %q", tt.crd, got, err, tt.want)
		}
	}
}

// TestOneCRDPerFolder checks that a folder holding another CRD's package is not
// overwritten.
func TestOneCRDPerFolder(t *testing.T) {
	skipShort(t)
	crds := readCRDs(t, "cluster-versions.yaml")
	dir, pkg := runDir(t)
	opts := crd.Options{OutputDir: dir, GoPackage: pkg}
	if _, err := crd.WriteGoTypes(crds[0], opts); err != nil {
		t.Fatal(err)
	}
	_, err := crd.WriteGoTypes(crds[1], opts)
	if err == nil || !strings.Contains(err.Error(), "not written for this CRD") {
		t.Errorf("writing gizmos over gadgets: %v, want an error", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "types.go")); err != nil {
		t.Errorf("gadgets' package was touched: %v", err)
	}
}

// TestUnsupported wants an error naming the CRD, the field path and the reason.
func TestUnsupported(t *testing.T) {
	dir, pkg := runDir(t)
	crds := map[string]*apiextensionsv1.CustomResourceDefinition{}
	for _, c := range readCRDs(t, "unsupported.yaml") {
		crds[c.Name] = c
	}
	mapping := readCRDs(t, "mapping.yaml")[0]
	lowerKind := mapping.DeepCopy()
	lowerKind.Spec.Names.Kind = "widget"
	dashedVersion := mapping.DeepCopy()
	dashedVersion.Spec.Versions[0].Name = "v1-beta"
	noStorage := readCRDs(t, "cluster-versions.yaml")[0]
	for i := range noStorage.Spec.Versions {
		noStorage.Spec.Versions[i].Storage = false
	}
	// Found by FuzzConvert: values written into markers or struct tags as they are.
	gizmos := readCRDs(t, "cluster-versions.yaml")[1]
	withProperty := func(name string, s apiextensionsv1.JSONSchemaProps) *apiextensionsv1.CustomResourceDefinition {
		c := gizmos.DeepCopy()
		c.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties[name] = s
		return c
	}
	badGroup := gizmos.DeepCopy()
	badGroup.Spec.Group = "example.com\n+kubebuilder:skip"
	tests := []struct {
		name string
		crd  *apiextensionsv1.CustomResourceDefinition
		want []string
	}{
		{"$ref", crds["refs.example.com"], []string{"CRD refs.example.com", "spec.template.spec.foo", "$ref", "not supported"}},
		{"no type", crds["untypeds.example.com"], []string{"CRD untypeds.example.com", "spec.template.spec.foo", "has no type and no x-kubernetes-preserve-unknown-fields"}},
		{"oneOf with types", crds["shapes.example.com"], []string{"CRD shapes.example.com", "spec.template.spec.foo", "oneOf with type is not supported"}},
		{"tuple items", crds["tuples.example.com"], []string{"CRD tuples.example.com", "spec.template.spec.foo", "tuple"}},
		{"properties and additionalProperties", crds["mixeds.example.com"], []string{"CRD mixeds.example.com", "spec.template.spec.foo", "both properties and additionalProperties"}},
		{"array without items", crds["itemlesses.example.com"], []string{"CRD itemlesses.example.com", "spec.template.spec.foo", "without an items schema"}},
		{"kind not exported", lowerKind, []string{"CRD widgets.example.com", `kind "widget" is not an exported Go identifier`}},
		{"version not a package name", dashedVersion, []string{"CRD widgets.example.com", `version "v1-beta" cannot be a Go package name`}},
		{"no storage version", noStorage, []string{"CRD gadgets.example.com", "none of its versions (v1alpha1, v1beta1) is the storage version"}},
		{"unknown type on a free-form value", withProperty("raw", apiextensionsv1.JSONSchemaProps{Type: "map\n*/", XPreserveUnknownFields: new(true)}),
			[]string{"CRD gizmos.example.com", "raw: has unknown type \"map\\n*/\" (want one of array, boolean, integer, number, object, string)"}},
		{"unknown list type", withProperty("tags", apiextensionsv1.JSONSchemaProps{Type: "array", Items: &apiextensionsv1.JSONSchemaPropsOrArray{Schema: &apiextensionsv1.JSONSchemaProps{Type: "string"}}, XListType: new("atomic\n*/")}),
			[]string{"CRD gizmos.example.com", "tags: x-kubernetes-list-type \"atomic\\n*/\" is not one of atomic, set, map"}},
		{"unknown map type", withProperty("labels", apiextensionsv1.JSONSchemaProps{Type: "object", AdditionalProperties: &apiextensionsv1.JSONSchemaPropsOrBool{Schema: &apiextensionsv1.JSONSchemaProps{Type: "string"}}, XMapType: new("shared")}),
			[]string{"CRD gizmos.example.com", "labels: x-kubernetes-map-type \"shared\" is not one of atomic, granular"}},
		{"property name encoding/json ignores", withProperty("temp°C", apiextensionsv1.JSONSchemaProps{Type: "string"}),
			[]string{"CRD gizmos.example.com", "temp°C: property name \"temp°C\" holds '°', which encoding/json does not accept in a struct tag"}},
		{"group not a DNS subdomain", badGroup, []string{"CRD gizmos.example.com", "group \"example.com\\n+kubebuilder:skip\" is not a DNS subdomain"}},
	}
	if len(crds) != 6 {
		t.Fatalf("unsupported.yaml holds %d CRDs, want 6", len(crds))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.crd == nil {
				t.Fatal("CRD missing from testdata")
			}
			_, err := crd.WriteGoTypes(tt.crd, crd.Options{OutputDir: filepath.Join(dir, "out"), GoPackage: path.Join(pkg, "out")})
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// TestDescriptionsGoSourceCannotHold: descriptions become comments; a line starting
// with /* or //, NUL and a byte order mark used to give a types.go that does not
// parse (found by FuzzConvert).
func TestDescriptionsGoSourceCannotHold(t *testing.T) {
	c := readCRDs(t, "cluster-versions.yaml")[1]
	data := c.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["data"]
	data.Description = "/* not a block comment\n// nor a directive\nNUL \x00 and BOM \ufeff."
	c.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["data"] = data
	dir, pkg := runDir(t)
	if _, err := crd.WriteGoTypes(c, crd.Options{OutputDir: filepath.Join(dir, "out"), GoPackage: path.Join(pkg, "out")}); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(dir, "out", "types.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\t// /* not a block comment\n", "\t// // nor a directive\n", "\t// NUL \ufffd and BOM \ufffd.\n"} {
		if !strings.Contains(string(src), want) {
			t.Errorf("types.go does not hold %q:\n%s", want, src)
		}
	}
}

// TestLossyParts covers what is dropped with a warning rather than refused: things
// controller-tools reads only on fields, met on list items or map values.
func TestLossyParts(t *testing.T) {
	base := readCRDs(t, "cluster-versions.yaml")[1] // gizmos: data is a map of strings
	mustJSON := func(s string) *apiextensionsv1.JSON { return &apiextensionsv1.JSON{Raw: []byte(s)} }
	tests := []struct {
		name  string
		value apiextensionsv1.JSONSchemaProps
		want  []string
	}{
		{"default on map values", apiextensionsv1.JSONSchemaProps{Type: "string", Default: mustJSON(`"x"`)},
			[]string{`data.*: default "x" dropped`, "only on struct fields"}},
		{"nullable map values", apiextensionsv1.JSONSchemaProps{Type: "string", Nullable: true},
			[]string{"data.*: nullable dropped"}},
		{"null in an enum", apiextensionsv1.JSONSchemaProps{Type: "string", Enum: []apiextensionsv1.JSON{*mustJSON(`"a"`), *mustJSON(`null`)}},
			[]string{"data.*: enum value null dropped"}},
		{"int-or-string values with a pattern", apiextensionsv1.JSONSchemaProps{XIntOrString: true, Pattern: "^[0-9]+$"},
			[]string{"data.*: validations dropped", "cannot be named"}},
		{"untyped values with a bound", apiextensionsv1.JSONSchemaProps{XPreserveUnknownFields: new(true), MinProperties: new(int64(1))},
			[]string{"data.*: validations dropped", "without a type"}},
	}
	// Under -short only the conversion runs; make test also writes each package,
	// which runs controller-tools' deepcopy on the converted types.
	warnings := func(t *testing.T, c *apiextensionsv1.CustomResourceDefinition) []string {
		t.Helper()
		if testing.Short() {
			_, w, err := crd.ConvertedTypes(c, "example.com/m/out")
			if err != nil {
				t.Fatal(err)
			}
			return w
		}
		dir, pkg := runDir(t)
		res, err := crd.WriteGoTypes(c, crd.Options{OutputDir: filepath.Join(dir, "out"), GoPackage: path.Join(pkg, "out")})
		if err != nil {
			t.Fatal(err)
		}
		return res.Warnings
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base.DeepCopy()
			data := c.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["data"]
			data.AdditionalProperties.Schema = &tt.value
			c.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["data"] = data
			if w := warnings(t, c); !hasWarning(w, tt.want...) {
				t.Errorf("no warning with %q in %q", tt.want, w)
			}
		})
	}
}

func TestReadFile(t *testing.T) {
	crds := readCRDs(t, "cluster-versions.yaml")
	var names []string
	for _, c := range crds {
		names = append(names, c.Name)
	}
	if want := []string{"gadgets.example.com", "gizmos.example.com"}; !slices.Equal(names, want) {
		t.Errorf("cluster-versions.yaml: %q, want %q", names, want)
	}

	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, file string
		want       []string
	}{
		{"a ConfigMap after a CRD", filepath.Join("testdata", "not-a-crd.yaml"), []string{"not-a-crd.yaml: document 2", `kind "ConfigMap"`, "not a CustomResourceDefinition"}},
		{"v1beta1", write("beta.yaml", "apiVersion: apiextensions.k8s.io/v1beta1\nkind: CustomResourceDefinition\nmetadata: {name: a.b}\n"),
			[]string{"document 1 is a CustomResourceDefinition of apiextensions.k8s.io/v1beta1", "only apiextensions.k8s.io/v1"}},
		{"unknown field", write("typo.yaml", "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec: {scop: Cluster}\n"),
			[]string{"document 1", "scop"}},
		{"empty", write("empty.yaml", "# nothing\n---\n"), []string{"holds no CustomResourceDefinition"}},
		{"JSON", write("one.json", `{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "a.b"}}`), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			crds, err := crd.ReadFile(tt.file)
			if tt.want == nil {
				if err != nil || len(crds) != 1 || crds[0].Name != "a.b" {
					t.Errorf("got %v, %v", crds, err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// TestFederatedTemplateKeepsSchema runs the whole generator on CRD targets, as
// kubefed-gen will: the Go types are written into a user's module, federated as Go
// types, and the template of each Federated<Kind> CRD must hold the CRD's schema.
func TestFederatedTemplateKeepsSchema(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and compiles client-go based code in a throwaway module; make test runs it")
	}
	crds := append(readCRDs(t, "mapping.yaml"), readCRDs(t, "cert-manager.io_certificates.yaml")...)
	mod := gomodule.New(t, "example.com/fedgen")
	t.Chdir(mod)
	var types []string
	for _, c := range crds {
		dir, err := crd.PackageDir(c)
		if err != nil {
			t.Fatal(err)
		}
		rel := path.Join("targets", dir)
		res, err := crd.WriteGoTypes(c, crd.Options{OutputDir: filepath.Join(mod, rel), GoPackage: path.Join("example.com/fedgen", rel)})
		if err != nil {
			t.Fatal(err)
		}
		types = append(types, res.GoPackage+"."+res.Kind)
	}
	var log bytes.Buffer
	if err := generator.Generate(generator.Options{Types: types, OutputDir: filepath.Join(mod, "federation"), Log: &log}); err != nil {
		t.Fatalf("Generate: %v\n%s", err, log.String())
	}
	gomodule.Go(t, mod, "build", "./...")
	gomodule.Go(t, mod, "vet", "./...")
	for _, c := range crds {
		data, err := os.ReadFile(filepath.Join(mod, "federation", "config", "crd", "bases", "types.kubefed.io_federated"+c.Spec.Names.Plural+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		var fed apiextensionsv1.CustomResourceDefinition
		if err := yaml.Unmarshal(data, &fed); err != nil {
			t.Fatal(err)
		}
		template := fed.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["spec"].Properties["template"]
		for name, prop := range storage(c).Schema.OpenAPIV3Schema.Properties {
			switch name {
			case "apiVersion", "kind", "metadata", "status": // not part of a template
				continue
			}
			got, ok := template.Properties[name]
			if !ok {
				t.Errorf("%s: the template has no %s", c.Name, name)
				continue
			}
			// Descriptions aside: the generator copies top-level field comments through
			// gofmt's doc comment formatting, which may reflow them.
			want, back := toJSON(prop), toJSON(got)
			for _, m := range []map[string]any{want, back} {
				delete(m, "description")
			}
			for _, d := range diffJSON(name, normalize(want, true), normalize(back, false)) {
				t.Errorf("%s: Federated%s template: %s", c.Name, c.Spec.Names.Kind, d)
			}
		}
	}
}
