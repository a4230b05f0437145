// Package corecrds embeds the CRDs of KubeFed's own API, core.kubefed.io/v1beta1
// (KubeFedCluster, KubeFedConfig, FederatedTypeConfig) and v1alpha1
// (PropagatedVersion, ClusterPropagatedVersion), scheduling.kubefed.io/v1alpha1
// (ReplicaSchedulingPreference), multiclusterdns.kubefed.io/v1alpha1 (Domain,
// ServiceDNSRecord, IngressDNSRecord, DNSEndpoint), and external-dns's
// externaldns.k8s.io/v1alpha1 DNSEndpoint, which the DNS controllers write, so that tools can
// install them or write them into a generated manager's manifests without a
// checkout of this module. The YAML files beside this one are controller-gen's output
// (make generate); this package only carries them.
package corecrds

import "embed"

// FS holds one CRD per file, named <group>_<plural>.yaml, at its root.
//
//go:embed *.yaml
var FS embed.FS
