// Package placement decides which member clusters a federated object goes to: it
// resolves spec.placement (a list of cluster names or a label selector over the
// member clusters) to a sorted list of cluster names, with KubeFed's semantics.
package placement
