package main

// kubefed-gen.yaml lists KubeFed's default federated types; this line turns them
// into the API types, CRDs, clients, typed controllers, this command's main
// function, RBAC, install manifests and Dockerfile.
//go:generate go run github.com/kubefed-gen/kubefed/cmd/kubefed-gen --config kubefed-gen.yaml
