package dns_test

import (
	"context"
	"errors"
	"reflect"
	"sort"
	"strings"
	"testing"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	extdnsv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/externaldns/v1alpha1"
	feddnsv1a1 "github.com/kubefed-gen/kubefed/runtime/apis/multiclusterdns/v1alpha1"
	"github.com/kubefed-gen/kubefed/runtime/dns"
)

// The cases of this file are KubeFed v0.6.1's (pkg/controller/dnsendpoint:
// common_test.go, service_test.go, ingress_test.go), ported one by one: the
// same inputs, the same expected records, with KubeFed's NetWrapperMock as
// fakeResolver.

const (
	name      = "nginx"
	namespace = "test"

	c1 = "c1"
	c2 = "c2"

	lb1 = "10.20.30.1"
	lb2 = "10.20.30.2"
	lb3 = "10.20.30.3"

	userConfiguredTTL = 300

	defaultDNSTTL   = extdnsv1alpha1.TTL(feddnsv1a1.DefaultRecordTTL)
	RecordTypeA     = extdnsv1alpha1.RecordTypeA
	RecordTypeCNAME = extdnsv1alpha1.RecordTypeCNAME

	dnsZone    = "example.com"
	federation = "galactic"

	c1Region = "us"
	c2Region = "eu"
	c1Zone   = "us1"
	c2Zone   = "eu1"
	c3Zone   = "us2"
)

// fakeResolver is KubeFed's NetWrapperMock: with no host added every lookup
// fails; with some, a host not added resolves to nothing.
type fakeResolver struct{ result map[string][]string }

func (f *fakeResolver) LookupHost(_ context.Context, host string) ([]string, error) {
	if len(f.result) == 0 {
		return []string{}, errors.New("mock error response")
	}
	return f.result[host], nil
}

func (f *fakeResolver) AddHost(host string, addrs []string) {
	if f.result == nil {
		f.result = map[string][]string{}
	}
	f.result[host] = addrs
}

// check compares records with KubeFed's expectations, which are sorted by name
// as KubeFed's test sorted them.
func check(t *testing.T, got dns.Records, err error, expect []*extdnsv1alpha1.Endpoint) {
	t.Helper()
	if err != nil {
		t.Fatalf("Unexpected error: %v", err)
	}
	sort.SliceStable(expect, func(i, j int) bool { return expect[i].DNSName < expect[j].DNSName })
	if !reflect.DeepEqual(got.Endpoints, expect) {
		for _, ep := range expect {
			t.Logf("expected %+v", ep)
		}
		for _, ep := range got.Endpoints {
			t.Logf("actual   %+v", ep)
		}
		t.Fatalf("Does not match expected endpoints")
	}
	if len(got.LeftOut) > 0 {
		t.Errorf("left out: %q", got.LeftOut)
	}
}

func TestKubeFedServiceDNSEndpoints(t *testing.T) {
	// Fake out the internet
	netmock := &fakeResolver{}
	netmock.AddHost("a9.us-west-2.elb.amazonaws.test", []string{lb3})

	globalDNSPrefix := strings.Join([]string{namespace, federation, "svc", dnsZone}, ".")
	c1RegionDNSPrefix := strings.Join([]string{namespace, federation, "svc", c1Region, dnsZone}, ".")
	c1ZoneDNSPrefix := strings.Join([]string{namespace, federation, "svc", c1Zone, c1Region, dnsZone}, ".")
	c2RegionDNSPrefix := strings.Join([]string{namespace, federation, "svc", c2Region, dnsZone}, ".")
	c2ZoneDNSPrefix := strings.Join([]string{namespace, federation, "svc", c2Zone, c2Region, dnsZone}, ".")
	c3ZoneDNSPrefix := strings.Join([]string{namespace, federation, "svc", c3Zone, c1Region, dnsZone}, ".")
	globalDNSName := strings.Join([]string{name, globalDNSPrefix}, ".")
	c1RegionDNSName := strings.Join([]string{name, c1RegionDNSPrefix}, ".")
	c1ZoneDNSName := strings.Join([]string{name, c1ZoneDNSPrefix}, ".")
	c2RegionDNSName := strings.Join([]string{name, c2RegionDNSPrefix}, ".")
	c2ZoneDNSName := strings.Join([]string{name, c2ZoneDNSPrefix}, ".")
	c3ZoneDNSName := strings.Join([]string{name, c3ZoneDNSPrefix}, ".")

	labels := map[string]string{"serviceName": name}

	testCases := map[string]struct {
		dnsObject       feddnsv1a1.ServiceDNSRecord
		expectEndpoints []*extdnsv1alpha1.Endpoint
	}{
		"NoClusters": {
			dnsObject: feddnsv1a1.ServiceDNSRecord{
				Spec:   feddnsv1a1.ServiceDNSRecordSpec{DomainRef: federation},
				Status: feddnsv1a1.ServiceDNSRecordStatus{Domain: dnsZone},
			},
			expectEndpoints: nil,
		},
		"SingleLBInSingleCluster": {
			dnsObject: feddnsv1a1.ServiceDNSRecord{
				ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
				Spec:       feddnsv1a1.ServiceDNSRecordSpec{DomainRef: federation},
				Status: feddnsv1a1.ServiceDNSRecordStatus{
					Domain: dnsZone,
					DNS: []feddnsv1a1.ClusterDNS{
						{
							Cluster: c1, Zones: []string{c1Zone}, Region: c1Region,
							LoadBalancer: v1.LoadBalancerStatus{Ingress: []v1.LoadBalancerIngress{{IP: lb1}}},
						},
					},
				},
			},
			expectEndpoints: []*extdnsv1alpha1.Endpoint{
				{DNSName: globalDNSName, Targets: []string{lb1}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL},
				{DNSName: c1RegionDNSName, Targets: []string{lb1}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL},
				{DNSName: c1ZoneDNSName, Targets: []string{lb1}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL},
			},
		},
		"LBsInBothClusters": {
			dnsObject: feddnsv1a1.ServiceDNSRecord{
				ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
				Spec:       feddnsv1a1.ServiceDNSRecordSpec{DomainRef: federation},
				Status: feddnsv1a1.ServiceDNSRecordStatus{
					Domain: dnsZone,
					DNS: []feddnsv1a1.ClusterDNS{
						{
							Cluster: c1, Zones: []string{c1Zone}, Region: c1Region,
							LoadBalancer: v1.LoadBalancerStatus{Ingress: []v1.LoadBalancerIngress{{IP: lb1}}},
						},
						{
							Cluster: c2, Zones: []string{c2Zone}, Region: c2Region,
							LoadBalancer: v1.LoadBalancerStatus{Ingress: []v1.LoadBalancerIngress{{IP: lb2}}},
						},
					},
				},
			},
			expectEndpoints: []*extdnsv1alpha1.Endpoint{
				{DNSName: globalDNSName, Targets: []string{lb1, lb2}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL},
				{DNSName: c1RegionDNSName, Targets: []string{lb1}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL},
				{DNSName: c1ZoneDNSName, Targets: []string{lb1}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL},
				{DNSName: c2RegionDNSName, Targets: []string{lb2}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL},
				{DNSName: c2ZoneDNSName, Targets: []string{lb2}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL},
			},
		},
		"NoLBInOneCluster": {
			dnsObject: feddnsv1a1.ServiceDNSRecord{
				ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
				Spec:       feddnsv1a1.ServiceDNSRecordSpec{DomainRef: federation},
				Status: feddnsv1a1.ServiceDNSRecordStatus{
					Domain: dnsZone,
					DNS: []feddnsv1a1.ClusterDNS{
						{
							Cluster: c1, Zones: []string{c1Zone}, Region: c1Region,
							LoadBalancer: v1.LoadBalancerStatus{Ingress: []v1.LoadBalancerIngress{{IP: lb1}}},
						},
						{
							Cluster: c2, Zones: []string{c2Zone}, Region: c2Region,
						},
					},
				},
			},
			expectEndpoints: []*extdnsv1alpha1.Endpoint{
				{DNSName: globalDNSName, Targets: []string{lb1}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL},
				{DNSName: c1RegionDNSName, Targets: []string{lb1}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL},
				{DNSName: c1ZoneDNSName, Targets: []string{lb1}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL},
				{DNSName: c2RegionDNSName, Targets: []string{globalDNSName}, RecordType: RecordTypeCNAME, RecordTTL: defaultDNSTTL},
				{DNSName: c2ZoneDNSName, Targets: []string{c2RegionDNSName}, RecordType: RecordTypeCNAME, RecordTTL: defaultDNSTTL},
			},
		},
		"NoLBInBothClusters": {
			dnsObject: feddnsv1a1.ServiceDNSRecord{
				ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
				Spec:       feddnsv1a1.ServiceDNSRecordSpec{DomainRef: federation},
				Status: feddnsv1a1.ServiceDNSRecordStatus{
					Domain: dnsZone,
					DNS: []feddnsv1a1.ClusterDNS{
						{Cluster: c1, Zones: []string{c1Zone}, Region: c1Region},
						{Cluster: c2, Zones: []string{c2Zone}, Region: c2Region},
					},
				},
			},
			expectEndpoints: []*extdnsv1alpha1.Endpoint{
				{DNSName: c1RegionDNSName, Targets: []string{globalDNSName}, RecordType: RecordTypeCNAME, RecordTTL: defaultDNSTTL},
				{DNSName: c1ZoneDNSName, Targets: []string{c1RegionDNSName}, RecordType: RecordTypeCNAME, RecordTTL: defaultDNSTTL},
				{DNSName: c2RegionDNSName, Targets: []string{globalDNSName}, RecordType: RecordTypeCNAME, RecordTTL: defaultDNSTTL},
				{DNSName: c2ZoneDNSName, Targets: []string{c2RegionDNSName}, RecordType: RecordTypeCNAME, RecordTTL: defaultDNSTTL},
			},
		},
		"MultipleLBsInClusters": {
			dnsObject: feddnsv1a1.ServiceDNSRecord{
				ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
				Spec:       feddnsv1a1.ServiceDNSRecordSpec{DomainRef: federation},
				Status: feddnsv1a1.ServiceDNSRecordStatus{
					Domain: dnsZone,
					DNS: []feddnsv1a1.ClusterDNS{
						{
							Cluster: c1, Zones: []string{c1Zone}, Region: c1Region,
							LoadBalancer: v1.LoadBalancerStatus{Ingress: []v1.LoadBalancerIngress{{IP: lb1}, {IP: lb3}}},
						},
						{
							Cluster: c2, Zones: []string{c2Zone}, Region: c2Region,
							LoadBalancer: v1.LoadBalancerStatus{Ingress: []v1.LoadBalancerIngress{{IP: lb2}}},
						},
					},
				},
			},
			expectEndpoints: []*extdnsv1alpha1.Endpoint{
				{DNSName: globalDNSName, Targets: []string{lb1, lb2, lb3}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL},
				{DNSName: c1RegionDNSName, Targets: []string{lb1, lb3}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL},
				{DNSName: c1ZoneDNSName, Targets: []string{lb1, lb3}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL},
				{DNSName: c2RegionDNSName, Targets: []string{lb2}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL},
				{DNSName: c2ZoneDNSName, Targets: []string{lb2}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL},
			},
		},
		"HostnameInLB": {
			dnsObject: feddnsv1a1.ServiceDNSRecord{
				ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
				Spec:       feddnsv1a1.ServiceDNSRecordSpec{DomainRef: federation},
				Status: feddnsv1a1.ServiceDNSRecordStatus{
					Domain: dnsZone,
					DNS: []feddnsv1a1.ClusterDNS{
						{
							Cluster: c1, Zones: []string{c1Zone}, Region: c1Region,
							LoadBalancer: v1.LoadBalancerStatus{Ingress: []v1.LoadBalancerIngress{{Hostname: "a9.us-west-2.elb.amazonaws.test"}}},
						},
						{
							Cluster: c2, Zones: []string{c2Zone}, Region: c2Region,
							LoadBalancer: v1.LoadBalancerStatus{Ingress: []v1.LoadBalancerIngress{{IP: lb2}}},
						},
					},
				},
			},
			expectEndpoints: []*extdnsv1alpha1.Endpoint{
				{DNSName: globalDNSName, Targets: []string{lb2, lb3}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL},
				{DNSName: c1RegionDNSName, Targets: []string{lb3}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL},
				{DNSName: c1ZoneDNSName, Targets: []string{lb3}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL},
				{DNSName: c2RegionDNSName, Targets: []string{lb2}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL},
				{DNSName: c2ZoneDNSName, Targets: []string{lb2}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL},
			},
		},
		"UserConfiguredDNSRecordTTL": {
			dnsObject: feddnsv1a1.ServiceDNSRecord{
				ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
				Spec:       feddnsv1a1.ServiceDNSRecordSpec{DomainRef: federation, RecordTTL: userConfiguredTTL},
				Status: feddnsv1a1.ServiceDNSRecordStatus{
					Domain: dnsZone,
					DNS: []feddnsv1a1.ClusterDNS{
						{
							Cluster: c1, Zones: []string{c1Zone}, Region: c1Region,
							LoadBalancer: v1.LoadBalancerStatus{Ingress: []v1.LoadBalancerIngress{{IP: lb1}}},
						},
					},
				},
			},
			expectEndpoints: []*extdnsv1alpha1.Endpoint{
				{DNSName: globalDNSName, Targets: []string{lb1}, RecordType: RecordTypeA, RecordTTL: userConfiguredTTL},
				{DNSName: c1RegionDNSName, Targets: []string{lb1}, RecordType: RecordTypeA, RecordTTL: userConfiguredTTL},
				{DNSName: c1ZoneDNSName, Targets: []string{lb1}, RecordType: RecordTypeA, RecordTTL: userConfiguredTTL},
			},
		},
		"UserConfiguredDNSPrefix": {
			dnsObject: feddnsv1a1.ServiceDNSRecord{
				ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
				Spec:       feddnsv1a1.ServiceDNSRecordSpec{DomainRef: federation, DNSPrefix: "foo"},
				Status: feddnsv1a1.ServiceDNSRecordStatus{
					Domain: dnsZone,
					DNS: []feddnsv1a1.ClusterDNS{
						{
							Cluster: c1, Zones: []string{c1Zone}, Region: c1Region,
							LoadBalancer: v1.LoadBalancerStatus{Ingress: []v1.LoadBalancerIngress{{IP: lb1}}},
						},
						{
							Cluster: c2, Zones: []string{c2Zone}, Region: c2Region,
							LoadBalancer: v1.LoadBalancerStatus{Ingress: []v1.LoadBalancerIngress{{IP: lb2}}},
						},
					},
				},
			},
			expectEndpoints: []*extdnsv1alpha1.Endpoint{
				{DNSName: globalDNSName, Targets: []string{lb1, lb2}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL},
				{DNSName: c1RegionDNSName, Targets: []string{lb1}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL},
				{DNSName: c1ZoneDNSName, Targets: []string{lb1}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL},
				{DNSName: c2RegionDNSName, Targets: []string{lb2}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL},
				{DNSName: c2ZoneDNSName, Targets: []string{lb2}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL},
				{DNSName: "foo" + "." + dnsZone, Targets: []string{globalDNSName}, RecordType: RecordTypeCNAME, RecordTTL: defaultDNSTTL},
			},
		},
		"UserConfiguredExternalName": {
			dnsObject: feddnsv1a1.ServiceDNSRecord{
				ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
				Spec:       feddnsv1a1.ServiceDNSRecordSpec{DomainRef: federation, ExternalName: "foo"},
				Status: feddnsv1a1.ServiceDNSRecordStatus{
					Domain: dnsZone,
					DNS: []feddnsv1a1.ClusterDNS{
						{
							Cluster: c1, Zones: []string{c1Zone}, Region: c1Region,
							LoadBalancer: v1.LoadBalancerStatus{Ingress: []v1.LoadBalancerIngress{{IP: lb1}}},
						},
						{
							Cluster: c2, Zones: []string{c2Zone}, Region: c2Region,
							LoadBalancer: v1.LoadBalancerStatus{Ingress: []v1.LoadBalancerIngress{{IP: lb2}}},
						},
					},
				},
			},
			expectEndpoints: []*extdnsv1alpha1.Endpoint{
				{DNSName: "foo" + "." + globalDNSPrefix, Targets: []string{lb1, lb2}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL, Labels: labels},
				{DNSName: "foo" + "." + c1RegionDNSPrefix, Targets: []string{lb1}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL, Labels: labels},
				{DNSName: "foo" + "." + c1ZoneDNSPrefix, Targets: []string{lb1}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL, Labels: labels},
				{DNSName: "foo" + "." + c2RegionDNSPrefix, Targets: []string{lb2}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL, Labels: labels},
				{DNSName: "foo" + "." + c2ZoneDNSPrefix, Targets: []string{lb2}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL, Labels: labels},
			},
		},
		"MultiZoneCluster": {
			dnsObject: feddnsv1a1.ServiceDNSRecord{
				ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
				Spec:       feddnsv1a1.ServiceDNSRecordSpec{DomainRef: federation},
				Status: feddnsv1a1.ServiceDNSRecordStatus{
					Domain: dnsZone,
					DNS: []feddnsv1a1.ClusterDNS{
						{
							Cluster: c1, Zones: []string{c1Zone, c3Zone}, Region: c1Region,
							LoadBalancer: v1.LoadBalancerStatus{Ingress: []v1.LoadBalancerIngress{{IP: lb1}}},
						},
						{
							Cluster: c2, Zones: []string{c2Zone}, Region: c2Region,
							LoadBalancer: v1.LoadBalancerStatus{Ingress: []v1.LoadBalancerIngress{{IP: lb2}}},
						},
					},
				},
			},
			expectEndpoints: []*extdnsv1alpha1.Endpoint{
				{DNSName: globalDNSName, Targets: []string{lb1, lb2}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL},
				{DNSName: c1RegionDNSName, Targets: []string{lb1}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL},
				{DNSName: c1ZoneDNSName, Targets: []string{lb1}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL},
				{DNSName: c3ZoneDNSName, Targets: []string{lb1}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL},
				{DNSName: c2RegionDNSName, Targets: []string{lb2}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL},
				{DNSName: c2ZoneDNSName, Targets: []string{lb2}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL},
			},
		},
	}

	for testName, tc := range testCases {
		t.Run(testName, func(t *testing.T) {
			records, err := dns.ServiceRecords(context.Background(), &tc.dnsObject, netmock)
			check(t, records, err, tc.expectEndpoints)
		})
	}
}

func TestKubeFedIngressDNSEndpoints(t *testing.T) {
	// Fake out the internet
	netmock := &fakeResolver{}
	netmock.AddHost("a9.us-west-2.elb.amazonaws.test", []string{lb3})

	testCases := map[string]struct {
		dnsObject       feddnsv1a1.IngressDNSRecord
		expectEndpoints []*extdnsv1alpha1.Endpoint
	}{
		"NoClusters": {
			dnsObject: feddnsv1a1.IngressDNSRecord{
				Spec:   feddnsv1a1.IngressDNSRecordSpec{Hosts: []string{"foo.bar.test"}},
				Status: feddnsv1a1.IngressDNSRecordStatus{},
			},
			expectEndpoints: nil,
		},
		"SingleLBInSingleCluster": {
			dnsObject: feddnsv1a1.IngressDNSRecord{
				ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
				Spec:       feddnsv1a1.IngressDNSRecordSpec{Hosts: []string{"foo.bar.test"}},
				Status: feddnsv1a1.IngressDNSRecordStatus{
					DNS: []feddnsv1a1.ClusterIngressDNS{
						{Cluster: c1, LoadBalancer: v1.LoadBalancerStatus{Ingress: []v1.LoadBalancerIngress{{IP: lb1}}}},
					},
				},
			},
			expectEndpoints: []*extdnsv1alpha1.Endpoint{
				{DNSName: "foo.bar.test", Targets: []string{lb1}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL},
			},
		},
		"LBsInBothClusters": {
			dnsObject: feddnsv1a1.IngressDNSRecord{
				ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
				Spec:       feddnsv1a1.IngressDNSRecordSpec{Hosts: []string{"foo.bar.test"}},
				Status: feddnsv1a1.IngressDNSRecordStatus{
					DNS: []feddnsv1a1.ClusterIngressDNS{
						{Cluster: c1, LoadBalancer: v1.LoadBalancerStatus{Ingress: []v1.LoadBalancerIngress{{IP: lb1}}}},
						{Cluster: c2, LoadBalancer: v1.LoadBalancerStatus{Ingress: []v1.LoadBalancerIngress{{IP: lb2}}}},
					},
				},
			},
			expectEndpoints: []*extdnsv1alpha1.Endpoint{
				{DNSName: "foo.bar.test", Targets: []string{lb1, lb2}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL},
			},
		},
		"HostnameInLB": {
			dnsObject: feddnsv1a1.IngressDNSRecord{
				ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
				Spec:       feddnsv1a1.IngressDNSRecordSpec{Hosts: []string{"foo.bar.test"}},
				Status: feddnsv1a1.IngressDNSRecordStatus{
					DNS: []feddnsv1a1.ClusterIngressDNS{
						{Cluster: c1, LoadBalancer: v1.LoadBalancerStatus{Ingress: []v1.LoadBalancerIngress{{Hostname: "a9.us-west-2.elb.amazonaws.test"}}}},
						{Cluster: c2, LoadBalancer: v1.LoadBalancerStatus{Ingress: []v1.LoadBalancerIngress{{IP: lb2}}}},
					},
				},
			},
			expectEndpoints: []*extdnsv1alpha1.Endpoint{
				{DNSName: "foo.bar.test", Targets: []string{lb2, lb3}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL},
			},
		},
		"MultipleHosts": {
			dnsObject: feddnsv1a1.IngressDNSRecord{
				ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
				Spec:       feddnsv1a1.IngressDNSRecordSpec{Hosts: []string{"foo.bar.test", "jane.goodall.test"}},
				Status: feddnsv1a1.IngressDNSRecordStatus{
					DNS: []feddnsv1a1.ClusterIngressDNS{
						{Cluster: c1, LoadBalancer: v1.LoadBalancerStatus{Ingress: []v1.LoadBalancerIngress{{IP: lb1}}}},
						{Cluster: c2, LoadBalancer: v1.LoadBalancerStatus{Ingress: []v1.LoadBalancerIngress{{IP: lb2}}}},
					},
				},
			},
			expectEndpoints: []*extdnsv1alpha1.Endpoint{
				{DNSName: "foo.bar.test", Targets: []string{lb1, lb2}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL},
				{DNSName: "jane.goodall.test", Targets: []string{lb1, lb2}, RecordType: RecordTypeA, RecordTTL: defaultDNSTTL},
			},
		},
		"UserConfiguredDNSRecordTTL": {
			dnsObject: feddnsv1a1.IngressDNSRecord{
				ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
				Spec:       feddnsv1a1.IngressDNSRecordSpec{Hosts: []string{"foo.bar.test"}, RecordTTL: userConfiguredTTL},
				Status: feddnsv1a1.IngressDNSRecordStatus{
					DNS: []feddnsv1a1.ClusterIngressDNS{
						{Cluster: c1, LoadBalancer: v1.LoadBalancerStatus{Ingress: []v1.LoadBalancerIngress{{IP: lb1}}}},
					},
				},
			},
			expectEndpoints: []*extdnsv1alpha1.Endpoint{
				{DNSName: "foo.bar.test", Targets: []string{lb1}, RecordType: RecordTypeA, RecordTTL: userConfiguredTTL},
			},
		},
	}

	for testName, tc := range testCases {
		t.Run(testName, func(t *testing.T) {
			records, err := dns.IngressRecords(context.Background(), &tc.dnsObject, netmock)
			check(t, records, err, tc.expectEndpoints)
		})
	}
}
