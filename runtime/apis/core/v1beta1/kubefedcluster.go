package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TLSValidation names a TLS check that may be switched off for a member cluster.
// +kubebuilder:validation:Enum="*";SubjectName;ValidityPeriod
type TLSValidation string

const (
	TLSAll            TLSValidation = "*"
	TLSSubjectName    TLSValidation = "SubjectName"
	TLSValidityPeriod TLSValidation = "ValidityPeriod"
)

// ClusterIDAnnotation on a KubeFedCluster holds the identity of the member cluster
// it reaches, recorded by join: the UID of the member's kube-system namespace. Two
// KubeFedClusters with one identity are one cluster joined twice; the registry
// uses only the first.
const ClusterIDAnnotation = "kubefed.io/cluster-id"

// Secret keys of a member cluster's credentials, as KubeFed wrote them.
const (
	SecretTokenKey = "token"
	SecretCAKey    = "ca.crt"
	SecretCertKey  = "tls.crt"
	SecretKeyKey   = "tls.key"
)

// KubeFedClusterSpec says how to reach a member cluster.
type KubeFedClusterSpec struct {
	// APIEndpoint is the member's API server address: a URL (http or https, no
	// path), or a host or host:port, which means https, e.g. 10.0.0.1:6443.
	// +kubebuilder:validation:MinLength=1
	APIEndpoint string `json:"apiEndpoint"`
	// CABundle verifies the member's serving certificate.
	// +optional
	CABundle []byte `json:"caBundle,omitempty"`
	// SecretRef names the Secret in the KubeFed namespace holding the member's
	// credentials (key "token").
	SecretRef LocalSecretReference `json:"secretRef"`
	// DisabledTLSValidations switches off TLS checks for this member: * (all, and
	// then alone), SubjectName, ValidityPeriod.
	// +optional
	DisabledTLSValidations []TLSValidation `json:"disabledTLSValidations,omitempty"`
	// ProxyURL is a proxy to reach the member through: an http, https or socks5 URL.
	// +optional
	ProxyURL string `json:"proxyURL,omitempty"`
}

// LocalSecretReference names a Secret in the same namespace.
type LocalSecretReference struct {
	// Name of the Secret.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Name string `json:"name"`
}

// Condition types of a KubeFedCluster.
const (
	ClusterReady   = "Ready"
	ClusterOffline = "Offline"
	// ClusterTypesAllowed says whether the member lets the manager read every
	// federated type it propagates there; set once the member refused one.
	ClusterTypesAllowed = "TypesAllowed"
)

// KubeFedClusterStatus is the member's observed health.
type KubeFedClusterStatus struct {
	// Conditions hold Ready, Offline and, once the member refused a federated
	// type, TypesAllowed.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
	// KubernetesVersion is the member's Kubernetes git version, e.g. v1.37.2.
	// +optional
	KubernetesVersion string `json:"kubernetesVersion,omitempty"`
	// Zones the member's nodes are in.
	// +optional
	Zones []string `json:"zones,omitempty"`
	// Region the member's nodes are in.
	// +optional
	Region *string `json:"region,omitempty"`
}

// KubeFedCluster is a member cluster registered with the host.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:path=kubefedclusters,shortName=kfc,categories=kubefed
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Kubernetes-Version",type=string,JSONPath=`.status.kubernetesVersion`
type KubeFedCluster struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   KubeFedClusterSpec   `json:"spec"`
	Status KubeFedClusterStatus `json:"status,omitempty"`
}

// KubeFedClusterList is a list of KubeFedClusters.
//
// +kubebuilder:object:root=true
type KubeFedClusterList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []KubeFedCluster `json:"items"`
}
