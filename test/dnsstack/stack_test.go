package dnsstack_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/miekg/dns"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"github.com/kubefed-gen/kubefed/test/clusters"
	"github.com/kubefed-gen/kubefed/test/dnsstack"
)

var dnsEndpoints = schema.GroupVersionResource{Group: "externaldns.k8s.io", Version: "v1alpha1", Resource: "dnsendpoints"}

// dnsEndpoint is a DNSEndpoint in the default namespace with the given endpoints.
func dnsEndpoint(name string, endpoints ...map[string]any) *unstructured.Unstructured {
	eps := make([]any, len(endpoints))
	for i, ep := range endpoints {
		eps[i] = ep
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": dnsEndpoints.GroupVersion().String(),
		"kind":       "DNSEndpoint",
		"metadata":   map[string]any{"name": name, "namespace": "default"},
		"spec":       map[string]any{"endpoints": eps},
	}}
}

func endpoint(dnsName, recordType string, ttl int64, targets ...string) map[string]any {
	ts := make([]any, len(targets))
	for i, t := range targets {
		ts[i] = t
	}
	return map[string]any{"dnsName": dnsName, "recordType": recordType, "recordTTL": ttl, "targets": ts}
}

// TestStack writes a DNSEndpoint to a real host API server and reads its records
// back from CoreDNS, through external-dns, as it is created, changed (an address
// and a name dropped) and deleted; it logs how long each change took to be
// answered.
func TestStack(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an API server, etcd, CoreDNS and external-dns; make test runs it")
	}
	set, err := clusters.Start(clusters.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := set.Stop(); err != nil {
			t.Error(err)
		}
	})
	host := set.Host.Config
	dnsstack.InstallUpstreamCRD(t, host)
	began := time.Now()
	stack := dnsstack.Start(t, host, dnsstack.Options{Zone: "example.com"})
	t.Logf("stack started in %.1fs; CoreDNS on %s", time.Since(began).Seconds(), stack.Addr)

	ctx := context.Background()
	const web, www, lb = "web.shop.example.com", "www.shop.example.com", "lb.shop.example.com"
	if a, err := stack.Lookup(ctx, web, dns.TypeA); err != nil || a.Rcode != dns.RcodeNameError {
		t.Fatalf("before any DNSEndpoint, A %s is answered %v (error %v), want NXDOMAIN", web, a, err)
	}

	client := dynamic.NewForConfigOrDie(host).Resource(dnsEndpoints).Namespace("default")
	obj := dnsEndpoint("shop",
		endpoint(web, "A", 180, "10.0.0.1", "10.0.0.2"),
		endpoint(www, "CNAME", 300, web),
		endpoint(lb, "CNAME", 300, "lb.example.net"),
	)
	began = time.Now()
	if _, err := client.Create(ctx, obj, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	a := stack.WaitFor(t, web, dns.TypeA, "10.0.0.1", "10.0.0.2")
	t.Logf("created: A %s answered after %.1fs: %v", web, time.Since(began).Seconds(), a)
	for _, r := range a.Records {
		if r.TTL != 180 {
			t.Errorf("A %s: record %v has TTL %d, want 180", web, r, r.TTL)
		}
	}
	// CoreDNS answers a CNAME query only from the name's own etcd key, where
	// external-dns writes nothing (it stores each target under a random label
	// below the name): an A query is what returns the alias, and its target's
	// addresses.
	a = stack.WaitFor(t, www, dns.TypeA, web+".", "10.0.0.1", "10.0.0.2")
	t.Logf("A %s: %v", www, a)
	for _, r := range a.Records {
		if r.Type == dns.TypeCNAME && r.TTL != 300 {
			t.Errorf("A %s: CNAME %v has TTL %d, want 300", www, r, r.TTL)
		}
	}
	if a, err := stack.Lookup(ctx, www, dns.TypeCNAME); err != nil || a.Rcode != dns.RcodeNameError {
		t.Logf("CNAME %s is now answered %v (error %v): CoreDNS reads CNAME queries as external-dns writes them; the comment above is out of date", www, a, err)
	}
	// An alias out of the zone is answered as is: CoreDNS resolves nothing
	// elsewhere.
	stack.WaitFor(t, lb, dns.TypeA, "lb.example.net.")

	// external-dns writes the status (observedGeneration): a merge patch of the
	// spec cannot conflict with it, where an update of what was read could.
	patch, err := json.Marshal(map[string]any{"spec": map[string]any{"endpoints": []any{
		endpoint(web, "A", 180, "10.0.0.1"),
		endpoint(www, "CNAME", 300, web),
	}}})
	if err != nil {
		t.Fatal(err)
	}
	began = time.Now()
	if _, err := client.Patch(ctx, obj.GetName(), types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	a = stack.WaitFor(t, web, dns.TypeA, "10.0.0.1")
	t.Logf("updated: A %s answered after %.1fs: %v", web, time.Since(began).Seconds(), a)
	stack.WaitForNXDomain(t, lb) // dropped from the endpoints

	began = time.Now()
	if err := client.Delete(ctx, obj.GetName(), metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	stack.WaitForNXDomain(t, web)
	t.Logf("deleted: %s NXDOMAIN after %.1fs", web, time.Since(began).Seconds())
	stack.WaitForNXDomain(t, www)
}
