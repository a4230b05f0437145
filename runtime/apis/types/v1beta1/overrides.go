package v1beta1

import apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

// OverrideOp is the operation of a ClusterOverride, as in a JSON patch.
// +kubebuilder:validation:Enum=add;remove;replace
type OverrideOp string

const (
	OverrideAdd     OverrideOp = "add"
	OverrideRemove  OverrideOp = "remove"
	OverrideReplace OverrideOp = "replace"
)

// GenericOverrideItem holds the overrides of one member cluster.
type GenericOverrideItem struct {
	// ClusterName is the name of the KubeFedCluster the overrides apply to.
	ClusterName string `json:"clusterName"`
	// ClusterOverrides are applied in order to the object propagated to that cluster.
	// +optional
	ClusterOverrides []ClusterOverride `json:"clusterOverrides,omitempty"`
}

// ClusterOverride changes one field of the object propagated to a cluster.
type ClusterOverride struct {
	// Op is add, remove or replace; empty means replace.
	// +optional
	Op OverrideOp `json:"op,omitempty"`
	// Path is a JSON pointer into the propagated object, for example /spec/replicas.
	Path string `json:"path"`
	// Value is the new value; ignored for remove.
	// +optional
	Value *apiextensionsv1.JSON `json:"value,omitempty"`
}
