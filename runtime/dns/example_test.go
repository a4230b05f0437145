package dns_test

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	mcdnsv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/multiclusterdns/v1alpha1"
	"github.com/kubefed-gen/kubefed/runtime/dns"
)

// A Service served from two clusters, one of which has lost its load
// balancer: the global and eu names point at member1, the us names are CNAMEs
// up the chain.
func ExampleServiceRecords() {
	rec := &mcdnsv1alpha1.ServiceDNSRecord{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop"},
		Spec:       mcdnsv1alpha1.ServiceDNSRecordSpec{DomainRef: "myfed", RecordTTL: 60},
		Status: mcdnsv1alpha1.ServiceDNSRecordStatus{
			Domain: "example.com",
			DNS: []mcdnsv1alpha1.ClusterDNS{
				{Cluster: "member1", Region: "eu", Zones: []string{"eu-1a"},
					LoadBalancer: corev1.LoadBalancerStatus{Ingress: []corev1.LoadBalancerIngress{{IP: "192.0.2.1"}}}},
				{Cluster: "member2", Region: "us", Zones: []string{"us-1a"}},
			},
		},
	}
	records, err := dns.ServiceRecords(context.Background(), rec, nil)
	if err != nil {
		panic(err)
	}
	for _, ep := range records.Endpoints {
		fmt.Println(ep.DNSName, ep.RecordTTL, ep.RecordType, ep.Targets)
	}
	// Output:
	// web.shop.myfed.svc.eu-1a.eu.example.com 60 A [192.0.2.1]
	// web.shop.myfed.svc.eu.example.com 60 A [192.0.2.1]
	// web.shop.myfed.svc.example.com 60 A [192.0.2.1]
	// web.shop.myfed.svc.us-1a.us.example.com 60 CNAME [web.shop.myfed.svc.us.example.com]
	// web.shop.myfed.svc.us.example.com 60 CNAME [web.shop.myfed.svc.example.com]
}
