package propagation

import (
	"context"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	"k8s.io/utils/ptr"

	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
)

// Values of FederatedTypeConfig status.propagationController, as in KubeFed.
const (
	ControllerRunning    = "Running"
	ControllerNotRunning = "NotRunning"
)

// typeConfigStatus reports on each FederatedTypeConfig whether this manager
// propagates its type: Running when the type is compiled in and enabled, else
// NotRunning, so that `kubectl get federatedtypeconfigs` tells what really happens.
type typeConfigStatus struct {
	host     client.Client
	compiled map[string]bool
}

func setupTypeConfigStatus(mgr ctrl.Manager, namespace string, compiled map[string]bool) error {
	r := &typeConfigStatus{host: mgr.GetClient(), compiled: compiled}
	return ctrl.NewControllerManagedBy(mgr).
		Named("federatedtypeconfig-status").
		For(&corev1beta1.FederatedTypeConfig{}, builder.WithPredicates(
			predicate.GenerationChangedPredicate{},
			predicate.NewPredicateFuncs(func(o client.Object) bool { return o.GetNamespace() == namespace }))).
		WithOptions(controller.Options{SkipNameValidation: ptr.To(true)}).
		Complete(r)
}

func (r *typeConfigStatus) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var ftc corev1beta1.FederatedTypeConfig
	if err := r.host.Get(ctx, req.NamespacedName, &ftc); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	want := ControllerNotRunning
	if r.compiled[ftc.Name] && ftc.Spec.Propagation != corev1beta1.Disabled {
		want = ControllerRunning
	}
	if ftc.Status.PropagationController == want && ftc.Status.ObservedGeneration == ftc.Generation {
		return ctrl.Result{}, nil
	}
	ftc.Status.PropagationController, ftc.Status.ObservedGeneration = want, ftc.Generation
	return ctrl.Result{}, client.IgnoreNotFound(r.host.Status().Update(ctx, &ftc))
}
