package bad

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// NotAStruct carries the marker but is a string.
// +kubefed:federate
type NotAStruct string

// NoMeta has no ObjectMeta, so it is not a Kubernetes object.
type NoMeta struct {
	metav1.TypeMeta `json:",inline"`
	Spec            string `json:"spec"`
}

// WithChan has a field with no JSON form deep in its spec.
type WithChan struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              WithChanSpec `json:"spec"`
}

type WithChanSpec struct {
	Events chan int `json:"events"`
}

// BadScope has a marker with a scope that does not exist.
// +kubefed:federate:scope=Galaxy
type BadScope struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
}
