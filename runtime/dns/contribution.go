package dns

import (
	"cmp"
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

// Why a member cluster gives a record no load balancer.
const (
	// ReasonClusterNotReady: the cluster is not ready (or does not answer).
	ReasonClusterNotReady = "ClusterNotReady"
	// ReasonServiceNotFound: the cluster has no federated Service of the record's name.
	ReasonServiceNotFound = "ServiceNotFound"
	// ReasonIngressNotFound: the cluster has no federated Ingress of the record's name.
	ReasonIngressNotFound = "IngressNotFound"
	// ReasonNoLoadBalancer: the Service or Ingress has no load-balancer address.
	ReasonNoLoadBalancer = "NoLoadBalancer"
	// ReasonNoReadyEndpoints: the Service has no ready endpoint, and the record
	// does not allowServiceWithoutEndpoints.
	ReasonNoReadyEndpoints = "NoReadyEndpoints"
)

// Contribution is what one member cluster gives a record: its load balancer,
// or, when it gives none, why.
type Contribution struct {
	LoadBalancer corev1.LoadBalancerStatus
	// Reason is one of the Reason* constants when LoadBalancer is empty.
	Reason string
	// Message says Reason for a person.
	Message string
}

// ServiceContribution is what a cluster whose federated Service is svc (nil: it
// has none) and whose EndpointSlices of that Service are slices gives a
// ServiceDNSRecord, as KubeFed decided it: the Service's load balancer, unless
// no endpoint is ready and allowWithoutEndpoints is false. A Service with
// neither is reported without load balancer.
func ServiceContribution(svc *corev1.Service, slices []discoveryv1.EndpointSlice, allowWithoutEndpoints bool) Contribution {
	if svc == nil {
		return Contribution{Reason: ReasonServiceNotFound, Message: "the cluster has no federated Service of this name (labelled kubefed.io/managed=true)"}
	}
	lb := SortedLoadBalancer(svc.Status.LoadBalancer)
	if len(lb.Ingress) == 0 {
		msg := fmt.Sprintf("Service %s/%s has no load-balancer address (status.loadBalancer.ingress is empty)", svc.Namespace, svc.Name)
		if svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
			msg = fmt.Sprintf("Service %s/%s is of type %s, not LoadBalancer, and has no load-balancer address", svc.Namespace, svc.Name, serviceType(svc))
		}
		return Contribution{Reason: ReasonNoLoadBalancer, Message: msg}
	}
	if !allowWithoutEndpoints && readyEndpoints(svc.Name, slices) == 0 {
		return Contribution{Reason: ReasonNoReadyEndpoints, Message: fmt.Sprintf(
			"Service %s/%s has no ready endpoint (EndpointSlices labelled %s=%s) and the record does not set allowServiceWithoutEndpoints",
			svc.Namespace, svc.Name, discoveryv1.LabelServiceName, svc.Name)}
	}
	return Contribution{LoadBalancer: lb}
}

func serviceType(svc *corev1.Service) corev1.ServiceType {
	if svc.Spec.Type == "" {
		return corev1.ServiceTypeClusterIP
	}
	return svc.Spec.Type
}

// readyEndpoints counts the ready endpoints with addresses of the Service
// service among slices; an endpoint whose readiness is unknown is ready, as the
// EndpointSlice API says.
func readyEndpoints(service string, slices []discoveryv1.EndpointSlice) int {
	n := 0
	for _, s := range slices {
		if s.Labels[discoveryv1.LabelServiceName] != service {
			continue
		}
		for _, ep := range s.Endpoints {
			if len(ep.Addresses) > 0 && (ep.Conditions.Ready == nil || *ep.Conditions.Ready) {
				n++
			}
		}
	}
	return n
}

// IngressContribution is what a cluster whose federated Ingress is ing (nil: it
// has none) gives an IngressDNSRecord: the Ingress's load balancer.
func IngressContribution(ing *networkingv1.Ingress) Contribution {
	if ing == nil {
		return Contribution{Reason: ReasonIngressNotFound, Message: "the cluster has no federated Ingress of this name (labelled kubefed.io/managed=true)"}
	}
	var lb corev1.LoadBalancerStatus
	for _, in := range ing.Status.LoadBalancer.Ingress {
		out := corev1.LoadBalancerIngress{IP: in.IP, Hostname: in.Hostname}
		for _, p := range in.Ports {
			out.Ports = append(out.Ports, corev1.PortStatus{Port: p.Port, Protocol: p.Protocol, Error: p.Error})
		}
		lb.Ingress = append(lb.Ingress, out)
	}
	lb = SortedLoadBalancer(lb)
	if len(lb.Ingress) == 0 {
		return Contribution{Reason: ReasonNoLoadBalancer, Message: fmt.Sprintf("Ingress %s/%s has no load-balancer address (status.loadBalancer.ingress is empty)", ing.Namespace, ing.Name)}
	}
	return Contribution{LoadBalancer: lb}
}

// SortedLoadBalancer is a copy of lb with its ingress points sorted by IP, then
// host name, as KubeFed sorted them, so that statuses compare equal.
func SortedLoadBalancer(lb corev1.LoadBalancerStatus) corev1.LoadBalancerStatus {
	out := *lb.DeepCopy()
	slices.SortStableFunc(out.Ingress, func(a, b corev1.LoadBalancerIngress) int {
		return cmp.Or(cmp.Compare(a.IP, b.IP), cmp.Compare(a.Hostname, b.Hostname))
	})
	if len(out.Ingress) == 0 {
		out.Ingress = nil
	}
	return out
}
