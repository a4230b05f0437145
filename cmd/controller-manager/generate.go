// Package controllermanager holds kubefed's default set of federated types, itself
// generated: kubefed-gen.yaml lists KubeFed's default types and the go:generate line
// below turns them into the API types, CRDs, clients and typed controllers in the
// sub-packages. The manager command built on them is generated into this folder too
// once the sync runtime is in place.
package controllermanager

//go:generate go run github.com/kubefed-gen/kubefed/cmd/kubefed-gen --config kubefed-gen.yaml
