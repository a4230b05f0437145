package propagation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/source"

	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/cluster"
	"github.com/kubefed-gen/kubefed/runtime/desired"
	"github.com/kubefed-gen/kubefed/runtime/dispatch"
	"github.com/kubefed-gen/kubefed/runtime/fedtype"
	"github.com/kubefed-gen/kubefed/runtime/internal/unmanaged"
	"github.com/kubefed-gen/kubefed/runtime/placement"
	"github.com/kubefed-gen/kubefed/runtime/status"
)

// Finalizer keeps a federated object until its member objects are deleted or orphaned.
const Finalizer = fedv1beta1.SyncFinalizer

// Options configure every sync controller of a manager.
type Options struct {
	// Namespace is the KubeFed namespace: KubeFedConfig and FederatedTypeConfigs live there.
	Namespace string
	// ConfigName is the KubeFedConfig to read adoptResources from (default "kubefed").
	ConfigName string
	// MaxConcurrentReconciles per federated type (default 8).
	MaxConcurrentReconciles int
	// HostID identifies this host federation in the origin of every member object
	// it writes (see fedv1beta1.OriginAnnotation): cluster.Identity of the host.
	HostID string
	// NamespacedScope is a control plane of scope Namespaced (KubeFedConfig): the
	// manager sees only the KubeFed namespace, cluster-scoped types do not
	// propagate, and a namespace without a FederatedNamespace does not limit
	// placement, as in KubeFed.
	NamespacedScope bool
	// ManagerName marks the FederatedTypeConfigs of the compiled types as this
	// manager's (corev1beta1.PropagatedByAnnotation).
	ManagerName string
	// StatusInterval is the least time between two status writes of one
	// federated object that change only the status collected from its members
	// (default DefaultStatusInterval): member status changes in between are
	// coalesced into one write. Propagation outcomes are never held back.
	StatusInterval time.Duration
	// StatusWritesPerSecond caps, per federated type, the status writes that
	// change only collected status (default DefaultStatusWritesPerSecond).
	StatusWritesPerSecond float64
	// WritePropagatedVersions writes KubeFed's PropagatedVersion (or
	// ClusterPropagatedVersion) of every federated object: up to two host
	// writes when an object first propagates, one per change of what was
	// propagated, one when it goes (see propagatedVersions).
	WritePropagatedVersions bool
}

// Setup starts one sync controller per federated type with the manager, and the
// controller of FederatedTypeConfigs, which starts a dynamic sync controller for
// every type a FederatedTypeConfig enables that is not among typs.
func Setup(mgr ctrl.Manager, clusters *cluster.Registry, typs []fedtype.Descriptor, opts Options) error {
	if opts.ConfigName == "" {
		opts.ConfigName = corev1beta1.ConfigName
	}
	if opts.HostID == "" {
		return errors.New("sync controllers: the host's identity (Options.HostID) is required")
	}
	if opts.MaxConcurrentReconciles == 0 {
		opts.MaxConcurrentReconciles = 8
	}
	if opts.StatusInterval == 0 {
		opts.StatusInterval = DefaultStatusInterval
	}
	if opts.StatusWritesPerSecond == 0 {
		opts.StatusWritesPerSecond = DefaultStatusWritesPerSecond
	}
	compiled := map[string]bool{}
	for _, t := range typs {
		compiled[t.TypeInfo().Name] = true
	}
	if err := mgr.Add(newTypeConfigs(mgr, clusters, opts, compiled)); err != nil {
		return fmt.Errorf("FederatedTypeConfig controller: %w", err)
	}
	for _, t := range typs {
		if opts.NamespacedScope && !t.TypeInfo().Target.Namespaced {
			continue // reported on its FederatedTypeConfig
		}
		r := newReconciler(mgr, clusters, t, opts)
		c, err := r.newController(mgr)
		if err != nil {
			return fmt.Errorf("sync controller for %s: %w", r.info.Name, err)
		}
		if err := mgr.Add(manager.RunnableFunc(func(ctx context.Context) error { return r.run(ctx, c) })); err != nil {
			return fmt.Errorf("sync controller for %s: %w", r.info.Name, err)
		}
	}
	return nil
}

func newReconciler(mgr ctrl.Manager, clusters *cluster.Registry, t fedtype.Descriptor, opts Options) *reconciler {
	r := &reconciler{
		typ: t, info: t.TypeInfo(), opts: opts,
		host: mgr.GetClient(), scheme: mgr.GetScheme(), clusters: clusters,
		recorder: mgr.GetEventRecorder("kubefed-sync-" + t.TypeInfo().Name),
		dispatcher: &dispatch.Dispatcher{Versions: dispatch.NewVersions(), Observe: func(c, verb string, took time.Duration, err error) {
			result := "ok"
			if err != nil {
				result = "error"
			}
			memberWrites.WithLabelValues(c, verb, result).Inc()
			memberWriteSeconds.WithLabelValues(c, verb).Observe(took.Seconds())
		}},
		firstSeen:     map[types.NamespacedName]generationSeen{},
		written:       map[types.NamespacedName]string{},
		observed:      map[types.NamespacedName]map[string]status.Remote{},
		lastWrite:     map[types.NamespacedName]time.Time{},
		statusLimiter: rate.NewLimiter(rate.Limit(opts.StatusWritesPerSecond), max(1, int(opts.StatusWritesPerSecond))),
	}
	r.collecting.Store(true) // the default until the FederatedTypeConfig is read
	if opts.WritePropagatedVersions {
		r.propagated = newPropagatedVersions(r.host, r.info, r.dispatcher.Versions)
	}
	return r
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
	// propagated writes KubeFed's PropagatedVersions; nil unless
	// Options.WritePropagatedVersions.
	propagated *propagatedVersions

	// collecting says whether the type's status is collected, as its
	// FederatedTypeConfig said when last read.
	collecting    atomic.Bool
	statusLimiter *rate.Limiter

	mu        sync.Mutex
	firstSeen map[types.NamespacedName]generationSeen
	// written is the status last written per object, as JSON.
	written map[types.NamespacedName]string
	// observed is what was last collected per object and cluster.
	observed map[types.NamespacedName]map[string]status.Remote
	// lastWrite is when each object's status was last written.
	lastWrite map[types.NamespacedName]time.Time
}

// newController builds the type's sync controller with its host watches, outside
// the manager, so that a dynamic type's controller can be stopped again.
func (r *reconciler) newController(mgr ctrl.Manager) (controller.Controller, error) {
	// Names are unique per manager by construction (one per type).
	c, err := unmanaged.New(mgr, "sync-"+r.info.Name, r, r.opts.MaxConcurrentReconciles)
	if err != nil {
		return nil, err
	}
	hostCache := mgr.GetCache()
	sources := []source.Source{
		source.Kind(hostCache, r.typ.NewFederatedObject(), &handler.EnqueueRequestForObject{}, predicate.Or(
			predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{})),
		// A member joining, leaving, or changing readiness or labels may change
		// where every object goes.
		source.Func(func(ctx context.Context, q workqueue.TypedRateLimitingInterface[ctrl.Request]) error {
			r.clusters.OnChange(func(string) {
				if ctx.Err() != nil {
					return // the controller stopped
				}
				for _, req := range r.all(ctx) {
					q.Add(req)
				}
			})
			return nil
		}),
		source.Kind[client.Object](hostCache, &corev1beta1.FederatedTypeConfig{}, handler.EnqueueRequestsFromMapFunc(
			func(ctx context.Context, o client.Object) []ctrl.Request {
				if o.GetName() != r.info.Name {
					return nil
				}
				return r.all(ctx)
			})),
		source.Kind[client.Object](hostCache, &corev1beta1.KubeFedConfig{}, handler.EnqueueRequestsFromMapFunc(
			func(ctx context.Context, _ client.Object) []ctrl.Request { return r.all(ctx) })),
	}
	if r.info.Target.Namespaced {
		fns := &unstructured.Unstructured{}
		fns.SetGroupVersionKind(r.info.Federated.GroupVersion().WithKind("FederatedNamespace"))
		if _, err := mgr.GetRESTMapper().RESTMapping(fns.GroupVersionKind().GroupKind(), fns.GroupVersionKind().Version); err == nil {
			sources = append(sources, source.Kind[client.Object](hostCache, fns, handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, o client.Object) []ctrl.Request {
				return r.all(ctx, client.InNamespace(o.GetNamespace()))
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

// run runs c, the controller newController built, until ctx ends, with a watch of
// every member's objects of the type.
func (r *reconciler) run(ctx context.Context, c controller.Controller) error {
	// Member objects changing (drift, deletion, and with status collection
	// their status) lead back to their federated object.
	err := r.clusters.WatchMembers(ctx, cluster.MemberWatch{
		Object:     r.typ.NewTargetObject(),
		Controller: c,
		Handler:    r.memberEvents,
		Predicates: []predicate.Predicate{r.memberChanged()},
	})
	if err != nil {
		return err
	}
	return c.Start(ctx)
}

// memberEvents maps the events of cluster's objects to their federated object. A
// create or update that only echoes this process's own write (the version it
// wrote or last checked) is dropped: it cannot be drift, and reconciling for it
// would be a second pass over every object written. Deletions always count.
func (r *reconciler) memberEvents(cluster string) handler.EventHandler {
	enqueue := func(o client.Object, q workqueue.TypedRateLimitingInterface[ctrl.Request]) {
		q.Add(ctrl.Request{NamespacedName: r.federatedKey(o)})
	}
	return handler.Funcs{
		CreateFunc: func(_ context.Context, e event.CreateEvent, q workqueue.TypedRateLimitingInterface[ctrl.Request]) {
			if !r.dispatcher.Versions.Known(cluster, e.Object) {
				enqueue(e.Object, q)
			}
		},
		UpdateFunc: func(_ context.Context, e event.UpdateEvent, q workqueue.TypedRateLimitingInterface[ctrl.Request]) {
			if !r.dispatcher.Versions.Known(cluster, e.ObjectNew) {
				enqueue(e.ObjectNew, q)
			}
		},
		DeleteFunc: func(_ context.Context, e event.DeleteEvent, q workqueue.TypedRateLimitingInterface[ctrl.Request]) {
			enqueue(e.Object, q)
		},
		GenericFunc: func(_ context.Context, e event.GenericEvent, q workqueue.TypedRateLimitingInterface[ctrl.Request]) {
			enqueue(e.Object, q)
		},
	}
}

// federatedKey maps a member object to the federated object it came from: the
// same namespace and name, except for namespaces, whose FederatedNamespace lives
// in the namespace it describes.
func (r *reconciler) federatedKey(o client.Object) types.NamespacedName {
	if r.info.Target.GroupKind() == (schema.GroupKind{Kind: "Namespace"}) {
		return types.NamespacedName{Namespace: o.GetName(), Name: o.GetName()}
	}
	return types.NamespacedName{Namespace: o.GetNamespace(), Name: o.GetName()}
}

// hostInformers are the objects of the host informers this controller's watches
// and reads start.
func (r *reconciler) hostInformers() []client.Object {
	metadata := &metav1.PartialObjectMetadata{}
	metadata.SetGroupVersionKind(r.info.Federated.GroupVersionKind)
	return []client.Object{r.typ.NewFederatedObject(), metadata}
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

// Reconcile propagates one federated object.
func (r *reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	log := ctrl.LoggerFrom(ctx).WithValues("type", r.info.Name)
	ctx = ctrl.LoggerInto(ctx, log)
	if err := r.clusters.WaitLoaded(ctx); err != nil {
		return ctrl.Result{}, err
	}
	res, err := r.reconcile(ctx, req)
	if apierrors.IsConflict(err) {
		// The cache was behind the server: expected under load, and the retry
		// reads the newer object. Not worth an error in the log.
		log.V(1).Info("object changed while syncing; retrying", "reason", err.Error())
		return ctrl.Result{RequeueAfter: conflictRetry}, nil
	}
	return res, err
}

// notReadyRetry is how often a deletion waiting only for clusters to get ready
// looks again; readiness changes requeue it sooner.
const notReadyRetry = 30 * time.Second

// conflictRetry is how soon a reconcile that lost an optimistic-concurrency race runs again.
const conflictRetry = 100 * time.Millisecond

func (r *reconciler) reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	obj := r.typ.NewFederatedObject()
	if err := r.host.Get(ctx, req.NamespacedName, obj); err != nil {
		if apierrors.IsNotFound(err) {
			r.forget(req.NamespacedName)
			err := r.releaseStray(ctx, req.NamespacedName)
			if r.propagated != nil {
				err = errors.Join(err, r.propagated.remove(ctx, req.NamespacedName))
			}
			return ctrl.Result{}, err
		}
		return ctrl.Result{}, err
	}
	// obj is what is read and written; fed shares its data and reads the parts
	// every federated type has.
	fed, err := r.typ.AsFederated(obj)
	if err != nil {
		return ctrl.Result{}, err
	}
	// Deleting is the user's explicit request; it is carried out even while
	// propagation of the type is disabled, or the object could never go.
	if !fed.GetDeletionTimestamp().IsZero() {
		return r.finalize(ctx, obj, fed)
	}
	cfg, err := r.typeConfig(ctx)
	if err != nil || !cfg.propagate {
		return ctrl.Result{}, err
	}
	r.collecting.Store(cfg.collect)
	if err := r.patchMetadata(ctx, obj, func() bool { return controllerutil.AddFinalizer(obj, Finalizer) }); err != nil {
		return ctrl.Result{}, fmt.Errorf("add finalizer: %w", err)
	}
	r.noteGeneration(req.NamespacedName, fed.GetGeneration())
	strategy, invalid := UpdateStrategy(r.info.Federated.Kind, fed, cfg.config)
	if invalid != nil {
		// The user must fix the annotation; until then no member is written.
		r.recorder.Eventf(obj, nil, corev1.EventTypeWarning, ReasonInvalidUpdateStrategy, "Propagate", "%s", invalid.Error())
		wait, err := r.writeStatus(ctx, obj, fed, andReady(func(st *fedv1beta1.GenericFederatedStatus) bool {
			return setFailed(st, fed.GetGeneration(), ReasonInvalidUpdateStrategy, invalid.Error())
		}, fed.GetGeneration(), cfg.collect))
		return ctrl.Result{RequeueAfter: wait}, err
	}

	members := r.clusters.Members()
	placed, err := Place(ctx, r.host, r.info, fed, candidates(members), r.opts.NamespacedScope)
	if perr := (*PlacementError)(nil); errors.As(err, &perr) {
		// The user must change something; retrying would not help.
		r.recorder.Eventf(obj, nil, corev1.EventTypeWarning, perr.Reason, "Place", "%s", perr.Error())
		wait, err := r.writeStatus(ctx, obj, fed, andReady(func(st *fedv1beta1.GenericFederatedStatus) bool {
			return setFailed(st, fed.GetGeneration(), perr.Reason, perr.Error())
		}, fed.GetGeneration(), cfg.collect))
		return ctrl.Result{RequeueAfter: wait}, err
	}
	if err != nil {
		return ctrl.Result{}, err
	}
	adopt, err := r.adoptResources(ctx)
	if err != nil {
		return ctrl.Result{}, err
	}
	results, removalErr := r.propagate(ctx, obj, fed, placed.Clusters, members, adopt, strategy.Strategy, cfg.collect)
	r.warnOnChange(obj, fed, "Propagate", results)
	wait, err := r.writeStatus(ctx, obj, fed, andReady(func(st *fedv1beta1.GenericFederatedStatus) bool {
		return setClusters(st, fed.GetGeneration(), results)
	}, fed.GetGeneration(), cfg.collect))
	if err != nil {
		return ctrl.Result{}, err
	}
	if r.propagated != nil {
		if err := r.propagated.record(ctx, obj, fed, r.typ.Target(fed), placed.Clusters, results); err != nil {
			return ctrl.Result{}, err
		}
	}
	if retry := retryable(results); retry != nil || removalErr != nil {
		return ctrl.Result{}, errors.Join(retry, removalErr)
	}
	if allOK(results) {
		r.observeLatency(req.NamespacedName, fed.GetGeneration())
	}
	if strategy.Strategy == dispatch.ReadOnly && (wait == 0 || wait > ReadOnlyRecheck) {
		// Member objects federation never wrote are not watched.
		wait = ReadOnlyRecheck
	}
	// A collected status held back to be coalesced is written when this
	// requeue comes, unless a member event comes first.
	return ctrl.Result{RequeueAfter: wait}, nil
}

func candidates(members []*cluster.Member) []placement.Cluster {
	out := make([]placement.Cluster, 0, len(members))
	for _, m := range members {
		out = append(out, placement.Cluster{Name: m.Name, Labels: m.Labels})
	}
	return out
}

// propagate brings every member cluster in line with the placement, concurrently:
// an unreachable member only delays itself, and a hung one at most by its request
// timeout, once; after that its breaker is open (cluster.Member.Unresponsive), it
// is reported ClusterNotReady at once, and the registry requeues every object when
// it answers again.
//
// With collect, each placed cluster's result carries the member object's
// status as dispatch saw it; a member that cannot be read keeps its last one,
// marked stale.
func (r *reconciler) propagate(ctx context.Context, obj client.Object, fed fedtype.Federated, placed []string, members []*cluster.Member, adopt bool, strategy dispatch.Strategy, collect bool) ([]clusterResult, error) {
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
			results = append(results, clusterResult{name: name, status: fedv1beta1.ClusterNotReady, message: fmt.Sprintf("cluster %s is not joined (no KubeFedCluster of that name)", name)})
			continue
		}
		goRecovering(ctx, &wg, func() {
			ctx, cancel := dispatchContext(ctx, m)
			defer cancel()
			res := r.ensure(ctx, fed, target, m, adopt, strategy, collect)
			mu.Lock()
			results = append(results, res)
			mu.Unlock()
		}, func(err error) {
			mu.Lock()
			results = append(results, clusterResult{name: m.Name, status: fedv1beta1.ComputeResourceFailed, message: err.Error()})
			mu.Unlock()
		})
	}
	for _, m := range members {
		// Like a not ready member, a member that does not answer keeps its object
		// until it answers again and the registry requeues everything.
		// ReadOnly deletes nothing, in clusters left out of the placement too.
		if !strategy.Writes() || slices.Contains(placed, m.Name) || !m.Ready() || m.Unresponsive() != nil {
			continue
		}
		goRecovering(ctx, &wg, func() {
			ctx, cancel := dispatchContext(ctx, m)
			defer cancel()
			if _, out := r.dispatcher.Remove(ctx, r.memberOf(m), target); out.Status != fedv1beta1.ClusterPropagationOK && out.Status != fedv1beta1.WaitingForRemoval {
				r.recorder.Eventf(obj, nil, corev1.EventTypeWarning, string(out.Status), "Remove", "cluster %s: %s", m.Name, out.Message)
				mu.Lock()
				removalErr = append(removalErr, fmt.Errorf("cluster %s: %s", m.Name, out.Message))
				mu.Unlock()
			}
		}, func(err error) {
			mu.Lock()
			removalErr = append(removalErr, fmt.Errorf("cluster %s: %w", m.Name, err))
			mu.Unlock()
		})
	}
	wg.Wait()
	return results, errors.Join(removalErr...)
}

// goRecovering runs fn on wg and hands a panic in it to onPanic as an error, with
// the stack logged: controller-runtime recovers panics of a reconcile's own
// goroutine only, and one object's failure in one cluster must not stop the
// manager for every object and cluster.
func goRecovering(ctx context.Context, wg *sync.WaitGroup, fn func(), onPanic func(error)) {
	wg.Go(func() {
		defer func() {
			if p := recover(); p != nil {
				err := fmt.Errorf("internal error (a bug, please report it): %v", p)
				ctrl.LoggerFrom(ctx).Error(err, "recovered from a panic", "stack", string(debug.Stack()))
				onPanic(err)
			}
		}()
		fn()
	})
}

func (r *reconciler) ensure(ctx context.Context, fed fedtype.Federated, target client.Object, m *cluster.Member, adopt bool, strategy dispatch.Strategy, collect bool) clusterResult {
	key := client.ObjectKeyFromObject(fed)
	unreachable := func(message string) clusterResult {
		res := clusterResult{name: m.Name, status: fedv1beta1.ClusterNotReady, message: message}
		if collect {
			remote := r.stale(key, m.Name, fed.FederatedStatus())
			res.remote = &remote
		}
		return res
	}
	if !m.Ready() {
		return unreachable("the cluster is not ready; see its KubeFedCluster status")
	}
	if err := m.Unresponsive(); err != nil {
		return unreachable(err.Error())
	}
	want, err := desired.Object(target, fed.ClusterOverrides(), m.Name)
	if err != nil {
		return clusterResult{name: m.Name, status: fedv1beta1.ApplyOverridesFailed, message: err.Error()}
	}
	out := r.dispatcher.Ensure(ctx, r.memberOf(m), want, adopt, strategy)
	res := clusterResult{name: m.Name, status: out.Status, message: out.Message}
	if collect {
		remote := remoteOf(out.Observed, r.info.HealthCondition, time.Now())
		if out.Observed != nil {
			r.remember(key, m.Name, remote)
		}
		res.remote = &remote
	}
	return res
}

// dispatchRequests is the most requests one cluster's dispatch makes in a row (an
// Ensure that finds an unmanaged object: create, read, take over fields, apply;
// its first read is from the cache).
const dispatchRequests = 4

// dispatchContext bounds one cluster's dispatch. Each request is bounded on its
// own by the member's request timeout; this also bounds the waits that are not
// requests, such as for a member cache to sync, which a hung member would
// otherwise make last forever.
func dispatchContext(ctx context.Context, m *cluster.Member) (context.Context, context.CancelFunc) {
	if m.RequestTimeout() <= 0 { // no clients: nothing is sent
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, dispatchRequests*m.RequestTimeout())
}

// finalize deletes (or, with the orphan annotation, releases) the member objects,
// then lets the federated object go.
func (r *reconciler) finalize(ctx context.Context, obj client.Object, fed fedtype.Federated) (ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(obj, Finalizer) {
		return ctrl.Result{}, nil
	}
	cfg, err := r.typeConfig(ctx)
	if err != nil {
		return ctrl.Result{}, err
	}
	strategy, invalid := UpdateStrategy(r.info.Federated.Kind, fed, cfg.config)
	if invalid != nil {
		// Whether the member objects may be deleted is not known; the
		// finalizer stays until the annotation is fixed.
		r.recorder.Eventf(obj, nil, corev1.EventTypeWarning, ReasonInvalidUpdateStrategy, "Delete", "%s", invalid.Error())
		_, err := r.writeStatus(ctx, obj, fed, func(st *fedv1beta1.GenericFederatedStatus) bool {
			return setFailed(st, fed.GetGeneration(), ReasonInvalidUpdateStrategy, invalid.Error())
		})
		return ctrl.Result{}, err
	}
	target := r.typ.Target(fed)
	orphan := fed.GetAnnotations()[fedv1beta1.OrphanAnnotation] == "true"
	var pending []clusterResult
	waitingForReadiness := true
	for _, m := range r.clusters.Members() {
		if !strategy.Strategy.Writes() {
			break // ReadOnly leaves member objects as they are
		}
		if !m.Ready() || m.Unresponsive() != nil {
			// The finalizer stays until the cluster is back, as in KubeFed: letting
			// the federated object go now would leak its member object for ever.
			// Unjoining the cluster is how an operator stops waiting for it.
			pending = append(pending, clusterResult{name: m.Name, status: fedv1beta1.ClusterNotReady,
				message: "the cluster is not ready: its object is deleted (or orphaned) once it is back; unjoin the cluster to stop waiting for it"})
			continue
		}
		if res, done := r.release(ctx, m, target, orphan); !done {
			pending = append(pending, res)
			waitingForReadiness = false
		}
	}
	if len(pending) > 0 {
		r.warnOnChange(obj, fed, "Delete", pending)
		if _, err := r.writeStatus(ctx, obj, fed, func(st *fedv1beta1.GenericFederatedStatus) bool {
			return setClusters(st, fed.GetGeneration(), pending)
		}); err != nil {
			return ctrl.Result{}, err
		}
		if waitingForReadiness {
			// A cluster getting ready requeues every object anyway (OnChange).
			return ctrl.Result{RequeueAfter: notReadyRetry}, nil
		}
		return ctrl.Result{RequeueAfter: time.Second}, nil
	}
	err = r.patchMetadata(ctx, obj, func() bool { return controllerutil.RemoveFinalizer(obj, Finalizer) })
	if err == nil {
		r.forget(client.ObjectKeyFromObject(obj))
	}
	return ctrl.Result{}, client.IgnoreNotFound(err)
}

// releaseStray removes a stray managed label (see dispatch.ReleaseStray) from the
// member objects that would be key's, which has no federated object.
func (r *reconciler) releaseStray(ctx context.Context, key types.NamespacedName) error {
	// Under a type's ReadOnly strategy nothing is written to members; the
	// strategy of an object that is gone is no longer known.
	cfg, err := r.typeConfig(ctx)
	if err != nil {
		return err
	}
	if choice, err := UpdateStrategy(r.info.Federated.Kind, &metav1.ObjectMeta{}, cfg.config); err != nil || !choice.Strategy.Writes() {
		return nil
	}
	target := r.typ.NewTargetObject()
	target.SetName(key.Name)
	if r.info.Target.Namespaced {
		target.SetNamespace(key.Namespace)
	}
	var errs []error
	for _, m := range r.clusters.Members() {
		if !m.Ready() || m.Unresponsive() != nil {
			continue
		}
		if out := r.dispatcher.ReleaseStray(ctx, r.memberOf(m), target); out.Status != fedv1beta1.ClusterPropagationOK {
			errs = append(errs, fmt.Errorf("cluster %s: %s", m.Name, out.Message))
		}
	}
	return errors.Join(errs...)
}

// warnOnChange records a warning event for each cluster whose outcome is a
// failure the object's status does not report yet: one event per change rather
// than one per retry, which would flood the host and the event recorder's cache
// with repeats. Call it before the status is updated.
func (r *reconciler) warnOnChange(obj client.Object, fed fedtype.Federated, action string, results []clusterResult) {
	reported := map[string]fedv1beta1.PropagationStatus{}
	for _, c := range fed.FederatedStatus().Clusters {
		reported[c.Name] = c.Status
	}
	for _, res := range results {
		if res.status == fedv1beta1.ClusterPropagationOK || res.status == fedv1beta1.WaitingForRemoval {
			continue
		}
		if s, ok := reported[res.name]; ok && s == res.status {
			continue
		}
		r.recorder.Eventf(obj, nil, corev1.EventTypeWarning, string(res.status), action, "cluster %s: %s", res.name, res.message)
	}
}

// release deletes, or with orphan releases, the member object in m, within the
// bounds of one cluster's dispatch; done says it is gone or released.
func (r *reconciler) release(ctx context.Context, m *cluster.Member, target client.Object, orphan bool) (clusterResult, bool) {
	ctx, cancel := dispatchContext(ctx, m)
	defer cancel()
	if orphan {
		out := r.dispatcher.Orphan(ctx, r.memberOf(m), target)
		return clusterResult{name: m.Name, status: out.Status, message: out.Message}, out.Status == fedv1beta1.ClusterPropagationOK
	}
	gone, out := r.dispatcher.Remove(ctx, r.memberOf(m), target)
	return clusterResult{name: m.Name, status: out.Status, message: out.Message}, gone
}

// patchMetadata writes what change does to obj's metadata, if it changes
// anything, with a merge patch of that change alone: the user's spec is never
// rewritten. The patch is conditional on fed's resourceVersion, since finalizers
// are a list other controllers write too.
func (r *reconciler) patchMetadata(ctx context.Context, obj client.Object, change func() bool) error {
	before := obj.DeepCopyObject().(client.Object)
	if !change() {
		return nil
	}
	err := r.host.Patch(ctx, obj, client.MergeFromWithOptions(before, client.MergeFromWithOptimisticLock{}))
	observeHostWrite(r.info.Name, "finalizer", err)
	return err
}

// writeStatus writes the status mutate leaves in fed, obj's federated view, when it changed anything and is
// not what this process last wrote. The status is wholly the controller's, so
// the write needs no resourceVersion and never conflicts with the controller's
// own metadata writes. A change of collected member status alone is
// coalesced (see statusWait): it is not written yet, and writeStatus returns
// how soon to try again.
func (r *reconciler) writeStatus(ctx context.Context, obj client.Object, fed fedtype.Federated, mutate func(*fedv1beta1.GenericFederatedStatus) bool) (time.Duration, error) {
	key := client.ObjectKeyFromObject(obj)
	before := r.lastWritten(key, fed.FederatedStatus())
	if !mutate(fed.FederatedStatus()) {
		return 0, nil
	}
	st, err := runtime.DefaultUnstructuredConverter.ToUnstructured(fed.FederatedStatus())
	if err != nil {
		return 0, fmt.Errorf("status: %w", err)
	}
	// The cache may not show this process's last status write yet; writing the
	// same status again would be a wasted host write.
	written, err := json.Marshal(st)
	if err != nil {
		return 0, fmt.Errorf("status: %w", err)
	}
	if r.lastStatus(key) == string(written) {
		return 0, nil
	}
	now := time.Now()
	if collectedOnly(before, fed.FederatedStatus()) {
		if wait := r.statusWait(key, now); wait > 0 {
			return wait, nil
		}
	}
	// A merge patch that names every field of the status, null where unset:
	// it replaces the whole status (lists are replaced whole in a merge patch)
	// without a resourceVersion, so it never conflicts, and it is cheaper for
	// the API server than server-side apply.
	for _, f := range statusFields {
		if _, ok := st[f]; !ok {
			st[f] = nil
		}
	}
	patch, err := json.Marshal(map[string]any{"status": st})
	if err != nil {
		return 0, fmt.Errorf("status: %w", err)
	}
	err = r.host.Status().Patch(ctx, obj, client.RawPatch(types.MergePatchType, patch), client.FieldOwner(StatusFieldManager))
	observeHostWrite(r.info.Name, "status", client.IgnoreNotFound(err))
	if err != nil {
		return 0, fmt.Errorf("write status: %w", err)
	}
	r.setLastStatus(key, string(written))
	r.noteWrite(key, now)
	return 0, nil
}

// StatusFieldManager owns the status of federated objects.
const StatusFieldManager = "kubefed-sync"

// statusFields are the JSON names of every field of GenericFederatedStatus.
var statusFields = func() []string {
	var out []string
	t := reflect.TypeFor[fedv1beta1.GenericFederatedStatus]()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		out = append(out, name)
	}
	return out
}()

func (r *reconciler) memberOf(m *cluster.Member) dispatch.Member {
	return dispatch.Member{Name: m.Name, Client: m.Client, Reader: m.Reader, Origin: r.opts.HostID + "/" + m.Name}
}

func (r *reconciler) noteGeneration(key types.NamespacedName, generation int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if seen, ok := r.firstSeen[key]; !ok || seen.generation != generation {
		r.firstSeen[key] = generationSeen{generation: generation, at: time.Now()}
	}
}

// forget drops what is kept in memory of an object that is gone.
func (r *reconciler) forget(key types.NamespacedName) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.firstSeen, key)
	delete(r.written, key)
	delete(r.observed, key)
	delete(r.lastWrite, key)
}

func (r *reconciler) lastStatus(key types.NamespacedName) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.written[key]
}

// lastWritten is the status this process last wrote for key, else current
// (read from the cache): what a new status is compared with to tell whether
// it changes propagation or only collected status.
func (r *reconciler) lastWritten(key types.NamespacedName, current *fedv1beta1.GenericFederatedStatus) *fedv1beta1.GenericFederatedStatus {
	if last := r.lastStatus(key); last != "" {
		var st fedv1beta1.GenericFederatedStatus
		if json.Unmarshal([]byte(last), &st) == nil {
			return &st
		}
	}
	return current.DeepCopy()
}

func (r *reconciler) setLastStatus(key types.NamespacedName, status string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.written[key] = status
}

func (r *reconciler) observeLatency(key types.NamespacedName, generation int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if seen, ok := r.firstSeen[key]; ok && seen.generation == generation && !seen.at.IsZero() {
		propagationSeconds.WithLabelValues(r.info.Name).Observe(time.Since(seen.at).Seconds())
		r.firstSeen[key] = generationSeen{generation: generation} // observed once per generation
	}
}
