package fedtype

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
)

// Federated is what every generated Federated<Kind> has, whatever its target type.
type Federated interface {
	client.Object
	Placement() *fedv1beta1.Placement
	ClusterOverrides() []fedv1beta1.GenericOverrideItem
	FederatedStatus() *fedv1beta1.GenericFederatedStatus
}

// Object is a generated Federated<Kind> whose target type is T.
type Object[T client.Object] interface {
	Federated
	// TargetObject returns the object the template describes, before overrides.
	TargetObject() T
	// SetTemplate makes the template a copy of obj.
	SetTemplate(obj T)
}

// Resource is where a type lives in the API.
type Resource struct {
	schema.GroupVersionKind
	// Plural is the resource name, e.g. deployments.
	Plural     string
	Namespaced bool
}

// GroupVersionResource of the resource.
func (r Resource) GroupVersionResource() schema.GroupVersionResource {
	return r.GroupVersion().WithResource(r.Plural)
}

// Info is a federated type apart from its Go types.
type Info struct {
	// Name is the FederatedTypeConfig name: the target's resource, e.g. deployments.apps.
	Name      string
	Target    Resource
	Federated Resource
	// Scalable says the target has spec.replicas, so that a
	// ReplicaSchedulingPreference can spread its replicas over clusters. Types
	// described at run time (Dynamic) are never scalable: nothing checked their
	// schema.
	Scalable bool
	// HealthCondition is the condition of the target whose status True means
	// its member object is healthy (kubefed-gen's healthConditions), e.g.
	// Ready; empty: health is judged by the kind's own rule (see
	// runtime/health). Types described at run time (Dynamic) have none.
	HealthCondition string
}

// Descriptor is a federated type whose Go types are known only to itself, so that
// descriptors of different types fit in one list.
type Descriptor interface {
	TypeInfo() Info
	// NewFederatedObject returns an empty Federated<Kind>.
	NewFederatedObject() client.Object
	// NewTargetObject returns an empty target object.
	NewTargetObject() client.Object
	// AsFederated returns the federated view of obj, an object read into
	// NewFederatedObject's type.
	AsFederated(obj client.Object) (Federated, error)
	// Target returns the object fed's template describes; fed must be of this type.
	Target(fed Federated) client.Object
	// SetTemplate makes fed's template a copy of target; both must be of this type.
	SetTemplate(fed Federated, target client.Object)
}

// Type binds Info to the Go types F (the Federated<Kind>) and T (its target).
type Type[F Object[T], T client.Object] struct {
	Info
	newFederated func() F
	newTarget    func() T
}

// For describes the federated type F whose target is T. Name the struct types, not
// pointers: For[v1beta1.FederatedDeployment, appsv1.Deployment](info).
func For[F, T any, PF interface {
	*F
	Object[PT]
}, PT interface {
	*T
	client.Object
}](info Info) *Type[PF, PT] {
	return &Type[PF, PT]{
		Info:         info,
		newFederated: func() PF { return PF(new(F)) },
		newTarget:    func() PT { return PT(new(T)) },
	}
}

func (t *Type[F, T]) TypeInfo() Info { return t.Info }

// NewFederated returns an empty Federated<Kind>.
func (t *Type[F, T]) NewFederated() F { return t.newFederated() }

// NewTarget returns an empty target object.
func (t *Type[F, T]) NewTarget() T { return t.newTarget() }

func (t *Type[F, T]) NewFederatedObject() client.Object { return t.newFederated() }
func (t *Type[F, T]) NewTargetObject() client.Object    { return t.newTarget() }

func (t *Type[F, T]) AsFederated(obj client.Object) (Federated, error) {
	fed, ok := obj.(F)
	if !ok {
		return nil, fmt.Errorf("%s: want %T, got %T", t.Name, t.newFederated(), obj)
	}
	return fed, nil
}

func (t *Type[F, T]) Target(fed Federated) client.Object { return fed.(F).TargetObject() }

func (t *Type[F, T]) SetTemplate(fed Federated, target client.Object) {
	fed.(F).SetTemplate(target.(T))
}
