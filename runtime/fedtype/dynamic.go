package fedtype

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
)

// Dynamic describes a federated type that no Go code was generated for: its
// objects are read and written unstructured. The manager starts one for each type a
// FederatedTypeConfig enables that it was not built with; the runtime treats it
// exactly as a generated Type.
type Dynamic struct {
	Info
}

var _ Descriptor = &Dynamic{}

// DynamicFor describes the type ftc configures.
func DynamicFor(ftc *corev1beta1.FederatedTypeConfig) *Dynamic {
	return &Dynamic{Info: InfoFor(ftc)}
}

// InfoFor returns what ftc says about a federated type.
func InfoFor(ftc *corev1beta1.FederatedTypeConfig) Info {
	resource := func(r corev1beta1.APIResource) Resource {
		return Resource{
			GroupVersionKind: schema.GroupVersionKind{Group: r.Group, Version: r.Version, Kind: r.Kind},
			Plural:           r.PluralName,
			// APIResource's scope takes the same values as KubeFedConfig's.
			Namespaced: r.Scope == string(corev1beta1.ScopeNamespaced),
		}
	}
	return Info{Name: ftc.Name, Target: resource(ftc.Spec.TargetType), Federated: resource(ftc.Spec.FederatedType)}
}

// TypeConfig is the FederatedTypeConfig, in namespace, that configures the type
// info describes; InfoFor reads it back.
func (info Info) TypeConfig(namespace string, propagation corev1beta1.Switch) *corev1beta1.FederatedTypeConfig {
	api := func(r Resource) corev1beta1.APIResource {
		scope := corev1beta1.ScopeCluster
		if r.Namespaced {
			scope = corev1beta1.ScopeNamespaced
		}
		return corev1beta1.APIResource{Group: r.Group, Version: r.Version, Kind: r.Kind, PluralName: r.Plural, Scope: string(scope)}
	}
	return &corev1beta1.FederatedTypeConfig{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: info.Name},
		Spec: corev1beta1.FederatedTypeConfigSpec{
			TargetType:    api(info.Target),
			FederatedType: api(info.Federated),
			Propagation:   propagation,
		},
	}
}

func (d *Dynamic) TypeInfo() Info { return d.Info }

func (d *Dynamic) NewFederatedObject() client.Object { return newUnstructured(d.Info.Federated) }
func (d *Dynamic) NewTargetObject() client.Object    { return newUnstructured(d.Info.Target) }

// AsFederated decodes the placement, overrides and status of obj, which must be an
// *unstructured.Unstructured of the federated type.
func (d *Dynamic) AsFederated(obj client.Object) (Federated, error) {
	u, ok := obj.(*unstructured.Unstructured)
	if !ok {
		return nil, fmt.Errorf("%s: want an unstructured object, got %T", d.Name, obj)
	}
	return NewUnstructured(u)
}

func (d *Dynamic) Target(fed Federated) client.Object {
	return fed.(*Unstructured).TargetObject(d.Info.Target)
}

// SetTemplate makes fed's template a copy of target without its identity, as the
// generated SetTemplate does.
func (d *Dynamic) SetTemplate(fed Federated, target client.Object) {
	t := target.(*unstructured.Unstructured).DeepCopy()
	labels, annotations := t.GetLabels(), t.GetAnnotations()
	delete(t.Object, "metadata")
	delete(t.Object, "status")
	delete(t.Object, "apiVersion")
	delete(t.Object, "kind")
	if len(labels) > 0 || len(annotations) > 0 {
		t.SetLabels(labels)
		t.SetAnnotations(annotations)
	}
	_ = unstructured.SetNestedField(fed.(*Unstructured).Object, t.Object, "spec", "template")
}

func newUnstructured(r Resource) *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(r.GroupVersionKind)
	return u
}
