// Package desired computes what a member cluster should hold for a federated
// object: its template with the cluster's overrides applied. The sync controller
// writes it and kubefedctl status compares it with the member, from this one place.
package desired
