package v1beta1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// APIResource locates a type in the API. The rules are KubeFed's: version, kind and
// pluralName are DNS labels (kind once lower-cased), a group is a DNS subdomain.
type APIResource struct {
	// +optional
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?$`
	Group string `json:"group,omitempty"`
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z]([-a-z0-9]*[a-z0-9])?$`
	Version string `json:"version"`
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$`
	Kind string `json:"kind"`
	// PluralName is the resource name, e.g. deployments.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z]([-a-z0-9]*[a-z0-9])?$`
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
	// StatusType is KubeFed's type for collected status. Kept for compatibility:
	// the federated object's own status holds what is collected here.
	// +optional
	StatusType *APIResource `json:"statusType,omitempty"`
	// StatusCollection is KubeFed's switch for collecting member status into
	// the federated objects' status.clusters[] (remoteStatus, health); unlike
	// KubeFed, unset means Enabled, and only Disabled turns collection off.
	// +optional
	StatusCollection *Switch `json:"statusCollection,omitempty"`
}

// FederatedTypeConfigStatus reports the state of the type's controllers.
type FederatedTypeConfigStatus struct {
	// ObservedGeneration is the generation the status describes.
	// +optional
	// +kubebuilder:validation:Minimum=0
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// PropagationController is Running or NotRunning, as in KubeFed; the
	// Propagating condition says which controller runs and why not.
	// +optional
	// +kubebuilder:validation:Enum=Running;NotRunning
	PropagationController string `json:"propagationController,omitempty"`
	// StatusController is KubeFed's state of its status controller, Running or
	// NotRunning; this manager has none and leaves it unset.
	// +optional
	// +kubebuilder:validation:Enum=Running;NotRunning
	StatusController *string `json:"statusController,omitempty"`
	// Conditions: Propagating is True with reason Typed (code generated for the
	// type is compiled into the manager) or Dynamic (the manager propagates it
	// unstructured), and False with a reason that says why it does not.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// PropagatedByAnnotation on a FederatedTypeConfig names the controller manager
// built with the type, which alone propagates it: managers that were not built
// with it start no dynamic controller for it. The manager writes it when it
// finds the FederatedTypeConfig without one; remove it to hand the type over.
const PropagatedByAnnotation = "kubefed.io/propagated-by"

// The Propagating condition of a FederatedTypeConfig and its reasons.
const (
	TypeConfigPropagating = "Propagating"
	// ReasonTyped: the manager was built with the type's generated code.
	ReasonTyped = "Typed"
	// ReasonDynamic: the manager propagates the type through unstructured objects.
	ReasonDynamic = "Dynamic"
	// ReasonDisabled: spec.propagation is Disabled.
	ReasonDisabled = "Disabled"
	// ReasonResourceNotServed: the host does not serve the target or federated type.
	ReasonResourceNotServed = "ResourceNotServed"
	// ReasonForbidden: the manager may not read or write the federated type.
	ReasonForbidden = "Forbidden"
	// ReasonNotSupported: the type cannot be propagated by this manager.
	ReasonNotSupported = "NotSupported"
)

// FederatedTypeConfig says that a federated type propagates a target type; its name
// is the target's resource, e.g. deployments.apps.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:path=federatedtypeconfigs,shortName=ftc,categories=kubefed
// +kubebuilder:printcolumn:name="Propagation",type=string,JSONPath=`.spec.propagation`
// +kubebuilder:printcolumn:name="Controller",type=string,JSONPath=`.status.propagationController`
// +kubebuilder:printcolumn:name="Mode",type=string,JSONPath=`.status.conditions[?(@.type=="Propagating")].reason`
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
