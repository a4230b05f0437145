package propagation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/source"

	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/cluster"
	"github.com/kubefed-gen/kubefed/runtime/dispatch"
	"github.com/kubefed-gen/kubefed/runtime/fedtype"
)

// Finalizer keeps a federated object until its member objects are deleted or orphaned.
const Finalizer = "kubefed.io/sync-controller"

// Options configure every sync controller of a manager.
type Options struct {
	// Namespace is the KubeFed namespace: KubeFedConfig and FederatedTypeConfigs live there.
	Namespace string
	// ConfigName is the KubeFedConfig to read adoptResources from (default "kubefed").
	ConfigName string
	// MaxConcurrentReconciles per federated type (default 8).
	MaxConcurrentReconciles int
}

// Setup starts one sync controller per federated type with the manager.
func Setup(mgr ctrl.Manager, clusters *cluster.Registry, typs []fedtype.Descriptor, opts Options) error {
	if opts.ConfigName == "" {
		opts.ConfigName = "kubefed"
	}
	if opts.MaxConcurrentReconciles == 0 {
		opts.MaxConcurrentReconciles = 8
	}
	versions := dispatch.NewVersions()
	compiled := map[string]bool{}
	for _, t := range typs {
		compiled[t.TypeInfo().Name] = true
	}
	if err := setupTypeConfigStatus(mgr, opts.Namespace, compiled); err != nil {
		return fmt.Errorf("FederatedTypeConfig status: %w", err)
	}
	for _, t := range typs {
		r := &reconciler{
			typ: t, info: t.TypeInfo(), opts: opts,
			host: mgr.GetClient(), scheme: mgr.GetScheme(), clusters: clusters,
			recorder: mgr.GetEventRecorder("kubefed-sync-" + t.TypeInfo().Name),
			dispatcher: &dispatch.Dispatcher{Versions: versions, Observe: func(c, verb string, took time.Duration, err error) {
				result := "ok"
				if err != nil {
					result = "error"
				}
				memberWrites.WithLabelValues(c, verb, result).Inc()
				memberWriteSeconds.WithLabelValues(c, verb).Observe(took.Seconds())
			}},
			firstSeen: map[types.NamespacedName]generationSeen{},
		}
		if err := r.setup(mgr); err != nil {
			return fmt.Errorf("sync controller for %s: %w", r.info.Name, err)
		}
	}
	return nil
}

type generationSeen struct {
	generation int64
	at         time.Time
}

type reconciler struct {
	typ        fedtype.Descriptor
	info       fedtype.Info
	opts       Options
	host       client.Client
	scheme     *runtime.Scheme
	clusters   *cluster.Registry
	dispatcher *dispatch.Dispatcher
	recorder   events.EventRecorder

	mu        sync.Mutex
	firstSeen map[types.NamespacedName]generationSeen
}

func (r *reconciler) setup(mgr ctrl.Manager) error {
	// Member changes and cluster changes reach the controller through this channel.
	requeue := make(chan event.GenericEvent, 1024)
	enqueue := func(key types.NamespacedName) {
		obj := r.typ.NewFederatedObject()
		obj.SetNamespace(key.Namespace)
		obj.SetName(key.Name)
		requeue <- event.GenericEvent{Object: obj}
	}
	if err := r.clusters.WatchMembers(r.typ.NewTargetObject(), func(_ string, o client.Object) {
		enqueue(r.federatedKey(o))
	}); err != nil {
		return err
	}
	r.clusters.OnChange(func(string) { r.enqueueAll(context.Background(), enqueue) })

	b := ctrl.NewControllerManagedBy(mgr).
		Named("sync-"+r.info.Name).
		For(r.typ.NewFederatedObject(), builder.WithPredicates(predicate.Or(
			predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}))).
		WatchesRawSource(source.Channel(requeue, &handler.EnqueueRequestForObject{})).
		Watches(&corev1beta1.FederatedTypeConfig{}, handler.EnqueueRequestsFromMapFunc(
			func(ctx context.Context, o client.Object) []ctrl.Request {
				if o.GetName() != r.info.Name {
					return nil
				}
				return r.all(ctx)
			})).
		Watches(&corev1beta1.KubeFedConfig{}, handler.EnqueueRequestsFromMapFunc(
			func(ctx context.Context, _ client.Object) []ctrl.Request { return r.all(ctx) })).
		// Names are unique per manager by construction (one per type); tests run
		// several managers in one process.
		WithOptions(controller.Options{MaxConcurrentReconciles: r.opts.MaxConcurrentReconciles, SkipNameValidation: ptr.To(true)})
	if r.info.Target.Namespaced {
		if fns := r.federatedNamespace(); fns != nil {
			if _, err := mgr.GetRESTMapper().RESTMapping(fns.GroupVersionKind().GroupKind(), fns.GroupVersionKind().Version); err == nil {
				b = b.Watches(fns, handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, o client.Object) []ctrl.Request {
					return r.all(ctx, client.InNamespace(o.GetNamespace()))
				}))
			}
		}
	}
	return b.Complete(r)
}

// federatedKey maps a member object to the federated object it came from: the
// same namespace and name, except for namespaces, whose FederatedNamespace lives
// in the namespace it describes.
func (r *reconciler) federatedKey(o client.Object) types.NamespacedName {
	if _, isNamespace := o.(*corev1.Namespace); isNamespace {
		return types.NamespacedName{Namespace: o.GetName(), Name: o.GetName()}
	}
	return types.NamespacedName{Namespace: o.GetNamespace(), Name: o.GetName()}
}

// all lists the keys of every federated object of this type in the host's cache.
func (r *reconciler) all(ctx context.Context, opts ...client.ListOption) []ctrl.Request {
	gvk := r.info.Federated.GroupVersionKind
	gvk.Kind += "List"
	metaList := &metav1.PartialObjectMetadataList{}
	metaList.SetGroupVersionKind(gvk)
	if err := r.host.List(ctx, metaList, opts...); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "list federated objects to requeue", "type", r.info.Name)
		return nil
	}
	reqs := make([]ctrl.Request, 0, len(metaList.Items))
	for _, item := range metaList.Items {
		reqs = append(reqs, ctrl.Request{NamespacedName: types.NamespacedName{Namespace: item.Namespace, Name: item.Name}})
	}
	return reqs
}

func (r *reconciler) enqueueAll(ctx context.Context, enqueue func(types.NamespacedName)) {
	for _, req := range r.all(ctx) {
		enqueue(req.NamespacedName)
	}
}

// Reconcile propagates one federated object.
func (r *reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	log := ctrl.LoggerFrom(ctx).WithValues("type", r.info.Name)
	ctx = ctrl.LoggerInto(ctx, log)
	obj := r.typ.NewFederatedObject()
	if err := r.host.Get(ctx, req.NamespacedName, obj); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	fed := obj.(fedtype.Federated)
	// Deleting is the user's explicit request; it is carried out even while
	// propagation of the type is disabled, or the object could never go.
	if !fed.GetDeletionTimestamp().IsZero() {
		return r.finalize(ctx, fed)
	}
	enabled, err := r.propagationEnabled(ctx)
	if err != nil || !enabled {
		return ctrl.Result{}, err
	}
	if controllerutil.AddFinalizer(fed, Finalizer) {
		if err := r.host.Update(ctx, fed); err != nil {
			return ctrl.Result{}, fmt.Errorf("add finalizer: %w", err)
		}
	}
	r.noteGeneration(req.NamespacedName, fed.GetGeneration())

	members := r.clusters.Members()
	placed, reason, err := r.placedClusters(ctx, fed, members)
	if err != nil {
		if reason == "" {
			return ctrl.Result{}, err
		}
		// The user must change something; retrying would not help.
		return ctrl.Result{}, r.writeStatus(ctx, fed, func(st *fedv1beta1.GenericFederatedStatus) bool {
			return setFailed(st, fed.GetGeneration(), reason, err.Error())
		})
	}
	adopt, err := r.adoptResources(ctx)
	if err != nil {
		return ctrl.Result{}, err
	}
	results, removalErr := r.propagate(ctx, fed, placed, members, adopt)
	if err := r.writeStatus(ctx, fed, func(st *fedv1beta1.GenericFederatedStatus) bool {
		return setClusters(st, fed.GetGeneration(), results)
	}); err != nil {
		return ctrl.Result{}, err
	}
	if retry := retryable(results); retry != nil || removalErr != nil {
		return ctrl.Result{}, errors.Join(retry, removalErr)
	}
	if allOK(results) {
		r.observeLatency(req.NamespacedName, fed.GetGeneration())
	}
	return ctrl.Result{}, nil
}

// propagate brings every member cluster in line with the placement, concurrently:
// an unreachable member only delays itself.
func (r *reconciler) propagate(ctx context.Context, fed fedtype.Federated, placed []string, members []*cluster.Member, adopt bool) ([]clusterResult, error) {
	target := r.typ.Target(fed)
	known := map[string]*cluster.Member{}
	for _, m := range members {
		known[m.Name] = m
	}
	var (
		mu         sync.Mutex
		results    []clusterResult
		removalErr []error
		wg         sync.WaitGroup
	)
	for _, name := range placed {
		m, ok := known[name]
		if !ok {
			results = append(results, clusterResult{name, fedv1beta1.ClusterNotReady, fmt.Sprintf("cluster %s is not joined (no KubeFedCluster of that name)", name)})
			continue
		}
		wg.Go(func() {
			res := r.ensure(ctx, fed, target, m, adopt)
			mu.Lock()
			results = append(results, res)
			mu.Unlock()
		})
	}
	for _, m := range members {
		if slices.Contains(placed, m.Name) || !m.Ready() {
			continue
		}
		wg.Go(func() {
			if _, out := r.dispatcher.Remove(ctx, memberOf(m), target); out.Status != fedv1beta1.ClusterPropagationOK && out.Status != fedv1beta1.WaitingForRemoval {
				r.recorder.Eventf(fed, nil, corev1.EventTypeWarning, string(out.Status), "Remove", "cluster %s: %s", m.Name, out.Message)
				mu.Lock()
				removalErr = append(removalErr, fmt.Errorf("cluster %s: %s", m.Name, out.Message))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return results, errors.Join(removalErr...)
}

func (r *reconciler) ensure(ctx context.Context, fed fedtype.Federated, target client.Object, m *cluster.Member, adopt bool) clusterResult {
	if !m.Ready() {
		return clusterResult{m.Name, fedv1beta1.ClusterNotReady, "the cluster is not ready; see its KubeFedCluster status"}
	}
	desired := target.DeepCopyObject().(client.Object)
	if err := applyOverrides(desired, fed.ClusterOverrides(), m.Name); err != nil {
		return clusterResult{m.Name, fedv1beta1.ApplyOverridesFailed, err.Error()}
	}
	out := r.dispatcher.Ensure(ctx, memberOf(m), desired, adopt)
	if out.Status != fedv1beta1.ClusterPropagationOK {
		r.recorder.Eventf(fed, nil, corev1.EventTypeWarning, string(out.Status), "Propagate", "cluster %s: %s", m.Name, out.Message)
	}
	return clusterResult{m.Name, out.Status, out.Message}
}

// finalize deletes (or, with the orphan annotation, releases) the member objects,
// then lets the federated object go.
func (r *reconciler) finalize(ctx context.Context, fed fedtype.Federated) (ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(fed, Finalizer) {
		return ctrl.Result{}, nil
	}
	target := r.typ.Target(fed)
	orphan := fed.GetAnnotations()[fedv1beta1.OrphanAnnotation] == "true"
	var pending []clusterResult
	for _, m := range r.clusters.Members() {
		if !m.Ready() {
			// Objects in an unreachable cluster are left there rather than blocking
			// deletion forever; say so.
			r.recorder.Eventf(fed, nil, corev1.EventTypeWarning, string(fedv1beta1.ClusterNotReady), "Delete",
				"cluster %s is not ready: its object, if any, is left in place", m.Name)
			continue
		}
		if orphan {
			if out := r.dispatcher.Orphan(ctx, memberOf(m), target); out.Status != fedv1beta1.ClusterPropagationOK {
				pending = append(pending, clusterResult{m.Name, out.Status, out.Message})
			}
			continue
		}
		if gone, out := r.dispatcher.Remove(ctx, memberOf(m), target); !gone {
			pending = append(pending, clusterResult{m.Name, out.Status, out.Message})
		}
	}
	if len(pending) > 0 {
		if err := r.writeStatus(ctx, fed, func(st *fedv1beta1.GenericFederatedStatus) bool {
			return setClusters(st, fed.GetGeneration(), pending)
		}); err != nil {
			return ctrl.Result{}, err
		}
		return ctrl.Result{RequeueAfter: time.Second}, nil
	}
	controllerutil.RemoveFinalizer(fed, Finalizer)
	return ctrl.Result{}, client.IgnoreNotFound(r.host.Update(ctx, fed))
}

func (r *reconciler) writeStatus(ctx context.Context, fed fedtype.Federated, mutate func(*fedv1beta1.GenericFederatedStatus) bool) error {
	if !mutate(fed.FederatedStatus()) {
		return nil
	}
	if err := r.host.Status().Update(ctx, fed); err != nil {
		return fmt.Errorf("update status: %w", err)
	}
	return nil
}

func memberOf(m *cluster.Member) dispatch.Member {
	return dispatch.Member{Name: m.Name, Client: m.Client, Reader: m.Reader}
}

func (r *reconciler) noteGeneration(key types.NamespacedName, generation int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if seen, ok := r.firstSeen[key]; !ok || seen.generation != generation {
		r.firstSeen[key] = generationSeen{generation: generation, at: time.Now()}
	}
}

func (r *reconciler) observeLatency(key types.NamespacedName, generation int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if seen, ok := r.firstSeen[key]; ok && seen.generation == generation && !seen.at.IsZero() {
		propagationSeconds.WithLabelValues(r.info.Name).Observe(time.Since(seen.at).Seconds())
		r.firstSeen[key] = generationSeen{generation: generation} // observed once per generation
	}
}
