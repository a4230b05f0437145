// Package model is the neutral description of the types to federate that discovery
// produces and every emitter consumes, so that no emitter knows where a type came
// from (a built-in, a Go package with markers, or a CRD).
package model

import (
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/gengo/v2/types"
)

// DefaultGroup and DefaultVersion are where KubeFed kept every Federated<Kind>.
const (
	DefaultGroup   = "types.kubefed.io"
	DefaultVersion = "v1beta1"
)

// Target is one type to federate.
type Target struct {
	// GroupVersionKind of the target, e.g. apps/v1 Deployment.
	schema.GroupVersionKind
	// Plural is the target's resource name, e.g. deployments.
	Plural string
	// ShortNames of the target, e.g. deploy; the federated type gets them prefixed with f.
	ShortNames []string
	// Namespaced is true when the target lives in namespaces.
	Namespaced bool
	// GoPackage and GoName locate the target's Go type.
	GoPackage, GoName string
	// Fields become the template: every field of the target but type and object
	// metadata and status, in declaration order.
	Fields []Field
	// Scalable is true when the target has spec.replicas (replica scheduling applies).
	Scalable bool
	// Status is the named Go type of the target's status (a pointer's element),
	// which the federated type's remoteStatus gets as schema and Go type; nil
	// when the target has no status, or one that generated code cannot name.
	Status *types.Type
	// HealthCondition is the condition of the target whose True status means
	// that a member object is healthy (the healthConditions setting); empty:
	// the runtime judges it by its kind's own rule.
	HealthCondition string
	// Source says where the target was requested, for messages.
	Source string
}

// Field is one field of a target's template.
type Field struct {
	// Name is the Go field name; empty for an embedded field.
	Name string
	// Tag is the struct tag to emit (json only).
	Tag string
	// Type is the field's Go type.
	Type *types.Type
	// Comments are the field's doc comment lines, markers included.
	Comments []string
}

// FederatedKind is the kind of the federated type, e.g. FederatedDeployment.
func (t *Target) FederatedKind() string { return "Federated" + t.Kind }

// FederatedPlural is the resource name of the federated type.
func (t *Target) FederatedPlural() string { return "federated" + t.Plural }

// FederatedShortNames are the target's short names prefixed with f, as KubeFed did.
func (t *Target) FederatedShortNames() []string {
	var out []string
	for _, s := range t.ShortNames {
		out = append(out, "f"+s)
	}
	return out
}

// TemplateName is the Go name of the template type, e.g. DeploymentTemplate.
func (t *Target) TemplateName() string { return t.Kind + "Template" }

// IsNamespace is true for core/v1 Namespace, which KubeFed federates with a
// namespaced FederatedNamespace living in the namespace it describes.
func (t *Target) IsNamespace() bool { return t.Group == "" && t.Kind == "Namespace" }

// FederatedNamespaced is true when the federated type lives in namespaces.
func (t *Target) FederatedNamespaced() bool { return t.Namespaced || t.IsNamespace() }

// APIVersion is the target's apiVersion, e.g. apps/v1 or v1.
func (t *Target) APIVersion() string { return t.GroupVersion().String() }

// Resource is the target's fully qualified resource name, e.g. deployments.apps.
func (t *Target) Resource() string {
	if t.Group == "" {
		return t.Plural
	}
	return t.Plural + "." + t.Group
}

// Set is everything one generator run produces: the federated API group and the
// targets in it, sorted by kind.
type Set struct {
	// Group and Version of the federated types.
	Group, Version string
	Targets        []*Target
}

// GroupPackage is the last folder of the API package path, e.g. "types" for
// types.kubefed.io.
func (s *Set) GroupPackage() string { return strings.SplitN(s.Group, ".", 2)[0] }
