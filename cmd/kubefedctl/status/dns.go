package status

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/host"
	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	extdnsv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/externaldns/v1alpha1"
	mcdnsv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/multiclusterdns/v1alpha1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/cluster"
	"github.com/kubefed-gen/kubefed/runtime/dns"
	"github.com/kubefed-gen/kubefed/runtime/dnsrecord"
)

// Kinds of DNS records status explains.
const (
	serviceDNSRecord = "ServiceDNSRecord"
	ingressDNSRecord = "IngressDNSRecord"
)

// dnsRecordKind returns the kind of DNS record TYPE names (servicednsrecords,
// ServiceDNSRecord, servicednsrecords.multiclusterdns.kubefed.io, ...), or "".
func dnsRecordKind(typeArg string) string {
	t := strings.ToLower(strings.TrimSuffix(typeArg, "."+mcdnsv1alpha1.SchemeGroupVersion.Group))
	switch t {
	case "servicednsrecord", "servicednsrecords":
		return serviceDNSRecord
	case "ingressdnsrecord", "ingressdnsrecords":
		return ingressDNSRecord
	}
	return ""
}

// dnsReport explains a ServiceDNSRecord or IngressDNSRecord: which names point
// where, and why a cluster is missing. It is what `kubefedctl status
// servicednsrecords NAME -o yaml|json` prints.
type dnsReport struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// DomainRef and Domain are a ServiceDNSRecord's; Hosts an IngressDNSRecord's.
	DomainRef          string            `json:"domainRef,omitempty"`
	Domain             string            `json:"domain,omitempty"`
	Hosts              []string          `json:"hosts,omitempty"`
	TTL                int64             `json:"ttl"`
	Generation         int64             `json:"generation"`
	ObservedGeneration int64             `json:"observedGeneration"`
	StatusStale        bool              `json:"statusStale"`
	Ready              *metav1.Condition `json:"ready,omitempty"`
	// DNSEndpoint is namespace/name of the record's DNSEndpoint, APIVersion its
	// API; empty when there is none.
	DNSEndpoint string `json:"dnsEndpoint,omitempty"`
	APIVersion  string `json:"apiVersion,omitempty"`
	// InStep says whether the DNSEndpoint holds the records the record's status
	// gives; Expected lists those when it does not.
	InStep   bool           `json:"inStep"`
	Records  []dnsRecordRow `json:"records"`
	Expected []dnsRecordRow `json:"expected,omitempty"`
	LeftOut  []string       `json:"leftOut,omitempty"`
	Clusters []dnsCluster   `json:"clusters"`
}

// dnsRecordRow is one record of a DNSEndpoint.
type dnsRecordRow struct {
	Name    string   `json:"name"`
	Type    string   `json:"type"`
	TTL     int64    `json:"ttl"`
	Targets []string `json:"targets"`
}

// dnsCluster is what one joined cluster gives the record.
type dnsCluster struct {
	Name string `json:"name"`
	// Ready is the KubeFedCluster's Ready condition: True, False or Unknown.
	Ready  string   `json:"ready"`
	Region string   `json:"region,omitempty"`
	Zones  []string `json:"zones,omitempty"`
	// InStatus says whether the record's status has an entry for the cluster,
	// StatusLoadBalancer the addresses of its load balancer there.
	InStatus           bool     `json:"inStatus"`
	StatusLoadBalancer []string `json:"statusLoadBalancer,omitempty"`
	// MemberError says why the member could not be read now.
	MemberError string `json:"memberError,omitempty"`
	// Why is the controller's own explanation (dnsrecord.ExplainService or
	// ExplainIngress) of what the member gives, read now.
	Why string `json:"why"`
}

// gatherDNS reads the DNS record kind namespace/name, its DNSEndpoint, and what
// each member cluster offers it now, with the controller's credentials.
func gatherDNS(ctx context.Context, h *host.Host, kind, namespace, name string) (*dnsReport, error) {
	r := &dnsReport{Kind: kind, Namespace: namespace, Name: name}
	var svc *mcdnsv1alpha1.ServiceDNSRecord
	var ing *mcdnsv1alpha1.IngressDNSRecord
	var status []mcdnsv1alpha1.ClusterDNS
	var ingStatus []mcdnsv1alpha1.ClusterIngressDNS
	var conds []metav1.Condition
	var obj metav1.Object
	switch kind {
	case serviceDNSRecord:
		svc = &mcdnsv1alpha1.ServiceDNSRecord{}
		if err := getTyped(ctx, h, kind, namespace, name, svc); err != nil {
			return nil, err
		}
		obj, conds, status = svc, svc.Status.Conditions, svc.Status.DNS
		r.DomainRef, r.Domain, r.TTL = svc.Spec.DomainRef, svc.Status.Domain, int64(svc.Spec.RecordTTL)
		r.ObservedGeneration = svc.Status.ObservedGeneration
	default:
		ing = &mcdnsv1alpha1.IngressDNSRecord{}
		if err := getTyped(ctx, h, kind, namespace, name, ing); err != nil {
			return nil, err
		}
		obj, conds, ingStatus = ing, ing.Status.Conditions, ing.Status.DNS
		r.Hosts, r.TTL = ing.Spec.Hosts, int64(ing.Spec.RecordTTL)
		r.ObservedGeneration = ing.Status.ObservedGeneration
	}
	if r.TTL == 0 {
		r.TTL = int64(mcdnsv1alpha1.DefaultRecordTTL)
	}
	r.Generation = obj.GetGeneration()
	r.StatusStale = r.ObservedGeneration < r.Generation
	r.Ready = meta.FindStatusCondition(conds, dnsrecord.ConditionReady)

	// What the DNSEndpoint holds, against what the status gives.
	prefix := dnsrecord.ServicePrefix
	if kind == ingressDNSRecord {
		prefix = dnsrecord.IngressPrefix
	}
	actual, err := r.readDNSEndpoint(ctx, h, dnsrecord.EndpointName(prefix, name))
	if err != nil {
		return nil, err
	}
	var expected dns.Records
	if svc != nil {
		expected, err = dns.ServiceRecords(ctx, svc, net.DefaultResolver)
	} else {
		expected, err = dns.IngressRecords(ctx, ing, net.DefaultResolver)
	}
	if err != nil {
		r.LeftOut = append(r.LeftOut, err.Error())
	}
	r.LeftOut = append(r.LeftOut, expected.LeftOut...)
	r.Records, r.Expected = rows(actual), rows(expected.Endpoints)
	r.InStep = slices.EqualFunc(r.Records, r.Expected, func(a, b dnsRecordRow) bool {
		return a.Name == b.Name && a.Type == b.Type && a.TTL == b.TTL && slices.Equal(a.Targets, b.Targets)
	})
	if r.InStep {
		r.Expected = nil
	}

	var kfcs corev1beta1.KubeFedClusterList
	if err := h.Client.List(ctx, &kfcs, client.InNamespace(h.Namespace)); err != nil {
		return nil, fmt.Errorf("list KubeFedClusters in %s: %w", h.Namespace, err)
	}
	r.Clusters = make([]dnsCluster, len(kfcs.Items))
	var wg sync.WaitGroup
	for i := range kfcs.Items {
		kfc, c := &kfcs.Items[i], &r.Clusters[i]
		c.Name, c.Ready = kfc.Name, string(metav1.ConditionUnknown)
		if cond := meta.FindStatusCondition(kfc.Status.Conditions, corev1beta1.ClusterReady); cond != nil {
			c.Ready = string(cond.Status)
		}
		c.Zones, c.Region = cluster.Topology(kfc)
		for _, e := range status {
			if e.Cluster == c.Name {
				c.InStatus, c.StatusLoadBalancer = true, addresses(e.LoadBalancer)
			}
		}
		for _, e := range ingStatus {
			if e.Cluster == c.Name {
				c.InStatus, c.StatusLoadBalancer = true, addresses(e.LoadBalancer)
			}
		}
		wg.Go(func() {
			ready := c.Ready == string(metav1.ConditionTrue)
			var contribution dns.Contribution
			if ready {
				var err error
				if contribution, err = memberContribution(ctx, h, kfc, kind, svc, namespace, name); err != nil {
					c.MemberError = err.Error()
					c.Why = "the member could not be read: " + err.Error()
					return
				}
			}
			if svc != nil {
				c.Why = dnsrecord.ExplainService(svc, c.Name, ready, contribution, c.Zones, c.Region)
			} else {
				c.Why = dnsrecord.ExplainIngress(ready, contribution)
			}
		})
	}
	wg.Wait()
	slices.SortFunc(r.Clusters, func(a, b dnsCluster) int { return strings.Compare(a.Name, b.Name) })
	return r, nil
}

// getTyped reads a multiclusterdns.kubefed.io object into out.
func getTyped(ctx context.Context, h *host.Host, kind, namespace, name string, out runtime.Object) error {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(mcdnsv1alpha1.SchemeGroupVersion.WithKind(kind))
	err := h.Client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, u)
	switch {
	case meta.IsNoMatchError(err):
		return fmt.Errorf("the host does not serve %s (%s): install the CRDs of runtime/config/crd", kind, mcdnsv1alpha1.SchemeGroupVersion)
	case apierrors.IsNotFound(err):
		return fmt.Errorf("%s %s/%s not found", kind, namespace, name)
	case err != nil:
		return fmt.Errorf("get %s %s/%s: %w", kind, namespace, name, err)
	}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, out); err != nil {
		return fmt.Errorf("read %s %s/%s: %w", kind, namespace, name, err)
	}
	return nil
}

// readDNSEndpoint reads the DNSEndpoint name of the record, in external-dns's
// API or else KubeFed's, and returns its records.
func (r *dnsReport) readDNSEndpoint(ctx context.Context, h *host.Host, name string) ([]*extdnsv1alpha1.Endpoint, error) {
	for _, gv := range []schema.GroupVersion{extdnsv1alpha1.SchemeGroupVersion, mcdnsv1alpha1.SchemeGroupVersion} {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(gv.WithKind(extdnsv1alpha1.DNSEndpointKind))
		err := h.Client.Get(ctx, client.ObjectKey{Namespace: r.Namespace, Name: name}, u)
		if apierrors.IsNotFound(err) || meta.IsNoMatchError(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("get DNSEndpoint %s/%s (%s): %w", r.Namespace, name, gv, err)
		}
		ref := metav1.GetControllerOf(u)
		if ref == nil || ref.Kind != r.Kind || ref.Name != r.Name {
			continue // not the record's
		}
		// Both APIs have the same JSON shape.
		var ep extdnsv1alpha1.DNSEndpoint
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &ep); err != nil {
			return nil, fmt.Errorf("read DNSEndpoint %s/%s: %w", r.Namespace, name, err)
		}
		r.DNSEndpoint, r.APIVersion = r.Namespace+"/"+name, gv.String()
		return ep.Spec.Endpoints, nil
	}
	return nil, nil
}

// memberContribution reads, with the controller's credentials, what member kfc
// gives the record: its federated Service (and EndpointSlices) or Ingress.
func memberContribution(ctx context.Context, h *host.Host, kfc *corev1beta1.KubeFedCluster, kind string, svc *mcdnsv1alpha1.ServiceDNSRecord, namespace, name string) (dns.Contribution, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cfg, err := cluster.MemberConfig(ctx, h.Client, kfc)
	if err != nil {
		return dns.Contribution{}, err
	}
	cfg.UserAgent, cfg.Timeout = "kubefedctl", 5*time.Second
	c, err := client.New(cfg, client.Options{Scheme: clientgoscheme.Scheme})
	if err != nil {
		return dns.Contribution{}, err
	}
	key := client.ObjectKey{Namespace: namespace, Name: name}
	// The controller sees federated objects only.
	federated := func(obj client.Object, err error) (bool, error) {
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		return err == nil && obj.GetLabels()[fedv1beta1.ManagedLabel] == "true", err
	}
	if kind == ingressDNSRecord {
		ing := &networkingv1.Ingress{}
		ok, err := federated(ing, c.Get(ctx, key, ing))
		if err != nil {
			return dns.Contribution{}, err
		}
		if !ok {
			ing = nil
		}
		return dns.IngressContribution(ing), nil
	}
	service := &corev1.Service{}
	ok, err := federated(service, c.Get(ctx, key, service))
	if err != nil {
		return dns.Contribution{}, err
	}
	if !ok {
		service = nil
	}
	var slices discoveryv1.EndpointSliceList
	if service != nil && !svc.Spec.AllowServiceWithoutEndpoints {
		if err := c.List(ctx, &slices, client.InNamespace(namespace), client.MatchingLabels{discoveryv1.LabelServiceName: name}); err != nil {
			return dns.Contribution{}, err
		}
	}
	return dns.ServiceContribution(service, slices.Items, svc.Spec.AllowServiceWithoutEndpoints), nil
}

func addresses(lb corev1.LoadBalancerStatus) []string {
	var out []string
	for _, in := range lb.Ingress {
		for _, a := range []string{in.IP, in.Hostname} {
			if a != "" {
				out = append(out, a)
			}
		}
	}
	return out
}

func rows(eps []*extdnsv1alpha1.Endpoint) []dnsRecordRow {
	out := []dnsRecordRow{}
	for _, ep := range eps {
		if ep != nil {
			out = append(out, dnsRecordRow{Name: ep.DNSName, Type: ep.RecordType, TTL: int64(ep.RecordTTL), Targets: ep.Targets})
		}
	}
	return out
}

func (r *dnsReport) write(out io.Writer, format string) error {
	switch format {
	case "json":
		data, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(out, "%s\n", data)
		return err
	case "yaml":
		data, err := yaml.Marshal(r)
		if err != nil {
			return err
		}
		_, err = out.Write(data)
		return err
	}
	return r.writeText(out)
}

// writeText prints which names point where and why each cluster gives what it
// gives.
func (r *dnsReport) writeText(out io.Writer) error {
	w := tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)
	field := func(name, format string, args ...any) {
		fmt.Fprintf(w, "%s:\t%s\n", name, fmt.Sprintf(format, args...))
	}
	field(r.Kind, "%s/%s", r.Namespace, r.Name)
	if r.Kind == serviceDNSRecord {
		domain := r.Domain
		if domain == "" {
			domain = "unknown"
		}
		field("Domain", "%s (spec.domainRef %s)", domain, r.DomainRef)
	} else {
		field("Hosts", "%s", strings.Join(r.Hosts, ", "))
	}
	field("TTL", "%d", r.TTL)
	gen := fmt.Sprintf("%d, status observed generation %d", r.Generation, r.ObservedGeneration)
	if r.StatusStale {
		gen += " (stale: the controller has not processed the latest change; is a controller manager with the DNS feature gates running?)"
	}
	field("Generation", "%s", gen)
	if c := r.Ready; c != nil {
		field("Ready", "%s %s: %s", c.Status, c.Reason, c.Message)
	} else {
		field("Ready", "no condition yet (is a controller manager with the DNS feature gates running?)")
	}
	switch {
	case r.DNSEndpoint == "":
		field("DNSEndpoint", "none")
	case r.InStep:
		field("DNSEndpoint", "%s (%s), holding the records the status gives", r.DNSEndpoint, r.APIVersion)
	default:
		field("DNSEndpoint", "%s (%s), not yet holding the records the status gives (listed below)", r.DNSEndpoint, r.APIVersion)
	}
	for _, l := range r.LeftOut {
		field("Left out", "%s", l)
	}
	if err := w.Flush(); err != nil {
		return err
	}

	fmt.Fprintln(out)
	w = tabwriter.NewWriter(out, 0, 8, 3, ' ', 0)
	fmt.Fprintln(w, "CLUSTER\tREADY\tREGION\tZONES\tIN STATUS\tLOAD BALANCER\tWHY")
	for _, c := range r.Clusters {
		inStatus := "no"
		if c.InStatus {
			inStatus = "yes"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.Name, c.Ready, orValue(c.Region, "-"), orValue(strings.Join(c.Zones, ","), "-"),
			inStatus, orValue(strings.Join(c.StatusLoadBalancer, ","), "-"), c.Why)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := writeRows(out, "", r.Records); err != nil {
		return err
	}
	if !r.InStep {
		return writeRows(out, "What the status gives:", r.Expected)
	}
	return nil
}

func writeRows(out io.Writer, title string, rs []dnsRecordRow) error {
	fmt.Fprintln(out)
	if title != "" {
		fmt.Fprintln(out, title)
	}
	if len(rs) == 0 {
		fmt.Fprintln(out, "no records")
		return nil
	}
	w := tabwriter.NewWriter(out, 0, 8, 3, ' ', 0)
	fmt.Fprintln(w, "NAME\tTYPE\tTTL\tTARGETS")
	for _, row := range rs {
		fmt.Fprintf(w, "%s\t%s\t%d\t%s\n", row.Name, row.Type, row.TTL, strings.Join(row.Targets, ","))
	}
	return w.Flush()
}

// errNotDNS is returned by runDNS for a TYPE that is no DNS record kind.
var errNotDNS = errors.New("not a DNS record kind")

// runDNS explains the DNS record TYPE NAME when TYPE names a DNS record kind,
// and returns errNotDNS otherwise.
func runDNS(ctx context.Context, hostOpts *host.Options, typeArg, namespaceFlag, name, output string, out io.Writer) error {
	kind := dnsRecordKind(typeArg)
	if kind == "" {
		return errNotDNS
	}
	h, err := hostOpts.Connect(ctx)
	if err != nil {
		return err
	}
	r, err := gatherDNS(ctx, h, kind, hostOpts.Namespace(namespaceFlag), name)
	if err != nil {
		return err
	}
	return r.write(out, output)
}

// readDNS fills r.DNS when the object is a Service or an Ingress that a DNS
// record of its namespace and name programs DNS for.
func (r *statusReport) readDNS(ctx context.Context, h *host.Host) error {
	kind := ""
	switch target := r.typ.Target; {
	case target.Group == "" && target.Kind == "Service":
		kind = serviceDNSRecord
	case target.Group == networkingv1.GroupName && target.Kind == "Ingress":
		kind = ingressDNSRecord
	default:
		return nil
	}
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(mcdnsv1alpha1.SchemeGroupVersion.WithKind(kind))
	if err := h.Client.Get(ctx, client.ObjectKey{Namespace: r.Namespace, Name: r.Name}, u); apierrors.IsNotFound(err) || meta.IsNoMatchError(err) {
		return nil
	} else if err != nil {
		return fmt.Errorf("get %s %s/%s: %w", kind, r.Namespace, r.Name, err)
	}
	d, err := gatherDNS(ctx, h, kind, r.Namespace, r.Name)
	if err != nil {
		return err
	}
	r.DNS = d
	return nil
}
