// Package crdyaml federates a CRD given as YAML (velero's Backup): kubefed-gen
// writes Go types for its storage version under federation/targets, then federates
// them like any other type, with a controller manager for the set.
package crdyaml

//go:generate go tool kubefed-gen --crd crds/velero.io_backups.yaml --manager --clients=false --output ./federation
