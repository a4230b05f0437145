// Package dns turns the DNS records of a federation into the records external-dns
// programs: from a ServiceDNSRecord or IngressDNSRecord
// (multiclusterdns.kubefed.io/v1alpha1), its spec and the per-cluster load
// balancers of its status, to a list of externaldns.k8s.io/v1alpha1 Endpoints.
// It also decides what one member cluster gives a record (Contribution, from the
// member's Service and EndpointSlices or its Ingress) and says why, for the
// controllers and for kubefedctl alike. It is pure: it reads no cluster, and
// resolves load-balancer host names only through the Resolver it is given.
//
// # Service names
//
// A ServiceDNSRecord web in namespace shop with domainRef myfed, whose Domain has
// domain example.com, gets
//
//	global  web.shop.myfed.svc.example.com                  every cluster's load balancers
//	region  web.shop.myfed.svc.<region>.example.com         the load balancers of the region's clusters
//	zone    web.shop.myfed.svc.<zone>.<region>.example.com  the load balancers of the zone's clusters
//
// A name with load balancers is an A record (AAAA for IPv6 addresses); a zone or
// region name without any is a CNAME to the name one level up, so that a client
// asking for its own zone is sent to the nearest clusters that serve; the global
// name without any is left out. externalName replaces "web" in every name, and
// the records then carry the label serviceName=web; dnsPrefix adds
// <dnsPrefix>.example.com, a CNAME to the global name. The TTL is recordTTL, 180
// when unset. Records of one name from several clusters are merged: targets
// sorted and de-duplicated, an address record winning over a CNAME. All of this
// is KubeFed v0.6.1's, whose test cases are ported one by one in this package's
// tests.
//
// # Ingress names
//
// Every host of an IngressDNSRecord is an A (and AAAA) record of the load
// balancers of the Ingresses of every cluster in the status; a host without any
// is left out.
//
// # Where it differs from KubeFed
//
//   - IPv6 load-balancer addresses become AAAA records; KubeFed put them into A
//     records, which today's external-dns refuses.
//   - A cluster without region (or zones) is kept: it is in the global name, and
//     with a region but no zones also in the region name. KubeFed failed the
//     whole record, for every cluster, until every ready cluster had both.
//   - A load-balancer host name is resolved to its addresses, as in KubeFed, but
//     one that does not resolve is left out (and said so in Records.LeftOut)
//     instead of failing the record: the other clusters keep their records.
//     Since the addresses behind a host name change without the member
//     noticing, Records.FromHostnames tells the caller to build the records
//     again within a TTL.
//   - A zone or region that would make an invalid DNS name leaves out that
//     cluster's zone or region names, not the record; invalid input the whole
//     record depends on (domain, TTL out of range, a name longer than 253
//     characters) is an *InvalidError.
//   - IP addresses are written in their canonical form, so that one address
//     written two ways is one target.
package dns
