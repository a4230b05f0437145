package propagation

import (
	"context"
	"fmt"
	"slices"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/fedtype"
	"github.com/kubefed-gen/kubefed/runtime/placement"
	"github.com/kubefed-gen/kubefed/runtime/status"
)

// ReasonNamespaceNotFederated is KubeFed's reason for a namespaced object whose
// namespace has no FederatedNamespace, so it is placed nowhere.
const ReasonNamespaceNotFederated = "NamespaceNotFederated"

// Placement is where a federated object goes, and why.
type Placement struct {
	// Clusters the object is placed on: its own placement, limited by its
	// namespace's. Names that are not joined are kept, to be reported.
	Clusters []string
	// Own are the clusters the object's own placement selects.
	Own []string
	// Namespace is the limit of the object's namespace; nil when none applies (a
	// cluster-scoped type, or no FederatedNamespace type in the host).
	Namespace *NamespacePlacement
}

// NamespacePlacement is where the FederatedNamespace of an object's namespace
// places that namespace.
type NamespacePlacement struct {
	Name string
	// Federated says the namespace has a FederatedNamespace; without one it is
	// placed nowhere.
	Federated bool
	Clusters  []string
}

// PlacementError is a placement only a change to the federated objects can fix;
// retrying does not help. Reason is KubeFed's aggregate status reason.
type PlacementError struct {
	Reason string
	Err    error
}

func (e *PlacementError) Error() string { return e.Err.Error() }
func (e *PlacementError) Unwrap() error { return e.Err }

func unjoined(names []string, candidates []placement.Cluster) []string {
	var out []string
	for _, n := range names {
		if !slices.ContainsFunc(candidates, func(c placement.Cluster) bool { return c.Name == n }) {
			out = append(out, n)
		}
	}
	return out
}

// Place resolves where fed, a federated object of type info, goes among the
// candidate clusters: its placement, limited for a namespaced type to the clusters
// its namespace's FederatedNamespace places the namespace on. It fails with a
// *PlacementError when the user must change something. In a control plane of
// scope Namespaced (namespacedScope) a namespace without a FederatedNamespace does
// not limit placement, as in KubeFed: that namespace exists in every member.
//
// The sync controller propagates to what Place returns and kubefedctl status
// explains it: both must call this, never a copy of it.
func Place(ctx context.Context, host client.Reader, info fedtype.Info, fed fedtype.Federated, candidates []placement.Cluster, namespacedScope bool) (Placement, error) {
	own, err := placement.Resolve(fed.Placement(), candidates)
	if err != nil {
		return Placement{}, &PlacementError{status.ReasonComputePlacementFailed, err}
	}
	p := Placement{Clusters: own, Own: own}
	if !info.Target.Namespaced {
		return p, nil
	}
	ns := fed.GetNamespace()
	fns := &unstructured.Unstructured{}
	fns.SetGroupVersionKind(info.Federated.GroupVersion().WithKind("FederatedNamespace"))
	err = host.Get(ctx, client.ObjectKey{Namespace: ns, Name: ns}, fns)
	switch {
	case meta.IsNoMatchError(err):
		// No FederatedNamespace type in this host: namespaces are not federated,
		// so they do not limit placement.
		return p, nil
	case apierrors.IsNotFound(err) && namespacedScope:
		return p, nil
	case apierrors.IsNotFound(err):
		p.Clusters, p.Namespace = nil, &NamespacePlacement{Name: ns}
		return p, &PlacementError{ReasonNamespaceNotFederated, fmt.Errorf(
			"namespace %s has no FederatedNamespace %s, so objects in it are placed on no cluster; create one to place the namespace", ns, ns)}
	case err != nil:
		return Placement{}, fmt.Errorf("get FederatedNamespace %s: %w", ns, err)
	}
	var nsPlacement fedv1beta1.Placement
	if raw, found, _ := unstructured.NestedMap(fns.Object, "spec", "placement"); found {
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(raw, &nsPlacement); err != nil {
			return Placement{}, &PlacementError{status.ReasonComputePlacementFailed, fmt.Errorf("placement of FederatedNamespace %s: %w", ns, err)}
		}
	}
	nsPlaced, err := placement.Resolve(&nsPlacement, candidates)
	if err != nil {
		return Placement{}, &PlacementError{status.ReasonComputePlacementFailed, fmt.Errorf("placement of FederatedNamespace %s: %w", ns, err)}
	}
	p.Namespace = &NamespacePlacement{Name: ns, Federated: true, Clusters: nsPlaced}
	// A name that is not joined stays, so that it is reported rather than lost
	// in the intersection; once, when the namespace names it too.
	p.Clusters = slices.Compact(slices.Sorted(slices.Values(append(placement.Intersect(own, nsPlaced), unjoined(own, candidates)...))))
	return p, nil
}
