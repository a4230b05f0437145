package status

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/host"
	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/cluster"
	"github.com/kubefed-gen/kubefed/runtime/desired"
	"github.com/kubefed-gen/kubefed/runtime/fedtype"
	"github.com/kubefed-gen/kubefed/runtime/placement"
	"github.com/kubefed-gen/kubefed/runtime/propagation"
)

// This file asks the controller's own functions what it does with the object:
// where it is placed (propagation.Place), what each cluster should hold
// (desired.Object) and whether the member holds it (drift.Diff, in gather). Status
// never computes any of these itself, so it cannot disagree with the controller.

// place resolves the object's placement as the controller does and describes it.
func (r *statusReport) place(ctx context.Context, h *host.Host, candidates []placement.Cluster) error {
	r.Placement = describePlacement(r.fed.Placement())
	info := fedtype.Info{Name: r.typ.Name, Target: r.typ.Target, Federated: r.typ.Federated}
	scope, err := cluster.Scope(ctx, h.Client, h.Namespace)
	if err != nil {
		return fmt.Errorf("read the control plane's scope: %w", err)
	}
	placed, err := propagation.Place(ctx, h.Client, info, r.fed, candidates, scope == corev1beta1.ScopeNamespaced)
	r.placed = placed
	var perr *propagation.PlacementError
	switch {
	case errors.As(err, &perr) && placed.Namespace != nil && !placed.Namespace.Federated:
		ns := placed.Namespace.Name
		r.NamespacePlacement = fmt.Sprintf("namespace %s has no FederatedNamespace: placed on no cluster (run `kubefedctl federate namespaces %s`)", ns, ns)
		return nil
	case errors.As(err, &perr):
		r.PlacementError = perr.Error()
		return nil
	case err != nil:
		return err
	}
	switch ns := placed.Namespace; {
	case ns != nil:
		where := "no cluster"
		if len(ns.Clusters) > 0 {
			where = strings.Join(ns.Clusters, ", ")
		}
		r.NamespacePlacement = fmt.Sprintf("FederatedNamespace %s places namespace %s on %s", ns.Name, ns.Name, where)
	case r.typ.Target.Namespaced:
		r.NamespacePlacement = "namespaces are not federated in this host: no limit"
	}
	return nil
}

// desired is what the controller writes to cluster. Built-in targets are typed
// first, as in a compiled controller, so that an override that does not fit the
// type fails here as it fails there.
func (r *statusReport) desired(cluster string) (client.Object, error) {
	var target client.Object = r.fed.TargetObject(r.typ.Target)
	if typed, err := clientgoscheme.Scheme.New(target.GetObjectKind().GroupVersionKind()); err == nil {
		content := target.(runtime.Unstructured).UnstructuredContent()
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(content, typed); err == nil {
			target = typed.(client.Object)
		}
	}
	return desired.Object(target, r.fed.ClusterOverrides(), cluster)
}
