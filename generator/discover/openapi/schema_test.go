package openapi

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/kube-openapi/pkg/spec3"
	"sigs.k8s.io/yaml"
)

var widgetGVK = schema.GroupVersionKind{Group: "example.com", Version: "v1", Kind: "Widget"}

// document is an OpenAPI v3 document whose Widget has the spec given as YAML,
// next to the given other component schemas (YAML, by name).
func document(t *testing.T, widgetSpec string, others map[string]string) *spec3.OpenAPI {
	t.Helper()
	schemas := map[string]any{}
	for name, s := range others {
		schemas[name] = fromYAML(t, s)
	}
	schemas["com.example.v1.Widget"] = map[string]any{
		"type": "object",
		"properties": map[string]any{
			"apiVersion": map[string]any{"type": "string"},
			"kind":       map[string]any{"type": "string"},
			"metadata":   map[string]any{"allOf": []any{map[string]any{"$ref": refPrefix + objectMetaSchemaName}}, "default": map[string]any{}},
			"spec":       fromYAML(t, widgetSpec),
		},
		extGroupVersionKind: []any{map[string]any{"group": "example.com", "version": "v1", "kind": "Widget"}},
	}
	data, err := json.Marshal(map[string]any{"openapi": "3.0.0", "components": map[string]any{"schemas": schemas}})
	if err != nil {
		t.Fatal(err)
	}
	var doc spec3.OpenAPI
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return &doc
}

func fromYAML(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("%v in\n%s", err, s)
	}
	return v
}

// specOf converts the Widget of doc and returns its spec as YAML.
func specOf(t *testing.T, doc *spec3.OpenAPI) string {
	t.Helper()
	s, err := KindSchema(doc, widgetGVK)
	if err != nil {
		t.Fatal(err)
	}
	data, err := yaml.Marshal(s.Properties["spec"])
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestKindSchema(t *testing.T) {
	for _, tc := range []struct {
		name   string
		spec   string
		others map[string]string
		want   string
	}{
		{
			name: "a reference keeps the description of the field that refers",
			spec: `{description: The spec., allOf: [{$ref: "#/components/schemas/com.example.v1.WidgetSpec"}], default: {}}`,
			others: map[string]string{
				"com.example.v1.WidgetSpec": `{description: The type., type: object, properties: {size: {type: integer, format: int32}}}`,
			},
			want: `{description: The spec., type: object, properties: {size: {type: integer, format: int32}}}`,
		},
		{
			name: "a bare reference has the type's description",
			spec: `{$ref: "#/components/schemas/com.example.v1.WidgetSpec"}`,
			others: map[string]string{
				"com.example.v1.WidgetSpec": `{description: The type., type: object, properties: {on: {type: boolean}}}`,
			},
			want: `{description: The type., type: object, properties: {on: {type: boolean}}}`,
		},
		{
			name: "apimachinery types get controller-tools' schemas",
			spec: `
type: object
properties:
  port: {description: A port., allOf: [{$ref: "#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString"}]}
  memory: {$ref: "#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity"}
  since: {$ref: "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time"}
  timeout: {$ref: "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Duration"}
  raw: {$ref: "#/components/schemas/io.k8s.apimachinery.pkg.runtime.RawExtension"}
  json: {$ref: "#/components/schemas/io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON"}
  podMetadata: {description: Pod metadata., allOf: [{$ref: "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}]}
`,
			others: map[string]string{
				"io.k8s.apimachinery.pkg.util.intstr.IntOrString":               `{description: long, format: int-or-string, oneOf: [{type: integer}, {type: string}]}`,
				"io.k8s.apimachinery.pkg.api.resource.Quantity":                 `{description: long, oneOf: [{type: string}, {type: number}]}`,
				"io.k8s.apimachinery.pkg.apis.meta.v1.Time":                     `{description: long, type: string, format: date-time}`,
				"io.k8s.apimachinery.pkg.apis.meta.v1.Duration":                 `{description: long, type: string}`,
				"io.k8s.apimachinery.pkg.runtime.RawExtension":                  `{description: long, type: object}`,
				"io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON": `{description: long}`,
				"io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta":               `{type: object, properties: {uid: {type: string}}}`,
			},
			want: `
type: object
properties:
  port: {description: A port., x-kubernetes-int-or-string: true, anyOf: [{type: integer}, {type: string}]}
  memory: {x-kubernetes-int-or-string: true, anyOf: [{type: integer}, {type: string}], pattern: '` + quantityPattern + `'}
  since: {type: string, format: date-time}
  timeout: {type: string}
  raw: {type: object, x-kubernetes-preserve-unknown-fields: true}
  json: {x-kubernetes-preserve-unknown-fields: true}
  podMetadata:
    description: Pod metadata.
    type: object
    properties:
      name: {type: string}
      namespace: {type: string}
      labels: {type: object, additionalProperties: {type: string}}
      annotations: {type: object, additionalProperties: {type: string}}
      finalizers: {type: array, items: {type: string}}
`,
		},
		{
			name: "int-or-string by format or extension",
			spec: `{type: object, properties: {a: {format: int-or-string, oneOf: [{type: integer}, {type: string}]}, b: {x-kubernetes-int-or-string: true, anyOf: [{type: integer}, {type: string}]}}}`,
			want: `{type: object, properties: {a: {x-kubernetes-int-or-string: true, anyOf: [{type: integer}, {type: string}]}, b: {x-kubernetes-int-or-string: true, anyOf: [{type: integer}, {type: string}]}}}`,
		},
		{
			name: "list and map extensions are kept where a CRD takes them, patch and union extensions dropped",
			spec: `
type: object
x-kubernetes-unions: [{discriminator: type}]
properties:
  ports:
    type: array
    items: {type: object, required: [port], properties: {port: {type: integer, format: int32}, protocol: {type: string, default: TCP}}}
    x-kubernetes-list-type: map
    x-kubernetes-list-map-keys: [port, protocol]
    x-kubernetes-patch-strategy: merge
    x-kubernetes-patch-merge-key: port
  tags: {type: array, items: {type: string}, x-kubernetes-list-type: set}
  ref: {type: object, properties: {name: {type: string}}, x-kubernetes-map-type: atomic}
  labels: {type: object, additionalProperties: {type: string}, x-kubernetes-map-type: granular}
  object: {type: object, x-kubernetes-embedded-resource: true, x-kubernetes-preserve-unknown-fields: true}
  caBundle: {type: string, format: byte, x-kubernetes-list-type: atomic}
  name: {type: string, x-kubernetes-map-type: atomic}
`,
			want: `
type: object
properties:
  ports:
    type: array
    items: {type: object, required: [port], properties: {port: {type: integer, format: int32}, protocol: {type: string, default: TCP}}}
    x-kubernetes-list-type: map
    x-kubernetes-list-map-keys: [port, protocol]
  tags: {type: array, items: {type: string}, x-kubernetes-list-type: set}
  ref: {type: object, properties: {name: {type: string}}, x-kubernetes-map-type: atomic}
  labels: {type: object, additionalProperties: {type: string}, x-kubernetes-map-type: granular}
  object: {type: object, x-kubernetes-embedded-resource: true, x-kubernetes-preserve-unknown-fields: true}
  caBundle: {type: string, format: byte}
  name: {type: string}
`,
		},
		{
			name: "defaults of markers stay; zero values of required fields and object defaults go",
			spec: `
type: object
required: [name, port]
properties:
  name: {type: string, default: ""}
  port: {type: integer, default: 0}
  protocol: {type: string, default: TCP}
  optionalName: {type: string, default: ""}
  enabled: {type: boolean, default: false}
  nested: {type: object, properties: {a: {type: string}}, default: {}}
  list: {type: array, items: {type: string}, default: [a]}
`,
			want: `
type: object
required: [name, port]
properties:
  name: {type: string}
  port: {type: integer}
  protocol: {type: string, default: TCP}
  optionalName: {type: string, default: ""}
  enabled: {type: boolean, default: false}
  nested: {type: object, properties: {a: {type: string}}}
  list: {type: array, items: {type: string}}
`,
		},
		{
			name: "enum, uniqueItems and title are dropped; other validations stay",
			spec: `
type: object
properties:
  mode: {type: string, enum: [A, B], title: Mode}
  set: {type: array, items: {type: string}, uniqueItems: true, maxItems: 3}
  size: {type: integer, minimum: 1, maximum: 10}
  name: {type: string, pattern: '^[a-z]+$', minLength: 1, maxLength: 63}
  ratio: {type: number, multipleOf: 0.5, nullable: true}
`,
			want: `
type: object
properties:
  mode: {type: string}
  set: {type: array, items: {type: string}, maxItems: 3}
  size: {type: integer, minimum: 1, maximum: 10}
  name: {type: string, pattern: '^[a-z]+$', minLength: 1, maxLength: 63}
  ratio: {type: number, multipleOf: 0.5, nullable: true}
`,
		},
		{
			name: "values without one type are free",
			spec: `
type: object
properties:
  untyped: {description: Anything.}
  either: {oneOf: [{type: string}, {type: boolean}]}
  anyMap: {type: object, additionalProperties: true}
  typeList: {type: [string, integer]}
  tuple: {type: array, items: [{type: string}, {type: integer}]}
  noItems: {type: array}
`,
			want: `
type: object
properties:
  untyped: {description: Anything., x-kubernetes-preserve-unknown-fields: true}
  either: {x-kubernetes-preserve-unknown-fields: true}
  anyMap: {type: object, x-kubernetes-preserve-unknown-fields: true}
  typeList: {x-kubernetes-preserve-unknown-fields: true}
  tuple: {type: array, items: {x-kubernetes-preserve-unknown-fields: true}}
  noItems: {type: array, items: {x-kubernetes-preserve-unknown-fields: true}}
`,
		},
		{
			name: "recursion is cut at the first repetition",
			spec: `{$ref: "#/components/schemas/com.example.v1.Node"}`,
			others: map[string]string{
				"com.example.v1.Node": `
description: A node.
type: object
properties:
  value: {type: string}
  children: {type: array, items: {$ref: "#/components/schemas/com.example.v1.Node"}}
  next: {description: The next one., allOf: [{$ref: "#/components/schemas/com.example.v1.Node"}]}
`,
			},
			want: `
description: A node.
type: object
properties:
  value: {type: string}
  children: {type: array, items: {description: A node., type: object, x-kubernetes-preserve-unknown-fields: true}}
  next: {description: The next one., type: object, x-kubernetes-preserve-unknown-fields: true}
`,
		},
		{
			name: "a type used twice side by side is not a recursion",
			spec: `{type: object, properties: {a: {$ref: "#/components/schemas/com.example.v1.Ref"}, b: {$ref: "#/components/schemas/com.example.v1.Ref"}}}`,
			others: map[string]string{
				"com.example.v1.Ref": `{type: object, properties: {name: {type: string}}}`,
			},
			want: `{type: object, properties: {a: {type: object, properties: {name: {type: string}}}, b: {type: object, properties: {name: {type: string}}}}}`,
		},
		{
			name: "a dangling reference accepts anything",
			spec: `{type: object, properties: {a: {$ref: "#/components/schemas/com.example.v1.Missing"}}}`,
			want: `{type: object, properties: {a: {x-kubernetes-preserve-unknown-fields: true}}}`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := specOf(t, document(t, tc.spec, tc.others))
			var want apiextensionsv1.JSONSchemaProps
			if err := yaml.UnmarshalStrict([]byte(tc.want), &want); err != nil {
				t.Fatalf("want: %v", err)
			}
			wantYAML, err := yaml.Marshal(want)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(wantYAML) {
				t.Errorf("got:\n%s\nwant:\n%s", got, wantYAML)
			}
		})
	}
}

func TestKindSchemaWholeObject(t *testing.T) {
	s, err := KindSchema(document(t, `{type: object}`, map[string]string{
		"io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta": `{type: object}`,
	}), widgetGVK)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"apiVersion", "kind", "metadata", "spec"} {
		if _, ok := s.Properties[p]; !ok {
			t.Errorf("no %s in %v", p, s.Properties)
		}
	}
	if md := s.Properties["metadata"]; md.Default != nil || md.Properties["labels"].Type != "object" {
		t.Errorf("metadata %+v", md)
	}
}

func TestKindSchemaNotFound(t *testing.T) {
	doc := document(t, `{type: object}`, nil)
	for _, gvk := range []schema.GroupVersionKind{
		{Group: "example.com", Version: "v1", Kind: "Gadget"},
		{Group: "example.com", Version: "v2", Kind: "Widget"},
	} {
		_, err := KindSchema(doc, gvk)
		var noSchema *NoSchemaError
		if !errors.As(err, &noSchema) || noSchema.GroupVersionKind != gvk {
			t.Errorf("%s: error %v, want a NoSchemaError", gvk, err)
		}
		if err != nil && !strings.Contains(err.Error(), "has no schema for kind "+gvk.Kind) {
			t.Errorf("%s: message %q", gvk, err)
		}
	}
	if _, err := KindSchema(&spec3.OpenAPI{}, widgetGVK); err == nil {
		t.Error("a document without components: no error")
	}
}

// TestSchemaName prefers the schema named after the kind when several list it.
func TestSchemaName(t *testing.T) {
	doc := document(t, `{type: object}`, nil)
	doc.Components.Schemas["com.example.v1.WidgetAlias"] = doc.Components.Schemas["com.example.v1.Widget"]
	name, err := SchemaName(doc, widgetGVK)
	if err != nil || name != "com.example.v1.Widget" {
		t.Errorf("name %q, %v", name, err)
	}
}
