// Package kubefedstatus writes KubeFed's FederatedServiceStatus
// (core.kubefed.io/v1alpha1) for the clients that read it, as KubeFed's status
// controller did.
//
// Collected status lives in each federated object's own
// status.clusters[].remoteStatus, written by the sync controller. KubeFed instead
// kept it, for services only, in a FederatedServiceStatus of the same namespace
// and name as the FederatedService, and only when the services
// FederatedTypeConfig opted in by setting spec.statusType (with status
// collection on). This package does the same from what the sync controller
// collected: while the services FederatedTypeConfig in the KubeFed namespace
// sets statusType and does not disable statusCollection, every FederatedService
// has a FederatedServiceStatus whose clusterStatus lists its placed clusters,
// sorted by name, each with the member Service's status (empty while none was
// observed there). A cluster whose member could not be read lately (a stale
// entry) is left out, as KubeFed listed ready clusters only.
//
// Cost: reconciles read the host's cache only; the host is written once per
// change of a FederatedService's collected Service status (or placement), and
// once to create or delete a FederatedServiceStatus. Without the opt-in nothing
// is written. The FederatedServiceStatus is deleted when its FederatedService
// goes or the opt-in is removed; it also carries an owner reference to its
// FederatedService, for hosts that run a garbage collector.
package kubefedstatus
