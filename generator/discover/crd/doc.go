// Package crd turns a CustomResourceDefinition into Go API types, so that kubefed-gen
// federates a CRD like any Go type: WriteGoTypes writes a Go package for the CRD's
// storage version whose markers make controller-tools write the CRD's schema back,
// and the generator then loads that package with its Go type loader. The Federated
// CRD, written by controller-tools from those types, keeps the template's schema.
//
// # Mapping
//
// Every object with properties becomes a struct named after its parent and its own
// Go-cased property name (CertificateSpecKeystores); names are handed out breadth
// first in sorted order, so they are stable, and a clash gets a numeric suffix.
// Field names are Go-cased JSON names (tls-config and tlsConfig → TLSConfig, 3des →
// X3des); a name taken by a plainer property, a deepcopy method or, on the root
// type, by what TypeMeta and ObjectMeta promote gets a suffix (Name2). JSON tags keep
// the original names.
//
//   - Required properties are value fields without omitempty and with
//     +kubebuilder:validation:Required; optional scalars, objects and the special
//     types below are pointers with omitempty and +optional, so absent is not zero.
//     Slices and maps are never pointers.
//   - array → slice of its items (arrays of arrays too); additionalProperties with
//     a schema → map[string]T.
//   - integer → int32 or int64 for those formats, int without a format (its schema
//     has no format either); string → string; boolean → bool.
//   - number → Number, a string type declared in the package that holds the JSON
//     number exactly as written and encodes as a number. controller-tools refuses
//     float64 unless allowDangerousTypes is set, and a float64 would round integers
//     beyond 2^53 and rewrite 1.0 as 1 on every copy the federation makes.
//   - Formats stay on strings: date-time, date, byte, duration are string with
//     +kubebuilder:validation:Format. metav1.Time would write the same schema but
//     truncates to seconds, forces UTC and encodes its zero value as null, so the
//     values federated to member clusters would differ from the template.
//   - x-kubernetes-int-or-string → intstr.IntOrString, or resource.Quantity when
//     the pattern is exactly the one controller-tools gives quantities.
//   - Free-form values: x-kubernetes-preserve-unknown-fields without properties →
//     apiextensionsv1.JSON, x-kubernetes-embedded-resource → runtime.RawExtension.
//     As fields they carry +kubebuilder:validation:Schemaless and markers that state
//     their whole schema (type, preserve-unknown-fields, embedded-resource), which
//     reproduces it exactly whatever the known types' own schemas say.
//     additionalProperties: true → map[string]apiextensionsv1.JSON.
//   - x-kubernetes-preserve-unknown-fields next to properties → the struct plus
//     +kubebuilder:pruning:PreserveUnknownFields (the CRD keeps unknown fields, the
//     Go struct cannot; a warning says so).
//   - Validations, defaults and list/map semantics become markers: enum, default
//     (as JSON, +default=), minimum, maximum, exclusive bounds, multipleOf, pattern,
//     min/maxLength, min/maxItems, uniqueItems, min/maxProperties, nullable, title,
//     example, externalDocs, x-kubernetes-validations, x-kubernetes-list-type and
//     list-map-keys (+listType, +listMapKey), x-kubernetes-map-type (+mapType, or
//     +structType on structs). Descriptions become doc comments.
//   - List items and map values are not fields: when they carry markers or a
//     description they get a named type of their own (WidgetSpecTags string with
//     +kubebuilder:validation:Enum); Number is wrapped with forwarding JSON methods,
//     apiextensionsv1.JSON and runtime.RawExtension are embedded in a struct.
//   - The root type carries +genclient (+genclient:nonNamespaced when cluster
//     scoped), +kubebuilder:object:root=true, +kubebuilder:resource, subresource and
//     printcolumn markers, and +kubefed:federate with the plural, short names and
//     scope; status stays in the root type.
//
// # Not reproduced
//
// Refused with the CRD, the field path and the reason: $ref, allOf/oneOf/anyOf/not
// that give a value a type or other structure, a property without type and without
// x-kubernetes-preserve-unknown-fields, tuple items, properties together with
// additionalProperties, arrays without items, a kind that is not an exported Go
// identifier, a version that is not a Go package name, and what the API server
// refuses too: a type, x-kubernetes-list-type or x-kubernetes-map-type it does not
// know, a group that is not a DNS subdomain, a property name that encoding/json
// cannot take from a struct tag (letters, digits and !#$%&()*+-./:;<=>?@[]^_{|}~ and
// space only). Dropped with a warning in
// Result.Warnings: allOf/oneOf/anyOf/not that only validate values (controller-tools
// has no marker for them), default, nullable and example on list items or map
// values (controller-tools reads them only on fields), validations of int-or-string
// or untyped list items and map values, null in an enum, schema on metadata.
// Descriptions pass through Go doc comments: runs of blank lines become one, a line
// starting with + is written \+ (it would be read as a marker), NUL and byte order
// marks (which Go source cannot hold) become U+FFFD, and controller-tools drops
// lines starting with TODO and everything after a --- line.
package crd
