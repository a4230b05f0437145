package kubefedstatus

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"k8s.io/utils/ptr"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	corev1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1alpha1"
	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/fedtype"
)

// TypeConfigName is the FederatedTypeConfig whose statusType turns the
// FederatedServiceStatuses on.
const TypeConfigName = "services"

// Options of the controller.
type Options struct {
	// Namespace is the KubeFed namespace, which holds the FederatedTypeConfig.
	Namespace string
	// MaxConcurrentReconciles (default 2).
	MaxConcurrentReconciles int
}

// ServiceType returns the compiled FederatedService among types: the type of
// FederatedTypeConfig services whose target is core/v1 Service; nil if none.
func ServiceType(types []fedtype.Descriptor) fedtype.Descriptor {
	for _, d := range types {
		info := d.TypeInfo()
		if info.Name == TypeConfigName && info.Target.Group == "" && info.Target.Kind == "Service" {
			if _, ok := d.(*fedtype.Dynamic); !ok {
				return d
			}
		}
	}
	return nil
}

// Setup adds the controller to mgr when types holds the compiled
// FederatedService. The manager's scheme must know core.kubefed.io/v1alpha1; a
// host that does not serve the FederatedServiceStatus CRD gets no controller,
// and a note in the log.
func Setup(mgr ctrl.Manager, types []fedtype.Descriptor, opts Options) error {
	typ := ServiceType(types)
	if typ == nil {
		return nil
	}
	if opts.Namespace == "" {
		opts.Namespace = corev1beta1.DefaultNamespace
	}
	if opts.MaxConcurrentReconciles <= 0 {
		opts.MaxConcurrentReconciles = 2
	}
	gvk, err := apiutil.GVKForObject(&corev1alpha1.FederatedServiceStatus{}, mgr.GetScheme())
	if err != nil {
		return fmt.Errorf("FederatedServiceStatus controller: the manager's scheme: %w", err)
	}
	if _, err := mgr.GetRESTMapper().RESTMapping(gvk.GroupKind(), gvk.Version); err != nil {
		mgr.GetLogger().WithName("kubefedstatus").Info("the host does not serve FederatedServiceStatus (install the CRDs of runtime/config/crd); none is written", "error", err.Error())
		return nil
	}
	fedGVK, err := apiutil.GVKForObject(typ.NewFederatedObject(), mgr.GetScheme())
	if err != nil {
		return fmt.Errorf("FederatedServiceStatus controller: the manager's scheme: %w", err)
	}
	r := &reconciler{host: mgr.GetClient(), typ: typ, opts: opts, fedGVK: fedGVK}
	return builder.ControllerManagedBy(mgr).
		Named("federatedservicestatus").
		// Tests and tools may run several managers in one process.
		WithOptions(controller.Options{MaxConcurrentReconciles: opts.MaxConcurrentReconciles, SkipNameValidation: ptr.To(true)}).
		For(typ.NewFederatedObject()).
		// A FederatedServiceStatus edited or deleted by someone else is put back;
		// one left without its FederatedService is deleted.
		Watches(&corev1alpha1.FederatedServiceStatus{}, &handler.EnqueueRequestForObject{}).
		Watches(&corev1beta1.FederatedTypeConfig{}, handler.EnqueueRequestsFromMapFunc(r.all),
			builder.WithPredicates(predicate.NewPredicateFuncs(func(o client.Object) bool {
				return o.GetNamespace() == opts.Namespace && o.GetName() == TypeConfigName
			}), predicate.GenerationChangedPredicate{})).
		Complete(r)
}

type reconciler struct {
	host   client.Client
	typ    fedtype.Descriptor
	opts   Options
	fedGVK schema.GroupVersionKind
}

// all is every FederatedService and every FederatedServiceStatus, for a change
// of the FederatedTypeConfig.
func (r *reconciler) all(ctx context.Context, _ client.Object) []ctrl.Request {
	var out []ctrl.Request
	fedList, err := r.host.Scheme().New(r.fedGVK.GroupVersion().WithKind(r.fedGVK.Kind + "List"))
	if err != nil {
		return nil
	}
	if list, ok := fedList.(client.ObjectList); ok && r.host.List(ctx, list) == nil {
		_ = meta.EachListItem(list, func(o runtime.Object) error {
			if obj, ok := o.(client.Object); ok {
				out = append(out, ctrl.Request{NamespacedName: client.ObjectKeyFromObject(obj)})
			}
			return nil
		})
	}
	var statuses corev1alpha1.FederatedServiceStatusList
	if r.host.List(ctx, &statuses) == nil {
		for i := range statuses.Items {
			out = append(out, ctrl.Request{NamespacedName: client.ObjectKeyFromObject(&statuses.Items[i])})
		}
	}
	return out
}

// optedIn says whether the services FederatedTypeConfig asks for
// FederatedServiceStatuses: statusType set, statusCollection not Disabled.
func (r *reconciler) optedIn(ctx context.Context) (bool, error) {
	var ftc corev1beta1.FederatedTypeConfig
	err := r.host.Get(ctx, client.ObjectKey{Namespace: r.opts.Namespace, Name: TypeConfigName}, &ftc)
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("get FederatedTypeConfig %s: %w", TypeConfigName, err)
	}
	return ftc.Spec.StatusType != nil &&
		(ftc.Spec.StatusCollection == nil || *ftc.Spec.StatusCollection != corev1beta1.Disabled), nil
}

func (r *reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var existing corev1alpha1.FederatedServiceStatus
	err := r.host.Get(ctx, req.NamespacedName, &existing)
	if err != nil && !apierrors.IsNotFound(err) {
		return ctrl.Result{}, err
	}
	exists := err == nil

	on, err := r.optedIn(ctx)
	if err != nil {
		return ctrl.Result{}, err
	}
	var fed fedtype.Federated
	if on {
		obj := r.typ.NewFederatedObject()
		err := r.host.Get(ctx, req.NamespacedName, obj)
		switch {
		case apierrors.IsNotFound(err):
		case err != nil:
			return ctrl.Result{}, err
		case obj.GetDeletionTimestamp() == nil:
			if fed, err = r.typ.AsFederated(obj); err != nil {
				return ctrl.Result{}, err
			}
		}
	}
	if fed == nil {
		if !exists {
			return ctrl.Result{}, nil
		}
		err := r.host.Delete(ctx, &existing, client.Preconditions{UID: &existing.UID})
		if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
			return ctrl.Result{}, nil // gone, or replaced by a new one that gets its own event
		}
		return ctrl.Result{}, err
	}

	clusters, err := ClusterStatus(fed.FederatedStatus())
	if err != nil {
		return ctrl.Result{}, err
	}
	owner := metav1.OwnerReference{APIVersion: r.fedGVK.GroupVersion().String(), Kind: r.fedGVK.Kind, Name: fed.GetName(), UID: fed.GetUID()}
	if !exists {
		st := &corev1alpha1.FederatedServiceStatus{
			ObjectMeta:    metav1.ObjectMeta{Namespace: req.Namespace, Name: req.Name, OwnerReferences: []metav1.OwnerReference{owner}},
			ClusterStatus: clusters,
		}
		err := r.host.Create(ctx, st)
		if apierrors.IsAlreadyExists(err) {
			return ctrl.Result{RequeueAfter: time.Second}, nil // the cache is behind
		}
		return ctrl.Result{}, err
	}
	owned := slices.ContainsFunc(existing.OwnerReferences, func(o metav1.OwnerReference) bool { return o.UID == owner.UID })
	if owned && equality.Semantic.DeepEqual(normalize(existing.ClusterStatus), normalize(clusters)) {
		return ctrl.Result{}, nil
	}
	if !owned {
		// A FederatedService deleted and created again under the same name: the
		// reference to the old one would have a garbage collector delete this.
		existing.OwnerReferences = slices.DeleteFunc(existing.OwnerReferences, func(o metav1.OwnerReference) bool {
			return o.Kind == owner.Kind && o.Name == owner.Name && strings.HasPrefix(o.APIVersion, r.fedGVK.Group+"/")
		})
		existing.OwnerReferences = append(existing.OwnerReferences, owner)
	}
	existing.ClusterStatus = clusters
	err = r.host.Update(ctx, &existing)
	if apierrors.IsConflict(err) || apierrors.IsNotFound(err) {
		return ctrl.Result{RequeueAfter: time.Second}, nil
	}
	return ctrl.Result{}, err
}

// ClusterStatus is the clusterStatus of a FederatedServiceStatus for the
// collected status st of its FederatedService: one entry per placed cluster
// but the stale ones, sorted by cluster name, with the member Service's status
// as last collected (empty when none was).
func ClusterStatus(st *fedv1beta1.GenericFederatedStatus) ([]corev1alpha1.FederatedServiceClusterStatus, error) {
	var out []corev1alpha1.FederatedServiceClusterStatus
	for _, c := range st.Clusters {
		if c.Stale {
			continue
		}
		entry := corev1alpha1.FederatedServiceClusterStatus{ClusterName: c.Name}
		remote, ok, err := fedv1beta1.DecodeRemoteStatus[corev1.ServiceStatus](st, c.Name)
		if err != nil {
			return nil, err
		}
		if ok {
			entry.Status = *remote
		}
		out = append(out, entry)
	}
	slices.SortFunc(out, func(a, b corev1alpha1.FederatedServiceClusterStatus) int {
		return strings.Compare(a.ClusterName, b.ClusterName)
	})
	return out, nil
}

// normalize makes an empty list nil, as the API server returns it.
func normalize(s []corev1alpha1.FederatedServiceClusterStatus) []corev1alpha1.FederatedServiceClusterStatus {
	if len(s) == 0 {
		return nil
	}
	return s
}
