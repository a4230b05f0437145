package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Domain is the DNS zone of the KubeFed control plane. It lives in the KubeFed
// namespace; a ServiceDNSRecord names it in spec.domainRef, and its name is the
// <federation> part of the record's DNS names.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:path=domains,categories=kubefed
// +kubebuilder:printcolumn:name="Domain",type=string,JSONPath=`.domain`
// +kubebuilder:printcolumn:name="NameServer",type=string,JSONPath=`.nameServer`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Domain struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Domain is the DNS zone associated with the KubeFed control plane, e.g.
	// example.com; a trailing dot is allowed and ignored.
	// +kubebuilder:validation:MaxLength=254
	// +kubebuilder:validation:Pattern=`^[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)*\.?$`
	Domain string `json:"domain"`
	// NameServer is the authoritative DNS name server for the KubeFed domain.
	// It is informative: no controller reads it.
	// +optional
	// +kubebuilder:validation:MaxLength=255
	NameServer string `json:"nameServer,omitempty"`
}

// DomainList is a list of Domains.
//
// +kubebuilder:object:root=true
type DomainList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Domain `json:"items"`
}
