// Package status turns what happened in each member cluster into the status of a
// Federated<Kind>: per-cluster entries with KubeFed's reasons, the Propagation
// condition, counts for printer columns, and the observed generation.
package status
