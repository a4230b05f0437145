// Package controllermanager is KubeFed's default federation controller manager,
// itself generated: kubefed-gen.yaml lists KubeFed's default federated types, and
// the line below turns them into the API types, CRDs, clients, the typed descriptors
// (fedtypes), the manager command in cmd/manager (`make build` names its binary
// bin/controller-manager), RBAC, install manifests and a Dockerfile.
package controllermanager

//go:generate go tool kubefed-gen --config kubefed-gen.yaml
