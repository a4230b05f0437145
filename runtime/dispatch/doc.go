// Package dispatch writes one federated object's desired state into member
// clusters: create, update (server-side apply, so fields dropped from the template
// are dropped in the member too), adoption, deletion and orphaning, writing only
// when the member object differs from what should be there.
package dispatch
