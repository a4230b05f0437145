package e2e

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	typesv1beta1 "github.com/kubefed-gen/kubefed/cmd/controller-manager/apis/types/v1beta1"
	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	extdnsv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/externaldns/v1alpha1"
	mcdnsv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/multiclusterdns/v1alpha1"
	"github.com/kubefed-gen/kubefed/runtime/cluster"
	"github.com/kubefed-gen/kubefed/runtime/dnsrecord"
	"github.com/kubefed-gen/kubefed/runtime/manager"
	"github.com/kubefed-gen/kubefed/test/dnsstack"
	"github.com/kubefed-gen/kubefed/test/federation"
)

// Where TestDNS's names live.
const (
	dnsNamespace = "shop"
	dnsDomainRef = "myfed"
	dnsDomain    = "example.com"
)

// dnsTopology is where the members are: member1's zone and region come from
// the topology labels of a node in it, member2's are given at join
// (kubefedctl join --zones --region).
var dnsTopology = map[string]struct{ region, zone string }{
	"member1": {region: "eu", zone: "eu-1a"},
	"member2": {region: "us", zone: "us-1a"},
}

// dnsAnswer is what one DNS name must hold: its addresses (type A) or the name
// it is an alias of (type CNAME), with its TTL.
type dnsAnswer struct {
	Type    string
	Targets []string
	TTL     int64
}

// serviceNames are the global, region and zone names of ServiceDNSRecord name.
func serviceNames(name string) (global string, region, zone func(member string) string) {
	prefix := strings.Join([]string{name, dnsNamespace, dnsDomainRef, "svc"}, ".")
	global = prefix + "." + dnsDomain
	region = func(m string) string { return strings.Join([]string{prefix, dnsTopology[m].region, dnsDomain}, ".") }
	zone = func(m string) string {
		return strings.Join([]string{prefix, dnsTopology[m].zone, dnsTopology[m].region, dnsDomain}, ".")
	}
	return global, region, zone
}

// expectedServiceRecords is the one place where TestDNS says what the names of
// the ServiceDNSRecord name must answer, for a TTL and the load-balancer IPs
// each member gives (none, or a member missing, is a member without load
// balancer): KubeFed's scheme, written out independently of the code under
// test. Tests that resolve the names through a DNS server reuse it.
func expectedServiceRecords(name string, ttl int64, lbs map[string][]string) map[string]dnsAnswer {
	global, region, zone := serviceNames(name)
	out := map[string]dnsAnswer{}
	var all []string
	for m := range dnsTopology {
		ips := slices.Sorted(slices.Values(lbs[m]))
		if len(ips) == 0 {
			// No load balancer: its names send clients one level up.
			out[region(m)] = dnsAnswer{"CNAME", []string{global}, ttl}
			out[zone(m)] = dnsAnswer{"CNAME", []string{region(m)}, ttl}
			continue
		}
		out[region(m)] = dnsAnswer{"A", ips, ttl}
		out[zone(m)] = dnsAnswer{"A", ips, ttl}
		all = append(all, ips...)
	}
	if len(all) > 0 {
		out[global] = dnsAnswer{"A", slices.Compact(slices.Sorted(slices.Values(all))), ttl}
	}
	return out
}

// expectedIngressRecords says what the hosts of an IngressDNSRecord must
// answer: every member's load-balancer IPs.
func expectedIngressRecords(hosts []string, ttl int64, lbs map[string][]string) map[string]dnsAnswer {
	var all []string
	for _, ips := range lbs {
		all = append(all, ips...)
	}
	out := map[string]dnsAnswer{}
	if len(all) == 0 {
		return out
	}
	for _, h := range hosts {
		out[h] = dnsAnswer{"A", slices.Compact(slices.Sorted(slices.Values(all))), ttl}
	}
	return out
}

// dnsEnv is TestDNS's federation and a host client that knows the DNS types.
type dnsEnv struct {
	f          *federation.Federation
	host       client.Client
	kubeconfig string
	// also are further checks of the expected records of a DNSEndpoint, e.g.
	// the answers of a DNS server fed by external-dns; absent lists names that
	// must not resolve any more.
	also []func(t *testing.T, want map[string]dnsAnswer, absent []string)
	// changed is when the change under check was made: the further checks
	// measure from it.
	changed time.Time
}

// expectRecords waits until the DNSEndpoint name in dnsNamespace holds exactly
// want, one record per name, then runs the further checks.
func (e *dnsEnv) expectRecords(t *testing.T, endpoint string, want map[string]dnsAnswer, absent ...string) {
	t.Helper()
	e.changed = time.Now()
	e.f.Eventually(t, "DNSEndpoint "+endpoint+" holds the expected records", func(ctx context.Context) error {
		var ep extdnsv1alpha1.DNSEndpoint
		if err := e.host.Get(ctx, client.ObjectKey{Namespace: dnsNamespace, Name: endpoint}, &ep); err != nil {
			return err
		}
		got, err := answers(ep.Spec.Endpoints)
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(got, want) {
			return fmt.Errorf("records\n got %v\nwant %v", got, want)
		}
		return nil
	})
	for _, check := range e.also {
		check(t, want, absent)
	}
}

// resolves is an also check: CoreDNS, fed by external-dns from the host's
// DNSEndpoints, answers an A query for every name of want as the record says
// (its addresses; for a CNAME, the alias to the target first), and NXDOMAIN for
// every name of absent. It logs how long after the change that took.
func (e *dnsEnv) resolves(stack *dnsstack.Stack) func(t *testing.T, want map[string]dnsAnswer, absent []string) {
	return func(t *testing.T, want map[string]dnsAnswer, absent []string) {
		t.Helper()
		pending := map[string]func(dnsstack.Answer) bool{}
		for name, w := range want {
			pending[name] = func(a dnsstack.Answer) bool { return a.Rcode == dns.RcodeSuccess && answersRecord(a, name, w) }
		}
		var leftovers []string
		for _, name := range absent {
			pending[name] = func(a dnsstack.Answer) bool {
				if a.Rcode == dns.RcodeNameError {
					return true
				}
				if onlyRegistryLeft(stack, name, a) {
					leftovers = append(leftovers, name)
					return true
				}
				return false
			}
		}
		last := map[string]string{}
		deadline := time.Now().Add(dnsstack.DefaultWaitTimeout)
		for len(pending) > 0 {
			for name, ok := range pending {
				a, err := stack.Lookup(context.Background(), name, dns.TypeA)
				switch {
				case err != nil:
					last[name] = err.Error()
				case ok(a):
					delete(pending, name)
				default:
					last[name] = a.String()
				}
			}
			if len(pending) == 0 {
				break
			}
			if time.Now().After(deadline) {
				for _, name := range slices.Sorted(maps.Keys(pending)) {
					if w, ok := want[name]; ok {
						t.Errorf("A %s: want %s %v (TTL %d), CoreDNS answers %s", name, w.Type, w.Targets, w.TTL, last[name])
					} else {
						t.Errorf("A %s: want NXDOMAIN, CoreDNS answers %s", name, last[name])
					}
				}
				t.FailNow()
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Logf("DNS: %d names answered and %d gone %.1fs after the change", len(want), len(absent), time.Since(e.changed).Seconds())
		if len(leftovers) > 0 {
			t.Logf("DNS: %v answer no address but not NXDOMAIN: external-dns's TXT ownership records of names below them are left in etcd", leftovers)
		}
	}
}

// onlyRegistryLeft says whether a, the answer to an A query for name, is empty
// only because external-dns's TXT ownership records of a name below it are
// still there (shop.example.com, with www.shop.example.com's TXT record
// a-www.shop.example.com): external-dns v0.23.0's coredns provider writes
// them under keys it does not delete with the records (it deletes the key
// without its random last label), and CoreDNS's etcd plugin then answers
// NOERROR without records rather than NXDOMAIN.
func onlyRegistryLeft(stack *dnsstack.Stack, name string, a dnsstack.Answer) bool {
	if a.Rcode != dns.RcodeSuccess || len(a.Records) > 0 {
		return false
	}
	txt, err := stack.Lookup(context.Background(), name, dns.TypeTXT)
	if err != nil || txt.Rcode != dns.RcodeSuccess || len(txt.Records) == 0 {
		return false
	}
	for _, r := range txt.Records {
		if r.Type != dns.TypeTXT || !strings.Contains(r.Value, "heritage=external-dns") {
			return false
		}
	}
	return true
}

// answersRecord says whether a, the answer to an A query for name, is what the
// record w says: exactly its addresses, or for a CNAME the alias to its target
// (followed by the target's addresses, not checked here). A TTL of 0 leaves
// the TTL to the DNS server.
func answersRecord(a dnsstack.Answer, name string, w dnsAnswer) bool {
	ttlOK := func(r dnsstack.Record) bool { return w.TTL == 0 || int64(r.TTL) == w.TTL }
	if w.Type == "CNAME" {
		return len(a.Records) > 0 && a.Records[0].Type == dns.TypeCNAME && a.Records[0].Name == dns.Fqdn(name) &&
			len(w.Targets) == 1 && a.Records[0].Value == dns.Fqdn(w.Targets[0]) && ttlOK(a.Records[0])
	}
	var ips []string
	for _, r := range a.Records {
		if (r.Type != dns.TypeA && r.Type != dns.TypeAAAA) || !ttlOK(r) {
			return false
		}
		ips = append(ips, r.Value)
	}
	return slices.Equal(slices.Compact(slices.Sorted(slices.Values(ips))), slices.Sorted(slices.Values(w.Targets)))
}

// answers indexes records by name; a name with two records is an error here,
// since TestDNS's members have IPv4 load balancers only.
func answers(eps []*extdnsv1alpha1.Endpoint) (map[string]dnsAnswer, error) {
	out := map[string]dnsAnswer{}
	for _, ep := range eps {
		if _, dup := out[ep.DNSName]; dup {
			return nil, fmt.Errorf("two records of %s", ep.DNSName)
		}
		out[ep.DNSName] = dnsAnswer{ep.RecordType, ep.Targets, int64(ep.RecordTTL)}
	}
	return out, nil
}

// waitReady waits until obj's Ready condition has status and reason and its
// message contains each of parts.
func (e *dnsEnv) waitReady(t *testing.T, obj client.Object, status metav1.ConditionStatus, reason string, parts ...string) metav1.Condition {
	t.Helper()
	var cond metav1.Condition
	e.f.Eventually(t, fmt.Sprintf("%s: Ready %s %s", obj.GetName(), status, reason), func(ctx context.Context) error {
		if err := e.host.Get(ctx, client.ObjectKeyFromObject(obj), obj); err != nil {
			return err
		}
		var conds []metav1.Condition
		var observed int64
		switch o := obj.(type) {
		case *mcdnsv1alpha1.ServiceDNSRecord:
			conds, observed = o.Status.Conditions, o.Status.ObservedGeneration
		case *mcdnsv1alpha1.IngressDNSRecord:
			conds, observed = o.Status.Conditions, o.Status.ObservedGeneration
		}
		c := meta.FindStatusCondition(conds, dnsrecord.ConditionReady)
		switch {
		case c == nil:
			return fmt.Errorf("no Ready condition")
		case observed != obj.GetGeneration():
			return fmt.Errorf("status of generation %d, the record is at %d", observed, obj.GetGeneration())
		case c.Status != status || c.Reason != reason:
			return fmt.Errorf("Ready %s %s: %s", c.Status, c.Reason, c.Message)
		}
		for _, p := range parts {
			if !strings.Contains(c.Message, p) {
				return fmt.Errorf("message %q does not say %q", c.Message, p)
			}
		}
		cond = *c
		return nil
	})
	return cond
}

// setServiceLoadBalancer gives the Service name in member the load-balancer
// IPs (none: takes its load balancer away). Members have no cloud controller,
// so, as KubeFed's end-to-end tests did, the test writes status.loadBalancer
// itself, through the status subresource.
func (e *dnsEnv) setServiceLoadBalancer(t *testing.T, member, name string, ips ...string) {
	t.Helper()
	e.f.Eventually(t, "set the load balancer of Service "+name+" in "+member, func(ctx context.Context) error {
		var svc corev1.Service
		if err := e.f.Members[member].Get(ctx, client.ObjectKey{Namespace: dnsNamespace, Name: name}, &svc); err != nil {
			return err
		}
		svc.Status.LoadBalancer = loadBalancer(ips)
		return e.f.Members[member].Status().Update(ctx, &svc)
	})
}

// setIngressLoadBalancer does for an Ingress what setServiceLoadBalancer does
// for a Service.
func (e *dnsEnv) setIngressLoadBalancer(t *testing.T, member, name string, ips ...string) {
	t.Helper()
	e.f.Eventually(t, "set the load balancer of Ingress "+name+" in "+member, func(ctx context.Context) error {
		var ing networkingv1.Ingress
		if err := e.f.Members[member].Get(ctx, client.ObjectKey{Namespace: dnsNamespace, Name: name}, &ing); err != nil {
			return err
		}
		ing.Status.LoadBalancer = networkingv1.IngressLoadBalancerStatus{}
		for _, ip := range ips {
			ing.Status.LoadBalancer.Ingress = append(ing.Status.LoadBalancer.Ingress, networkingv1.IngressLoadBalancerIngress{IP: ip})
		}
		return e.f.Members[member].Status().Update(ctx, &ing)
	})
}

func loadBalancer(ips []string) corev1.LoadBalancerStatus {
	var lb corev1.LoadBalancerStatus
	for _, ip := range ips {
		lb.Ingress = append(lb.Ingress, corev1.LoadBalancerIngress{IP: ip})
	}
	return lb
}

// setEndpointReady makes the Service name in member have one endpoint, ready
// or not, in an EndpointSlice the test writes: members run no endpoint
// controller.
func (e *dnsEnv) setEndpointReady(t *testing.T, member, name string, ready bool) {
	t.Helper()
	e.f.Eventually(t, "set the endpoint of Service "+name+" in "+member, func(ctx context.Context) error {
		slice := &discoveryv1.EndpointSlice{ObjectMeta: metav1.ObjectMeta{Namespace: dnsNamespace, Name: name + "-test"}}
		c := e.f.Members[member]
		err := c.Get(ctx, client.ObjectKeyFromObject(slice), slice)
		if err != nil && !apierrors.IsNotFound(err) {
			return err
		}
		slice.Labels = map[string]string{discoveryv1.LabelServiceName: name}
		slice.AddressType = discoveryv1.AddressTypeIPv4
		slice.Endpoints = []discoveryv1.Endpoint{{Addresses: []string{"10.244.0.10"}, Conditions: discoveryv1.EndpointConditions{Ready: &ready}}}
		slice.Ports = []discoveryv1.EndpointPort{{Name: ptr.To("http"), Port: ptr.To[int32](8080)}}
		if apierrors.IsNotFound(err) {
			return c.Create(ctx, slice)
		}
		return c.Update(ctx, slice)
	})
}

// federatedLoadBalancer is a FederatedService of type LoadBalancer placed on
// both members.
func federatedLoadBalancer(name string) *typesv1beta1.FederatedService {
	s := &typesv1beta1.FederatedService{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: dnsNamespace}}
	s.SetTemplate(&corev1.Service{Spec: corev1.ServiceSpec{
		Type:     corev1.ServiceTypeLoadBalancer,
		Selector: map[string]string{"app": name},
		Ports:    []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8080), Protocol: corev1.ProtocolTCP}},
	}})
	s.Spec.Placement = federation.PlacementOn("member1", "member2")
	return s
}

// TestDNS runs multicluster DNS on a host and two bare members with the
// ServiceDNSRecord and IngressDNSRecord controllers on: records, their
// DNSEndpoints and what a real external-dns and CoreDNS answer from them, how
// they follow the members' load balancers, endpoints and
// readiness, bad input, and deletion. The subtests share the clusters and run
// in order.
func TestDNS(t *testing.T) {
	f := federation.Start(t, manager.Options{ServiceDNS: ptr.To(true), IngressDNS: ptr.To(true)})
	ctx := context.Background()
	e := &dnsEnv{f: f, host: dnsHostClient(t, f), kubeconfig: filepath.Join(t.TempDir(), "kubeconfig")}
	if err := f.Set.WriteKubeconfig(e.kubeconfig); err != nil {
		t.Fatal(err)
	}
	// The records resolve through a real external-dns and CoreDNS, reading the
	// host's DNSEndpoints (their CRD is installed with the federation's).
	began := time.Now()
	stack := dnsstack.Start(t, f.Set.Host.Config, dnsstack.Options{Zone: dnsDomain})
	t.Logf("external-dns and CoreDNS started in %.1fs; CoreDNS on %s", time.Since(began).Seconds(), stack.Addr)
	e.also = append(e.also, e.resolves(stack))

	t.Run("zones and regions from nodes and from join", func(t *testing.T) {
		eu := dnsTopology["member1"]
		node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-1", Labels: map[string]string{
			corev1.LabelTopologyZone: eu.zone, corev1.LabelTopologyRegion: eu.region,
		}}}
		if err := f.Members["member1"].Create(ctx, node); err != nil {
			t.Fatal(err)
		}
		us := dnsTopology["member2"]
		if out, errOut, err := runCtl(ctx, e.kubeconfig, "join", "member2", "--cluster-context", "member2", "--zones", us.zone, "--region", us.region); err != nil {
			t.Fatalf("join: %v\n%s%s", err, out, errOut)
		}
		f.Eventually(t, "zones and regions of the KubeFedClusters", func(ctx context.Context) error {
			for name, want := range dnsTopology {
				var kfc corev1beta1.KubeFedCluster
				if err := f.Host.Get(ctx, client.ObjectKey{Namespace: federation.KubefedNamespace, Name: name}, &kfc); err != nil {
					return err
				}
				zones, region := cluster.Topology(&kfc)
				if region != want.region || !slices.Equal(zones, []string{want.zone}) {
					return fmt.Errorf("%s: zones %v, region %q", name, zones, region)
				}
				if name == "member1" && (kfc.Status.Region == nil || *kfc.Status.Region != want.region || !slices.Equal(kfc.Status.Zones, zones)) {
					return fmt.Errorf("member1's status, from its node: zones %v, region %v", kfc.Status.Zones, kfc.Status.Region)
				}
			}
			return nil
		})
		f.WaitClusterReady(t, "member2")
	})

	domain := &mcdnsv1alpha1.Domain{ObjectMeta: metav1.ObjectMeta{Name: dnsDomainRef, Namespace: federation.KubefedNamespace}, Domain: dnsDomain}
	if err := e.host.Create(ctx, domain); err != nil {
		t.Fatal(err)
	}
	f.FederateNamespace(t, dnsNamespace, "member1", "member2")
	if err := f.Host.Create(ctx, federatedLoadBalancer("web")); err != nil {
		t.Fatal(err)
	}
	waitMembers(t, f, "Service web", present(&corev1.Service{}, dnsNamespace, "web"), "member1", "member2")
	lbs := map[string][]string{"member1": {"192.0.2.1"}, "member2": {"198.51.100.1"}}
	for m, ips := range lbs {
		e.setServiceLoadBalancer(t, m, "web", ips...)
		e.setEndpointReady(t, m, "web", true)
	}
	web := &mcdnsv1alpha1.ServiceDNSRecord{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: dnsNamespace},
		Spec:       mcdnsv1alpha1.ServiceDNSRecordSpec{DomainRef: dnsDomainRef, RecordTTL: 60},
	}

	t.Run("a Service with load balancers in both members", func(t *testing.T) {
		if err := e.host.Create(ctx, web); err != nil {
			t.Fatal(err)
		}
		e.waitReady(t, web, metav1.ConditionTrue, dnsrecord.ReasonDNSEndpointWritten,
			"DNSEndpoint shop/service-web (externaldns.k8s.io/v1alpha1) holds 5 records of 5 names; load balancers from member1, member2")
		wantStatus := mcdnsv1alpha1.ServiceDNSRecordStatus{Domain: dnsDomain, DNS: []mcdnsv1alpha1.ClusterDNS{
			{Cluster: "member1", Region: "eu", Zones: []string{"eu-1a"}, LoadBalancer: loadBalancer(lbs["member1"])},
			{Cluster: "member2", Region: "us", Zones: []string{"us-1a"}, LoadBalancer: loadBalancer(lbs["member2"])},
		}}
		got := web.Status.DeepCopy()
		got.Conditions, got.ObservedGeneration = nil, 0
		for i := range got.DNS {
			for j := range got.DNS[i].LoadBalancer.Ingress {
				got.DNS[i].LoadBalancer.Ingress[j].IPMode = nil // the members' API servers default it
			}
		}
		if !reflect.DeepEqual(*got, wantStatus) {
			t.Errorf("status\n got %+v\nwant %+v", *got, wantStatus)
		}
		e.expectRecords(t, "service-web", expectedServiceRecords("web", 60, lbs))

		var ep extdnsv1alpha1.DNSEndpoint
		if err := e.host.Get(ctx, client.ObjectKey{Namespace: dnsNamespace, Name: "service-web"}, &ep); err != nil {
			t.Fatal(err)
		}
		if ref := metav1.GetControllerOf(&ep); ref == nil || ref.UID != web.UID || ref.Kind != "ServiceDNSRecord" {
			t.Errorf("DNSEndpoint owner %+v, want the record", ref)
		}
	})

	t.Run("member2 loses its load balancer: its zone and region names become CNAMEs", func(t *testing.T) {
		e.setServiceLoadBalancer(t, "member2", "web")
		e.expectRecords(t, "service-web", expectedServiceRecords("web", 60, map[string][]string{"member1": lbs["member1"]}))
		e.waitReady(t, web, metav1.ConditionTrue, dnsrecord.ReasonDNSEndpointWritten,
			"load balancers from member1", "member2: NoLoadBalancer: Service shop/web has no load-balancer address")
		e.setServiceLoadBalancer(t, "member2", "web", lbs["member2"]...)
		e.expectRecords(t, "service-web", expectedServiceRecords("web", 60, lbs))
	})

	t.Run("a member without ready endpoints is left out, unless allowServiceWithoutEndpoints", func(t *testing.T) {
		e.setEndpointReady(t, "member2", "web", false)
		e.expectRecords(t, "service-web", expectedServiceRecords("web", 60, map[string][]string{"member1": lbs["member1"]}))
		e.waitReady(t, web, metav1.ConditionTrue, dnsrecord.ReasonDNSEndpointWritten, "member2: NoReadyEndpoints")
		dnsUpdate(t, e, web, func() { web.Spec.AllowServiceWithoutEndpoints = true })
		e.expectRecords(t, "service-web", expectedServiceRecords("web", 60, lbs))
		dnsUpdate(t, e, web, func() { web.Spec.AllowServiceWithoutEndpoints = false })
		e.setEndpointReady(t, "member2", "web", true)
		e.expectRecords(t, "service-web", expectedServiceRecords("web", 60, lbs))
	})

	t.Run("the records' TTL is recordTTL", func(t *testing.T) {
		dnsUpdate(t, e, web, func() { web.Spec.RecordTTL = 120 })
		e.expectRecords(t, "service-web", expectedServiceRecords("web", 120, lbs))
		dnsUpdate(t, e, web, func() { web.Spec.RecordTTL = 0 })
		e.expectRecords(t, "service-web", expectedServiceRecords("web", int64(mcdnsv1alpha1.DefaultRecordTTL), lbs))
		dnsUpdate(t, e, web, func() { web.Spec.RecordTTL = 60 })
		e.expectRecords(t, "service-web", expectedServiceRecords("web", 60, lbs))
	})

	t.Run("an unready member drops out of the records, its names become CNAMEs", func(t *testing.T) {
		restore := setEndpoint(t, f, "member2", "https://"+closedPort(t))
		e.expectRecords(t, "service-web", expectedServiceRecords("web", 60, map[string][]string{"member1": lbs["member1"]}))
		e.waitReady(t, web, metav1.ConditionTrue, dnsrecord.ReasonDNSEndpointWritten, "member2: ClusterNotReady")
		// It keeps its entry, zones and region, without load balancer.
		if i := slices.IndexFunc(web.Status.DNS, func(c mcdnsv1alpha1.ClusterDNS) bool { return c.Cluster == "member2" }); i < 0 ||
			web.Status.DNS[i].Region != "us" || len(web.Status.DNS[i].LoadBalancer.Ingress) > 0 {
			t.Errorf("member2's entry: %+v", web.Status.DNS)
		}
		restore()
		f.WaitClusterReady(t, "member2")
		e.expectRecords(t, "service-web", expectedServiceRecords("web", 60, lbs))
	})

	t.Run("kubefedctl status explains the record", func(t *testing.T) {
		e.setServiceLoadBalancer(t, "member2", "web")
		e.expectRecords(t, "service-web", expectedServiceRecords("web", 60, map[string][]string{"member1": lbs["member1"]}))
		out, errOut, err := runCtl(ctx, e.kubeconfig, "status", "servicednsrecords", "web", "-n", dnsNamespace)
		if err != nil {
			t.Fatalf("%v\n%s", err, errOut)
		}
		global, region, zone := serviceNames("web")
		for _, want := range []string{
			"Domain: example.com (spec.domainRef myfed)",
			"DNSEndpoint: shop/service-web (externaldns.k8s.io/v1alpha1), holding the records the status gives",
			"member1 True eu eu-1a yes 192.0.2.1 its load balancer is in the global name, region eu, zone eu-1a",
			"member2 True us us-1a yes - NoLoadBalancer: Service shop/web has no load-balancer address (status.loadBalancer.ingress is empty); out of every name, its region and zone names are CNAMEs to the level above",
			global + " A 60 192.0.2.1",
			zone("member2") + " CNAME 60 " + region("member2"),
		} {
			if !strings.Contains(oneSpace(out), want) {
				t.Errorf("status does not say %q:\n%s", want, out)
			}
		}
		// The Service's own status ends with its DNS record.
		out, errOut, err = runCtl(ctx, e.kubeconfig, "status", "services", "web", "-n", dnsNamespace)
		if err != nil || !strings.Contains(oneSpace(out), "DNS:\nServiceDNSRecord: shop/web") {
			t.Errorf("status services web: %v\n%s%s", err, out, errOut)
		}
		e.setServiceLoadBalancer(t, "member2", "web", lbs["member2"]...)
		e.expectRecords(t, "service-web", expectedServiceRecords("web", 60, lbs))
	})

	ingressLBs := map[string][]string{"member1": {"192.0.2.10"}, "member2": {"198.51.100.10"}}
	hosts := []string{"shop.example.com", "www.shop.example.com"}
	shop := &mcdnsv1alpha1.IngressDNSRecord{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: dnsNamespace},
		Spec:       mcdnsv1alpha1.IngressDNSRecordSpec{Hosts: hosts, RecordTTL: 60},
	}
	t.Run("an IngressDNSRecord points its hosts at both members' ingresses", func(t *testing.T) {
		ing := &typesv1beta1.FederatedIngress{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: dnsNamespace}}
		ing.SetTemplate(&networkingv1.Ingress{Spec: networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{{Host: hosts[0]}}}})
		ing.Spec.Placement = federation.PlacementOn("member1", "member2")
		if err := f.Host.Create(ctx, ing); err != nil {
			t.Fatal(err)
		}
		waitMembers(t, f, "Ingress web", present(&networkingv1.Ingress{}, dnsNamespace, "web"), "member1", "member2")
		if err := e.host.Create(ctx, shop); err != nil {
			t.Fatal(err)
		}
		e.waitReady(t, shop, metav1.ConditionTrue, dnsrecord.ReasonDNSEndpointWritten, "no cluster gives a load balancer",
			"member1: NoLoadBalancer: Ingress shop/web has no load-balancer address")
		e.expectRecords(t, "ingress-web", expectedIngressRecords(hosts, 60, nil), hosts...)
		for m, ips := range ingressLBs {
			e.setIngressLoadBalancer(t, m, "web", ips...)
		}
		e.expectRecords(t, "ingress-web", expectedIngressRecords(hosts, 60, ingressLBs))
		e.waitReady(t, shop, metav1.ConditionTrue, dnsrecord.ReasonDNSEndpointWritten, "holds 2 records of 2 names; load balancers from member1, member2")
	})

	t.Run("bad input gives a clear condition", func(t *testing.T) {
		// A Domain that does not exist.
		lost := &mcdnsv1alpha1.ServiceDNSRecord{
			ObjectMeta: metav1.ObjectMeta{Name: "lost", Namespace: dnsNamespace},
			Spec:       mcdnsv1alpha1.ServiceDNSRecordSpec{DomainRef: "nowhere"},
		}
		if err := e.host.Create(ctx, lost); err != nil {
			t.Fatal(err)
		}
		e.waitReady(t, lost, metav1.ConditionFalse, dnsrecord.ReasonDomainNotFound,
			`spec.domainRef "nowhere": there is no Domain nowhere in namespace kube-federation-system`)
		e.expectRecords(t, "service-lost", map[string]dnsAnswer{})

		// Names longer than DNS allows: the record's name and a long domain.
		long := &mcdnsv1alpha1.Domain{ObjectMeta: metav1.ObjectMeta{Name: "long", Namespace: federation.KubefedNamespace},
			Domain: strings.Repeat("d", 63) + "." + strings.Repeat("e", 63) + "." + strings.Repeat("f", 63) + ".com"}
		if err := e.host.Create(ctx, long); err != nil {
			t.Fatal(err)
		}
		tooLong := &mcdnsv1alpha1.ServiceDNSRecord{
			ObjectMeta: metav1.ObjectMeta{Name: strings.Repeat("w", 63), Namespace: dnsNamespace},
			Spec:       mcdnsv1alpha1.ServiceDNSRecordSpec{DomainRef: "long"},
		}
		if err := e.host.Create(ctx, tooLong); err != nil {
			t.Fatal(err)
		}
		global := strings.Join([]string{tooLong.Name, dnsNamespace, "long", "svc", long.Domain}, ".")
		e.waitReady(t, tooLong, metav1.ConditionFalse, dnsrecord.ReasonInvalidName,
			fmt.Sprintf("the service's global name is not a valid DNS name: %s has %d characters, more than the 253 a DNS name may have", global, len(global)))

		// What the API server refuses: a TTL out of range, an invalid host.
		for ttl, want := range map[mcdnsv1alpha1.TTL]string{-1: "should be greater than or equal to 0", 1 << 31: "should be less than or equal to 2147483647"} {
			bad := &mcdnsv1alpha1.ServiceDNSRecord{ObjectMeta: metav1.ObjectMeta{Name: "bad-ttl", Namespace: dnsNamespace},
				Spec: mcdnsv1alpha1.ServiceDNSRecordSpec{DomainRef: dnsDomainRef, RecordTTL: ttl}}
			if err := e.host.Create(ctx, bad); !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), "spec.recordTTL") || !strings.Contains(err.Error(), want) {
				t.Errorf("recordTTL %d: %v", ttl, err)
			}
		}
		badHost := &mcdnsv1alpha1.IngressDNSRecord{ObjectMeta: metav1.ObjectMeta{Name: "bad-host", Namespace: dnsNamespace},
			Spec: mcdnsv1alpha1.IngressDNSRecordSpec{Hosts: []string{"shop_1.example.com"}}}
		if err := e.host.Create(ctx, badHost); !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), "spec.hosts[0]") {
			t.Errorf("an invalid host: %v", err)
		}
		badDomain := &mcdnsv1alpha1.Domain{ObjectMeta: metav1.ObjectMeta{Name: "bad", Namespace: federation.KubefedNamespace}, Domain: "example..com"}
		if err := e.host.Create(ctx, badDomain); !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), "domain") {
			t.Errorf("an invalid domain: %v", err)
		}

		// A DNSEndpoint of the record's name that is not the record's.
		foreign := &extdnsv1alpha1.DNSEndpoint{ObjectMeta: metav1.ObjectMeta{Name: "service-taken", Namespace: dnsNamespace},
			Spec: extdnsv1alpha1.DNSEndpointSpec{Endpoints: []*extdnsv1alpha1.Endpoint{{DNSName: "mine.example.com", RecordType: "A", Targets: []string{"203.0.113.1"}}}}}
		if err := e.host.Create(ctx, foreign); err != nil {
			t.Fatal(err)
		}
		taken := &mcdnsv1alpha1.ServiceDNSRecord{ObjectMeta: metav1.ObjectMeta{Name: "taken", Namespace: dnsNamespace},
			Spec: mcdnsv1alpha1.ServiceDNSRecordSpec{DomainRef: dnsDomainRef}}
		if err := e.host.Create(ctx, taken); err != nil {
			t.Fatal(err)
		}
		e.waitReady(t, taken, metav1.ConditionFalse, dnsrecord.ReasonDNSEndpointConflict,
			"DNSEndpoint shop/service-taken exists and is not this record's")
		e.expectRecords(t, "service-taken", map[string]dnsAnswer{"mine.example.com": {"A", []string{"203.0.113.1"}, 0}})
	})

	t.Run("deleting the records deletes their DNSEndpoints", func(t *testing.T) {
		global, _, _ := serviceNames("web")
		names := slices.Sorted(maps.Keys(expectedServiceRecords("web", 60, lbs)))
		e.changed = time.Now()
		for _, obj := range []client.Object{&mcdnsv1alpha1.ServiceDNSRecord{}, &mcdnsv1alpha1.IngressDNSRecord{}} {
			if err := e.host.DeleteAllOf(ctx, obj, client.InNamespace(dnsNamespace)); err != nil {
				t.Fatal(err)
			}
		}
		f.Eventually(t, "only the foreign DNSEndpoint is left", func(ctx context.Context) error {
			var list extdnsv1alpha1.DNSEndpointList
			if err := e.host.List(ctx, &list, client.InNamespace(dnsNamespace)); err != nil {
				return err
			}
			var left []string
			for _, ep := range list.Items {
				left = append(left, ep.Name)
			}
			if !slices.Equal(left, []string{"service-taken"}) {
				return fmt.Errorf("DNSEndpoints left: %v", left)
			}
			return nil
		})
		for _, check := range e.also {
			check(t, map[string]dnsAnswer{}, append(names, hosts...))
		}
		if !slices.Contains(names, global) {
			t.Errorf("%s is not among the names checked gone", global)
		}
	})
}

// TestDNSKubeFedEndpoints: with --dnsendpoint-api-version
// multiclusterdns.kubefed.io/v1alpha1 the records go into KubeFed's own
// DNSEndpoint, and none into external-dns's.
func TestDNSKubeFedEndpoints(t *testing.T) {
	f := federation.Start(t, manager.Options{ServiceDNS: ptr.To(true), DNSEndpointAPIVersion: dnsrecord.KubeFedAPI})
	ctx := context.Background()
	host := dnsHostClient(t, f)
	domain := &mcdnsv1alpha1.Domain{ObjectMeta: metav1.ObjectMeta{Name: dnsDomainRef, Namespace: federation.KubefedNamespace}, Domain: dnsDomain}
	if err := host.Create(ctx, domain); err != nil {
		t.Fatal(err)
	}
	f.FederateNamespace(t, dnsNamespace, "member1", "member2")
	if err := f.Host.Create(ctx, federatedLoadBalancer("web")); err != nil {
		t.Fatal(err)
	}
	waitMembers(t, f, "Service web", present(&corev1.Service{}, dnsNamespace, "web"), "member1")
	e := &dnsEnv{f: f, host: host}
	e.setServiceLoadBalancer(t, "member1", "web", "192.0.2.1")
	rec := &mcdnsv1alpha1.ServiceDNSRecord{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: dnsNamespace},
		Spec:       mcdnsv1alpha1.ServiceDNSRecordSpec{DomainRef: dnsDomainRef, AllowServiceWithoutEndpoints: true},
	}
	if err := host.Create(ctx, rec); err != nil {
		t.Fatal(err)
	}
	// The members have no zones or regions: member1 is in the global name only.
	global, _, _ := serviceNames("web")
	f.Eventually(t, "KubeFed's DNSEndpoint", func(ctx context.Context) error {
		var ep mcdnsv1alpha1.DNSEndpoint
		if err := host.Get(ctx, client.ObjectKey{Namespace: dnsNamespace, Name: "service-web"}, &ep); err != nil {
			return err
		}
		want := []*mcdnsv1alpha1.Endpoint{{DNSName: global, RecordType: "A", Targets: mcdnsv1alpha1.Targets{"192.0.2.1"}, RecordTTL: 180}}
		if !reflect.DeepEqual(ep.Spec.Endpoints, want) {
			return fmt.Errorf("records %+v", ep.Spec.Endpoints)
		}
		return nil
	})
	e.waitReady(t, rec, metav1.ConditionTrue, dnsrecord.ReasonDNSEndpointWritten, "(multiclusterdns.kubefed.io/v1alpha1)")
	var ext extdnsv1alpha1.DNSEndpointList
	if err := host.List(ctx, &ext, client.InNamespace(dnsNamespace)); err != nil || len(ext.Items) != 0 {
		t.Errorf("external-dns DNSEndpoints: %v, %v", ext.Items, err)
	}
	if err := host.Delete(ctx, rec); err != nil {
		t.Fatal(err)
	}
	f.Eventually(t, "KubeFed's DNSEndpoint deleted with its record", func(ctx context.Context) error {
		return expectNotFound(host.Get(ctx, client.ObjectKey{Namespace: dnsNamespace, Name: "service-web"}, &mcdnsv1alpha1.DNSEndpoint{}))
	})
}

// dnsHostClient is an administrator client of the host that knows the DNS types.
func dnsHostClient(t *testing.T, f *federation.Federation) client.Client {
	t.Helper()
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, corev1beta1.AddToScheme, mcdnsv1alpha1.AddToScheme, extdnsv1alpha1.AddToScheme} {
		if err := add(scheme); err != nil {
			t.Fatal(err)
		}
	}
	c, err := client.New(f.Set.Host.Config, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// oneSpace collapses runs of spaces, as tables align columns with them.
func oneSpace(s string) string {
	return regexp.MustCompile(` +`).ReplaceAllString(s, " ")
}

// dnsUpdate re-reads obj, applies change and writes it, retrying on conflicts.
func dnsUpdate(t *testing.T, e *dnsEnv, obj client.Object, change func()) {
	t.Helper()
	e.f.Eventually(t, "update "+obj.GetName(), func(ctx context.Context) error {
		if err := e.host.Get(ctx, client.ObjectKeyFromObject(obj), obj); err != nil {
			return err
		}
		change()
		return e.host.Update(ctx, obj)
	})
}
