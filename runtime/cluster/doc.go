// Package cluster is the registry of member clusters: joining and unjoining them
// (KubeFed's credential format: a ServiceAccount in the member, its token in a Secret
// of the host's KubeFed namespace, a KubeFedCluster pointing at both), and, at run
// time, one client and cache per KubeFedCluster, kept healthy-or-not by periodic
// /healthz probes whose result is written to the KubeFedCluster status. Requests
// to a member time out, and once one gets no answer the member's requests fail
// fast until a probe passes (Member.Unresponsive), so one hung member holds no
// one else's work.
//
// Consumers (the sync controllers) ask the Registry for its Members, are told of
// changes through OnChange, and notice drift in members through WatchMembers.
package cluster
