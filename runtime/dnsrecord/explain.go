package dnsrecord

import (
	"fmt"
	"strings"

	mcdnsv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/multiclusterdns/v1alpha1"
	"github.com/kubefed-gen/kubefed/runtime/dns"
)

// ServiceEntry is the entry of member cluster name in the status of rec, as
// the controller writes it: ready says whether the member is ready and
// answering (Ready), c is what its Service gives (dns.ServiceContribution;
// unused when not ready), zones and region are where it is (cluster.Topology).
// A ready member has an entry, with its load balancer when it gives one; a
// member that is not ready keeps an entry, without load balancer, only when
// rec's status has one for it. why says why the member gives no load balancer
// ("" when it gives one).
func ServiceEntry(rec *mcdnsv1alpha1.ServiceDNSRecord, name string, ready bool, c dns.Contribution, zones []string, region string) (entry *mcdnsv1alpha1.ClusterDNS, why string) {
	e := &mcdnsv1alpha1.ClusterDNS{Cluster: name, Zones: zones, Region: region}
	if !ready {
		for _, p := range rec.Status.DNS {
			if p.Cluster == name {
				return e, dns.ReasonClusterNotReady + ": the cluster is not ready or does not answer"
			}
		}
		return nil, dns.ReasonClusterNotReady + ": the cluster is not ready or does not answer"
	}
	e.LoadBalancer = c.LoadBalancer
	if c.Reason != "" {
		return e, c.Reason + ": " + c.Message
	}
	return e, ""
}

// ExplainService says, for a person, what member cluster name gives rec and
// in which names, as the controller decides it (ServiceEntry; the arguments
// are ServiceEntry's). kubefedctl status prints it.
func ExplainService(rec *mcdnsv1alpha1.ServiceDNSRecord, name string, ready bool, c dns.Contribution, zones []string, region string) string {
	entry, why := ServiceEntry(rec, name, ready, c, zones, region)
	switch {
	case entry == nil:
		return why + "; not in the records (it had no entry when it became unready)"
	case why != "" && region == "":
		return why + "; the cluster has no region, so it has no names of its own"
	case why != "":
		return why + "; out of every name, its region and zone names are CNAMEs to the level above, to the clusters that serve"
	}
	names := []string{"the global name"}
	if region == "" {
		return "its load balancer is in the global name only: the cluster has no region (kubefedctl join --region, or nodes labelled topology.kubernetes.io/region)"
	}
	names = append(names, "region "+region)
	for _, z := range zones {
		names = append(names, "zone "+z)
	}
	if len(zones) == 0 {
		return fmt.Sprintf("its load balancer is in %s; the cluster has no zones, so no zone name", strings.Join(names, ", "))
	}
	return fmt.Sprintf("its load balancer is in %s", strings.Join(names, ", "))
}

// ExplainIngress says, for a person, what member cluster gives an
// IngressDNSRecord: ready says whether it is ready and answering, c what its
// Ingress gives (dns.IngressContribution).
func ExplainIngress(ready bool, c dns.Contribution) string {
	switch {
	case !ready:
		return dns.ReasonClusterNotReady + ": the cluster is not ready or does not answer; not in the records"
	case c.Reason != "":
		return c.Reason + ": " + c.Message
	}
	return "its load balancer is in every host"
}
