package dns_test

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	mcdnsv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/multiclusterdns/v1alpha1"
	"github.com/kubefed-gen/kubefed/runtime/dns"
)

// FuzzServiceRecords: no input makes record generation panic, and every name
// it writes is a valid DNS name.
func FuzzServiceRecords(f *testing.F) {
	f.Add("web", "shop", "myfed", "example.com", "eu", "eu1", "10.0.0.1", "lb.example.net", "www", "", int64(0))
	f.Add("web", "shop", "myfed", "example.com.", "", "", "2001:db8::1", "", "", "alias", int64(60))
	f.Add("", "", "", "", "a b", "-", "300.1.1.1", "x", "..", "*", int64(-1))
	f.Fuzz(func(t *testing.T, name, ns, domainRef, domain, region, zone, ip, hostname, prefix, externalName string, ttl int64) {
		rec := &mcdnsv1alpha1.ServiceDNSRecord{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
			Spec:       mcdnsv1alpha1.ServiceDNSRecordSpec{DomainRef: domainRef, DNSPrefix: prefix, ExternalName: externalName, RecordTTL: mcdnsv1alpha1.TTL(ttl)},
			Status: mcdnsv1alpha1.ServiceDNSRecordStatus{Domain: domain, DNS: []mcdnsv1alpha1.ClusterDNS{
				{Cluster: "m1", Region: region, Zones: []string{zone, zone}, LoadBalancer: corev1.LoadBalancerStatus{Ingress: []corev1.LoadBalancerIngress{{IP: ip, Hostname: hostname}}}},
				{Cluster: "m2", Region: region},
			}},
		}
		resolver := &fakeResolver{}
		resolver.AddHost(hostname, []string{ip, "192.0.2.1"})
		records, err := dns.ServiceRecords(context.Background(), rec, resolver)
		if err != nil {
			return
		}
		for _, ep := range records.Endpoints {
			if err := dns.CheckName(ep.DNSName, false); err != nil {
				t.Errorf("invalid name written: %v", err)
			}
			if len(ep.Targets) == 0 {
				t.Errorf("%s has no targets", ep.DNSName)
			}
		}
	})
}
