package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// FederatedServiceClusterStatus is the status of a FederatedService's Service
// in one member cluster.
type FederatedServiceClusterStatus struct {
	// ClusterName is the KubeFedCluster the status was read from.
	ClusterName string `json:"clusterName"`
	// Status is the member Service's status; empty when none was observed.
	Status corev1.ServiceStatus `json:"status"`
}

// FederatedServiceStatus is KubeFed's collected status of the FederatedService
// of the same namespace and name: one entry per placed cluster, sorted by
// cluster name. It is written only while the services FederatedTypeConfig sets
// statusType (and does not disable status collection), as in KubeFed; the
// federated object's own status.clusters[].remoteStatus holds the same status
// in any case.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:path=federatedservicestatuses
type FederatedServiceStatus struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +optional
	ClusterStatus []FederatedServiceClusterStatus `json:"clusterStatus,omitempty"`
}

// FederatedServiceStatusList is a list of FederatedServiceStatuses.
//
// +kubebuilder:object:root=true
type FederatedServiceStatusList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []FederatedServiceStatus `json:"items"`
}
