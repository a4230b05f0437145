// Package v1beta1 is KubeFed's core.kubefed.io/v1beta1 API, field for field:
// KubeFedCluster (a member cluster and its health), KubeFedConfig (the control
// plane's settings) and FederatedTypeConfig (which federated type propagates which
// target type, switched on and off at run time).
//
// +kubebuilder:object:generate=true
// +groupName=core.kubefed.io
package v1beta1
