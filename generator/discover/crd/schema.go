package crd

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dave/jennifer/jen"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
)

const (
	apiextensionsPkg = "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	intstrPkg        = "k8s.io/apimachinery/pkg/util/intstr"
	metav1Pkg        = "k8s.io/apimachinery/pkg/apis/meta/v1"
	resourcePkg      = "k8s.io/apimachinery/pkg/api/resource"
	runtimePkg       = "k8s.io/apimachinery/pkg/runtime"
	schemaPkg        = "k8s.io/apimachinery/pkg/runtime/schema"
)

// quantityPattern is the pattern controller-tools gives resource.Quantity; an
// int-or-string node with exactly this pattern is a quantity (a container's resource
// limits, a volume's size) and becomes resource.Quantity again.
const quantityPattern = `^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$`

// position is where a schema node sits, which decides where its markers can go.
type position int

const (
	atField position = iota // a property of an object: markers go on the struct field
	atItems                 // the items of an array
	atValue                 // the values of a map
)

// decl is one type declaration of the written package.
type decl struct {
	name    string
	doc     []string
	markers []string
	// A struct has fields (possibly none); any other declaration has an underlying type.
	isStruct bool
	root     bool
	// metadataRequired makes the root's ObjectMeta a required field (no omitempty).
	metadataRequired bool
	fields           []field
	underlying       jen.Code
	// delegate, when set, is the type whose JSON methods a wrapper forwards to:
	// a defined type does not inherit its underlying type's methods, and without
	// them Number or apiextensionsv1.JSON would be encoded as a plain string or struct.
	delegate jen.Code
	// embed, when set, makes a struct that embeds this type: it keeps the embedded
	// type's JSON methods and deep-copies through them (apiextensionsv1.JSON,
	// runtime.RawExtension, whose Object field a defined type could not copy).
	embed jen.Code
	// number is set on the Number declaration, which carries its own methods.
	number bool
}

type field struct {
	name, tag string
	typ       jen.Code
	doc       []string
	markers   []string
}

// wrapping says whether a Go type can be given a name in the package to carry markers.
type wrapping int

const (
	wrapPlain    wrapping = iota // type X <underlying> keeps the JSON form (string, int, slice, map)
	wrapDelegate                 // type X <underlying> needs forwarding JSON methods
	wrapEmbed                    // type X struct{ <underlying> } keeps the JSON methods
	wrapNever                    // cannot be named: intstr.IntOrString, resource.Quantity
)

// goType is the Go type chosen for one schema node.
type goType struct {
	code jen.Code
	// pointer is true when an optional field holds it through a pointer, so that
	// absent differs from the zero value.
	pointer bool
	// decl is set when the type is declared in the package: its markers go there.
	decl *decl
	wrap wrapping
}

// converter turns one CRD version's schema into declarations, breadth first so
// that names of shallow types do not depend on deep ones.
type converter struct {
	crd      string
	types    *namer
	decls    []*decl
	queue    []structJob
	warnings []string
	number   *decl
}

type structJob struct {
	d    *decl
	s    *apiextensionsv1.JSONSchemaProps
	path string
}

// errorf names the CRD and the field path, as every conversion error must.
func (c *converter) errorf(path, format string, args ...any) error {
	if path == "" {
		path = "<root>"
	}
	return fmt.Errorf("CRD %s: %s: %s", c.crd, path, fmt.Sprintf(format, args...))
}

func (c *converter) warnf(path, format string, args ...any) {
	if path == "" {
		path = "<root>"
	}
	c.warnings = append(c.warnings, fmt.Sprintf("%s: %s", path, fmt.Sprintf(format, args...)))
}

func join(path, prop string) string {
	if path == "" {
		return prop
	}
	return path + "." + prop
}

// convertRoot declares the root type and everything below it.
func (c *converter) convertRoot(kind string, s *apiextensionsv1.JSONSchemaProps) (*decl, error) {
	if err := c.checkSupported(s, ""); err != nil {
		return nil, err
	}
	if s.Type != "object" {
		return nil, c.errorf("", "the schema's root must have type: object, not %q", s.Type)
	}
	m := &markers{}
	if err := c.commonMarkers(s, "", m); err != nil {
		return nil, err
	}
	if s.XPreserveUnknownFields != nil && *s.XPreserveUnknownFields {
		m.add(markerPreserve)
	}
	if m.hasFieldOnly() {
		c.warnf("", "%s of the root schema dropped: only fields can carry them", m.droppedList())
	}
	if meta, ok := s.Properties["metadata"]; ok {
		if len(meta.Properties) > 0 || len(meta.XValidations) > 0 || meta.AdditionalProperties != nil {
			c.warnf("metadata", "the schema's constraints on metadata are dropped: the Go type embeds metav1.ObjectMeta, which controller-tools writes as type: object")
		}
	}
	root := &decl{name: kind, doc: docLines(s.Description), markers: m.typeLevel, isStruct: true, root: true,
		metadataRequired: slices.Contains(s.Required, "metadata")}
	c.decls = append(c.decls, root)
	c.queue = append(c.queue, structJob{d: root, s: s})
	for len(c.queue) > 0 {
		job := c.queue[0]
		c.queue = c.queue[1:]
		if err := c.fillStruct(job); err != nil {
			return nil, err
		}
	}
	return root, nil
}

// fillStruct declares the fields of a struct, one per property, sorted by JSON name.
func (c *converter) fillStruct(job structJob) error {
	var props []string
	for p := range job.s.Properties {
		if job.d.root && (p == "apiVersion" || p == "kind" || p == "metadata") {
			continue // TypeMeta and ObjectMeta
		}
		props = append(props, p)
	}
	sort.Strings(props)
	reserved := structReserved
	if job.d.root {
		reserved = rootReserved
	}
	names := fieldNames(props, reserved)
	for _, r := range job.s.Required {
		if _, ok := job.s.Properties[r]; !ok {
			c.warnf(job.path, "required property %q is not among the properties; dropped from required", r)
		}
	}
	for _, p := range props {
		path := join(job.path, p)
		if err := checkJSONName(p); err != nil {
			return c.errorf(path, "%v", err)
		}
		ps := job.s.Properties[p]
		t, m, err := c.node(&ps, path, job.d.name+names[p], atField)
		if err != nil {
			return err
		}
		required := slices.Contains(job.s.Required, p)
		typ := t.code
		tag := p
		if p == "-" {
			tag = "-," // "-" alone tells encoding/json to skip the field
		}
		fieldMarkers := []string{markerOptional}
		if required {
			fieldMarkers = []string{markerRequired}
		} else {
			if t.pointer {
				typ = jen.Op("*").Add(typ)
			}
			if !strings.HasSuffix(tag, ",") {
				tag += ","
			}
			tag += "omitempty"
		}
		job.d.fields = append(job.d.fields, field{
			name: names[p], tag: tag, typ: typ, doc: docLines(ps.Description),
			markers: append(fieldMarkers, m.all()...),
		})
	}
	return nil
}

// checkJSONName refuses property names a Go struct tag cannot carry: encoding/json
// ignores a tag name with other characters than letters, digits and the punctuation
// below (its isValidTag) and uses the Go field name instead, so the Go type would
// read and write another property than the schema's.
func checkJSONName(p string) error {
	if p == "" {
		return fmt.Errorf("an empty property name cannot be a JSON struct tag")
	}
	for _, r := range p {
		if !strings.ContainsRune(jsonTagPunctuation, r) && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return fmt.Errorf("property name %q holds %q, which encoding/json does not accept in a struct tag", p, r)
		}
	}
	return nil
}

// jsonTagPunctuation is the punctuation encoding/json accepts in a tag's name.
const jsonTagPunctuation = "!#$%&()*+-./:;<=>?@[]^_{|}~ "

// node returns the Go type of a schema node and the markers left for its field (when
// pos is atField; elsewhere they are placed on a declaration or reported as dropped).
func (c *converter) node(s *apiextensionsv1.JSONSchemaProps, path, hint string, pos position) (goType, *markers, error) {
	if err := c.checkSupported(s, path); err != nil {
		return goType{}, nil, err
	}
	m := &markers{}
	if err := c.commonMarkers(s, path, m); err != nil {
		return goType{}, nil, err
	}
	var t goType
	var err error
	switch {
	case s.XIntOrString:
		t = c.intOrString(s, m)
	case isJSONValue(s):
		t, err = c.jsonValue(s, path, pos, m)
	case s.Type == "object" && (len(s.Properties) > 0 || s.AdditionalProperties == nil):
		t, err = c.structType(s, path, hint, m)
	case s.Type == "object":
		t, err = c.mapType(s, path, hint, pos, m)
	case s.Type == "array":
		t, err = c.arrayType(s, path, hint, pos, m)
	case s.Type == "string":
		t = goType{code: jen.String(), pointer: true}
		if s.Format != "" {
			m.prepend(markerFormat(s.Format))
		}
	case s.Type == "boolean":
		t = goType{code: jen.Bool(), pointer: true}
	case s.Type == "integer":
		t = goType{code: jen.Int(), pointer: true}
		switch s.Format {
		case "int32":
			t.code = jen.Int32()
		case "int64":
			t.code = jen.Int64()
		case "":
		default:
			m.prepend(markerFormat(s.Format))
		}
	case s.Type == "number":
		t = goType{code: jen.Id(c.numberType().name), pointer: true, wrap: wrapDelegate}
		if s.Format != "" {
			m.prepend(markerFormat(s.Format))
		}
		if len(m.typeLevel) > 0 {
			// The field's or wrapper's own schema must say number before numeric
			// markers apply: in another package the field is only a reference.
			m.prepend(markerType("number"))
		}
	case s.Type == "":
		return goType{}, nil, c.errorf(path, "has no type and no x-kubernetes-preserve-unknown-fields, so it has no Go type (a structural schema needs a type on every field)")
	}
	if err != nil {
		return goType{}, nil, err
	}
	t, m = c.place(t, m, s, hint, path, pos)
	return t, m, nil
}

// place puts a node's markers where controller-tools reads them: on the type's
// declaration when the package declares it, on the field otherwise. Items and map
// values that are not declared types get a declaration of their own to carry their
// markers and description, which controller-tools takes from a type's doc comment.
func (c *converter) place(t goType, m *markers, s *apiextensionsv1.JSONSchemaProps, hint, path string, pos position) (goType, *markers) {
	if t.decl != nil {
		t.decl.markers = append(t.decl.markers, m.typeLevel...)
		m = &markers{fieldOnly: m.fieldOnly, dropped: m.dropped}
	} else if pos != atField && (len(m.typeLevel) > 0 || s.Description != "") {
		if t.wrap == wrapNever {
			if len(m.typeLevel) > 0 {
				c.warnf(path, "validations dropped (%s): the Go type cannot be named to carry them here", strings.Join(m.typeLevel, " "))
			}
		} else {
			d := &decl{name: c.types.name(hint), doc: docLines(s.Description), markers: m.typeLevel, underlying: t.code}
			switch t.wrap {
			case wrapDelegate:
				d.delegate = t.code
			case wrapEmbed:
				d.isStruct, d.embed, d.underlying = true, t.code, nil
			}
			c.decls = append(c.decls, d)
			t = goType{code: jen.Id(d.name), pointer: t.pointer, decl: d, wrap: t.wrap}
		}
		m = &markers{fieldOnly: m.fieldOnly, dropped: m.dropped}
	}
	if pos != atField {
		if m.hasFieldOnly() {
			c.warnf(path, "%s dropped: controller-tools reads them only on struct fields, and this is the %s of a list or map", m.droppedList(), map[position]string{atItems: "items", atValue: "values"}[pos])
		}
		m = &markers{}
	}
	return t, m
}

// childHint is the name for the type of an array's items or a map's values: the
// property's name when the array or map is the property, with Item or Value
// appended when it is itself an item or value.
func childHint(hint string, pos position) string {
	switch pos {
	case atItems:
		return hint + "Item"
	case atValue:
		return hint + "Value"
	}
	return hint
}

func (c *converter) structType(s *apiextensionsv1.JSONSchemaProps, path, hint string, m *markers) (goType, error) {
	if s.AdditionalProperties != nil {
		return goType{}, c.errorf(path, "has both properties and additionalProperties, which a structural schema forbids")
	}
	if s.XPreserveUnknownFields != nil && *s.XPreserveUnknownFields {
		m.add(markerPreserve)
		c.warnf(path, "has properties and x-kubernetes-preserve-unknown-fields: the CRD keeps unknown fields, but the Go struct only holds the listed properties")
	}
	if s.XEmbeddedResource {
		m.add(markerEmbedded)
		c.warnf(path, "embedded resource with properties: the Go struct only holds the listed properties of its metadata")
	}
	d := &decl{name: c.types.name(hint), doc: docLines(s.Description), isStruct: true}
	c.decls = append(c.decls, d)
	c.queue = append(c.queue, structJob{d: d, s: s, path: path})
	return goType{code: jen.Id(d.name), pointer: true, decl: d}, nil
}

func (c *converter) mapType(s *apiextensionsv1.JSONSchemaProps, path, hint string, pos position, m *markers) (goType, error) {
	ap := s.AdditionalProperties
	if ap.Schema == nil {
		if !ap.Allows {
			return goType{}, c.errorf(path, "additionalProperties: false is not allowed in a CRD schema")
		}
		c.warnf(path, "additionalProperties: true becomes map[string]apiextensionsv1.JSON, whose schema keeps nested values (additionalProperties with x-kubernetes-preserve-unknown-fields)")
		return goType{code: jen.Map(jen.String()).Qual(apiextensionsPkg, "JSON")}, nil
	}
	v, _, err := c.node(ap.Schema, path+".*", childHint(hint, pos), atValue)
	if err != nil {
		return goType{}, err
	}
	c.preserve(s, m)
	return goType{code: jen.Map(jen.String()).Add(v.code)}, nil
}

// preserve keeps x-kubernetes-preserve-unknown-fields on a map or array, where it
// only affects pruning of what the Go type holds anyway.
func (c *converter) preserve(s *apiextensionsv1.JSONSchemaProps, m *markers) {
	if s.XPreserveUnknownFields != nil && *s.XPreserveUnknownFields {
		m.add(markerPreserve)
	}
}

func (c *converter) arrayType(s *apiextensionsv1.JSONSchemaProps, path, hint string, pos position, m *markers) (goType, error) {
	if s.Items == nil || s.Items.Schema == nil {
		return goType{}, c.errorf(path, "is an array without an items schema, which a structural schema needs")
	}
	e, _, err := c.node(s.Items.Schema, path+"[*]", childHint(hint, pos), atItems)
	if err != nil {
		return goType{}, err
	}
	c.preserve(s, m)
	return goType{code: jen.Index().Add(e.code)}, nil
}

// intOrString is intstr.IntOrString, or resource.Quantity when the schema is the one
// controller-tools writes for quantities.
func (c *converter) intOrString(s *apiextensionsv1.JSONSchemaProps, m *markers) goType {
	if s.Pattern == quantityPattern {
		m.typeLevel = slices.DeleteFunc(m.typeLevel, func(x string) bool { return x == markerPattern(quantityPattern) })
		if len(m.typeLevel) > 0 {
			m.prepend(markerIntOrString)
		}
		return goType{code: jen.Qual(resourcePkg, "Quantity"), pointer: true, wrap: wrapNever}
	}
	if len(m.typeLevel) > 0 {
		m.prepend(markerIntOrString) // textual markers need to know before the type is resolved
	}
	return goType{code: jen.Qual(intstrPkg, "IntOrString"), pointer: true, wrap: wrapNever}
}

// isJSONValue is true for a node whose value the Go type keeps as raw JSON: an
// embedded resource without properties of its own, anything whose unknown fields are
// kept and that lists no structure, or a node without a type that keeps unknown fields.
func isJSONValue(s *apiextensionsv1.JSONSchemaProps) bool {
	preserve := s.XPreserveUnknownFields != nil && *s.XPreserveUnknownFields
	noStructure := len(s.Properties) == 0 && s.AdditionalProperties == nil && s.Items == nil
	switch {
	case s.XEmbeddedResource:
		return noStructure || (preserve && len(s.Properties) == 0)
	case preserve:
		return noStructure || s.Type == ""
	}
	return false
}

// jsonValue is apiextensionsv1.JSON, or runtime.RawExtension for an embedded
// resource. As a field it is Schemaless and its markers state the whole schema, so
// the known types' own schemas (RawExtension always keeps unknown fields) do not
// add anything; as an array item or map value it is wrapped in a named type that
// carries the markers, which works only when the node has a type.
func (c *converter) jsonValue(s *apiextensionsv1.JSONSchemaProps, path string, pos position, m *markers) (goType, error) {
	t := goType{code: jen.Qual(apiextensionsPkg, "JSON"), pointer: true, wrap: wrapEmbed}
	if s.XEmbeddedResource {
		t.code = jen.Qual(runtimePkg, "RawExtension")
	}
	var own []string
	if s.Type != "" {
		own = append(own, markerType(s.Type))
	}
	if s.Format != "" {
		own = append(own, markerFormat(s.Format))
	}
	if s.XPreserveUnknownFields != nil && *s.XPreserveUnknownFields {
		own = append(own, markerPreserve)
	}
	if s.XEmbeddedResource {
		own = append(own, markerEmbedded)
	}
	if pos == atField {
		m.prepend(append([]string{markerSchemaless}, own...)...)
		// Schemaless is field-only, but the rest must stay with it on the field.
		m.fieldOnly = append(m.typeLevel, m.fieldOnly...)
		m.typeLevel = nil
		return t, nil
	}
	if s.Type == "" {
		// Only apiextensionsv1.JSON's own schema ({x-kubernetes-preserve-unknown-fields: true})
		// can stand here; a wrapper's markers are read only when they give a type.
		if len(m.typeLevel) > 0 || s.XEmbeddedResource {
			c.warnf(path, "validations dropped (%s): a value without a type can only be apiextensionsv1.JSON here", strings.Join(m.typeLevel, " "))
		}
		m.typeLevel = nil
		return goType{code: jen.Qual(apiextensionsPkg, "JSON"), pointer: true, wrap: wrapNever}, nil
	}
	m.prepend(own...)
	return t, nil
}

// numberType declares Number the first time a schema needs it.
func (c *converter) numberType() *decl {
	if c.number == nil {
		c.number = &decl{
			name: c.types.name("Number"),
			doc: []string{
				"Number is a JSON number kept exactly as written. The schema says type: number;",
				"controller-tools maps float64 to that only with allowDangerousTypes, and a",
				"float64 would round large integers and rewrite 1.0 as 1 on every copy.",
			},
			markers:    []string{markerType("number")},
			underlying: jen.String(),
			number:     true,
		}
		c.decls = append(c.decls, c.number)
	}
	return c.number
}

// commonMarkers turns the validations, defaults and list/map semantics of a node into
// markers. Type-specific ones (format, int-or-string) are added by the caller.
func (c *converter) commonMarkers(s *apiextensionsv1.JSONSchemaProps, path string, m *markers) error {
	if s.Title != "" {
		m.add("+kubebuilder:title=" + strconv.Quote(s.Title))
	}
	if s.Maximum != nil {
		m.add("+kubebuilder:validation:Maximum=" + formatFloat(*s.Maximum))
	}
	if s.ExclusiveMaximum {
		m.add("+kubebuilder:validation:ExclusiveMaximum=true")
	}
	if s.Minimum != nil {
		m.add("+kubebuilder:validation:Minimum=" + formatFloat(*s.Minimum))
	}
	if s.ExclusiveMinimum {
		m.add("+kubebuilder:validation:ExclusiveMinimum=true")
	}
	if s.MultipleOf != nil {
		m.add("+kubebuilder:validation:MultipleOf=" + formatFloat(*s.MultipleOf))
	}
	if s.MaxLength != nil {
		m.add(fmt.Sprintf("+kubebuilder:validation:MaxLength=%d", *s.MaxLength))
	}
	if s.MinLength != nil {
		m.add(fmt.Sprintf("+kubebuilder:validation:MinLength=%d", *s.MinLength))
	}
	if s.Pattern != "" {
		m.add(markerPattern(s.Pattern))
	}
	if s.MaxItems != nil {
		m.add(fmt.Sprintf("+kubebuilder:validation:MaxItems=%d", *s.MaxItems))
	}
	if s.MinItems != nil {
		m.add(fmt.Sprintf("+kubebuilder:validation:MinItems=%d", *s.MinItems))
	}
	if s.UniqueItems {
		m.add("+kubebuilder:validation:UniqueItems=true")
	}
	if s.MaxProperties != nil {
		m.add(fmt.Sprintf("+kubebuilder:validation:MaxProperties=%d", *s.MaxProperties))
	}
	if s.MinProperties != nil {
		m.add(fmt.Sprintf("+kubebuilder:validation:MinProperties=%d", *s.MinProperties))
	}
	if len(s.Enum) > 0 {
		var vals []string
		for _, e := range s.Enum {
			lit, err := markerLiteral(e.Raw)
			if err != nil {
				c.warnf(path, "enum value %s dropped: %v", e.Raw, err)
				continue
			}
			vals = append(vals, lit)
		}
		if len(vals) > 0 {
			m.add("+kubebuilder:validation:Enum={" + strings.Join(vals, ", ") + "}")
		}
	}
	if s.XListType != nil {
		m.add("+listType=" + *s.XListType)
	}
	for _, k := range s.XListMapKeys {
		m.add("+listMapKey=" + strconv.Quote(k))
	}
	if s.XMapType != nil {
		if s.Type == "object" && s.AdditionalProperties == nil && !isJSONValue(s) {
			m.add("+structType=" + *s.XMapType)
		} else {
			m.add("+mapType=" + *s.XMapType)
		}
	}
	for _, v := range s.XValidations {
		args := []string{"rule=" + strconv.Quote(v.Rule)}
		if v.Message != "" {
			args = append(args, "message="+strconv.Quote(v.Message))
		}
		if v.MessageExpression != "" {
			args = append(args, "messageExpression="+strconv.Quote(v.MessageExpression))
		}
		if v.Reason != nil {
			args = append(args, "reason="+strconv.Quote(string(*v.Reason)))
		}
		if v.FieldPath != "" {
			args = append(args, "fieldPath="+strconv.Quote(v.FieldPath))
		}
		if v.OptionalOldSelf != nil {
			args = append(args, "optionalOldSelf="+strconv.FormatBool(*v.OptionalOldSelf))
		}
		m.add("+kubebuilder:validation:XValidation:" + strings.Join(args, ","))
	}
	if s.ExternalDocs != nil {
		args := []string{"url=" + strconv.Quote(s.ExternalDocs.URL)}
		if s.ExternalDocs.Description != "" {
			args = append(args, "description="+strconv.Quote(s.ExternalDocs.Description))
		}
		m.add("+kubebuilder:externalDocs:" + strings.Join(args, ","))
	}
	if s.Nullable {
		m.addField(markerNullable)
		m.dropNote("nullable")
	}
	if s.Default != nil {
		d, err := compactJSON(s.Default.Raw)
		if err != nil {
			return c.errorf(path, "default is not JSON: %v", err)
		}
		m.addField("+default=" + d)
		m.dropNote("default " + d)
	}
	if s.Example != nil {
		lit, err := markerLiteral(s.Example.Raw)
		if err != nil {
			c.warnf(path, "example dropped: %v", err)
		} else {
			m.addField("+kubebuilder:example=" + lit)
			m.dropNote("example")
		}
	}
	return nil
}

func markerPattern(p string) string { return "+kubebuilder:validation:Pattern=" + strconv.Quote(p) }

// checkSupported refuses what controller-tools cannot write from Go types and drops,
// with a warning, junctors that only validate values.
func (c *converter) checkSupported(s *apiextensionsv1.JSONSchemaProps, path string) error {
	switch {
	case !slices.Contains(schemaTypes, s.Type):
		return c.errorf(path, "has unknown type %q (want one of %s)", s.Type, strings.Join(schemaTypes[1:], ", "))
	case s.XListType != nil && !slices.Contains(listTypes, *s.XListType):
		return c.errorf(path, "x-kubernetes-list-type %q is not one of %s", *s.XListType, strings.Join(listTypes, ", "))
	case s.XMapType != nil && !slices.Contains(mapTypes, *s.XMapType):
		return c.errorf(path, "x-kubernetes-map-type %q is not one of %s", *s.XMapType, strings.Join(mapTypes, ", "))
	case s.Ref != nil:
		return c.errorf(path, "$ref %q is not supported: a CRD schema is self-contained, and Go types cannot reproduce a reference", *s.Ref)
	case s.Items != nil && len(s.Items.JSONSchemas) > 0:
		return c.errorf(path, "items given as a list of schemas (a tuple) is not supported: a Go slice has one element type")
	case len(s.PatternProperties) > 0, len(s.Dependencies) > 0, s.AdditionalItems != nil, len(s.Definitions) > 0:
		return c.errorf(path, "patternProperties, dependencies, additionalItems and definitions are not supported (CRDs forbid them)")
	}
	junctors := []struct {
		name     string
		branches []apiextensionsv1.JSONSchemaProps
	}{{"allOf", s.AllOf}, {"oneOf", s.OneOf}, {"anyOf", s.AnyOf}}
	if s.Not != nil {
		junctors = append(junctors, struct {
			name     string
			branches []apiextensionsv1.JSONSchemaProps
		}{"not", []apiextensionsv1.JSONSchemaProps{*s.Not}})
	}
	for _, j := range junctors {
		if len(j.branches) == 0 {
			continue
		}
		if j.name == "anyOf" && s.XIntOrString && isIntOrStringAnyOf(j.branches) {
			continue // what x-kubernetes-int-or-string means anyway; IntOrString writes it back
		}
		for _, b := range j.branches {
			if what := structuralPart(&b); what != "" {
				return c.errorf(path, "%s with %s is not supported: Go types have one shape, and controller-tools cannot write %s from them", j.name, what, j.name)
			}
		}
		c.warnf(path, "%s dropped: it only validates values (%s), and controller-tools has no marker for %s", j.name, describeBranches(j.branches), j.name)
	}
	return nil
}

// The values the API server accepts for type (empty: none given),
// x-kubernetes-list-type and x-kubernetes-map-type. They are written into markers
// as they are, so anything else is refused rather than written into Go source.
var (
	schemaTypes = []string{"", "array", "boolean", "integer", "number", "object", "string"}
	listTypes   = []string{"atomic", "set", "map"}
	mapTypes    = []string{"atomic", "granular"}
)

// isIntOrStringAnyOf is true for anyOf: [{type: integer}, {type: string}].
func isIntOrStringAnyOf(branches []apiextensionsv1.JSONSchemaProps) bool {
	return len(branches) == 2 &&
		reflect.DeepEqual(branches[0], apiextensionsv1.JSONSchemaProps{Type: "integer"}) &&
		reflect.DeepEqual(branches[1], apiextensionsv1.JSONSchemaProps{Type: "string"})
}

// structuralPart names what a junctor branch says about the shape of a value rather
// than about its validity, or returns "" when it only validates. As in the API
// server's structural schema rules, a branch may hold properties, items and
// additionalProperties when those only validate too.
func structuralPart(b *apiextensionsv1.JSONSchemaProps) string {
	switch {
	case b.Type != "":
		return "type"
	case b.Ref != nil:
		return "$ref"
	case b.XPreserveUnknownFields != nil, b.XEmbeddedResource, b.XIntOrString, b.XListType != nil, b.XMapType != nil, len(b.XListMapKeys) > 0:
		return "x-kubernetes extensions"
	case b.Default != nil:
		return "default"
	case b.Nullable:
		return "nullable"
	case b.AdditionalProperties != nil && b.AdditionalProperties.Schema == nil:
		return "additionalProperties"
	}
	var nested []*apiextensionsv1.JSONSchemaProps
	for k := range b.Properties {
		p := b.Properties[k]
		nested = append(nested, &p)
	}
	if b.Items != nil && b.Items.Schema != nil {
		nested = append(nested, b.Items.Schema)
	}
	if b.AdditionalProperties != nil && b.AdditionalProperties.Schema != nil {
		nested = append(nested, b.AdditionalProperties.Schema)
	}
	for _, list := range [][]apiextensionsv1.JSONSchemaProps{b.AllOf, b.OneOf, b.AnyOf} {
		for i := range list {
			nested = append(nested, &list[i])
		}
	}
	if b.Not != nil {
		nested = append(nested, b.Not)
	}
	for _, n := range nested {
		if what := structuralPart(n); what != "" {
			return what
		}
	}
	return ""
}

// describeBranches summarises validation-only branches for a warning, e.g.
// "required: [a] | required: [b]".
func describeBranches(branches []apiextensionsv1.JSONSchemaProps) string {
	var parts []string
	for _, b := range branches {
		b.Description = ""
		raw, err := json.Marshal(b)
		if err != nil {
			raw = []byte("?")
		}
		parts = append(parts, string(raw))
	}
	return strings.Join(parts, " | ")
}

// docLines splits a description into comment lines. A line that starts with + would
// be read as a marker, so its + is escaped as Markdown does. NUL, a byte order mark
// and invalid UTF-8, which Go source cannot hold even in a comment, become U+FFFD.
func docLines(description string) []string {
	if strings.TrimSpace(description) == "" {
		return nil
	}
	description = strings.Map(func(r rune) rune {
		if r == 0 || r == '\uFEFF' {
			return utf8.RuneError
		}
		return r
	}, strings.ToValidUTF8(description, string(utf8.RuneError)))
	lines := strings.Split(strings.ReplaceAll(strings.TrimRight(description, "\n"), "\r\n", "\n"), "\n")
	for i, l := range lines {
		l = strings.TrimRight(l, " \t\r")
		if t := strings.TrimLeft(l, " \t"); strings.HasPrefix(t, "+") {
			l = l[:len(l)-len(t)] + `\` + t
		}
		lines[i] = l
	}
	return lines
}
