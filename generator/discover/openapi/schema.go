package openapi

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/kube-openapi/pkg/spec3"
	"k8s.io/kube-openapi/pkg/validation/spec"
)

// refPrefix starts every reference between the schemas of an OpenAPI v3 document.
const refPrefix = "#/components/schemas/"

// Extensions of the OpenAPI documents of Kubernetes API servers that a CRD schema
// keeps or reads.
const (
	extGroupVersionKind  = "x-kubernetes-group-version-kind"
	extListType          = "x-kubernetes-list-type"
	extListMapKeys       = "x-kubernetes-list-map-keys"
	extMapType           = "x-kubernetes-map-type"
	extEmbeddedResource  = "x-kubernetes-embedded-resource"
	extPreserveUnknown   = "x-kubernetes-preserve-unknown-fields"
	extIntOrString       = "x-kubernetes-int-or-string"
	formatIntOrString    = "int-or-string"
	objectMetaSchemaName = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
)

// NoSchemaError says that a document has no schema for a kind.
type NoSchemaError struct {
	GroupVersionKind schema.GroupVersionKind
}

func (e *NoSchemaError) Error() string {
	return fmt.Sprintf("the OpenAPI v3 document of %s has no schema for kind %s", e.GroupVersionKind.GroupVersion(), e.GroupVersionKind.Kind)
}

// KindSchema returns the structural schema of the objects of kind gvk, converted
// from doc, the OpenAPI v3 document of gvk's group-version. It is the schema of the
// whole object: apiVersion, kind, metadata (as embedded object metadata) and status
// included. It fails with a *NoSchemaError when doc does not describe the kind.
func KindSchema(doc *spec3.OpenAPI, gvk schema.GroupVersionKind) (*apiextensionsv1.JSONSchemaProps, error) {
	name, err := SchemaName(doc, gvk)
	if err != nil {
		return nil, err
	}
	c := &converter{schemas: doc.Components.Schemas}
	out := c.named(name)
	return &out, nil
}

// SchemaName returns the name, among doc's component schemas, of the schema whose
// x-kubernetes-group-version-kind lists gvk (io.k8s.api.apps.v1.StatefulSet).
func SchemaName(doc *spec3.OpenAPI, gvk schema.GroupVersionKind) (string, error) {
	if doc == nil || doc.Components == nil {
		return "", &NoSchemaError{GroupVersionKind: gvk}
	}
	var found []string
	for name, s := range doc.Components.Schemas {
		if s == nil {
			continue
		}
		var gvks []struct{ Group, Version, Kind string }
		if err := s.Extensions.GetObject(extGroupVersionKind, &gvks); err != nil {
			continue
		}
		for _, g := range gvks {
			if g.Group == gvk.Group && g.Version == gvk.Version && g.Kind == gvk.Kind {
				found = append(found, name)
			}
		}
	}
	if len(found) == 0 {
		return "", &NoSchemaError{GroupVersionKind: gvk}
	}
	// Several schemas may list the kind (never seen for a resource's kind); prefer
	// the one named after it, then the first by name, so the choice is stable.
	sort.Strings(found)
	for _, name := range found {
		if strings.HasSuffix(name, "."+gvk.Kind) {
			return name, nil
		}
	}
	return found[0], nil
}

// converter converts the schemas of one document. stack holds the names of the
// schemas being converted, outermost first, to cut recursion.
type converter struct {
	schemas map[string]*spec.Schema
	stack   []string
}

// named converts the component schema name.
func (c *converter) named(name string) apiextensionsv1.JSONSchemaProps {
	if known, ok := knownSchema(name); ok {
		return known
	}
	s, ok := c.schemas[name]
	if !ok || s == nil {
		// A dangling reference: accept any value rather than refuse the type.
		return apiextensionsv1.JSONSchemaProps{XPreserveUnknownFields: new(true)}
	}
	if slices.Contains(c.stack, name) {
		out := apiextensionsv1.JSONSchemaProps{Description: s.Description, XPreserveUnknownFields: new(true)}
		if typeOf(s) == "object" {
			out.Type = "object"
		}
		return out
	}
	c.stack = append(c.stack, name)
	defer func() { c.stack = c.stack[:len(c.stack)-1] }()
	return c.convert(s)
}

// convert converts one schema node.
func (c *converter) convert(s *spec.Schema) apiextensionsv1.JSONSchemaProps {
	if ref := refOf(s); ref != "" {
		name := strings.TrimPrefix(ref, refPrefix)
		out := c.named(name)
		if s.Description != "" {
			out.Description = s.Description
		}
		return out
	}
	if b, ok := s.Extensions.GetBool(extIntOrString); (ok && b) || s.Format == formatIntOrString {
		return intOrString(s.Description)
	}
	out := apiextensionsv1.JSONSchemaProps{
		Description:      s.Description,
		Type:             typeOf(s),
		Format:           s.Format,
		Nullable:         s.Nullable,
		Maximum:          s.Maximum,
		ExclusiveMaximum: s.ExclusiveMaximum,
		Minimum:          s.Minimum,
		ExclusiveMinimum: s.ExclusiveMinimum,
		MaxLength:        s.MaxLength,
		MinLength:        s.MinLength,
		Pattern:          s.Pattern,
		MaxItems:         s.MaxItems,
		MinItems:         s.MinItems,
		MultipleOf:       s.MultipleOf,
		MaxProperties:    s.MaxProperties,
		MinProperties:    s.MinProperties,
	}
	if len(s.Properties) > 0 {
		out.Properties = map[string]apiextensionsv1.JSONSchemaProps{}
		for name, p := range s.Properties {
			prop := c.convert(&p)
			if d, ok := markerDefault(&p, slices.Contains(s.Required, name)); ok {
				prop.Default = d
			}
			out.Properties[name] = prop
		}
		for _, r := range s.Required {
			if _, ok := s.Properties[r]; ok && !slices.Contains(out.Required, r) {
				out.Required = append(out.Required, r)
			}
		}
	}
	if s.Items != nil {
		switch {
		case s.Items.Schema != nil:
			items := c.convert(s.Items.Schema)
			out.Items = &apiextensionsv1.JSONSchemaPropsOrArray{Schema: &items}
		default:
			// Tuples have no structural form: accept any item.
			out.Items = &apiextensionsv1.JSONSchemaPropsOrArray{Schema: &apiextensionsv1.JSONSchemaProps{XPreserveUnknownFields: new(true)}}
		}
	}
	if s.AdditionalProperties != nil && out.Properties == nil {
		switch {
		case s.AdditionalProperties.Schema != nil:
			values := c.convert(s.AdditionalProperties.Schema)
			out.AdditionalProperties = &apiextensionsv1.JSONSchemaPropsOrBool{Allows: true, Schema: &values}
		case s.AdditionalProperties.Allows:
			out.XPreserveUnknownFields = new(true)
		}
	}
	// A CRD takes list types only on arrays and map types only on objects; Go's
	// []byte is a list in the type's markers (apiservices' caBundle) and a string
	// on the wire.
	if v, ok := s.Extensions.GetString(extListType); ok && out.Type == "array" {
		out.XListType = &v
		if keys, ok := s.Extensions.GetStringSlice(extListMapKeys); ok && v == "map" {
			out.XListMapKeys = keys
		}
	}
	if v, ok := s.Extensions.GetString(extMapType); ok && out.Type == "object" {
		out.XMapType = &v
	}
	if b, ok := s.Extensions.GetBool(extEmbeddedResource); ok && b {
		out.XEmbeddedResource = true
	}
	if b, ok := s.Extensions.GetBool(extPreserveUnknown); ok && b {
		out.XPreserveUnknownFields = new(true)
	}
	switch {
	case out.Type == "array" && out.Items == nil:
		out.Items = &apiextensionsv1.JSONSchemaPropsOrArray{Schema: &apiextensionsv1.JSONSchemaProps{XPreserveUnknownFields: new(true)}}
	case out.Type == "" && !out.XIntOrString:
		// No type (apiextensions' JSON), or several (oneOf, anyOf, a type list):
		// a structural schema needs one, or leaves the value free.
		out = apiextensionsv1.JSONSchemaProps{Description: s.Description, Nullable: s.Nullable, XPreserveUnknownFields: new(true)}
	}
	return out
}

// refOf returns the reference s stands for: its $ref, or the one schema of an
// allOf, which is how openapi-gen gives a reference a description or default.
func refOf(s *spec.Schema) string {
	if ref := s.Ref.String(); ref != "" {
		return ref
	}
	if len(s.AllOf) == 1 && len(s.Properties) == 0 && len(s.Type) == 0 {
		return s.AllOf[0].Ref.String()
	}
	return ""
}

// typeOf returns s's one type, or "" when it has none or several.
func typeOf(s *spec.Schema) string {
	if len(s.Type) == 1 {
		return s.Type[0]
	}
	return ""
}

// markerDefault returns the default of a property that controller-tools would write
// too: a scalar, on a property that is not required. openapi-gen also writes the
// zero value of required fields and {} for struct fields; a CRD applies defaults,
// and those would be written into every template.
func markerDefault(p *spec.Schema, required bool) (*apiextensionsv1.JSON, bool) {
	if p.Default == nil || required {
		return nil, false
	}
	switch p.Default.(type) {
	case string, bool, float64, int64, int, json.Number:
	default:
		return nil, false
	}
	raw, err := json.Marshal(p.Default)
	if err != nil {
		return nil, false
	}
	return &apiextensionsv1.JSON{Raw: raw}, true
}

func intOrString(description string) apiextensionsv1.JSONSchemaProps {
	return apiextensionsv1.JSONSchemaProps{
		Description:  description,
		XIntOrString: true,
		AnyOf:        []apiextensionsv1.JSONSchemaProps{{Type: "integer"}, {Type: "string"}},
	}
}

// quantityPattern is the pattern controller-tools gives resource.Quantity.
const quantityPattern = `^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$`

// knownSchema returns the schema controller-tools gives an apimachinery type in
// place of the one read from its Go code (crd.KnownPackages, and
// crd.ObjectMetaPackages as kubefed-gen generates embedded object metadata). Like
// controller-tools', these schemas carry no description of their own: a field
// referring to them keeps its own.
func knownSchema(name string) (apiextensionsv1.JSONSchemaProps, bool) {
	stringMap := apiextensionsv1.JSONSchemaProps{Type: "object", AdditionalProperties: &apiextensionsv1.JSONSchemaPropsOrBool{Allows: true, Schema: &apiextensionsv1.JSONSchemaProps{Type: "string"}}}
	switch name {
	case objectMetaSchemaName:
		return apiextensionsv1.JSONSchemaProps{Type: "object", Properties: map[string]apiextensionsv1.JSONSchemaProps{
			"name":        {Type: "string"},
			"namespace":   {Type: "string"},
			"labels":      stringMap,
			"annotations": stringMap,
			"finalizers":  {Type: "array", Items: &apiextensionsv1.JSONSchemaPropsOrArray{Schema: &apiextensionsv1.JSONSchemaProps{Type: "string"}}},
		}}, true
	case "io.k8s.apimachinery.pkg.apis.meta.v1.Time", "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime":
		return apiextensionsv1.JSONSchemaProps{Type: "string", Format: "date-time"}, true
	case "io.k8s.apimachinery.pkg.apis.meta.v1.Duration":
		return apiextensionsv1.JSONSchemaProps{Type: "string"}, true
	case "io.k8s.apimachinery.pkg.api.resource.Quantity":
		q := intOrString("")
		q.Pattern = quantityPattern
		return q, true
	case "io.k8s.apimachinery.pkg.util.intstr.IntOrString":
		return intOrString(""), true
	case "io.k8s.apimachinery.pkg.runtime.RawExtension":
		return apiextensionsv1.JSONSchemaProps{Type: "object", XPreserveUnknownFields: new(true)}, true
	case "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON", "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1beta1.JSON":
		return apiextensionsv1.JSONSchemaProps{XPreserveUnknownFields: new(true)}, true
	}
	return apiextensionsv1.JSONSchemaProps{}, false
}
