// Package v1beta1 holds the parts of every Federated<Kind> in
// types.kubefed.io/v1beta1 that do not depend on the kind: template metadata,
// placement, overrides and status. Generated Federated<Kind> types embed them, so
// each concept has one Go type and one schema, shared by every kind.
//
// +kubebuilder:object:generate=true
package v1beta1
