// Package v1alpha1 is KubeFed's core.kubefed.io/v1alpha1 API, field for field: the
// record of what was propagated, PropagatedVersion (namespaced federated objects)
// and ClusterPropagatedVersion (cluster-scoped ones), and FederatedServiceStatus,
// the collected status of a FederatedService. Their CRDs are installed with the
// other core CRDs so that KubeFed's clients can list them; the controller manager
// keeps propagated versions in memory and does not write them, and writes
// FederatedServiceStatuses only when the services FederatedTypeConfig sets
// statusType (package kubefedstatus).
//
// +kubebuilder:object:generate=true
// +groupName=core.kubefed.io
package v1alpha1
