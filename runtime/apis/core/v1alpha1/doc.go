// Package v1alpha1 is KubeFed's core.kubefed.io/v1alpha1 API for the record of what
// was propagated: PropagatedVersion (namespaced federated objects) and
// ClusterPropagatedVersion (cluster-scoped ones), field for field. Their CRDs are
// installed with the other core CRDs so that KubeFed's clients can list them; the
// controller manager keeps these versions in memory and does not write them.
//
// +kubebuilder:object:generate=true
// +groupName=core.kubefed.io
package v1alpha1
