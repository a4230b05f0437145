package dnsrecord

import (
	"context"
	"errors"
	"fmt"
	"time"

	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/source"

	mcdnsv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/multiclusterdns/v1alpha1"
	"github.com/kubefed-gen/kubefed/runtime/cluster"
	"github.com/kubefed-gen/kubefed/runtime/dns"
	"github.com/kubefed-gen/kubefed/runtime/internal/unmanaged"
)

var ingressGVK = mcdnsv1alpha1.SchemeGroupVersion.WithKind("IngressDNSRecord")

// ingressReconciler keeps the status and the DNSEndpoint of IngressDNSRecords.
type ingressReconciler struct{ base }

func setupIngress(mgr ctrl.Manager, b base) error {
	r := &ingressReconciler{b}
	c, err := unmanaged.New(mgr, "ingressdnsrecord", r, b.opts.MaxConcurrentReconciles)
	if err != nil {
		return err
	}
	hostCache := mgr.GetCache()
	sources := []source.Source{
		source.Kind[client.Object](hostCache, &mcdnsv1alpha1.IngressDNSRecord{},
			&handler.EnqueueRequestForObject{}, predicate.GenerationChangedPredicate{}),
		source.Kind[client.Object](hostCache, b.writer.newObject(),
			handler.EnqueueRequestForOwner(mgr.GetScheme(), mgr.GetRESTMapper(), &mcdnsv1alpha1.IngressDNSRecord{}, handler.OnlyControllerOwner()),
			predicate.GenerationChangedPredicate{}),
	}
	for _, src := range append(sources, b.clusterSources(r.records)...) {
		if err := c.Watch(src); err != nil {
			return err
		}
	}
	return mgr.Add(manager.RunnableFunc(func(ctx context.Context) error { return r.run(ctx, c) }))
}

// run runs c until ctx ends, with a watch of the members' Ingresses.
func (r *ingressReconciler) run(ctx context.Context, c controller.Controller) error {
	if err := r.clusters.WatchMembers(ctx, cluster.MemberWatch{
		Object: &networkingv1.Ingress{}, Controller: c,
		Handler: sameKeyIfRecord(r.host, func() client.Object { return &mcdnsv1alpha1.IngressDNSRecord{} }),
	}); err != nil {
		return err
	}
	return c.Start(ctx)
}

// records lists the keys of the IngressDNSRecords keep accepts (all for nil).
func (r *ingressReconciler) records(ctx context.Context, keep func(client.Object) bool) []ctrl.Request {
	return recordKeys(ctx, r.host, &mcdnsv1alpha1.IngressDNSRecordList{}, keep)
}

// Reconcile brings one IngressDNSRecord's status and DNSEndpoint up to date.
func (r *ingressReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	log := ctrl.LoggerFrom(ctx).WithValues("ingressdnsrecord", req.String())
	ctx = ctrl.LoggerInto(ctx, log)
	if err := r.clusters.WaitLoaded(ctx); err != nil {
		return ctrl.Result{}, err
	}
	var rec mcdnsv1alpha1.IngressDNSRecord
	if err := r.host.Get(ctx, req.NamespacedName, &rec); apierrors.IsNotFound(err) {
		return ctrl.Result{}, r.writer.remove(ctx, ingressGVK, req.NamespacedName, EndpointName(IngressPrefix, req.Name))
	} else if err != nil {
		return ctrl.Result{}, err
	}
	if rec.DeletionTimestamp != nil {
		return ctrl.Result{}, nil
	}

	built := rec.DeepCopy()
	built.Status.DNS = nil
	prev := map[string]mcdnsv1alpha1.ClusterIngressDNS{}
	for _, e := range rec.Status.DNS {
		prev[e.Cluster] = e
	}
	var giving []string
	why := map[string]string{}
	var readErr error
	// Only ready clusters, sorted by name (Members is), as in KubeFed.
	for _, m := range r.clusters.Members() {
		if !Ready(m) {
			why[m.Name] = ExplainIngress(false, dns.Contribution{})
			continue
		}
		c, err := r.contribution(ctx, m, client.ObjectKeyFromObject(&rec))
		if err != nil {
			readErr = errors.Join(readErr, fmt.Errorf("cluster %s: %w", m.Name, err))
			if p, ok := prev[m.Name]; ok {
				built.Status.DNS = append(built.Status.DNS, p)
			}
			why[m.Name] = "not read, its last entry is kept: " + err.Error()
			continue
		}
		built.Status.DNS = append(built.Status.DNS, mcdnsv1alpha1.ClusterIngressDNS{Cluster: m.Name, LoadBalancer: c.LoadBalancer})
		if c.Reason != "" {
			why[m.Name] = c.Reason + ": " + c.Message
		} else {
			giving = append(giving, m.Name)
		}
	}

	out := outcome{reason: ReasonDNSEndpointWritten}
	records, err := dns.IngressRecords(ctx, built, r.opts.Resolver)
	if inv, ok := invalidOutcome(err); ok {
		out = inv
	} else if err != nil {
		return ctrl.Result{}, err
	}
	if out, err = r.writeEndpoint(ctx, &rec, ingressGVK, IngressPrefix, records.Endpoints, out); err != nil {
		return ctrl.Result{}, err
	}
	if out.reason == ReasonDNSEndpointWritten {
		out.message = r.summary(&rec, IngressPrefix, records, giving, why)
	}

	st := built.Status.DeepCopy()
	st.ObservedGeneration = rec.Generation
	r.setReady(&rec, &st.Conditions, out.condition(rec.Generation))
	if !equality.Semantic.DeepEqual(rec.Status, *st) {
		before := rec.DeepCopy()
		rec.Status = *st
		if err := r.host.Status().Patch(ctx, &rec, client.MergeFrom(before)); client.IgnoreNotFound(err) != nil {
			return ctrl.Result{}, fmt.Errorf("write status of IngressDNSRecord %s: %w", req, err)
		}
	}
	if readErr != nil {
		return ctrl.Result{}, readErr
	}
	if records.FromHostnames {
		ttl, _ := dns.TTL(rec.Spec.RecordTTL)
		return ctrl.Result{RequeueAfter: max(time.Duration(ttl)*time.Second, 10*time.Second)}, nil
	}
	return ctrl.Result{}, nil
}

// contribution reads, from member m's cache, what it gives the record key.
func (r *ingressReconciler) contribution(ctx context.Context, m *cluster.Member, key client.ObjectKey) (dns.Contribution, error) {
	ctx, cancel := context.WithTimeout(ctx, m.RequestTimeout())
	defer cancel()
	ing := &networkingv1.Ingress{}
	switch err := m.Client.Get(ctx, key, ing); {
	case apierrors.IsNotFound(err):
		return dns.IngressContribution(nil), nil
	case err != nil:
		return dns.Contribution{}, fmt.Errorf("get Ingress %s: %w", key, err)
	}
	return dns.IngressContribution(ing), nil
}
