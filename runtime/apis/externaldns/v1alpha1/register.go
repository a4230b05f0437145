package v1alpha1

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

// DNSEndpointKind is the kind name for DNSEndpoint resources.
const DNSEndpointKind = "DNSEndpoint"

var (
	// SchemeGroupVersion is externaldns.k8s.io/v1alpha1.
	SchemeGroupVersion = schema.GroupVersion{Group: "externaldns.k8s.io", Version: "v1alpha1"}
	// SchemeBuilder registers this package's types.
	SchemeBuilder = &scheme.Builder{GroupVersion: SchemeGroupVersion}
	// AddToScheme adds this package's types to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

func init() {
	SchemeBuilder.Register(&DNSEndpoint{}, &DNSEndpointList{})
}
