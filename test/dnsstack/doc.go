// Package dnsstack runs a real DNS chain for end-to-end tests of multicluster
// DNS: external-dns reads DNSEndpoint objects (externaldns.k8s.io/v1alpha1) from
// a host API server and writes their records, through its coredns provider, to an
// etcd of their own; CoreDNS serves the zone from that etcd (its etcd plugin) on
// a loopback port; Lookup and WaitFor read the answers with a DNS client, as a
// resolver would. A DNSEndpoint created on the host thus resolves within a
// second or two (external-dns's Interval, 1s by default, and its loop's 1s tick).
//
// Start needs the DNSEndpoint CRD already installed on the host, since
// external-dns lists DNSEndpoints from its first sync on: InstallUpstreamCRD
// installs external-dns's own. Every process is stopped and its files removed
// when the test ends; their logs are in the test's temporary folder, and their
// last lines are printed when the test fails.
//
// The binaries come from hack/install-dns-binaries.sh (external-dns, coredns;
// about 9 minutes on 2 cores the first time) and hack/install-test-binaries.sh
// (etcd), both run by `make test-binaries`. To run the stack's own test by hand:
//
//	hack/install-test-binaries.sh && hack/install-dns-binaries.sh
//	go test -count=1 -run TestStack -v ./test/dnsstack/
//
// The same processes can be started by hand against any cluster, with fixed
// ports where Start takes free loopback ports:
//
//	etcd --data-dir=etcd      # serves http://127.0.0.1:2379
//	coredns -conf Corefile    # see Corefile below, for the zone example.com
//	ETCD_URLS=http://127.0.0.1:2379 external-dns --kubeconfig=kubeconfig \
//	  --source=crd --crd-source-apiversion=externaldns.k8s.io/v1alpha1 --crd-source-kind=DNSEndpoint \
//	  --provider=coredns --registry=txt --txt-owner-id=kubefed-test --policy=sync \
//	  --domain-filter=example.com --interval=1s --metrics-address=127.0.0.1:7979
//
// with the Corefile
//
//	example.com:1053 {
//		bind 127.0.0.1
//		errors
//		etcd example.com {
//			path /skydns
//			endpoint http://127.0.0.1:2379
//		}
//	}
//
// CoreDNS's etcd plugin answers a name with the records stored under it and
// under every name below it (SkyDNS's layout: external-dns stores each target of
// web.shop.example.com at /skydns/com/example/shop/web/<random label>), so a
// query for shop.example.com also returns web.shop.example.com's addresses. It
// answers a CNAME query from the name's own key only, where external-dns writes
// nothing: a CNAME query for an alias external-dns wrote is answered NXDOMAIN.
// Ask for A (or AAAA) instead: the answer holds the CNAME, then its target's
// addresses when the target is in the zone; an alias out of the zone is
// answered with the CNAME alone.
//
// external-dns v0.23.0's coredns provider leaves its ownership TXT records
// behind when it deletes a name (it deletes the key without the random label it
// wrote them under): a name above such a leftover, e.g. shop.example.com above
// a-www.shop.example.com, is then answered NOERROR with no records rather than
// NXDOMAIN. A long-running stack collects them.
package dnsstack
