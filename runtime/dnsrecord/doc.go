// Package dnsrecord runs the controllers of KubeFed's multicluster DNS: for
// every ServiceDNSRecord and IngressDNSRecord (multiclusterdns.kubefed.io/v1alpha1)
// in the host, it reads what each member cluster offers (the load balancer of
// the member's Service, if it has a ready endpoint, or of its Ingress), writes
// that into the record's status.dns, and writes the records package dns builds
// from it into a DNSEndpoint for external-dns: service-<name> or ingress-<name>
// in the record's namespace, owned by the record. By default the DNSEndpoint is
// external-dns's externaldns.k8s.io/v1alpha1, the only one today's external-dns
// reads; Options.EndpointAPI writes KubeFed's multiclusterdns.kubefed.io/v1alpha1
// DNSEndpoint instead.
//
// It does what KubeFed v0.6.1's ServiceDNS, IngressDNS and DNSEndpoint
// controllers did, in one reconcile per record:
//
//   - The domain is that of the Domain spec.domainRef names, in the KubeFed
//     namespace.
//   - A ready member cluster has an entry in status.dns, with its zones and
//     region (cluster.Topology: given at join, else its nodes' labels) and,
//     when it has one to give, its load balancer.
//   - A member cluster that stops being ready (or stops answering) drops out
//     of the records at once: its entry keeps its zones and region but loses
//     its load balancer, so that its addresses leave every name and its zone
//     and region names become CNAMEs to the level above, sending clients of
//     that zone to the clusters that still serve. This is what KubeFed meant
//     to do and did not (its loop over the previous status ran over an empty
//     list). A cluster that was not in the status before it became unready,
//     and one that is unjoined, has no entry.
//   - An IngressDNSRecord lists ready clusters only, as in KubeFed: an
//     Ingress's hosts have no zone or region names to fall back on.
//
// And what KubeFed did not:
//
//   - The Ready condition says whether the DNSEndpoint holds the records, and
//     why not: DomainNotFound, InvalidTTL, InvalidName, DNSEndpointConflict (a
//     DNSEndpoint of that name exists and is not this record's: it is left
//     alone). With bad input the DNSEndpoint is emptied, so that no stale name
//     stays published, and a warning event is recorded. Its message says which
//     clusters give load balancers and why the others do not.
//   - Statuses and DNSEndpoints are written only when they change.
//   - Member EndpointSlices (discovery.k8s.io/v1) tell whether a Service has a
//     ready endpoint; KubeFed read Endpoints.
//   - A member that cannot be read keeps its last entry, and the record is
//     retried; KubeFed failed the record.
//   - Records with host-name load balancers are rebuilt every TTL, since the
//     addresses behind the names change without any member event.
//   - When a record is deleted, its DNSEndpoint is deleted at once (and by the
//     garbage collector through its owner reference, also when the controller
//     was not running).
package dnsrecord
