package v1beta1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// Placement says which member clusters an object is propagated to. When Clusters
// is set it wins and ClusterSelector is ignored; an empty ClusterSelector selects
// every cluster; when neither is set no cluster is selected.
type Placement struct {
	// Clusters names the member clusters, by KubeFedCluster name.
	// +optional
	Clusters []GenericClusterReference `json:"clusters,omitempty"`
	// ClusterSelector selects member clusters by the labels of their KubeFedCluster.
	// +optional
	ClusterSelector *metav1.LabelSelector `json:"clusterSelector,omitempty"`
}

// GenericClusterReference names one member cluster.
type GenericClusterReference struct {
	// Name is the name of the KubeFedCluster.
	Name string `json:"name"`
}

// TemplateMetadata is the part of an object's metadata a template may set. Name and
// namespace come from the federated object itself.
type TemplateMetadata struct {
	// +optional
	Labels map[string]string `json:"labels,omitempty"`
	// +optional
	Annotations map[string]string `json:"annotations,omitempty"`
}
