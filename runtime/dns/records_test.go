package dns_test

import (
	"cmp"
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	extdnsv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/externaldns/v1alpha1"
	mcdnsv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/multiclusterdns/v1alpha1"
	"github.com/kubefed-gen/kubefed/runtime/dns"
)

// lbs is a load balancer of IPs and host names (those with a letter).
func lbs(points ...string) corev1.LoadBalancerStatus {
	var lb corev1.LoadBalancerStatus
	for _, p := range points {
		if strings.ContainsAny(p, "abcdefghijklmnopqrstuvwxyz") && !strings.Contains(p, ":") {
			lb.Ingress = append(lb.Ingress, corev1.LoadBalancerIngress{Hostname: p})
		} else {
			lb.Ingress = append(lb.Ingress, corev1.LoadBalancerIngress{IP: p})
		}
	}
	return lb
}

func serviceRecord(clusters ...mcdnsv1alpha1.ClusterDNS) *mcdnsv1alpha1.ServiceDNSRecord {
	return &mcdnsv1alpha1.ServiceDNSRecord{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop"},
		Spec:       mcdnsv1alpha1.ServiceDNSRecordSpec{DomainRef: "myfed"},
		Status:     mcdnsv1alpha1.ServiceDNSRecordStatus{Domain: "example.com", DNS: clusters},
	}
}

// rr is one expected record: "name TYPE target,target".
func rr(name, typ string, targets ...string) *extdnsv1alpha1.Endpoint {
	return &extdnsv1alpha1.Endpoint{DNSName: name, RecordType: typ, Targets: targets, RecordTTL: 180}
}

const (
	global  = "web.shop.myfed.svc.example.com"
	eu      = "web.shop.myfed.svc.eu.example.com"
	eu1     = "web.shop.myfed.svc.eu1.eu.example.com"
	eu2     = "web.shop.myfed.svc.eu2.eu.example.com"
	us      = "web.shop.myfed.svc.us.example.com"
	us1     = "web.shop.myfed.svc.us1.us.example.com"
	a, aaaa = extdnsv1alpha1.RecordTypeA, extdnsv1alpha1.RecordTypeAAAA
	cname   = extdnsv1alpha1.RecordTypeCNAME
)

// sortRecords orders records as ServiceRecords does: by name, then A, AAAA, CNAME.
func sortRecords(eps []*extdnsv1alpha1.Endpoint) {
	order := map[string]int{a: 0, aaaa: 1, cname: 2}
	slices.SortStableFunc(eps, func(x, y *extdnsv1alpha1.Endpoint) int {
		return cmp.Or(cmp.Compare(x.DNSName, y.DNSName), cmp.Compare(order[x.RecordType], order[y.RecordType]))
	})
}

// TestServiceRecords covers what KubeFed's cases do not: host-name load
// balancers, IPv6, duplicate targets, clusters without region or zones, zones
// that make invalid names.
func TestServiceRecords(t *testing.T) {
	resolver := &fakeResolver{}
	resolver.AddHost("lb.eu.example.net", []string{"192.0.2.10", "2001:db8::10"})
	resolver.AddHost("lb6.us.example.net", []string{"2001:db8::20"})

	for _, tc := range []struct {
		name          string
		rec           *mcdnsv1alpha1.ServiceDNSRecord
		want          []*extdnsv1alpha1.Endpoint
		leftOut       []string
		fromHostnames bool
	}{{
		name: "a host name resolving to IPv4 and IPv6 gives A and AAAA records",
		rec: serviceRecord(
			mcdnsv1alpha1.ClusterDNS{Cluster: "m1", Region: "eu", Zones: []string{"eu1"}, LoadBalancer: lbs("lb.eu.example.net")},
			mcdnsv1alpha1.ClusterDNS{Cluster: "m2", Region: "us", Zones: []string{"us1"}, LoadBalancer: lbs("lb6.us.example.net")}),
		want: []*extdnsv1alpha1.Endpoint{
			rr(global, a, "192.0.2.10"), rr(global, aaaa, "2001:db8::10", "2001:db8::20"),
			rr(eu, a, "192.0.2.10"), rr(eu, aaaa, "2001:db8::10"),
			rr(eu1, a, "192.0.2.10"), rr(eu1, aaaa, "2001:db8::10"),
			// An IPv6-only cluster has no A record and no CNAME either.
			rr(us, aaaa, "2001:db8::20"), rr(us1, aaaa, "2001:db8::20"),
		},
		fromHostnames: true,
	}, {
		name: "a host name that does not resolve is left out, and its cluster's names fall back to CNAMEs",
		rec: serviceRecord(
			mcdnsv1alpha1.ClusterDNS{Cluster: "m1", Region: "eu", Zones: []string{"eu1"}, LoadBalancer: lbs("10.0.0.1")},
			mcdnsv1alpha1.ClusterDNS{Cluster: "m2", Region: "us", Zones: []string{"us1"}, LoadBalancer: lbs("gone.example.net")}),
		want: []*extdnsv1alpha1.Endpoint{
			rr(global, a, "10.0.0.1"), rr(eu, a, "10.0.0.1"), rr(eu1, a, "10.0.0.1"),
			rr(us, cname, global), rr(us1, cname, us),
		},
		leftOut: []string{"cluster m2: load-balancer host name gone.example.net does not resolve: no addresses"},
	}, {
		name: "IPv6 addresses are AAAA records, in canonical form",
		rec: serviceRecord(
			mcdnsv1alpha1.ClusterDNS{Cluster: "m1", Region: "eu", Zones: []string{"eu1"}, LoadBalancer: lbs("2001:DB8:0::1")},
			mcdnsv1alpha1.ClusterDNS{Cluster: "m2", Region: "us", Zones: []string{"us1"}, LoadBalancer: lbs("10.0.0.2")}),
		want: []*extdnsv1alpha1.Endpoint{
			rr(global, a, "10.0.0.2"), rr(global, aaaa, "2001:db8::1"),
			rr(eu, aaaa, "2001:db8::1"), rr(eu1, aaaa, "2001:db8::1"),
			rr(us, a, "10.0.0.2"), rr(us1, a, "10.0.0.2"),
		},
	}, {
		name: "duplicate targets are one: a shared load balancer, one address twice, an IPv4-mapped IPv6 address",
		rec: serviceRecord(
			mcdnsv1alpha1.ClusterDNS{Cluster: "m1", Region: "eu", Zones: []string{"eu1"}, LoadBalancer: lbs("10.0.0.1", "10.0.0.1", "::ffff:10.0.0.1")},
			mcdnsv1alpha1.ClusterDNS{Cluster: "m2", Region: "eu", Zones: []string{"eu1"}, LoadBalancer: lbs("10.0.0.1", "2001:db8::1", "2001:0db8::1")}),
		want: []*extdnsv1alpha1.Endpoint{
			rr(global, a, "10.0.0.1"), rr(global, aaaa, "2001:db8::1"),
			rr(eu, a, "10.0.0.1"), rr(eu, aaaa, "2001:db8::1"),
			rr(eu1, a, "10.0.0.1"), rr(eu1, aaaa, "2001:db8::1"),
		},
	}, {
		name: "in one zone, a cluster without load balancer takes nothing from one with",
		rec: serviceRecord(
			mcdnsv1alpha1.ClusterDNS{Cluster: "m1", Region: "eu", Zones: []string{"eu1"}, LoadBalancer: lbs("10.0.0.1")},
			mcdnsv1alpha1.ClusterDNS{Cluster: "m2", Region: "eu", Zones: []string{"eu1", "eu2"}}),
		want: []*extdnsv1alpha1.Endpoint{
			rr(global, a, "10.0.0.1"), rr(eu, a, "10.0.0.1"), rr(eu1, a, "10.0.0.1"),
			rr(eu2, cname, eu),
		},
	}, {
		name: "a ready cluster without region is in the global name only; with a region but no zones, in the region name too",
		rec: serviceRecord(
			mcdnsv1alpha1.ClusterDNS{Cluster: "m1", LoadBalancer: lbs("10.0.0.1")},
			mcdnsv1alpha1.ClusterDNS{Cluster: "m2", Region: "us", LoadBalancer: lbs("10.0.0.2")},
			mcdnsv1alpha1.ClusterDNS{Cluster: "m3", Zones: []string{"nowhere1"}}),
		want: []*extdnsv1alpha1.Endpoint{
			rr(global, a, "10.0.0.1", "10.0.0.2"), rr(us, a, "10.0.0.2"),
		},
	}, {
		name: "a zone that makes an invalid name is left out, the cluster's other names are kept",
		rec: serviceRecord(
			mcdnsv1alpha1.ClusterDNS{Cluster: "m1", Region: "eu", Zones: []string{"eu1", "eu_2"}, LoadBalancer: lbs("10.0.0.1")},
			mcdnsv1alpha1.ClusterDNS{Cluster: "m2", Region: "us west", Zones: []string{"us1"}, LoadBalancer: lbs("10.0.0.2")}),
		want: []*extdnsv1alpha1.Endpoint{
			rr(global, a, "10.0.0.1", "10.0.0.2"), rr(eu, a, "10.0.0.1"), rr(eu1, a, "10.0.0.1"),
		},
		leftOut: []string{
			`cluster m1: zone "eu_2" makes an invalid name, so it is left out: web.shop.myfed.svc.eu_2.eu.example.com: label "eu_2" has the character '_'; only letters, digits and hyphens are allowed`,
			`cluster m2: region "us west" makes an invalid name, so its region and zone names are left out: web.shop.myfed.svc.us west.example.com: label "us west" has the character ' '; only letters, digits and hyphens are allowed`,
		},
	}, {
		name: "a load-balancer address that is no IP is left out",
		rec: serviceRecord(
			mcdnsv1alpha1.ClusterDNS{Cluster: "m1", Region: "eu", LoadBalancer: corev1.LoadBalancerStatus{Ingress: []corev1.LoadBalancerIngress{{IP: "10.0.0.300"}, {IP: "10.0.0.3"}}}}),
		want:    []*extdnsv1alpha1.Endpoint{rr(global, a, "10.0.0.3"), rr(eu, a, "10.0.0.3")},
		leftOut: []string{`cluster m1: load-balancer address "10.0.0.300" is not an IP address`},
	}, {
		name: "a Domain written with its final dot",
		rec: func() *mcdnsv1alpha1.ServiceDNSRecord {
			r := serviceRecord(mcdnsv1alpha1.ClusterDNS{Cluster: "m1", Region: "eu", LoadBalancer: lbs("10.0.0.1")})
			r.Status.Domain = "example.com."
			r.Spec.DNSPrefix = "www"
			return r
		}(),
		want: []*extdnsv1alpha1.Endpoint{rr(global, a, "10.0.0.1"), rr(eu, a, "10.0.0.1"), rr("www.example.com", cname, global)},
	}, {
		name: "the dnsPrefix CNAME is written without any cluster, as KubeFed did",
		rec: func() *mcdnsv1alpha1.ServiceDNSRecord {
			r := serviceRecord()
			r.Spec.DNSPrefix = "www"
			return r
		}(),
		want: []*extdnsv1alpha1.Endpoint{rr("www.example.com", cname, global)},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			sortRecords(tc.want)
			got, err := dns.ServiceRecords(context.Background(), tc.rec, resolver)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Endpoints, tc.want) {
				for _, ep := range tc.want {
					t.Logf("want %+v", *ep)
				}
				for _, ep := range got.Endpoints {
					t.Logf("got  %+v", *ep)
				}
				t.Error("records differ")
			}
			if !reflect.DeepEqual(got.LeftOut, tc.leftOut) {
				t.Errorf("left out %q, want %q", got.LeftOut, tc.leftOut)
			}
			if got.FromHostnames != tc.fromHostnames {
				t.Errorf("FromHostnames %v", got.FromHostnames)
			}
		})
	}
}

func TestServiceRecordsInvalid(t *testing.T) {
	long := strings.Repeat("a", 63)
	for _, tc := range []struct {
		name   string
		change func(*mcdnsv1alpha1.ServiceDNSRecord)
		reason string
		msg    string
	}{
		{"negative TTL", func(r *mcdnsv1alpha1.ServiceDNSRecord) { r.Spec.RecordTTL = -1 }, dns.ReasonInvalidTTL,
			"recordTTL -1 is out of range: it must be between 1 and 2147483647 seconds, or 0 for the default of 180"},
		{"TTL above 2^31-1", func(r *mcdnsv1alpha1.ServiceDNSRecord) { r.Spec.RecordTTL = 1 << 31 }, dns.ReasonInvalidTTL,
			"recordTTL 2147483648 is out of range: it must be between 1 and 2147483647 seconds, or 0 for the default of 180"},
		{"a global name over 253 characters", func(r *mcdnsv1alpha1.ServiceDNSRecord) {
			r.Spec.ExternalName, r.Namespace, r.Spec.DomainRef = long, long, long
			r.Status.Domain = long + ".example.com"
		}, dns.ReasonInvalidName, "the service's global name is not a valid DNS name: " + long + "." + long + "." + long + ".svc." + long + ".example.com has 271 characters"},
		{"an empty domain", func(r *mcdnsv1alpha1.ServiceDNSRecord) { r.Status.Domain = "" }, dns.ReasonInvalidName,
			`the service's global name is not a valid DNS name: web.shop.myfed.svc.: it has an empty label`},
		{"an invalid dnsPrefix", func(r *mcdnsv1alpha1.ServiceDNSRecord) { r.Spec.DNSPrefix = "-www" }, dns.ReasonInvalidName,
			`the dnsPrefix name is not a valid DNS name: -www.example.com: label "-www" starts or ends with a hyphen`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := serviceRecord(mcdnsv1alpha1.ClusterDNS{Cluster: "m1", Region: "eu", LoadBalancer: lbs("10.0.0.1")})
			tc.change(rec)
			got, err := dns.ServiceRecords(context.Background(), rec, nil)
			var inv *dns.InvalidError
			if !errors.As(err, &inv) || inv.Reason != tc.reason || !strings.HasPrefix(inv.Message, tc.msg) {
				t.Fatalf("error %v, want %s: %s", err, tc.reason, tc.msg)
			}
			if got.Endpoints != nil {
				t.Errorf("records %v with invalid input", got.Endpoints)
			}
			if err := dns.CheckService(rec); err == nil || err.Error() != inv.Message {
				t.Errorf("CheckService says %v", err)
			}
		})
	}
}

func TestIngressRecords(t *testing.T) {
	rec := &mcdnsv1alpha1.IngressDNSRecord{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop"},
		Spec:       mcdnsv1alpha1.IngressDNSRecordSpec{Hosts: []string{"shop.example.com", "*.shop.example.com", "shop.example.com"}, RecordTTL: 60},
		Status: mcdnsv1alpha1.IngressDNSRecordStatus{DNS: []mcdnsv1alpha1.ClusterIngressDNS{
			{Cluster: "m1", LoadBalancer: lbs("10.0.0.1", "2001:db8::1")},
			{Cluster: "m2", LoadBalancer: lbs("10.0.0.1")},
			{Cluster: "m3"},
		}},
	}
	got, err := dns.IngressRecords(context.Background(), rec, nil)
	if err != nil {
		t.Fatal(err)
	}
	ttl := func(ep *extdnsv1alpha1.Endpoint) *extdnsv1alpha1.Endpoint { ep.RecordTTL = 60; return ep }
	want := []*extdnsv1alpha1.Endpoint{
		ttl(rr("*.shop.example.com", a, "10.0.0.1")), ttl(rr("*.shop.example.com", aaaa, "2001:db8::1")),
		ttl(rr("shop.example.com", a, "10.0.0.1")), ttl(rr("shop.example.com", aaaa, "2001:db8::1")),
	}
	if !reflect.DeepEqual(got.Endpoints, want) {
		t.Errorf("records\n got %v\nwant %v", got.Endpoints, want)
	}

	rec.Spec.Hosts = append(rec.Spec.Hosts, "shop..example.com")
	if _, err := dns.IngressRecords(context.Background(), rec, nil); err == nil ||
		err.Error() != `host "shop..example.com" is not a valid DNS name: shop..example.com: it has an empty label` {
		t.Errorf("an invalid host: %v", err)
	}
	rec.Spec.Hosts, rec.Spec.RecordTTL = []string{"shop.example.com"}, -5
	var inv *dns.InvalidError
	if _, err := dns.IngressRecords(context.Background(), rec, nil); !errors.As(err, &inv) || inv.Reason != dns.ReasonInvalidTTL {
		t.Errorf("a negative TTL: %v", err)
	}
}

func TestCheckName(t *testing.T) {
	for name, want := range map[string]string{
		"example.com":                   "",
		"a-b.c0.example.com":            "",
		strings.Repeat("a", 63) + ".io": "",
		strings.Repeat("a", 64) + ".io": `label "` + strings.Repeat("a", 64) + `" has 64 characters, more than 63`,
		strings.Repeat("a.", 127) + "a": "has 255 characters, more than the 253 a DNS name may have",
		"":                              "the name is empty",
		"*.example.com":                 `label "*" has the character '*'`,
		"a.-b.com":                      `label "-b" starts or ends with a hyphen`,
		"example.com.":                  "it has an empty label",
	} {
		err := dns.CheckName(name, false)
		if (want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), want)) {
			t.Errorf("CheckName(%q) = %v, want %q", name, err, want)
		}
	}
	if err := dns.CheckName("*.example.com", true); err != nil {
		t.Errorf("wildcard: %v", err)
	}
	if err := dns.CheckName("*", true); err == nil {
		t.Error("a lone * is accepted")
	}
}
