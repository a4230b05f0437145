// Package enable is kubefedctl's enable command: it federates a type by installing
// its Federated CRD and FederatedTypeConfig in the host, or writes the Go code of a
// controller manager for it.
package enable
