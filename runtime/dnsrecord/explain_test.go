package dnsrecord

import (
	"testing"

	corev1 "k8s.io/api/core/v1"

	mcdnsv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/multiclusterdns/v1alpha1"
	"github.com/kubefed-gen/kubefed/runtime/dns"
)

func TestServiceEntryAndExplain(t *testing.T) {
	lb := dns.Contribution{LoadBalancer: corev1.LoadBalancerStatus{Ingress: []corev1.LoadBalancerIngress{{IP: "10.0.0.1"}}}}
	none := dns.Contribution{Reason: dns.ReasonNoLoadBalancer, Message: "Service shop/web has no load-balancer address"}
	rec := &mcdnsv1alpha1.ServiceDNSRecord{Status: mcdnsv1alpha1.ServiceDNSRecordStatus{DNS: []mcdnsv1alpha1.ClusterDNS{{Cluster: "was-there"}}}}
	for _, tc := range []struct {
		name, cluster string
		ready         bool
		c             dns.Contribution
		zones         []string
		region        string
		entry         bool
		lb            bool
		explain       string
	}{
		{"ready with a load balancer", "m1", true, lb, []string{"eu-1a", "eu-1b"}, "eu", true, true,
			"its load balancer is in the global name, region eu, zone eu-1a, zone eu-1b"},
		{"ready without region", "m1", true, lb, nil, "", true, true,
			"its load balancer is in the global name only: the cluster has no region (kubefedctl join --region, or nodes labelled topology.kubernetes.io/region)"},
		{"ready without zones", "m1", true, lb, nil, "eu", true, true,
			"its load balancer is in the global name, region eu; the cluster has no zones, so no zone name"},
		{"ready without load balancer", "m1", true, none, []string{"eu-1a"}, "eu", true, false,
			"NoLoadBalancer: Service shop/web has no load-balancer address; out of every name, its region and zone names are CNAMEs to the level above, to the clusters that serve"},
		{"not ready, in the status before", "was-there", false, lb, []string{"eu-1a"}, "eu", true, false,
			"ClusterNotReady: the cluster is not ready or does not answer; out of every name, its region and zone names are CNAMEs to the level above, to the clusters that serve"},
		{"not ready, not in the status", "m1", false, lb, []string{"eu-1a"}, "eu", false, false,
			"ClusterNotReady: the cluster is not ready or does not answer; not in the records (it had no entry when it became unready)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			entry, _ := ServiceEntry(rec, tc.cluster, tc.ready, tc.c, tc.zones, tc.region)
			if (entry != nil) != tc.entry || (entry != nil && (len(entry.LoadBalancer.Ingress) > 0) != tc.lb) {
				t.Errorf("entry %+v", entry)
			}
			if entry != nil && (entry.Region != tc.region || len(entry.Zones) != len(tc.zones)) {
				t.Errorf("entry %+v lost where the cluster is", entry)
			}
			if got := ExplainService(rec, tc.cluster, tc.ready, tc.c, tc.zones, tc.region); got != tc.explain {
				t.Errorf("explanation\n got %q\nwant %q", got, tc.explain)
			}
		})
	}
}
