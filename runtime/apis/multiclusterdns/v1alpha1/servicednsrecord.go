package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DefaultRecordTTL is the TTL in seconds of the records of a ServiceDNSRecord or
// IngressDNSRecord whose recordTTL is unset (0), KubeFed's.
const DefaultRecordTTL TTL = 180

// MaxRecordTTL is the largest TTL a DNS record may have (RFC 2181, 8).
const MaxRecordTTL TTL = 2147483647

// ServiceDNSRecordSpec says which DNS names to program for the Services of the
// record's namespace and name in the member clusters.
type ServiceDNSRecordSpec struct {
	// DomainRef is the name of the Domain, in the KubeFed namespace, that the
	// names belong to; it is also the <federation> part of every name.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$`
	DomainRef string `json:"domainRef"`
	// RecordTTL is the TTL in seconds of the records; 0 or unset means 180.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=2147483647
	RecordTTL TTL `json:"recordTTL,omitempty"`
	// DNSPrefix, when set, adds the name <dnsPrefix>.<domain>, a CNAME to the
	// global name of the Service.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)*$`
	DNSPrefix string `json:"dnsPrefix,omitempty"`
	// ExternalName, when set, replaces the service name part of every name.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)*$`
	ExternalName string `json:"externalName,omitempty"`
	// AllowServiceWithoutEndpoints lets the load balancer of a Service that has
	// no ready endpoints in a cluster into the records; by default such a
	// cluster is left out, since nothing would answer there.
	// +optional
	AllowServiceWithoutEndpoints bool `json:"allowServiceWithoutEndpoints,omitempty"`
}

// ServiceDNSRecordStatus is what the member clusters offer for the Service.
type ServiceDNSRecordStatus struct {
	// ObservedGeneration is the generation of the spec this status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// Conditions: Ready says whether the DNSEndpoint holds the records, and why not.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
	// Domain is the DNS domain of the KubeFed control plane, from the Domain.
	// +optional
	Domain string `json:"domain,omitempty"`
	// DNS has one entry per ready member cluster, sorted by cluster: its zones
	// and region, and its Service's load balancer when the Service may be
	// served from there. A cluster that becomes unready keeps its entry without
	// load balancer, so that its zone and region names point one level up.
	// +optional
	DNS []ClusterDNS `json:"dns,omitempty"`
}

// ClusterDNS is what one member cluster offers for the Service.
type ClusterDNS struct {
	// Cluster name.
	Cluster string `json:"cluster,omitempty"`
	// LoadBalancer of the cluster's Service; empty when the Service is missing,
	// has no load balancer address, has no ready endpoints (unless
	// allowServiceWithoutEndpoints), or the cluster is not ready.
	// +optional
	LoadBalancer corev1.LoadBalancerStatus `json:"loadBalancer,omitempty"`
	// Zones the cluster is in.
	// +optional
	Zones []string `json:"zones,omitempty"`
	// Region the cluster is in.
	// +optional
	Region string `json:"region,omitempty"`
}

// ServiceDNSRecord programs DNS names for the Services of its namespace and name
// in every member cluster: with metadata.name web, metadata.namespace shop,
// spec.domainRef myfed and the Domain's domain example.com,
//
//	global: web.shop.myfed.svc.example.com
//	region: web.shop.myfed.svc.<region>.example.com
//	zone:   web.shop.myfed.svc.<zone>.<region>.example.com
//
// each an A (and AAAA) record of the load balancers below it, or, where there
// are none, a CNAME to the level above. spec.dnsPrefix adds
// <dnsPrefix>.example.com, a CNAME to the global name.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:path=servicednsrecords,categories=kubefed
// +kubebuilder:printcolumn:name="DomainRef",type=string,JSONPath=`.spec.domainRef`
// +kubebuilder:printcolumn:name="Domain",type=string,JSONPath=`.status.domain`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type ServiceDNSRecord struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   ServiceDNSRecordSpec   `json:"spec,omitempty"`
	Status ServiceDNSRecordStatus `json:"status,omitempty"`
}

// ServiceDNSRecordList is a list of ServiceDNSRecords.
//
// +kubebuilder:object:root=true
type ServiceDNSRecordList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ServiceDNSRecord `json:"items"`
}
