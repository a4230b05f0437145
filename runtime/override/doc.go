// Package override applies a federated object's per-cluster overrides
// (spec.overrides[].clusterOverrides[]: op, JSON pointer path, value) to the typed
// object propagated to one member cluster, with KubeFed's semantics, and checks that
// the result is still a valid object of that type before anything is sent.
package override
