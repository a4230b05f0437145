package enable

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/openapi3"
	"k8s.io/client-go/restmapper"
	controllertoolscrd "sigs.k8s.io/controller-tools/pkg/crd"
	"sigs.k8s.io/yaml"

	defaultcrds "github.com/kubefed-gen/kubefed/cmd/controller-manager/config/crd"
	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/resolve"
	"github.com/kubefed-gen/kubefed/runtime/fedtype"
	"github.com/kubefed-gen/kubefed/test/clusters"
)

// liveHost is one real API server with what enable reads of it.
type liveHost struct {
	groups   []*restmapper.APIGroupResources
	resolver *resolve.Resolver
	openAPI  openapi3.Root
	ext      apiextensionsclient.Interface
}

func startHost(t *testing.T) *liveHost {
	t.Helper()
	set, err := clusters.Start(clusters.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = set.Stop() })
	disco := discovery.NewDiscoveryClientForConfigOrDie(set.Host.Config)
	groups, err := restmapper.GetAPIGroupResources(disco)
	if err != nil {
		t.Fatal(err)
	}
	return &liveHost{
		groups:   groups,
		resolver: resolve.New(groups, nil),
		openAPI:  openapi3.NewRoot(disco.OpenAPIV3()),
		ext:      apiextensionsclient.NewForConfigOrDie(set.Host.Config),
	}
}

// TestBuiltinTypes builds Federated CRDs from the OpenAPI v3 documents of one real
// API server.
func TestBuiltinTypes(t *testing.T) {
	h := startHost(t)
	t.Run("the schema from OpenAPI matches the generated one", func(t *testing.T) { testBuiltinSchemaMatchesGenerated(t, h) })
	t.Run("the API server accepts the CRDs", func(t *testing.T) { testBuiltinCRDsInstall(t, h) })
}

func (h *liveHost) builtinCRD(t *testing.T, typeArg string) *apiextensionsv1.CustomResourceDefinition {
	t.Helper()
	typ, err := h.resolver.Resolve(typeArg)
	if err != nil {
		t.Fatal(err)
	}
	crd, err := federatedCRDForBuiltin(typ, h.openAPI)
	if err != nil {
		t.Fatal(err)
	}
	return crd
}

func templateOf(crd *apiextensionsv1.CustomResourceDefinition) apiextensionsv1.JSONSchemaProps {
	return crd.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["spec"].Properties["template"]
}

// testBuiltinSchemaMatchesGenerated is the equivalence test of the two ways a
// built-in type gets its Federated CRD: for every type of the default set, the
// template schema enable derives from a live API server's OpenAPI v3 document is
// compared with the one kubefed-gen generated from the Go types (the CRDs compiled
// into the default controller manager).
//
// What must match: the tree of properties, types and formats, required fields,
// int-or-string, list types and list-map keys, map types, embedded resources,
// preserve-unknown-fields, nullable, enums, patterns; and everything outside the
// template (names, scope, printer columns, placement, overrides, status), which
// federatedCRD takes from the generated FederatedConfigMap.
//
// The differences there are, each for a reason the OpenAPI document cannot help
// (see intendedDifference): descriptions (openapi-gen joins a Go comment's lines,
// appends the values of enums and leaves list items of named types undescribed;
// controller-tools keeps the line breaks and describes such items); validations
// written as +k8s: declarative-validation tags, which controller-tools reads and the
// API server does not publish; x-kubernetes-map-type: atomic that controller-tools
// copies from an embedded struct into the struct embedding it; and defaults that
// only the API server's document has. The test logs each difference and fails on
// any other.
func testBuiltinSchemaMatchesGenerated(t *testing.T, h *liveHost) {
	files, err := fs.Glob(defaultcrds.Bases, "bases/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no default-set CRDs: %v", err)
	}
	for _, file := range files {
		plural := strings.TrimPrefix(strings.TrimSuffix(filepath.Base(file), ".yaml"), resolve.DefaultFederatedGroup+"_")
		generated, ok, err := defaultSetCRD(plural, resolve.DefaultFederatedGroup)
		if err != nil || !ok {
			t.Fatalf("%s: %v", file, err)
		}
		target := strings.TrimPrefix(generated.Spec.Names.Kind, "Federated")
		t.Run(target, func(t *testing.T) {
			typ, err := h.resolver.Resolve(target)
			if err != nil {
				t.Fatal(err)
			}
			derived := h.builtinCRD(t, typ.Name)

			want, got := templateOf(generated), templateOf(derived)
			nodes, reworded, example := compareDescriptions("template", &want, &got)
			if reworded > 0 {
				t.Logf("%s: %d schema nodes; the descriptions of %d differ beyond whitespace (first: %s)", typ.Name, nodes, reworded, example)
			}
			controllertoolscrd.TruncateDescription(&want, 0)
			controllertoolscrd.TruncateDescription(&got, 0)
			var unexplained []string
			intended := map[string][]string{}
			for _, d := range schemaDiff("template", &want, &got) {
				if why := intendedDifference(d); why != "" {
					intended[why] = append(intended[why], d.String())
					continue
				}
				unexplained = append(unexplained, d.String())
			}
			for _, why := range slices.Sorted(maps.Keys(intended)) {
				t.Logf("%s: %d intended difference(s): %s:\n  %s", typ.Name, len(intended[why]), why, strings.Join(intended[why], "\n  "))
			}
			if len(unexplained) > 0 {
				t.Errorf("template schema of %s from the host's OpenAPI v3 differs from the generated one (%d):\n  %s",
					typ.Name, len(unexplained), strings.Join(unexplained, "\n  "))
			}

			g, d := generated.DeepCopy(), derived.DeepCopy()
			for _, c := range []*apiextensionsv1.CustomResourceDefinition{g, d} {
				root := c.Spec.Versions[0].Schema.OpenAPIV3Schema
				spec := root.Properties["spec"]
				delete(spec.Properties, "template")
				spec.Description, root.Description = "", ""
				root.Properties["spec"] = spec
				// Intended: kubefed-gen types remoteStatus with the target's
				// status schema; a type enable installs is propagated
				// dynamically and keeps it raw.
				delete(root.Properties["status"].Properties["clusters"].Items.Schema.Properties, "remoteStatus")
			}
			if !reflect.DeepEqual(g.Spec, d.Spec) {
				gj, _ := json.Marshal(g.Spec)
				dj, _ := json.Marshal(d.Spec)
				t.Errorf("the CRD outside the template differs:\ngenerated %s\nderived   %s", gj, dj)
			}
		})
	}
}

// difference is one keyword of one schema node that differs.
type difference struct {
	path, keyword  string
	generated, got any // nil when absent
}

func (d difference) String() string {
	return fmt.Sprintf("%s: %s is %s, generated %s", d.path, d.keyword, jsonText(d.got), jsonText(d.generated))
}

// declarativeValidations are the keywords controller-tools writes for +k8s: tags
// (+k8s:maxItems=10, +k8s:immutable): the API server enforces them in its own
// validation code but publishes none of them in its OpenAPI document.
var declarativeValidations = []string{"maxItems", "minItems", "maxLength", "minLength", "maximum", "minimum", "x-kubernetes-validations"}

// intendedDifference says why d is expected, or "" when it is not.
func intendedDifference(d difference) string {
	switch {
	case d.got == nil && slices.Contains(declarativeValidations, d.keyword):
		return "a +k8s: declarative validation the API server does not publish; the member cluster still enforces it"
	case d.keyword == "x-kubernetes-map-type" && d.got == nil && d.generated == "atomic":
		return "controller-tools copies an embedded struct's +structType=atomic into the struct embedding it, the API server does not; only server-side apply merging inside the template differs"
	case d.keyword == "default" && d.generated == nil:
		return "a default only the API server's document has: a +default=ref(...) marker controller-tools cannot read, or openapi-gen's zero value for an optional field without omitempty; the member cluster applies the same default"
	}
	return ""
}

// compareDescriptions counts the nodes present in both schemas and those whose
// descriptions differ once whitespace is normalised, with the path of one of them.
func compareDescriptions(path string, a, b *apiextensionsv1.JSONSchemaProps) (nodes, differ int, example string) {
	if a == nil || b == nil {
		return 0, 0, ""
	}
	nodes = 1
	if strings.Join(strings.Fields(a.Description), " ") != strings.Join(strings.Fields(b.Description), " ") {
		differ, example = 1, path
	}
	add := func(n, d int, e string) {
		nodes, differ = nodes+n, differ+d
		if example == "" {
			example = e
		}
	}
	for _, name := range slices.Sorted(maps.Keys(a.Properties)) {
		p := a.Properties[name]
		if q, ok := b.Properties[name]; ok {
			add(compareDescriptions(path+"."+name, &p, &q))
		}
	}
	if a.Items != nil && b.Items != nil {
		add(compareDescriptions(path+"[]", a.Items.Schema, b.Items.Schema))
	}
	if a.AdditionalProperties != nil && b.AdditionalProperties != nil {
		add(compareDescriptions(path+"{}", a.AdditionalProperties.Schema, b.AdditionalProperties.Schema))
	}
	return nodes, differ, example
}

// schemaDiff lists where two schemas differ, one line per node and keyword.
func schemaDiff(path string, want, got *apiextensionsv1.JSONSchemaProps) []difference {
	switch {
	case want == nil && got == nil:
		return nil
	case want == nil:
		return []difference{{path: path, keyword: "(node)", got: "present"}}
	case got == nil:
		return []difference{{path: path, keyword: "(node)", generated: "present"}}
	}
	var diffs []difference
	node := func(s *apiextensionsv1.JSONSchemaProps) map[string]any {
		n := *s
		n.Properties, n.Items, n.AdditionalProperties = nil, nil, nil
		n.Required = slices.Sorted(slices.Values(n.Required))
		var m map[string]any
		data, _ := json.Marshal(n)
		_ = json.Unmarshal(data, &m)
		return m
	}
	w, g := node(want), node(got)
	for _, k := range slices.Sorted(maps.Keys(mergeKeys(w, g))) {
		if !reflect.DeepEqual(w[k], g[k]) {
			diffs = append(diffs, difference{path: path, keyword: k, generated: w[k], got: g[k]})
		}
	}
	names := map[string]bool{}
	for n := range want.Properties {
		names[n] = true
	}
	for n := range got.Properties {
		names[n] = true
	}
	for _, n := range slices.Sorted(maps.Keys(names)) {
		var wp, gp *apiextensionsv1.JSONSchemaProps
		if p, ok := want.Properties[n]; ok {
			wp = &p
		}
		if p, ok := got.Properties[n]; ok {
			gp = &p
		}
		diffs = append(diffs, schemaDiff(path+"."+n, wp, gp)...)
	}
	itemsOf := func(s *apiextensionsv1.JSONSchemaProps) *apiextensionsv1.JSONSchemaProps {
		if s.Items == nil {
			return nil
		}
		return s.Items.Schema
	}
	valuesOf := func(s *apiextensionsv1.JSONSchemaProps) *apiextensionsv1.JSONSchemaProps {
		if s.AdditionalProperties == nil {
			return nil
		}
		return s.AdditionalProperties.Schema
	}
	diffs = append(diffs, schemaDiff(path+"[]", itemsOf(want), itemsOf(got))...)
	diffs = append(diffs, schemaDiff(path+"{}", valuesOf(want), valuesOf(got))...)
	return diffs
}

func mergeKeys(a, b map[string]any) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

func jsonText(v any) string {
	if v == nil {
		return "absent"
	}
	data, _ := json.Marshal(v)
	return string(data)
}

// testBuiltinCRDsInstall builds the Federated CRD of built-in types outside the
// default set, a recursive one (CustomResourceDefinition) among them, and of real
// operators' CRDs, and has the API server validate each (a server-side dry run).
func testBuiltinCRDsInstall(t *testing.T, h *liveHost) {
	for _, typ := range []string{"statefulsets.apps", "poddisruptionbudgets.policy", "cronjobs.batch", "daemonsets.apps", "pods", "customresourcedefinitions.apiextensions.k8s.io"} {
		t.Run(typ, func(t *testing.T) {
			crd := h.builtinCRD(t, typ)
			size, dropped, err := fitSize(crd)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d KiB (descriptions dropped: %v)", crd.Name, size/1024, dropped)
			if _, err := h.ext.ApiextensionsV1().CustomResourceDefinitions().Create(context.Background(), crd, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}); err != nil {
				t.Fatalf("the API server refuses the Federated CRD: %v", err)
			}
		})
	}

	// Every other type the API server serves and the controller could propagate.
	var served []string
	for _, g := range h.groups {
		for _, res := range resolve.PreferredResources(g) {
			typ, err := h.resolver.Resolve(resolve.QualifiedResource(res.Name, g.Group.Name))
			if err != nil || checkVerbs(typ) != nil {
				continue
			}
			served = append(served, typ.Name)
		}
	}
	t.Run("every propagatable type served", func(t *testing.T) {
		for _, name := range served {
			crd := h.builtinCRD(t, name)
			if _, _, err := fitSize(crd); err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			if _, err := h.ext.ApiextensionsV1().CustomResourceDefinitions().Create(context.Background(), crd, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}); err != nil {
				t.Errorf("%s: the API server refuses the Federated CRD: %v", name, err)
			}
		}
		t.Logf("%d types: %s", len(served), strings.Join(served, " "))
	})

	// CRD targets take the same path from their schema on: real operators' CRDs.
	files, err := filepath.Glob(filepath.Join("..", "..", "..", "generator", "discover", "crd", "testdata", "*.*_*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no CRDs in generator/discover/crd/testdata: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var target apiextensionsv1.CustomResourceDefinition
			if err := yaml.Unmarshal(data, &target); err != nil {
				t.Fatal(err)
			}
			typ := &resolve.Type{Info: fedtype.Info{
				Name: target.Name,
				Target: fedtype.Resource{
					GroupVersionKind: schema.GroupVersionKind{Group: target.Spec.Group, Version: target.Spec.Versions[0].Name, Kind: target.Spec.Names.Kind},
					Plural:           target.Spec.Names.Plural, Namespaced: target.Spec.Scope == apiextensionsv1.NamespaceScoped,
				},
				Federated: fedtype.Resource{
					GroupVersionKind: schema.GroupVersionKind{Group: resolve.DefaultFederatedGroup, Version: "v1beta1", Kind: "Federated" + target.Spec.Names.Kind},
					Plural:           "federated" + target.Spec.Names.Plural, Namespaced: true,
				},
			}, ShortNames: target.Spec.Names.ShortNames}
			crd, err := federatedCRDForCRD(typ, &target)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := fitSize(crd); err != nil {
				t.Fatal(err)
			}
			if _, err := h.ext.ApiextensionsV1().CustomResourceDefinitions().Create(context.Background(), crd, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}); err != nil {
				t.Fatalf("the API server refuses the Federated CRD: %v", err)
			}
		})
	}
}
