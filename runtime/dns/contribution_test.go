package dns_test

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kubefed-gen/kubefed/runtime/dns"
)

func service(typ corev1.ServiceType, points ...string) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop"},
		Spec:       corev1.ServiceSpec{Type: typ},
		Status:     corev1.ServiceStatus{LoadBalancer: lbs(points...)},
	}
}

// slice is an EndpointSlice of service with one endpoint per readiness (nil:
// unknown).
func slice(service string, ready ...*bool) discoveryv1.EndpointSlice {
	s := discoveryv1.EndpointSlice{ObjectMeta: metav1.ObjectMeta{Name: service + "-x", Namespace: "shop",
		Labels: map[string]string{discoveryv1.LabelServiceName: service}}}
	for _, r := range ready {
		s.Endpoints = append(s.Endpoints, discoveryv1.Endpoint{Addresses: []string{"10.1.0.1"}, Conditions: discoveryv1.EndpointConditions{Ready: r}})
	}
	return s
}

func TestServiceContribution(t *testing.T) {
	lb := service(corev1.ServiceTypeLoadBalancer, "10.0.0.2", "10.0.0.1")
	sorted := lbs("10.0.0.1", "10.0.0.2")
	for _, tc := range []struct {
		name   string
		svc    *corev1.Service
		slices []discoveryv1.EndpointSlice
		allow  bool
		want   dns.Contribution
	}{
		{"no Service", nil, nil, true, dns.Contribution{Reason: dns.ReasonServiceNotFound,
			Message: "the cluster has no federated Service of this name (labelled kubefed.io/managed=true)"}},
		{"no load balancer yet", service(corev1.ServiceTypeLoadBalancer), []discoveryv1.EndpointSlice{slice("web", nil)}, false,
			dns.Contribution{Reason: dns.ReasonNoLoadBalancer, Message: "Service shop/web has no load-balancer address (status.loadBalancer.ingress is empty)"}},
		{"a ClusterIP Service", service(""), nil, true,
			dns.Contribution{Reason: dns.ReasonNoLoadBalancer, Message: "Service shop/web is of type ClusterIP, not LoadBalancer, and has no load-balancer address"}},
		{"no ready endpoint: one not ready, one of another Service", lb, []discoveryv1.EndpointSlice{slice("web", ptr.To(false)), slice("api", ptr.To(true))}, false,
			dns.Contribution{Reason: dns.ReasonNoReadyEndpoints, Message: "Service shop/web has no ready endpoint (EndpointSlices labelled kubernetes.io/service-name=web) and the record does not set allowServiceWithoutEndpoints"}},
		{"no endpoints but allowServiceWithoutEndpoints", lb, nil, true, dns.Contribution{LoadBalancer: sorted}},
		{"a ready endpoint", lb, []discoveryv1.EndpointSlice{slice("web", ptr.To(false), ptr.To(true))}, false, dns.Contribution{LoadBalancer: sorted}},
		{"an endpoint of unknown readiness counts as ready", lb, []discoveryv1.EndpointSlice{slice("web", nil)}, false, dns.Contribution{LoadBalancer: sorted}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := dns.ServiceContribution(tc.svc, tc.slices, tc.allow); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestIngressContribution(t *testing.T) {
	if got := dns.IngressContribution(nil); got.Reason != dns.ReasonIngressNotFound {
		t.Errorf("no Ingress: %+v", got)
	}
	ing := &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop"}}
	if got := dns.IngressContribution(ing); got.Reason != dns.ReasonNoLoadBalancer || got.Message != "Ingress shop/web has no load-balancer address (status.loadBalancer.ingress is empty)" {
		t.Errorf("no load balancer: %+v", got)
	}
	ing.Status.LoadBalancer.Ingress = []networkingv1.IngressLoadBalancerIngress{
		{Hostname: "lb.example.net"}, {IP: "10.0.0.1", Ports: []networkingv1.IngressPortStatus{{Port: 443, Protocol: corev1.ProtocolTCP}}},
	}
	want := corev1.LoadBalancerStatus{Ingress: []corev1.LoadBalancerIngress{
		{Hostname: "lb.example.net"}, {IP: "10.0.0.1", Ports: []corev1.PortStatus{{Port: 443, Protocol: corev1.ProtocolTCP}}},
	}}
	if got := dns.IngressContribution(ing); got.Reason != "" || !reflect.DeepEqual(got.LoadBalancer, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}
