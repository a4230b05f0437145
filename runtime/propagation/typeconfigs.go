package propagation

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/source"

	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/cluster"
	"github.com/kubefed-gen/kubefed/runtime/fedtype"
	"github.com/kubefed-gen/kubefed/runtime/internal/unmanaged"
)

// Values of FederatedTypeConfig status.propagationController, as in KubeFed.
const (
	ControllerRunning    = "Running"
	ControllerNotRunning = "NotRunning"
)

// typeCheckRetry is how often a FederatedTypeConfig whose type cannot run yet (not
// served, forbidden) is looked at again: installing a CRD or granting a role
// changes nothing the controller watches.
const typeCheckRetry = 15 * time.Second

// stopTimeout bounds the wait for a dynamic controller's reconciles to finish when
// it is stopped; each is bounded by the member request timeouts anyway.
const stopTimeout = time.Minute

// typeConfigs is the controller of FederatedTypeConfigs. It reports on each
// whether and how this manager propagates the type (status.propagationController
// and the Propagating condition), and runs a dynamic sync controller, the same
// reconciler over unstructured objects, for every type that a FederatedTypeConfig
// configures and the manager was not built with. Deleting the FederatedTypeConfig
// stops that controller; while propagation is Disabled it keeps running, as the
// typed ones do, only to carry out deletions.
type typeConfigs struct {
	mgr      ctrl.Manager
	host     client.Client
	clusters *cluster.Registry
	opts     Options
	compiled map[string]bool

	ctx     context.Context // the manager's; dynamic controllers run under it
	mu      sync.Mutex
	dynamic map[string]*dynamicController
}

// dynamicController is a running dynamic sync controller.
type dynamicController struct {
	info   fedtype.Info
	cancel context.CancelFunc
	done   chan struct{} // closed once it stopped and dropped its informers
}

func newTypeConfigs(mgr ctrl.Manager, clusters *cluster.Registry, opts Options, compiled map[string]bool) *typeConfigs {
	return &typeConfigs{mgr: mgr, host: mgr.GetClient(), clusters: clusters, opts: opts, compiled: compiled,
		dynamic: map[string]*dynamicController{}}
}

// Start runs the controller until ctx ends; the manager calls it once elected.
func (t *typeConfigs) Start(ctx context.Context) error {
	t.ctx = ctx
	c, err := unmanaged.New(t.mgr, "federatedtypeconfigs", t, 1)
	if err != nil {
		return err
	}
	err = c.Watch(source.Kind[client.Object](t.mgr.GetCache(), &corev1beta1.FederatedTypeConfig{}, &handler.EnqueueRequestForObject{},
		predicate.Or(predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}),
		predicate.NewPredicateFuncs(func(o client.Object) bool { return o.GetNamespace() == t.opts.Namespace })))
	if err != nil {
		return err
	}
	return c.Start(ctx)
}

func (t *typeConfigs) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var ftc corev1beta1.FederatedTypeConfig
	if err := t.host.Get(ctx, req.NamespacedName, &ftc); err != nil {
		if client.IgnoreNotFound(err) == nil {
			t.stop(ctx, req.Name)
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	owner := ftc.Annotations[corev1beta1.PropagatedByAnnotation]
	switch {
	case t.compiled[ftc.Name] && owner == "":
		if err := t.claim(ctx, &ftc); err != nil {
			return ctrl.Result{}, err
		}
	case t.compiled[ftc.Name] && owner != t.opts.ManagerName:
		ctrl.LoggerFrom(ctx).Info("warning: the type is compiled into this manager and into another, which claimed it; both propagate it. Build each type into one manager only",
			"type", ftc.Name, "claimedBy", owner)
	case !t.compiled[ftc.Name] && owner != "" && owner != t.opts.ManagerName:
		// The manager built with the type propagates it and reports on it.
		t.stop(ctx, ftc.Name)
		return ctrl.Result{}, nil
	}
	cond := t.ensure(ctx, &ftc)
	var res ctrl.Result
	if cond.Reason == corev1beta1.ReasonResourceNotServed || cond.Reason == corev1beta1.ReasonForbidden {
		res.RequeueAfter = typeCheckRetry
	}
	return res, t.writeStatus(ctx, &ftc, cond)
}

// claim marks ftc as propagated by this manager, built with its type.
func (t *typeConfigs) claim(ctx context.Context, ftc *corev1beta1.FederatedTypeConfig) error {
	before := ftc.DeepCopy()
	metav1.SetMetaDataAnnotation(&ftc.ObjectMeta, corev1beta1.PropagatedByAnnotation, t.opts.ManagerName)
	err := t.host.Patch(ctx, ftc, client.MergeFromWithOptions(before, client.MergeFromWithOptimisticLock{}))
	return client.IgnoreNotFound(err)
}

// ensure runs the controller ftc calls for, and returns the condition that says so.
func (t *typeConfigs) ensure(ctx context.Context, ftc *corev1beta1.FederatedTypeConfig) metav1.Condition {
	disabled := metav1.Condition{Status: metav1.ConditionFalse, Reason: corev1beta1.ReasonDisabled,
		Message: "spec.propagation is Disabled: nothing is propagated; deleting a federated object of the type still removes its member objects"}
	if t.opts.NamespacedScope && ftc.Spec.TargetType.Scope != string(corev1beta1.ScopeNamespaced) {
		return metav1.Condition{Status: metav1.ConditionFalse, Reason: corev1beta1.ReasonNotSupported,
			Message: "the control plane's scope is Namespaced (KubeFedConfig): cluster-scoped types do not propagate"}
	}
	if t.compiled[ftc.Name] {
		if ftc.Spec.Propagation == corev1beta1.Disabled {
			return disabled
		}
		return metav1.Condition{Status: metav1.ConditionTrue, Reason: corev1beta1.ReasonTyped,
			Message: "the controller manager was built with the type's generated code"}
	}
	info := fedtype.InfoFor(ftc)
	// A controller that already runs for the type passed the check; a change of
	// spec.propagation alone need not ask the API server again.
	if !t.running(info) {
		if cond, ok := t.check(ctx, info); !ok {
			t.stop(ctx, info.Name)
			return cond
		}
	}
	if err := t.start(info); err != nil {
		return metav1.Condition{Status: metav1.ConditionFalse, Reason: corev1beta1.ReasonNotSupported,
			Message: fmt.Sprintf("cannot start a controller for the type: %v", err)}
	}
	if ftc.Spec.Propagation == corev1beta1.Disabled {
		return disabled
	}
	return metav1.Condition{Status: metav1.ConditionTrue, Reason: corev1beta1.ReasonDynamic, Message: fmt.Sprintf(
		"propagated as unstructured objects: the controller manager was not built with the type's code (for typed code and a custom image: kubefedctl enable %s --emit-code DIR)", info.Name)}
}

// check says whether the host serves info's federated type as the
// FederatedTypeConfig describes it, and lets this manager read and write it.
func (t *typeConfigs) check(ctx context.Context, info fedtype.Info) (metav1.Condition, bool) {
	notServed := func(format string, args ...any) (metav1.Condition, bool) {
		return metav1.Condition{Status: metav1.ConditionFalse, Reason: corev1beta1.ReasonResourceNotServed, Message: fmt.Sprintf(format, args...)}, false
	}
	fed := info.Federated
	mapping, err := t.mgr.GetRESTMapper().RESTMapping(fed.GroupKind(), fed.Version)
	switch {
	case meta.IsNoMatchError(err):
		return notServed("the host serves no %s in %s: install the Federated CRD (kubefedctl enable %s)", fed.Kind, fed.GroupVersion(), info.Name)
	case err != nil:
		return notServed("cannot look up %s in the host: %v", fed.GroupVersionKind, err)
	case mapping.Resource.Resource != fed.Plural:
		return notServed("the host serves %s as %s, not %s as spec.federatedType.pluralName says", fed.Kind, mapping.Resource.Resource, fed.Plural)
	case (mapping.Scope.Name() == meta.RESTScopeNameNamespace) != fed.Namespaced:
		return notServed("spec.federatedType.scope does not match the host's %s, which is %s-scoped", mapping.Resource.Resource, mapping.Scope.Name())
	}
	var denied []string
	for _, access := range []struct{ verb, subresource string }{
		{"get", ""}, {"list", ""}, {"watch", ""}, {"patch", ""}, {"patch", "status"},
	} {
		review := &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{
			ResourceAttributes: &authorizationv1.ResourceAttributes{
				Verb: access.verb, Group: fed.Group, Resource: fed.Plural, Subresource: access.subresource,
			}}}
		if err := t.host.Create(ctx, review); err != nil {
			return notServed("cannot check access to %s: %v", fed.Plural, err)
		}
		if !review.Status.Allowed {
			denied = append(denied, strings.TrimSuffix(access.verb+" "+fed.Plural+"/"+access.subresource, "/"))
		}
	}
	if len(denied) > 0 {
		return metav1.Condition{Status: metav1.ConditionFalse, Reason: corev1beta1.ReasonForbidden, Message: fmt.Sprintf(
			"the controller manager may not %s in group %q; grant it get, list, watch and patch on %s and patch on %s/status (the generated config/rbac has the ClusterRole kubefed-controller-manager-dynamic-types for every federated type)",
			strings.Join(denied, ", "), fed.Group, fed.Plural, fed.Plural)}, false
	}
	return metav1.Condition{}, true
}

// running says whether a dynamic sync controller runs for info as it is.
func (t *typeConfigs) running(info fedtype.Info) bool {
	t.mu.Lock()
	d, ok := t.dynamic[info.Name]
	t.mu.Unlock()
	if !ok || d.info != info {
		return false
	}
	select {
	case <-d.done: // stopped on its own (the manager is stopping)
		return false
	default:
		return true
	}
}

// start runs a dynamic sync controller for info, unless one already runs for it.
func (t *typeConfigs) start(info fedtype.Info) error {
	if t.running(info) {
		return nil
	}
	// One that runs for what the FederatedTypeConfig said before, or that stopped
	// on its own, is replaced.
	t.stop(t.ctx, info.Name)
	typ := &fedtype.Dynamic{Info: info}
	r := newReconciler(t.mgr, t.clusters, typ, t.opts)
	c, err := r.newController(t.mgr)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(t.ctx)
	d := &dynamicController{info: info, cancel: cancel, done: make(chan struct{})}
	t.mu.Lock()
	t.dynamic[info.Name] = d
	t.mu.Unlock()
	log := t.mgr.GetLogger().WithValues("type", info.Name)
	log.Info("starting dynamic sync controller", "federatedType", info.Federated.GroupVersionKind.String())
	go func() {
		defer close(d.done)
		if err := r.run(ctx, c); err != nil {
			log.Error(err, "dynamic sync controller stopped")
		}
		// Its host informers would otherwise keep watching a type nobody reads.
		for _, obj := range r.hostInformers() {
			if err := t.mgr.GetCache().RemoveInformer(context.Background(), obj); err != nil {
				log.V(1).Info("drop host informer", "error", err.Error())
			}
		}
		log.Info("dynamic sync controller stopped")
	}()
	return nil
}

// stop stops the dynamic sync controller of the type name, if one runs, and waits
// for it to finish its reconciles.
func (t *typeConfigs) stop(ctx context.Context, name string) {
	t.mu.Lock()
	d, ok := t.dynamic[name]
	delete(t.dynamic, name)
	t.mu.Unlock()
	if !ok {
		return
	}
	d.cancel()
	select {
	case <-d.done:
	case <-time.After(stopTimeout):
		ctrl.LoggerFrom(ctx).Info("dynamic sync controller still finishing its reconciles", "type", name)
	case <-ctx.Done():
	}
}

// writeStatus records cond and the matching propagationController, when they changed.
func (t *typeConfigs) writeStatus(ctx context.Context, ftc *corev1beta1.FederatedTypeConfig, cond metav1.Condition) error {
	cond.Type, cond.ObservedGeneration = corev1beta1.TypeConfigPropagating, ftc.Generation
	running := ControllerNotRunning
	if cond.Status == metav1.ConditionTrue {
		running = ControllerRunning
	}
	before := ftc.Status.DeepCopy()
	changed := meta.SetStatusCondition(&ftc.Status.Conditions, cond)
	if !changed && before.PropagationController == running && before.ObservedGeneration == ftc.Generation {
		return nil
	}
	ftc.Status.PropagationController, ftc.Status.ObservedGeneration = running, ftc.Generation
	return client.IgnoreNotFound(t.host.Status().Update(ctx, ftc))
}
