// Package openapi turns the schema of a kind in an API server's OpenAPI v3 document
// (/openapi/v3/apis/<group>/<version>) into the structural schema a CRD holds, so
// that a built-in type the generator was not run for can still get a Federated CRD
// with a full template schema.
//
// It makes the choices kubefed-gen makes when controller-tools writes the schema of
// the same type from its Go code, so that both ways give the same schema (the
// equivalence test in cmd/kubefedctl/enable lists the little that still differs,
// and why):
//
//   - $ref (bare, or wrapped in a one-element allOf) is resolved; a property's own
//     description wins over the description of the type it refers to.
//   - The apimachinery types controller-tools has fixed schemas for
//     (crd.KnownPackages and, with embedded object metadata, crd.ObjectMetaPackages)
//     get those schemas: IntOrString and Quantity are x-kubernetes-int-or-string,
//     Time and MicroTime date-time strings, Duration a string, RawExtension a
//     preserve-unknown-fields object, apiextensions' JSON preserve-unknown-fields,
//     and ObjectMeta (a pod template's metadata) name, namespace, labels,
//     annotations and finalizers only.
//   - A value of format int-or-string is x-kubernetes-int-or-string.
//   - x-kubernetes-list-type, x-kubernetes-list-map-keys, x-kubernetes-map-type,
//     x-kubernetes-embedded-resource, x-kubernetes-preserve-unknown-fields and
//     x-kubernetes-int-or-string are kept, list types on arrays and map types on
//     objects only (a []byte marked +listType is a string on the wire); the
//     patch-strategy, union and group-version-kind extensions have no place in a
//     CRD and are dropped.
//   - Scalar defaults of optional fields are kept, as controller-tools writes those
//     of +default markers. openapi-gen also writes the zero value of every required
//     field and {} for every struct-valued field: those are dropped, as are all
//     object and array defaults.
//   - enum is dropped: the enums of built-in types are open (a member cluster of a
//     later version may accept values the host does not know), and controller-tools
//     does not write them either. uniqueItems is dropped (CRDs refuse it), and so
//     is title. Other validations (bounds, lengths, pattern) are kept.
//   - A node with no type (a free-form value) is x-kubernetes-preserve-unknown-fields;
//     so is a oneOf or anyOf that is not one of the types above.
//   - A type that refers back to itself (apiextensions' JSONSchemaProps) is cut at the
//     first repetition: there the value is x-kubernetes-preserve-unknown-fields.
//
// Descriptions are kept whole, as kubefed-gen keeps them; callers that must fit a
// size limit drop them with controller-tools' crd.TruncateDescription.
package openapi
