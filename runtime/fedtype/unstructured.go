package fedtype

import (
	"encoding/json"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
)

// Unstructured is a Federated<Kind> read without its Go type (by kubefedctl, for
// any type installed in a host), with its placement, overrides and status decoded.
type Unstructured struct {
	*unstructured.Unstructured
	placement fedv1beta1.Placement
	overrides []fedv1beta1.GenericOverrideItem
	status    fedv1beta1.GenericFederatedStatus
}

var _ Federated = &Unstructured{}

// NewUnstructured decodes the parts of u that every federated type shares.
func NewUnstructured(u *unstructured.Unstructured) (*Unstructured, error) {
	f := &Unstructured{Unstructured: u}
	for _, part := range []struct {
		path []string
		into any
	}{
		{[]string{"spec", "placement"}, &f.placement},
		{[]string{"spec", "overrides"}, &f.overrides},
		{[]string{"status"}, &f.status},
	} {
		raw, found, err := unstructured.NestedFieldNoCopy(u.Object, part.path...)
		if err != nil || !found {
			continue
		}
		// Through JSON: the unstructured converter does not decode into the
		// apiextensions JSON values of overrides.
		data, err := json.Marshal(raw)
		if err == nil {
			err = json.Unmarshal(data, part.into)
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", strings.Join(part.path, "."), err)
		}
	}
	return f, nil
}

func (f *Unstructured) Placement() *fedv1beta1.Placement                   { return &f.placement }
func (f *Unstructured) ClusterOverrides() []fedv1beta1.GenericOverrideItem { return f.overrides }
func (f *Unstructured) FederatedStatus() *fedv1beta1.GenericFederatedStatus {
	return &f.status
}

// TargetObject returns the object the template describes, of type target, as the
// generated TargetObject of a typed Federated<Kind> does: the template with the
// federated object's name (and namespace, for a namespaced target) and the
// template's labels and annotations.
func (f *Unstructured) TargetObject(target Resource) *unstructured.Unstructured {
	template, _, _ := unstructured.NestedMap(f.Object, "spec", "template")
	if template == nil {
		template = map[string]any{}
	}
	obj := &unstructured.Unstructured{Object: template}
	labels, annotations := obj.GetLabels(), obj.GetAnnotations()
	delete(template, "metadata")
	obj.SetGroupVersionKind(target.GroupVersionKind)
	obj.SetName(f.GetName())
	if target.Namespaced {
		obj.SetNamespace(f.GetNamespace())
	}
	obj.SetLabels(labels)
	obj.SetAnnotations(annotations)
	return obj
}
