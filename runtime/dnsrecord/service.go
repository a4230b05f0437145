package dnsrecord

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
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

var serviceGVK = mcdnsv1alpha1.SchemeGroupVersion.WithKind("ServiceDNSRecord")

// serviceReconciler keeps the status and the DNSEndpoint of ServiceDNSRecords.
type serviceReconciler struct{ base }

func setupService(mgr ctrl.Manager, b base) error {
	r := &serviceReconciler{b}
	c, err := unmanaged.New(mgr, "servicednsrecord", r, b.opts.MaxConcurrentReconciles)
	if err != nil {
		return err
	}
	hostCache := mgr.GetCache()
	sources := []source.Source{
		// Status writes do not change the generation, so the controller's own
		// writes do not wake it; deletions do, to delete the DNSEndpoint.
		source.Kind[client.Object](hostCache, &mcdnsv1alpha1.ServiceDNSRecord{},
			&handler.EnqueueRequestForObject{}, predicate.GenerationChangedPredicate{}),
		// A DNSEndpoint changed or deleted by hand is written again.
		source.Kind[client.Object](hostCache, b.writer.newObject(),
			handler.EnqueueRequestForOwner(mgr.GetScheme(), mgr.GetRESTMapper(), &mcdnsv1alpha1.ServiceDNSRecord{}, handler.OnlyControllerOwner()),
			predicate.GenerationChangedPredicate{}),
		source.Kind[client.Object](b.ns, &mcdnsv1alpha1.Domain{}, handler.EnqueueRequestsFromMapFunc(
			func(ctx context.Context, o client.Object) []ctrl.Request {
				return r.records(ctx, func(rec client.Object) bool {
					return rec.(*mcdnsv1alpha1.ServiceDNSRecord).Spec.DomainRef == o.GetName()
				})
			})),
	}
	for _, src := range append(sources, b.clusterSources(r.records)...) {
		if err := c.Watch(src); err != nil {
			return err
		}
	}
	return mgr.Add(manager.RunnableFunc(func(ctx context.Context) error { return r.run(ctx, c) }))
}

// run runs c until ctx ends, with watches of the members' Services and
// EndpointSlices.
func (r *serviceReconciler) run(ctx context.Context, c controller.Controller) error {
	newRecord := func() client.Object { return &mcdnsv1alpha1.ServiceDNSRecord{} }
	if err := r.clusters.WatchMembers(ctx, cluster.MemberWatch{
		Object: &corev1.Service{}, Controller: c, Handler: sameKeyIfRecord(r.host, newRecord),
	}); err != nil {
		return err
	}
	err := r.clusters.WatchMembers(ctx, cluster.MemberWatch{
		Object: &discoveryv1.EndpointSlice{}, Controller: c,
		Handler: func(string) handler.EventHandler {
			return handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, o client.Object) []ctrl.Request {
				key := types.NamespacedName{Namespace: o.GetNamespace(), Name: o.GetLabels()[discoveryv1.LabelServiceName]}
				return recordIfExists(ctx, r.host, newRecord, key)
			})
		},
	})
	if err != nil {
		return err
	}
	return c.Start(ctx)
}

// records lists the keys of the ServiceDNSRecords keep accepts (all for nil).
func (r *serviceReconciler) records(ctx context.Context, keep func(client.Object) bool) []ctrl.Request {
	return recordKeys(ctx, r.host, &mcdnsv1alpha1.ServiceDNSRecordList{}, keep)
}

// Reconcile brings one ServiceDNSRecord's status and DNSEndpoint up to date.
func (r *serviceReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	log := ctrl.LoggerFrom(ctx).WithValues("servicednsrecord", req.String())
	ctx = ctrl.LoggerInto(ctx, log)
	if err := r.clusters.WaitLoaded(ctx); err != nil {
		return ctrl.Result{}, err
	}
	var rec mcdnsv1alpha1.ServiceDNSRecord
	if err := r.host.Get(ctx, req.NamespacedName, &rec); apierrors.IsNotFound(err) {
		return ctrl.Result{}, r.writer.remove(ctx, serviceGVK, req.NamespacedName, EndpointName(ServicePrefix, req.Name))
	} else if err != nil {
		return ctrl.Result{}, err
	}
	if rec.DeletionTimestamp != nil {
		return ctrl.Result{}, nil
	}

	obs, err := r.observe(ctx, &rec)
	if err != nil {
		return ctrl.Result{}, err
	}
	built := rec.DeepCopy()
	built.Status.Domain, built.Status.DNS = obs.domain, obs.entries

	var records dns.Records
	out := outcome{reason: ReasonDNSEndpointWritten}
	switch {
	case obs.domainMissing != "":
		out = outcome{ReasonDomainNotFound, obs.domainMissing}
	default:
		records, err = dns.ServiceRecords(ctx, built, r.opts.Resolver)
		if inv, ok := invalidOutcome(err); ok {
			out = inv
		} else if err != nil {
			return ctrl.Result{}, err
		}
	}
	// With bad input the DNSEndpoint is emptied: no stale name stays published.
	if out, err = r.writeEndpoint(ctx, &rec, serviceGVK, ServicePrefix, records.Endpoints, out); err != nil {
		return ctrl.Result{}, err
	}
	if out.reason == ReasonDNSEndpointWritten {
		out.message = r.summary(&rec, ServicePrefix, records, obs.giving, obs.why)
	}

	st := built.Status.DeepCopy()
	st.ObservedGeneration = rec.Generation
	r.setReady(&rec, &st.Conditions, out.condition(rec.Generation))
	if !equality.Semantic.DeepEqual(rec.Status, *st) {
		before := rec.DeepCopy()
		rec.Status = *st
		if err := r.host.Status().Patch(ctx, &rec, client.MergeFrom(before)); client.IgnoreNotFound(err) != nil {
			return ctrl.Result{}, fmt.Errorf("write status of ServiceDNSRecord %s: %w", req, err)
		}
	}
	if obs.readErr != nil {
		// The unread members keep their last entries; try again.
		return ctrl.Result{}, obs.readErr
	}
	if records.FromHostnames {
		ttl, _ := dns.TTL(rec.Spec.RecordTTL)
		return ctrl.Result{RequeueAfter: max(time.Duration(ttl)*time.Second, 10*time.Second)}, nil
	}
	return ctrl.Result{}, nil
}

// serviceObservation is what the members and the Domain say of one record.
type serviceObservation struct {
	domain string
	// domainMissing says why there is no domain.
	domainMissing string
	entries       []mcdnsv1alpha1.ClusterDNS
	// giving are the clusters whose load balancer is in the status; why says,
	// for the others with an entry or a reason, why theirs is not.
	giving  []string
	why     map[string]string
	readErr error
}

// observe reads the record's Domain and what every member cluster gives it.
func (r *serviceReconciler) observe(ctx context.Context, rec *mcdnsv1alpha1.ServiceDNSRecord) (serviceObservation, error) {
	obs := serviceObservation{why: map[string]string{}}
	var domain mcdnsv1alpha1.Domain
	switch err := r.ns.Get(ctx, types.NamespacedName{Namespace: r.opts.Namespace, Name: rec.Spec.DomainRef}, &domain); {
	case apierrors.IsNotFound(err):
		obs.domainMissing = fmt.Sprintf("spec.domainRef %q: there is no Domain %s in namespace %s", rec.Spec.DomainRef, rec.Spec.DomainRef, r.opts.Namespace)
	case err != nil:
		return obs, fmt.Errorf("get Domain %s/%s: %w", r.opts.Namespace, rec.Spec.DomainRef, err)
	default:
		obs.domain = domain.Domain
	}

	topo, err := r.topologies(ctx)
	if err != nil {
		return obs, err
	}
	prev := map[string]mcdnsv1alpha1.ClusterDNS{}
	for _, e := range rec.Status.DNS {
		prev[e.Cluster] = e
	}
	for _, m := range r.clusters.Members() {
		t := topo[m.Name]
		var c dns.Contribution
		ready := Ready(m)
		if ready {
			var err error
			if c, err = r.contribution(ctx, m, rec); err != nil {
				obs.readErr = errors.Join(obs.readErr, fmt.Errorf("cluster %s: %w", m.Name, err))
				if p, ok := prev[m.Name]; ok {
					obs.entries = append(obs.entries, p)
				}
				obs.why[m.Name] = "not read, its last entry is kept: " + err.Error()
				continue
			}
		}
		entry, why := ServiceEntry(rec, m.Name, ready, c, t.zones, t.region)
		if entry != nil {
			obs.entries = append(obs.entries, *entry)
		}
		if why != "" {
			obs.why[m.Name] = why
		} else {
			obs.giving = append(obs.giving, m.Name)
		}
	}
	slices.SortFunc(obs.entries, func(a, b mcdnsv1alpha1.ClusterDNS) int { return strings.Compare(a.Cluster, b.Cluster) })
	return obs, nil
}

// contribution reads, from member m's cache, what it gives rec.
func (r *serviceReconciler) contribution(ctx context.Context, m *cluster.Member, rec *mcdnsv1alpha1.ServiceDNSRecord) (dns.Contribution, error) {
	ctx, cancel := context.WithTimeout(ctx, m.RequestTimeout())
	defer cancel()
	key := client.ObjectKeyFromObject(rec)
	var svc *corev1.Service
	got := &corev1.Service{}
	switch err := m.Client.Get(ctx, key, got); {
	case apierrors.IsNotFound(err):
	case err != nil:
		return dns.Contribution{}, fmt.Errorf("get Service %s: %w", key, err)
	default:
		svc = got
	}
	var eps discoveryv1.EndpointSliceList
	if svc != nil && !rec.Spec.AllowServiceWithoutEndpoints {
		if err := m.Client.List(ctx, &eps, client.InNamespace(key.Namespace), client.MatchingLabels{discoveryv1.LabelServiceName: key.Name}); err != nil {
			return dns.Contribution{}, fmt.Errorf("list EndpointSlices of Service %s: %w", key, err)
		}
	}
	return dns.ServiceContribution(svc, eps.Items, rec.Spec.AllowServiceWithoutEndpoints), nil
}
