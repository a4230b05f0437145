package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// AllClusters is the key of Spec.Clusters whose preferences apply to every cluster
// without an entry of its own.
const AllClusters = "*"

// ReplicaSchedulingPreferenceSpec says how many replicas a federated workload has in
// total and how to spread them over member clusters.
type ReplicaSchedulingPreferenceSpec struct {
	// TargetKind is the kind of the federated workload this preference schedules,
	// e.g. FederatedDeployment or FederatedReplicaSet; the workload has the
	// preference's namespace and name.
	TargetKind string `json:"targetKind"`

	// TotalReplicas is the number of replicas across all member clusters. It
	// replaces the replicas of the target's template.
	// +kubebuilder:validation:Minimum=0
	TotalReplicas int32 `json:"totalReplicas"`

	// Rebalance allows replicas already running in a cluster to be moved to other
	// clusters to match the preferences. When false, running replicas stay where
	// they are as long as the preferences allow them there.
	// +optional
	Rebalance bool `json:"rebalance,omitempty"`

	// IntersectWithClusterSelector places the target on the clusters both chosen
	// by this preference and selected by the target's
	// spec.placement.clusterSelector. When false, the clusters chosen here replace
	// the target's spec.placement.clusters.
	// +optional
	IntersectWithClusterSelector bool `json:"intersectWithClusterSelector"`

	// Clusters maps a cluster name to its preferences. The key "*" applies to every
	// cluster without an entry of its own. A cluster with neither gets no
	// replicas.
	// +optional
	Clusters map[string]ClusterPreferences `json:"clusters,omitempty"`
}

// ClusterPreferences bound and weigh the replicas one cluster gets.
// +kubebuilder:validation:XValidation:rule="!has(self.minReplicas) || !has(self.maxReplicas) || self.minReplicas <= self.maxReplicas",message="minReplicas must not be greater than maxReplicas"
type ClusterPreferences struct {
	// MinReplicas is the number of replicas the cluster gets before any are
	// spread by weight, as far as the total allows. 0 by default.
	// +optional
	// +kubebuilder:validation:Minimum=0
	MinReplicas int64 `json:"minReplicas,omitempty"`

	// MaxReplicas caps the replicas of the cluster. Unbounded when not set.
	// +optional
	// +kubebuilder:validation:Minimum=0
	MaxReplicas *int64 `json:"maxReplicas,omitempty"`

	// Weight is the cluster's share of the replicas left after every cluster's
	// minimum, relative to the weights of the other clusters. 0 by default: the
	// cluster gets no more than its minimum.
	// +optional
	// +kubebuilder:validation:Minimum=0
	Weight int64 `json:"weight,omitempty"`
}

// ClusterReplicas is the scheduling of one member cluster.
type ClusterReplicas struct {
	// Name of the member cluster.
	Name string `json:"name"`
	// PlannedReplicas is the number of replicas the plan gives the cluster.
	PlannedReplicas int64 `json:"plannedReplicas"`
	// OverflowReplicas is the number of replicas the plan would have given the
	// cluster beyond its estimated capacity.
	// +optional
	OverflowReplicas int64 `json:"overflowReplicas,omitempty"`
	// CurrentReplicas is the number of replicas the workload has in the cluster,
	// as last observed; unset when unknown.
	// +optional
	CurrentReplicas *int64 `json:"currentReplicas,omitempty"`
}

// ReplicaSchedulingPreferenceStatus is the plan last applied to the target and what
// the member clusters run.
type ReplicaSchedulingPreferenceStatus struct {
	// ObservedGeneration is the generation of the spec this status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// Conditions say whether the target was scheduled, and why not.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
	// Clusters has one entry per cluster the target may be placed on.
	// +optional
	// +listType=map
	// +listMapKey=name
	Clusters []ClusterReplicas `json:"clusters,omitempty"`
}

// ReplicaSchedulingPreference spreads the replicas of the federated workload of the
// same namespace and name over member clusters.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:path=replicaschedulingpreferences,shortName=rsp,categories=kubefed
// +kubebuilder:printcolumn:name="TargetKind",type=string,JSONPath=`.spec.targetKind`
// +kubebuilder:printcolumn:name="TotalReplicas",type=integer,JSONPath=`.spec.totalReplicas`
// +kubebuilder:printcolumn:name="Rebalance",type=boolean,JSONPath=`.spec.rebalance`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type ReplicaSchedulingPreference struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   ReplicaSchedulingPreferenceSpec   `json:"spec,omitempty"`
	Status ReplicaSchedulingPreferenceStatus `json:"status,omitempty"`
}

// ReplicaSchedulingPreferenceList is a list of ReplicaSchedulingPreferences.
//
// +kubebuilder:object:root=true
type ReplicaSchedulingPreferenceList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ReplicaSchedulingPreference `json:"items"`
}
