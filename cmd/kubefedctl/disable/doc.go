// Package disable is kubefedctl's disable command: it stops propagation of a
// federated type and, on request, removes the type's Federated CRD.
package disable
