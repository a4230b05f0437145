package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// Widget is a namespaced object with a scalable spec.
// +kubefed:federate:shortName=wd
type Widget struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              WidgetSpec   `json:"spec,omitempty"`
	Status            WidgetStatus `json:"status,omitempty"`
	internal          string
}

type WidgetSpec struct {
	Replicas *int32 `json:"replicas,omitempty"`
	Color    string `json:"color"`
}

type WidgetStatus struct {
	Ready bool `json:"ready"`
}

// Gadget is cluster-scoped and has top-level data instead of a spec.
// +kubefed:federate:scope=Cluster,plural=gadgetry
type Gadget struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	// Parts of the gadget.
	Parts map[string]string `json:"parts,omitempty"`
}

// Unmarked is not federated.
type Unmarked struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
}
