package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// IngressDNSRecordSpec says which host names to point at the load balancers of
// the Ingresses of the record's namespace and name in the member clusters.
type IngressDNSRecordSpec struct {
	// Hosts are the host names, as in the Ingress's rules; a leading "*." makes
	// a wildcard.
	// +optional
	// +kubebuilder:validation:items:MaxLength=253
	// +kubebuilder:validation:items:Pattern=`^(\*\.)?[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)*$`
	Hosts []string `json:"hosts,omitempty"`
	// RecordTTL is the TTL in seconds of the records; 0 or unset means 180.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=2147483647
	RecordTTL TTL `json:"recordTTL,omitempty"`
}

// IngressDNSRecordStatus is what the member clusters offer for the Ingress.
type IngressDNSRecordStatus struct {
	// ObservedGeneration is the generation of the spec this status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// Conditions: Ready says whether the DNSEndpoint holds the records, and why not.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
	// DNS has one entry per ready member cluster, sorted by cluster, with its
	// Ingress's load balancer.
	// +optional
	DNS []ClusterIngressDNS `json:"dns,omitempty"`
}

// ClusterIngressDNS is what one member cluster offers for the Ingress.
type ClusterIngressDNS struct {
	// Cluster name.
	Cluster string `json:"cluster,omitempty"`
	// LoadBalancer of the cluster's Ingress; empty when there is none.
	// +optional
	LoadBalancer corev1.LoadBalancerStatus `json:"loadBalancer,omitempty"`
}

// IngressDNSRecord points each of its hosts, with an A (and AAAA) record, at the
// load balancers of the Ingresses (networking.k8s.io/v1) of its namespace and
// name in every ready member cluster.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:path=ingressdnsrecords,categories=kubefed
// +kubebuilder:printcolumn:name="Hosts",type=string,JSONPath=`.spec.hosts`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type IngressDNSRecord struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   IngressDNSRecordSpec   `json:"spec,omitempty"`
	Status IngressDNSRecordStatus `json:"status,omitempty"`
}

// IngressDNSRecordList is a list of IngressDNSRecords.
//
// +kubebuilder:object:root=true
type IngressDNSRecordList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []IngressDNSRecord `json:"items"`
}
