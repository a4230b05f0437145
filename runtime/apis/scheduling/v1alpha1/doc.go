// Package v1alpha1 is KubeFed's scheduling.kubefed.io/v1alpha1 API:
// ReplicaSchedulingPreference, which spreads the replicas of a federated workload
// (a FederatedDeployment or FederatedReplicaSet of the same namespace and name)
// over member clusters by minimum, maximum and weight. The spec is KubeFed's, field
// for field; the status, empty in KubeFed, reports the plan per cluster.
//
// +kubebuilder:object:generate=true
// +groupName=scheduling.kubefed.io
package v1alpha1
