package v1alpha1

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

var (
	// SchemeGroupVersion is core.kubefed.io/v1alpha1.
	SchemeGroupVersion = schema.GroupVersion{Group: "core.kubefed.io", Version: "v1alpha1"}
	// SchemeBuilder registers this package's types.
	SchemeBuilder = &scheme.Builder{GroupVersion: SchemeGroupVersion}
	// AddToScheme adds this package's types to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

func init() {
	SchemeBuilder.Register(
		&PropagatedVersion{}, &PropagatedVersionList{},
		&ClusterPropagatedVersion{}, &ClusterPropagatedVersionList{},
		&FederatedServiceStatus{}, &FederatedServiceStatusList{},
	)
}
