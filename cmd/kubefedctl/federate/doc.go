// Package federate is kubefedctl's federate command: it creates the federated
// object of an existing object of the host cluster, or of every object in a
// namespace.
package federate
