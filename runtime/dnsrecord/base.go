package dnsrecord

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	extdnsv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/externaldns/v1alpha1"
	"github.com/kubefed-gen/kubefed/runtime/cluster"
	"github.com/kubefed-gen/kubefed/runtime/dns"
)

// ConditionReady says whether a record's DNSEndpoint holds its records.
const ConditionReady = "Ready"

// Reasons of the Ready condition.
const (
	// ReasonDNSEndpointWritten: the DNSEndpoint holds the records (True).
	ReasonDNSEndpointWritten = "DNSEndpointWritten"
	// ReasonDomainNotFound: no Domain of the name spec.domainRef gives exists in
	// the KubeFed namespace.
	ReasonDomainNotFound = "DomainNotFound"
	// ReasonInvalidTTL: recordTTL is out of range.
	ReasonInvalidTTL = dns.ReasonInvalidTTL
	// ReasonInvalidName: a name of the record, or a host, is not a valid DNS name.
	ReasonInvalidName = dns.ReasonInvalidName
	// ReasonDNSEndpointConflict: a DNSEndpoint of the record's DNSEndpoint name
	// exists and belongs to something else.
	ReasonDNSEndpointConflict = "DNSEndpointConflict"
)

// base is what the controllers of both record kinds share.
type base struct {
	host     client.Client
	clusters *cluster.Registry
	opts     Options
	writer   *endpointWriter
	// ns caches Domains and KubeFedClusters of the KubeFed namespace.
	ns       cache.Cache
	recorder events.EventRecorder
}

// Ready says whether a member takes part in DNS records: ready and answering.
func Ready(m *cluster.Member) bool {
	return m.Ready() && m.Unresponsive() == nil && m.Client != nil
}

// topology is where a member cluster is.
type topology struct {
	zones  []string
	region string
}

// topologies are the zones and region of every KubeFedCluster, by name.
func (b base) topologies(ctx context.Context) (map[string]topology, error) {
	var list corev1beta1.KubeFedClusterList
	if err := b.ns.List(ctx, &list, client.InNamespace(b.opts.Namespace)); err != nil {
		return nil, fmt.Errorf("list KubeFedClusters: %w", err)
	}
	out := make(map[string]topology, len(list.Items))
	for i := range list.Items {
		zones, region := cluster.Topology(&list.Items[i])
		out[list.Items[i].Name] = topology{zones: zones, region: region}
	}
	return out, nil
}

// outcome is the Ready condition of one pass, before it is recorded.
type outcome struct {
	reason, message string
}

func (o outcome) condition(generation int64) metav1.Condition {
	status := metav1.ConditionFalse
	if o.reason == ReasonDNSEndpointWritten {
		status = metav1.ConditionTrue
	}
	return metav1.Condition{Type: ConditionReady, Status: status, Reason: o.reason, Message: o.message, ObservedGeneration: generation}
}

// invalidOutcome is the outcome of input package dns refuses.
func invalidOutcome(err error) (outcome, bool) {
	var inv *dns.InvalidError
	if errors.As(err, &inv) {
		return outcome{inv.Reason, inv.Message}, true
	}
	return outcome{}, false
}

// setReady records cond in conds, and makes a warning event on obj when the
// condition turns False or changes reason.
func (b base) setReady(obj client.Object, conds *[]metav1.Condition, cond metav1.Condition) {
	prev := meta.FindStatusCondition(*conds, ConditionReady)
	if cond.Status == metav1.ConditionFalse && (prev == nil || prev.Status != metav1.ConditionFalse || prev.Reason != cond.Reason) {
		b.recorder.Eventf(obj, nil, corev1.EventTypeWarning, cond.Reason, "WriteDNSEndpoint", "%s", cond.Message)
	}
	meta.SetStatusCondition(conds, cond)
}

// writeEndpoint writes eps into the record's DNSEndpoint and returns the
// outcome: written, or a conflict; ok is the outcome of the pass before, kept
// unless the write fails.
func (b base) writeEndpoint(ctx context.Context, rec client.Object, gvk schema.GroupVersionKind, prefix string, eps []*extdnsv1alpha1.Endpoint, ok outcome) (outcome, error) {
	_, err := b.writer.write(ctx, rec, gvk, EndpointName(prefix, rec.GetName()), eps)
	var notOurs errNotOurs
	if errors.As(err, &notOurs) {
		return outcome{ReasonDNSEndpointConflict, notOurs.Error()}, nil
	}
	return ok, err
}

// summary is the message of a True Ready condition: what the DNSEndpoint holds,
// which clusters give load balancers and why the others do not.
func (b base) summary(rec client.Object, prefix string, records dns.Records, giving []string, why map[string]string) string {
	var s strings.Builder
	names := map[string]bool{}
	for _, ep := range records.Endpoints {
		names[ep.DNSName] = true
	}
	fmt.Fprintf(&s, "DNSEndpoint %s/%s (%s) holds %d records of %d names", rec.GetNamespace(), EndpointName(prefix, rec.GetName()),
		b.writer.APIVersion(), len(records.Endpoints), len(names))
	if len(giving) > 0 {
		fmt.Fprintf(&s, "; load balancers from %s", strings.Join(giving, ", "))
	} else {
		s.WriteString("; no cluster gives a load balancer")
	}
	for _, c := range slices.Sorted(maps.Keys(why)) {
		fmt.Fprintf(&s, "; %s: %s", c, why[c])
	}
	if len(records.LeftOut) > 0 {
		fmt.Fprintf(&s, "; left out: %s", strings.Join(records.LeftOut, "; "))
	}
	return s.String()
}

// recordKeys lists the records of list's kind from the host's cache and returns
// the keys of those keep accepts (all for nil), to requeue them.
func recordKeys(ctx context.Context, host client.Reader, list client.ObjectList, keep func(client.Object) bool) []ctrl.Request {
	if err := host.List(ctx, list); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "list records to requeue", "list", fmt.Sprintf("%T", list))
		return nil
	}
	var reqs []ctrl.Request
	_ = meta.EachListItem(list, func(o runtime.Object) error {
		if obj := o.(client.Object); keep == nil || keep(obj) {
			reqs = append(reqs, ctrl.Request{NamespacedName: client.ObjectKeyFromObject(obj)})
		}
		return nil
	})
	return reqs
}
