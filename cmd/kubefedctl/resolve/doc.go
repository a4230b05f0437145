// Package resolve resolves kubefedctl's TYPE arguments against one discovery
// snapshot of the host cluster, the way kubectl resolves resource names, and pairs
// each target type with its federated type and FederatedTypeConfig.
package resolve
