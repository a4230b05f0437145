package v1beta1

import (
	"encoding/json"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// ConditionPropagation is the condition type that says whether the object was
// propagated to every placed cluster.
const ConditionPropagation = "Propagation"

// ConditionReady is the condition type that says, with status collection,
// whether the object is ready in every placed cluster: propagated there and
// of health Ready. It sums up status.clusters[].health; without status
// collection the object has no Ready condition.
const ConditionReady = "Ready"

// HealthConditionAnnotation, on the CRD of a generated Federated<Kind>, names
// the condition of the target that means healthy, as kubefed-gen's
// healthConditions set it, for tools that judge member objects as the
// controller does.
const HealthConditionAnnotation = "kubefed.io/health-condition"

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
	// Drifted: the member object differs from the desired object, and the update
	// strategy (ReadOnly) does not let the controller change it.
	Drifted PropagationStatus = "Drifted"
	// Missing: the member has no object, and the update strategy (ReadOnly) does
	// not let the controller create it.
	Missing PropagationStatus = "Missing"
)

// GenericFederatedStatus is the status of every Federated<Kind>.
type GenericFederatedStatus struct {
	// ObservedGeneration is the generation of the spec this status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// Conditions hold the Propagation condition and, with status collection,
	// the Ready condition.
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
	// ReadyClusters counts the placed clusters whose object is ready: with status
	// collection, those whose health is Ready; without, those that hold the
	// desired object.
	// +optional
	ReadyClusters int32 `json:"readyClusters,omitempty"`
	// Replicas sums spec.replicas of the member objects, for a type that has
	// them and whose status is collected.
	// +optional
	Replicas *int32 `json:"replicas,omitempty"`
	// ReadyReplicas sums status.readyReplicas of the member objects, for a type
	// that has spec.replicas and whose status is collected. Stale clusters count
	// for nothing.
	// +optional
	ReadyReplicas *int32 `json:"readyReplicas,omitempty"`
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
	// Health of the member object, with status collection: Ready, Progressing,
	// Degraded or Unknown (nothing observed, or the member is unreachable).
	// +optional
	Health Health `json:"health,omitempty"`
	// RemoteStatus is the member object's status as last read from the member,
	// with status collection. The CRD of a generated type whose target has a
	// status gives it the target's status schema, so fields the host's schema
	// does not know (from a newer member) are pruned; other types keep it as
	// the member wrote it.
	// +optional
	// +kubebuilder:pruning:PreserveUnknownFields
	RemoteStatus *runtime.RawExtension `json:"remoteStatus,omitempty"`
	// Stale says that the member could not be read: remoteStatus is the last one
	// observed, at lastObservedTime, and may no longer be true.
	// +optional
	Stale bool `json:"stale,omitempty"`
	// LastObservedTime is when the member object was last read, for a stale
	// entry; for a current one, when its collected status last changed.
	// +optional
	LastObservedTime *metav1.Time `json:"lastObservedTime,omitempty"`
}

// Health is how the member object is doing, by its own status.
// +kubebuilder:validation:Enum=Ready;Progressing;Degraded;Unknown
type Health string

const (
	// HealthReady: the object does what its spec asks (replicas available, job
	// complete, load balancer present), or, for a kind without such a status,
	// exists.
	HealthReady Health = "Ready"
	// HealthProgressing: the member is working toward the spec (a rollout, a
	// job running, a load balancer being provisioned).
	HealthProgressing Health = "Progressing"
	// HealthDegraded: the member gave up or failed (a rollout past its progress
	// deadline, a failed job, a Ready condition False).
	HealthDegraded Health = "Degraded"
	// HealthUnknown: the object's status could not be observed.
	HealthUnknown Health = "Unknown"
)

// DecodeRemoteStatus decodes the remote status of cluster in st into a new S,
// the target's status type; ok is false when st has no remote status of
// cluster (its status is not collected, or nothing was observed there).
// Generated Federated<Kind>s call it from their RemoteStatus method.
func DecodeRemoteStatus[S any](st *GenericFederatedStatus, cluster string) (status *S, ok bool, err error) {
	for i := range st.Clusters {
		c := &st.Clusters[i]
		if c.Name != cluster || c.RemoteStatus == nil || len(c.RemoteStatus.Raw) == 0 {
			continue
		}
		out := new(S)
		if err := json.Unmarshal(c.RemoteStatus.Raw, out); err != nil {
			return nil, true, fmt.Errorf("remote status of cluster %s: %w", cluster, err)
		}
		return out, true, nil
	}
	return nil, false, nil
}
