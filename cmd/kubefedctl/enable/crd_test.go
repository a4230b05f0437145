package enable

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/openapi3"
	"k8s.io/kube-openapi/pkg/spec3"
	"k8s.io/kube-openapi/pkg/validation/spec"
	"sigs.k8s.io/yaml"

	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/internal/fixture"
	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/resolve"
	emitcrd "github.com/kubefed-gen/kubefed/generator/emit/crd"
)

// documents is an openapi3.Root over fixed documents, one per group-version.
type documents map[schema.GroupVersion]*spec3.OpenAPI

func (d documents) GroupVersions() ([]schema.GroupVersion, error) {
	var out []schema.GroupVersion
	for gv := range d {
		out = append(out, gv)
	}
	return out, nil
}

func (d documents) GVSpec(gv schema.GroupVersion) (*spec3.OpenAPI, error) {
	if doc, ok := d[gv]; ok {
		return doc, nil
	}
	return nil, &openapi3.GroupVersionNotFoundError{}
}

func (d documents) GVSpecAsMap(schema.GroupVersion) (map[string]any, error) {
	panic("not used")
}

func resolveFixture(t *testing.T, arg string) *resolve.Type {
	t.Helper()
	typ, err := resolve.New(fixture.Discovery(), nil).Resolve(arg)
	if err != nil {
		t.Fatal(err)
	}
	return typ
}

// podDocument is a core/v1 document with a Pod whose spec has a described field
// with a long description.
func podDocument(description string) *spec3.OpenAPI {
	pod := spec.Schema{}
	pod.Type = spec.StringOrArray{"object"}
	pod.Required = []string{"spec"}
	podSpec := spec.Schema{}
	podSpec.Type = spec.StringOrArray{"object"}
	podSpec.Description = description
	field := spec.Schema{}
	field.Type = spec.StringOrArray{"string"}
	field.Description = description
	podSpec.Properties = map[string]spec.Schema{"nodeName": field}
	status := spec.Schema{}
	status.Type = spec.StringOrArray{"object"}
	pod.Properties = map[string]spec.Schema{"spec": podSpec, "status": status}
	pod.Extensions = spec.Extensions{"x-kubernetes-group-version-kind": []any{map[string]any{"group": "", "version": "v1", "kind": "Pod"}}}
	return &spec3.OpenAPI{Components: &spec3.Components{Schemas: map[string]*spec.Schema{"io.k8s.api.core.v1.Pod": &pod}}}
}

func TestFederatedCRDForBuiltin(t *testing.T) {
	typ := resolveFixture(t, "pods")
	crd, err := federatedCRDForBuiltin(typ, documents{{Version: "v1"}: podDocument("Node name.")})
	if err != nil {
		t.Fatal(err)
	}
	if crd.Name != "federatedpods.types.kubefed.io" || crd.Spec.Names.Kind != "FederatedPod" || crd.Spec.Scope != apiextensionsv1.NamespaceScoped ||
		strings.Join(crd.Spec.Names.ShortNames, ",") != "fpo" {
		t.Errorf("names %+v scope %s", crd.Spec.Names, crd.Spec.Scope)
	}
	fedSpec := crd.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["spec"]
	for _, p := range []string{"template", "placement", "overrides"} {
		if _, ok := fedSpec.Properties[p]; !ok {
			t.Errorf("spec has no %s", p)
		}
	}
	template := fedSpec.Properties["template"]
	if _, ok := template.Properties["status"]; ok {
		t.Error("the template has the target's status")
	}
	if template.Properties["spec"].Properties["nodeName"].Type != "string" || strings.Join(template.Required, ",") != "spec" {
		t.Errorf("template %+v", template)
	}
	if _, ok := template.Properties["metadata"].Properties["labels"]; !ok {
		t.Errorf("template metadata %+v", template.Properties["metadata"])
	}
	if _, ok := crd.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["status"]; !ok || crd.Spec.Versions[0].Subresources == nil {
		t.Error("no federated status")
	}
}

func TestFederatedCRDForBuiltinWithoutSchema(t *testing.T) {
	typ := resolveFixture(t, "pods")
	for _, tc := range []struct {
		name string
		docs documents
		want string
	}{
		{"no document for the group-version", documents{}, "pods has no OpenAPI v3 schema: the host publishes no OpenAPI v3 document for v1"},
		{"no schema for the kind", documents{{Version: "v1"}: {Components: &spec3.Components{}}}, "pods has no OpenAPI v3 schema: the OpenAPI v3 document of v1 has no schema for kind Pod"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := federatedCRDForBuiltin(typ, tc.docs)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// TestFitSize keeps descriptions while the CRD fits, drops the template's when it
// does not, and refuses a CRD that is too large without them.
func TestFitSize(t *testing.T) {
	typ := resolveFixture(t, "pods")
	build := func(description string) *apiextensionsv1.CustomResourceDefinition {
		crd, err := federatedCRDForBuiltin(typ, documents{{Version: "v1"}: podDocument(description)})
		if err != nil {
			t.Fatal(err)
		}
		return crd
	}
	crd := build("Short.")
	if _, dropped, err := fitSize(crd); err != nil || dropped {
		t.Errorf("small CRD: dropped %v, %v", dropped, err)
	}
	crd = build(strings.Repeat("Long. ", emitcrd.MaxObjectBytes/10))
	size, dropped, err := fitSize(crd)
	if err != nil || !dropped || size > emitcrd.MaxObjectBytes {
		t.Errorf("large CRD: size %d dropped %v, %v", size, dropped, err)
	}
	template := crd.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["spec"].Properties["template"]
	if template.Properties["spec"].Description != "" || template.Properties["spec"].Properties["nodeName"].Description != "" || template.Description == "" {
		t.Errorf("descriptions after dropping: template %q, spec %q", template.Description, template.Properties["spec"].Description)
	}
	if crd.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["spec"].Properties["placement"].Description == "" {
		t.Error("placement lost its description")
	}

	// Too large even without descriptions.
	crd = build("Short.")
	root := crd.Spec.Versions[0].Schema.OpenAPIV3Schema
	fedSpec := root.Properties["spec"]
	template = fedSpec.Properties["template"]
	for i := range emitcrd.MaxObjectBytes / 40 {
		template.Properties[fmt.Sprintf("field%07d", i)] = apiextensionsv1.JSONSchemaProps{Type: "string"}
	}
	fedSpec.Properties["template"] = template
	root.Properties["spec"] = fedSpec
	if _, _, err := fitSize(crd); err == nil || !strings.Contains(err.Error(), "even without descriptions") {
		t.Errorf("huge CRD: %v", err)
	}
}

func TestCheckVerbs(t *testing.T) {
	typ := resolveFixture(t, "pods")
	typ.Verbs = []string{"create"}
	if err := checkVerbs(typ); err == nil || !strings.Contains(err.Error(), "pods cannot be federated") || !strings.Contains(err.Error(), "missing: get, list, watch, patch, delete") {
		t.Errorf("create only: %v", err)
	}
	typ.Verbs = []string{"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}
	if err := checkVerbs(typ); err != nil {
		t.Errorf("all verbs: %v", err)
	}
}

// TestFederatedCRDShapeIsShared builds the Federated CRD of one schema twice, as a
// CRD target and as a type served with an OpenAPI document: the results are the
// same CRD.
func TestFederatedCRDShapeIsShared(t *testing.T) {
	typ := resolveFixture(t, "widgets")
	const widget = `
type: object
required: [spec]
properties:
  apiVersion: {type: string}
  kind: {type: string}
  metadata: {type: object}
  spec:
    type: object
    required: [size]
    properties:
      size: {type: integer, format: int32}
      ports:
        type: array
        items: {type: object, required: [port], properties: {port: {type: integer}}}
        x-kubernetes-list-type: map
        x-kubernetes-list-map-keys: [port]
  status: {type: object, properties: {ready: {type: boolean}}}
`
	var schemaProps apiextensionsv1.JSONSchemaProps
	if err := yaml.UnmarshalStrict([]byte(widget), &schemaProps); err != nil {
		t.Fatal(err)
	}
	target := &apiextensionsv1.CustomResourceDefinition{Spec: apiextensionsv1.CustomResourceDefinitionSpec{
		Versions: []apiextensionsv1.CustomResourceDefinitionVersion{{Name: "v1alpha1", Storage: true,
			Schema: &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: &schemaProps}}},
	}}
	fromCRD, err := federatedCRDForCRD(typ, target)
	if err != nil {
		t.Fatal(err)
	}

	var s spec.Schema
	data, err := yaml.YAMLToJSON([]byte(widget))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	s.Extensions = spec.Extensions{"x-kubernetes-group-version-kind": []any{map[string]any{"group": "example.com", "version": "v1alpha1", "kind": "Widget"}}}
	doc := &spec3.OpenAPI{Components: &spec3.Components{Schemas: map[string]*spec.Schema{"com.example.v1alpha1.Widget": &s}}}
	fromOpenAPI, err := federatedCRDForBuiltin(typ, documents{{Group: "example.com", Version: "v1alpha1"}: doc})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := yaml.Marshal(fromCRD)
	b, _ := yaml.Marshal(fromOpenAPI)
	if string(a) != string(b) {
		t.Errorf("from the CRD:\n%s\nfrom OpenAPI:\n%s", a, b)
	}
	template := fromCRD.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["spec"].Properties["template"]
	if strings.Join(template.Required, ",") != "spec" || template.Properties["spec"].Required[0] != "size" {
		t.Errorf("required: template %v, spec %v", template.Required, template.Properties["spec"].Required)
	}
}
