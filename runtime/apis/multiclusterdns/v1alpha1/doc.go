// Package v1alpha1 is KubeFed's multiclusterdns.kubefed.io/v1alpha1 API, field
// for field as KubeFed v0.6.1 (the last release with DNS) defined it: Domain (the
// DNS zone of the control plane), ServiceDNSRecord and IngressDNSRecord (which
// names to program for the Services and Ingresses of one name in every member
// cluster) and KubeFed's own DNSEndpoint, the records for external-dns. The
// specs are KubeFed's with validation added where KubeFed's meaning allows it
// (TTL range, host names); the records' statuses are KubeFed's plus
// observedGeneration and conditions.
//
// +kubebuilder:object:generate=true
// +groupName=multiclusterdns.kubefed.io
package v1alpha1
