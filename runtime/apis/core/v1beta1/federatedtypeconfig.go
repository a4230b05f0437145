package v1beta1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// APIResource locates a type in the API.
type APIResource struct {
	// +optional
	Group   string `json:"group,omitempty"`
	Version string `json:"version"`
	Kind    string `json:"kind"`
	// PluralName is the resource name, e.g. deployments.
	PluralName string `json:"pluralName"`
	// Scope is Cluster or Namespaced.
	// +kubebuilder:validation:Enum=Cluster;Namespaced
	Scope string `json:"scope"`
}

// FederatedTypeConfigSpec maps a target type to its federated type.
type FederatedTypeConfigSpec struct {
	// TargetType is the type propagated to member clusters.
	TargetType APIResource `json:"targetType"`
	// FederatedType holds the template, placement and overrides.
	FederatedType APIResource `json:"federatedType"`
	// Propagation turns propagation of this type on or off at run time.
	Propagation Switch `json:"propagation"`
}

// FederatedTypeConfigStatus reports the state of the type's controllers.
type FederatedTypeConfigStatus struct {
	// ObservedGeneration is the generation the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// PropagationController is Running or NotRunning.
	// +optional
	PropagationController string `json:"propagationController,omitempty"`
}

// FederatedTypeConfig says that a federated type propagates a target type; its name
// is the target's resource, e.g. deployments.apps.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:path=federatedtypeconfigs,shortName=ftc,categories=kubefed
// +kubebuilder:printcolumn:name="Propagation",type=string,JSONPath=`.spec.propagation`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type FederatedTypeConfig struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   FederatedTypeConfigSpec   `json:"spec"`
	Status FederatedTypeConfigStatus `json:"status,omitempty"`
}

// FederatedTypeConfigList is a list of FederatedTypeConfigs.
//
// +kubebuilder:object:root=true
type FederatedTypeConfigList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []FederatedTypeConfig `json:"items"`
}
