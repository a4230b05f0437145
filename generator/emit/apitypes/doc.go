// Package apitypes emits the Go API types: for each target a Federated<Kind>, its
// spec, template and list, the accessors the runtime uses, and the package's
// doc.go and scheme registration. Deepcopy is left to controller-tools' deepcopy
// generator, run on this package with the others (see emit.Run).
package apitypes
