// Package dispatch writes one federated object's desired state into member
// clusters: create, update, adoption, deletion and orphaning, writing only when
// the member object differs from what should be there. How an existing object is
// updated is its update Strategy: server-side apply (Apply, so fields dropped
// from the template are dropped in the member too, and fields others own are
// shared), an update in place that removes what others added (Replace), never
// (CreateOnly), or not at all, only reporting (ReadOnly).
package dispatch
