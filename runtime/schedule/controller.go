package schedule

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/source"

	schedulingv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/scheduling/v1alpha1"
	"github.com/kubefed-gen/kubefed/runtime/cluster"
	"github.com/kubefed-gen/kubefed/runtime/fedtype"
	"github.com/kubefed-gen/kubefed/runtime/internal/unmanaged"
)

// DefaultUnschedulableThreshold is how long a pod must have been unschedulable
// before it lowers its cluster's capacity, as in KubeFed: shorter-lived trouble
// should not move replicas around.
const DefaultUnschedulableThreshold = time.Minute

// Options of the controller.
type Options struct {
	// UnschedulableThreshold; DefaultUnschedulableThreshold when zero.
	UnschedulableThreshold time.Duration
	// MaxConcurrentReconciles (default 4).
	MaxConcurrentReconciles int
	// NamespacedScope is a control plane of scope Namespaced, where a namespace
	// without a FederatedNamespace does not limit placement (propagation.Place).
	NamespacedScope bool
}

// MemberCache is the configuration member caches need for the controller (pass
// it as cluster.Options.ByObject): pods not yet bound to a node, whatever their
// labels, with only what the capacity estimate reads. Bound pods, the vast
// majority, are never held in memory; ready replicas are read from the
// workloads' status instead.
func MemberCache() map[client.Object]cache.ByObject {
	return map[client.Object]cache.ByObject{
		&corev1.Pod{}: {
			Label:     labels.Everything(),
			Field:     fields.OneTermEqualSelector("spec.nodeName", ""),
			Transform: trimPod,
		},
	}
}

// trimPod keeps of a pod its identity, labels and scheduling state.
func trimPod(obj any) (any, error) {
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		return obj, nil
	}
	trimmed := &corev1.Pod{TypeMeta: pod.TypeMeta}
	trimmed.Name, trimmed.Namespace, trimmed.UID = pod.Name, pod.Namespace, pod.UID
	trimmed.ResourceVersion, trimmed.Labels = pod.ResourceVersion, pod.Labels
	trimmed.DeletionTimestamp = pod.DeletionTimestamp
	trimmed.Status.Phase = pod.Status.Phase
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodScheduled {
			trimmed.Status.Conditions = append(trimmed.Status.Conditions, c)
		}
	}
	return trimmed, nil
}

// Setup adds the controller to mgr for the scalable types among typs. The
// registry's member caches must have been built with MemberCache, and the
// manager's scheme must know scheduling.kubefed.io/v1alpha1.
func Setup(mgr ctrl.Manager, clusters *cluster.Registry, typs []fedtype.Descriptor, opts Options) error {
	if opts.UnschedulableThreshold <= 0 {
		opts.UnschedulableThreshold = DefaultUnschedulableThreshold
	}
	if opts.MaxConcurrentReconciles <= 0 {
		opts.MaxConcurrentReconciles = 4
	}
	r := &reconciler{
		host:     mgr.GetClient(),
		clusters: clusters,
		opts:     opts,
		recorder: mgr.GetEventRecorder("kubefed-scheduler"),
		types:    map[string]fedtype.Descriptor{},
		now:      time.Now,
	}
	for _, t := range typs {
		r.types[t.TypeInfo().Federated.Kind] = t
	}
	c, err := r.newController(mgr)
	if err != nil {
		return fmt.Errorf("scheduling controller: %w", err)
	}
	if err := mgr.Add(manager.RunnableFunc(func(ctx context.Context) error { return r.run(ctx, c) })); err != nil {
		return fmt.Errorf("scheduling controller: %w", err)
	}
	return nil
}

type reconciler struct {
	host     client.Client
	clusters *cluster.Registry
	opts     Options
	recorder events.EventRecorder
	// types are the manager's federated types by federated kind, scalable or not.
	types map[string]fedtype.Descriptor
	now   func() time.Time
}

// scalable returns the scalable types, sorted by kind.
func (r *reconciler) scalable() []fedtype.Descriptor {
	var out []fedtype.Descriptor
	for _, t := range r.types {
		if t.TypeInfo().Scalable {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b fedtype.Descriptor) int {
		return strings.Compare(a.TypeInfo().Federated.Kind, b.TypeInfo().Federated.Kind)
	})
	return out
}

func (r *reconciler) newController(mgr ctrl.Manager) (controller.Controller, error) {
	c, err := unmanaged.New(mgr, "replicaschedulingpreference", r, r.opts.MaxConcurrentReconciles)
	if err != nil {
		return nil, err
	}
	hostCache := mgr.GetCache()
	sources := []source.Source{
		// Status writes do not change the generation, so the controller's own
		// writes do not wake it.
		source.Kind[client.Object](hostCache, &schedulingv1alpha1.ReplicaSchedulingPreference{},
			&handler.EnqueueRequestForObject{}, predicate.GenerationChangedPredicate{}),
		// A member joining, leaving, or changing readiness or labels changes the
		// candidates of every preference.
		source.Func(func(ctx context.Context, q workqueue.TypedRateLimitingInterface[ctrl.Request]) error {
			r.clusters.OnChange(func(string) {
				if ctx.Err() != nil {
					return
				}
				for _, req := range r.preferences(ctx) {
					q.Add(req)
				}
			})
			return nil
		}),
	}
	namespaced := false
	for _, t := range r.scalable() {
		// The federated object of a preference has its namespace and name; its
		// creation, deletion and spec changes (placement selector) matter.
		sources = append(sources, source.Kind[client.Object](hostCache, t.NewFederatedObject(),
			&handler.EnqueueRequestForObject{}, predicate.GenerationChangedPredicate{}))
		namespaced = namespaced || t.TypeInfo().Target.Namespaced
	}
	if t := r.scalable(); namespaced {
		fns := &unstructured.Unstructured{}
		fns.SetGroupVersionKind(t[0].TypeInfo().Federated.GroupVersion().WithKind("FederatedNamespace"))
		if _, err := mgr.GetRESTMapper().RESTMapping(fns.GroupVersionKind().GroupKind(), fns.GroupVersionKind().Version); err == nil {
			sources = append(sources, source.Kind[client.Object](hostCache, fns, handler.EnqueueRequestsFromMapFunc(
				func(ctx context.Context, o client.Object) []ctrl.Request {
					return r.preferences(ctx, client.InNamespace(o.GetNamespace()))
				})))
		}
	}
	for _, src := range sources {
		if err := c.Watch(src); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// run runs c until ctx ends, with watches of the members' workloads and of their
// unscheduled pods.
func (r *reconciler) run(ctx context.Context, c controller.Controller) error {
	sameKey := func(string) handler.EventHandler {
		return handler.EnqueueRequestsFromMapFunc(func(_ context.Context, o client.Object) []ctrl.Request {
			return []ctrl.Request{{NamespacedName: types.NamespacedName{Namespace: o.GetNamespace(), Name: o.GetName()}}}
		})
	}
	for _, t := range r.scalable() {
		// Ready replicas and replicas of the workload in a member.
		if err := r.clusters.WatchMembers(ctx, cluster.MemberWatch{Object: t.NewTargetObject(), Controller: c, Handler: sameKey}); err != nil {
			return err
		}
	}
	// A pod that cannot be scheduled lowers its cluster's capacity; which workload
	// it belongs to is decided in the reconcile, by selector.
	err := r.clusters.WatchMembers(ctx, cluster.MemberWatch{
		Object: &corev1.Pod{}, Controller: c,
		Handler: func(string) handler.EventHandler {
			return handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, o client.Object) []ctrl.Request {
				return r.preferences(ctx, client.InNamespace(o.GetNamespace()))
			})
		},
	})
	if err != nil {
		return err
	}
	return c.Start(ctx)
}

// preferences lists the keys of the ReplicaSchedulingPreferences in the host's cache.
func (r *reconciler) preferences(ctx context.Context, opts ...client.ListOption) []ctrl.Request {
	var list schedulingv1alpha1.ReplicaSchedulingPreferenceList
	if err := r.host.List(ctx, &list, opts...); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "list ReplicaSchedulingPreferences to requeue")
		return nil
	}
	reqs := make([]ctrl.Request, 0, len(list.Items))
	for _, p := range list.Items {
		reqs = append(reqs, ctrl.Request{NamespacedName: types.NamespacedName{Namespace: p.Namespace, Name: p.Name}})
	}
	return reqs
}

// errConflict is returned by a write that lost an optimistic-concurrency race.
var errConflict = errors.New("the federated object changed while it was scheduled")
