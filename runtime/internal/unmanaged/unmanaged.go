// Package unmanaged builds controllers that the runtime starts and stops itself
// rather than through the manager: a dynamic type's sync controller must stop
// when its FederatedTypeConfig goes, which a manager's controllers cannot.
package unmanaged

import (
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// New returns the controller name for r, with the manager's controller defaults
// (logger, cache sync timeout, ...) as a managed controller would get them, and at
// most maxConcurrent reconciles at once (0: one). The caller starts it.
func New(mgr ctrl.Manager, name string, r reconcile.Reconciler, maxConcurrent int) (controller.Controller, error) {
	opts := controller.Options{
		Reconciler:              r,
		MaxConcurrentReconciles: maxConcurrent,
		// Tests run several managers in one process, and a dynamic type's
		// controller is built again each time the type is enabled.
		SkipNameValidation: ptr.To(true),
	}
	opts.DefaultFromConfig(mgr.GetControllerOptions())
	if opts.Logger.GetSink() == nil {
		opts.Logger = mgr.GetLogger()
	}
	return controller.NewUnmanaged(name, opts)
}
