// Package owntypes federates a user's own Go type. The first go:generate line writes
// the type's deepcopy functions (it must be a runtime.Object); the second federates
// every type of the package marked +kubefed:federate.
package owntypes

//go:generate go tool controller-gen object paths=./api/...
//go:generate go tool kubefed-gen --input-pkg github.com/kubefed-gen/kubefed/examples/own-types/api/v1alpha1 --clients=false --output ./federation
