package cluster

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
)

// Options of a Registry.
type Options struct {
	// Namespace holds the KubeFedClusters and their Secrets.
	Namespace string
	// Scheme knows the types read and written in members; default the manager's.
	Scheme *runtime.Scheme
	// HealthCheck says how members are probed.
	HealthCheck HealthCheck
	// CacheLabelSelector, if set, restricts member caches (and so Member.Client
	// reads and WatchMembers events) to objects with these labels; the runtime
	// passes kubefed.io/managed=true. Member.Reader sees everything.
	CacheLabelSelector labels.Selector
	// MemberNamespace, if set, restricts member caches to that namespace: the
	// control plane's scope is Namespaced, and members grant access to it alone.
	MemberNamespace string
	// CacheByObject configures the member caches per type, over
	// CacheLabelSelector: the scheduling controller watches pods that carry no
	// label of ours, but only those not bound to a node.
	CacheByObject map[client.Object]cache.ByObject
	// TokenRenewAfter is the part of a member token's lifetime after which it
	// is renewed, between 0 and 1; default DefaultTokenRenewAfter.
	TokenRenewAfter float64
}

// Registry keeps one Member per KubeFedCluster in its namespace: it builds clients
// when a KubeFedCluster appears or its connection settings (spec or Secret) change,
// drops them when it is deleted, and probes every member's health.
type Registry struct {
	opts      Options
	host      client.Client // writes KubeFedCluster status
	hostCache cache.Cache   // KubeFedClusters and Secrets of opts.Namespace only
	log       logr.Logger

	// ctx outlives single reconciles: member caches run under it until the
	// manager stops.
	ctx    context.Context
	cancel context.CancelFunc

	// versions holds each member's Kubernetes version (version.go).
	versions sync.Map

	mu       sync.RWMutex
	members  map[string]*Member
	refused  map[string]bool // KubeFedClusters deliberately not used (duplicates)
	watches  []*MemberWatch
	onChange []func(cluster string)

	// loaded latches once WaitLoaded has seen every member settled.
	loaded atomic.Bool
}

// MemberWatch is a watch that the registry registers on every member, current and
// future, as a controller-runtime source on the member's cache.
type MemberWatch struct {
	// Object is the type watched, e.g. &appsv1.Deployment{}.
	Object client.Object
	// Controller receives the source (a controller.Controller).
	Controller Watcher
	// Handler maps the events of the named member to requests.
	Handler func(cluster string) handler.EventHandler
	// Predicates filter the events before the handler.
	Predicates []predicate.Predicate
}

// Watcher is what a MemberWatch needs of a controller.
type Watcher interface {
	Watch(src source.Source) error
}

// NewRegistry creates a Registry and adds it to mgr: a cache of the KubeFedClusters
// and Secrets in opts.Namespace, a controller keeping members in step with them,
// and the health checks. The manager's scheme must know corev1 and core.kubefed.io.
func NewRegistry(mgr ctrl.Manager, opts Options) (*Registry, error) {
	if opts.Namespace == "" {
		return nil, errors.New("cluster registry: a namespace is required")
	}
	if opts.Scheme == nil {
		opts.Scheme = mgr.GetScheme()
	}
	opts.HealthCheck = opts.HealthCheck.withDefaults()
	if opts.TokenRenewAfter == 0 {
		opts.TokenRenewAfter = DefaultTokenRenewAfter
	}
	if opts.TokenRenewAfter <= 0 || opts.TokenRenewAfter >= 1 {
		return nil, fmt.Errorf("cluster registry: token renewal after %v of a token's lifetime: want a fraction between 0 and 1", opts.TokenRenewAfter)
	}
	for _, obj := range []client.Object{&corev1beta1.KubeFedCluster{}, &corev1.Secret{}} {
		if _, err := apiutil.GVKForObject(obj, mgr.GetScheme()); err != nil {
			return nil, fmt.Errorf("cluster registry: the manager's scheme: %w", err)
		}
	}
	// A cache of our own, limited to one namespace, rather than the manager's:
	// that one would watch Secrets in every namespace.
	hostCache, err := cache.New(mgr.GetConfig(), cache.Options{
		HTTPClient:        mgr.GetHTTPClient(),
		Scheme:            mgr.GetScheme(),
		Mapper:            mgr.GetRESTMapper(),
		DefaultNamespaces: map[string]cache.Config{opts.Namespace: {}},
	})
	if err != nil {
		return nil, fmt.Errorf("cluster registry: host cache: %w", err)
	}
	r := &Registry{
		opts:      opts,
		host:      mgr.GetClient(),
		hostCache: hostCache,
		log:       mgr.GetLogger().WithName("cluster-registry"),
		members:   map[string]*Member{},
		refused:   map[string]bool{},
	}
	r.ctx, r.cancel = context.WithCancel(context.Background())

	if err := mgr.Add(cacheRunnable{hostCache}); err != nil {
		return nil, fmt.Errorf("cluster registry: %w", err)
	}
	err = ctrl.NewControllerManagedBy(mgr).
		Named("kubefedcluster").
		// Tests and tools may run several managers in one process.
		WithOptions(controller.Options{SkipNameValidation: ptr.To(true)}).
		WatchesRawSource(source.Kind(hostCache, &corev1beta1.KubeFedCluster{},
			handler.TypedEnqueueRequestsFromMapFunc(r.clustersWithSameIdentity))).
		WatchesRawSource(source.Kind(hostCache, &corev1.Secret{},
			handler.TypedEnqueueRequestsFromMapFunc(r.clustersUsingSecret))).
		Complete(reconcile.Func(r.reconcile))
	if err != nil {
		return nil, fmt.Errorf("cluster registry: %w", err)
	}
	if err := mgr.Add(manager.RunnableFunc(r.runHealthChecks)); err != nil {
		return nil, fmt.Errorf("cluster registry: %w", err)
	}
	return r, nil
}

// cacheRunnable makes the manager start the host cache with its other caches,
// before any controller, and wait for it to sync.
type cacheRunnable struct{ cache.Cache }

func (c cacheRunnable) GetCache() cache.Cache { return c.Cache }

// Members returns every member, ready or not, sorted by name.
func (r *Registry) Members() []*Member {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]*Member, 0, len(r.members))
	for _, m := range r.members {
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b *Member) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Member returns the member of that name.
func (r *Registry) Member(name string) (*Member, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	m, ok := r.members[name]
	return m, ok
}

// OnChange registers fn to be called with a cluster's name when that member is
// added, removed, rebuilt, or its readiness or labels change. fn runs on a
// goroutine of the registry, holding none of its locks.
func (r *Registry) OnChange(fn func(cluster string)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.onChange = append(r.onChange, fn)
}

// WatchMembers registers w on the cache of every member, current and future,
// until ctx ends: the controller then sees member events as it sees host events,
// through a source.Kind. A source lives as long as its member's cache, so a member
// that is rebuilt or removed takes its sources with it. When ctx ends the watch is
// forgotten and every member's cache drops its informer of w.Object, so that a
// controller started and stopped at run time leaves nothing behind.
//
// A member that cannot watch the type yet (unreachable, or the type is not served
// there) is retried after each of its successful health checks.
func (r *Registry) WatchMembers(ctx context.Context, w MemberWatch) error {
	if _, err := apiutil.GVKForObject(w.Object, r.opts.Scheme); err != nil {
		return fmt.Errorf("watch members: %w", err)
	}
	watch := &w
	r.mu.Lock()
	r.watches = append(r.watches, watch)
	members := slices.Collect(maps.Values(r.members))
	r.mu.Unlock()
	for _, m := range members {
		// Asynchronously: a member that does not answer must not hold up the caller.
		go r.ensureWatches(m)
	}
	context.AfterFunc(ctx, func() { r.unwatch(watch) })
	return nil
}

// unwatch forgets w and drops its informers from every member's cache.
func (r *Registry) unwatch(w *MemberWatch) {
	r.mu.Lock()
	r.watches = slices.DeleteFunc(r.watches, func(x *MemberWatch) bool { return x == w })
	members := slices.Collect(maps.Values(r.members))
	r.mu.Unlock()
	for _, m := range members {
		s := m.state
		s.watchMu.Lock()
		watched := s.watched[w]
		delete(s.watched, w)
		delete(s.watchWarned, w)
		s.watchMu.Unlock()
		if watched {
			if err := m.Cache.RemoveInformer(s.ctx, w.Object); err != nil {
				r.log.V(1).Info("drop member informer", "cluster", m.Name, "error", err.Error())
			}
		}
	}
}

// ensureWatches registers on m's cache the watches it does not have yet.
func (r *Registry) ensureWatches(m *Member) {
	if m.Cache == nil {
		return
	}
	r.mu.RLock()
	watches := slices.Clone(r.watches)
	r.mu.RUnlock()

	s := m.state
	s.watchMu.Lock()
	defer s.watchMu.Unlock()
	if s.watched == nil {
		s.watched, s.watchWarned = map[*MemberWatch]bool{}, map[*MemberWatch]bool{}
	}
	for _, w := range watches {
		if s.watched[w] {
			continue
		}
		// A type the member forbids gets no informer, which would list it in
		// vain for ever; reads of it fail at once (forbidden.go).
		err := r.checkAccess(s.ctx, m, w.Object)
		if err != nil {
			if rmErr := m.Cache.RemoveInformer(s.ctx, w.Object); rmErr != nil {
				r.log.V(1).Info("drop member informer", "cluster", m.Name, "error", rmErr.Error())
			}
		} else {
			// Not blocking until synced: the member may be down. Getting the informer
			// first checks that the member serves the type, which the source would
			// otherwise retry, loudly, every 10 s.
			_, err = m.Cache.GetInformer(s.ctx, w.Object, cache.BlockUntilSynced(false))
		}
		if err == nil {
			src := source.Kind(m.Cache, w.Object, w.Handler(m.Name), w.Predicates...)
			err = w.Controller.Watch(memberScoped{Source: src, member: s.ctx})
		}
		if err != nil {
			// Retried every period: said loudly once, then only at debug level.
			gvk, _ := apiutil.GVKForObject(w.Object, r.opts.Scheme)
			log := r.log.WithValues("cluster", m.Name, "type", gvk.String())
			if !s.watchWarned[w] && s.ctx.Err() == nil {
				log.Error(err, "cannot watch member yet; retrying after its next successful health check")
				s.watchWarned[w] = true
			} else {
				log.V(1).Info("cannot watch member yet", "error", err.Error())
			}
			continue
		}
		s.watched[w] = true
	}
}

// memberScoped runs a source until its controller stops or its member's cache
// does, whichever comes first: a source of a removed member must not wait for
// that member's informers for the rest of the process.
type memberScoped struct {
	source.Source
	member context.Context
}

// String names the source in logs as the source it wraps.
func (s memberScoped) String() string { return fmt.Sprint(s.Source) }

func (s memberScoped) Start(ctx context.Context, q workqueue.TypedRateLimitingInterface[reconcile.Request]) error {
	ctx, cancel := context.WithCancel(ctx)
	context.AfterFunc(s.member, cancel)
	return s.Source.Start(ctx, q)
}

// notify runs the OnChange callbacks for cluster.
func (r *Registry) notify(cluster string) {
	r.mu.RLock()
	fns := slices.Clone(r.onChange)
	r.mu.RUnlock()
	if len(fns) == 0 {
		return
	}
	go func() {
		for _, fn := range fns {
			fn(cluster)
		}
	}()
}
