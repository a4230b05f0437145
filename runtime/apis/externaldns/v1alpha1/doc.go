// Package v1alpha1 is external-dns's externaldns.k8s.io/v1alpha1 DNSEndpoint, the
// object its CRD source (--source=crd) reads records from. The types are
// defined here with external-dns v0.23.0's JSON shape and documentation, field
// for field, so that the CRD generated from them is equivalent to the one
// external-dns publishes (config/crd/standard/dnsendpoints.externaldns.k8s.io.yaml;
// a copy in testdata is compared with ours). external-dns itself is not
// imported: its module does not build from the Go module proxy.
//
// +kubebuilder:object:generate=true
// +groupName=externaldns.k8s.io
package v1alpha1
