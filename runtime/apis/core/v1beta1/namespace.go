package v1beta1

// DefaultNamespace is KubeFed's namespace for its control plane in the host
// (KubeFedClusters, their Secrets, KubeFedConfig, FederatedTypeConfigs, the
// manager) and for the service account that join creates in each member.
const DefaultNamespace = "kube-federation-system"
