package v1beta1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// ConditionPropagation is the condition type that says whether the object was
// propagated to every placed cluster.
const ConditionPropagation = "Propagation"

// PropagationStatus is the reason an object is or is not in one member cluster, with
// KubeFed's values.
type PropagationStatus string

const (
	// ClusterPropagationOK is KubeFed's value for a cluster that holds the desired
	// object: the empty string, so that a healthy entry is {name: member1} on the
	// wire. Tools may show it as OK.
	ClusterPropagationOK   PropagationStatus = ""
	ClusterNotReady        PropagationStatus = "ClusterNotReady"
	CachedRetrievalFailed  PropagationStatus = "CachedRetrievalFailed"
	ComputeResourceFailed  PropagationStatus = "ComputeResourceFailed"
	ApplyOverridesFailed   PropagationStatus = "ApplyOverridesFailed"
	CreationFailed         PropagationStatus = "CreationFailed"
	UpdateFailed           PropagationStatus = "UpdateFailed"
	DeletionFailed         PropagationStatus = "DeletionFailed"
	LabelRemovalFailed     PropagationStatus = "LabelRemovalFailed"
	RetrievalFailed        PropagationStatus = "RetrievalFailed"
	AlreadyExists          PropagationStatus = "AlreadyExists"
	FieldRetentionFailed   PropagationStatus = "FieldRetentionFailed"
	VersionRetrievalFailed PropagationStatus = "VersionRetrievalFailed"
	ClusterRetrievalFailed PropagationStatus = "ClusterRetrievalFailed"
	CreationTimedOut       PropagationStatus = "CreationTimedOut"
	UpdateTimedOut         PropagationStatus = "UpdateTimedOut"
	DeletionTimedOut       PropagationStatus = "DeletionTimedOut"
	WaitingForRemoval      PropagationStatus = "WaitingForRemoval"
	ManagedLabelFalse      PropagationStatus = "ManagedLabelFalse"
)

// GenericFederatedStatus is the status of every Federated<Kind>.
type GenericFederatedStatus struct {
	// ObservedGeneration is the generation of the spec this status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// Conditions hold the Propagation condition.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
	// Clusters has one entry per placed cluster.
	// +optional
	// +listType=map
	// +listMapKey=name
	Clusters []GenericClusterStatus `json:"clusters,omitempty"`
	// PlacedClusters counts the clusters the object is placed on.
	// +optional
	PlacedClusters int32 `json:"placedClusters,omitempty"`
	// ReadyClusters counts the placed clusters that hold the desired object.
	// +optional
	ReadyClusters int32 `json:"readyClusters,omitempty"`
}

// GenericClusterStatus is the propagation status of the object in one cluster.
type GenericClusterStatus struct {
	// Name is the name of the KubeFedCluster.
	Name string `json:"name"`
	// Status is empty when the cluster holds the desired object (KubeFed's
	// ClusterPropagationOK), else the reason it does not.
	// +optional
	Status PropagationStatus `json:"status,omitempty"`
	// Message explains a status other than ClusterPropagationOK.
	// +optional
	Message string `json:"message,omitempty"`
}
