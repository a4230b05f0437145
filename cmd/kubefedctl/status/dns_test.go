package status

import (
	"bytes"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestDNSRecordKind(t *testing.T) {
	for arg, want := range map[string]string{
		"servicednsrecords": serviceDNSRecord, "ServiceDNSRecord": serviceDNSRecord, "servicednsrecord": serviceDNSRecord,
		"servicednsrecords.multiclusterdns.kubefed.io": serviceDNSRecord,
		"ingressdnsrecords":                            ingressDNSRecord, "IngressDNSRecord.multiclusterdns.kubefed.io": ingressDNSRecord,
		"services": "", "deployments.apps": "", "dnsendpoints": "",
	} {
		if got := dnsRecordKind(arg); got != want {
			t.Errorf("%s: %q, want %q", arg, got, want)
		}
	}
}

// TestDNSReportText: the report says when the DNSEndpoint lags behind the
// status and lists what the status gives.
func TestDNSReportText(t *testing.T) {
	r := &dnsReport{
		Kind: ingressDNSRecord, Namespace: "shop", Name: "web", Hosts: []string{"shop.example.com"}, TTL: 180,
		Generation: 2, ObservedGeneration: 1, StatusStale: true,
		Ready:       &metav1.Condition{Status: metav1.ConditionTrue, Reason: "DNSEndpointWritten", Message: "..."},
		DNSEndpoint: "shop/ingress-web", APIVersion: "externaldns.k8s.io/v1alpha1",
		Records:  []dnsRecordRow{},
		Expected: []dnsRecordRow{{Name: "shop.example.com", Type: "A", TTL: 180, Targets: []string{"192.0.2.1"}}},
		Clusters: []dnsCluster{{Name: "member1", Ready: "True", InStatus: true, StatusLoadBalancer: []string{"192.0.2.1"}, Why: "its load balancer is in every host"}},
	}
	var out bytes.Buffer
	if err := r.write(&out, ""); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Hosts:", "shop.example.com",
		"(stale: the controller has not processed the latest change",
		"shop/ingress-web (externaldns.k8s.io/v1alpha1), not yet holding the records the status gives (listed below)",
		"no records\n\nWhat the status gives:",
		"member1   True    -        -       yes         192.0.2.1       its load balancer is in every host",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report does not say %q:\n%s", want, out.String())
		}
	}
}
