package status

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/host"
	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/orphaning"
	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/resolve"
	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/cluster"
	"github.com/kubefed-gen/kubefed/runtime/dispatch"
	"github.com/kubefed-gen/kubefed/runtime/drift"
	"github.com/kubefed-gen/kubefed/runtime/fedtype"
	"github.com/kubefed-gen/kubefed/runtime/placement"
	"github.com/kubefed-gen/kubefed/runtime/propagation"
)

// maxDiffs is how many differing fields are listed per cluster.
const maxDiffs = 10

// gather reads everything about the federated object of the target object
// namespace/name: the object, the KubeFedClusters, placement, and what each
// member cluster holds.
func gather(ctx context.Context, h *host.Host, t *resolve.Type, namespace, name string) (*statusReport, error) {
	fed, err := h.GetFederated(ctx, t, namespace, name)
	if err != nil {
		return nil, err
	}
	r := &statusReport{
		Kind: t.Federated.Kind, APIVersion: t.Federated.GroupVersion().String(),
		Namespace: fed.GetNamespace(), Name: fed.GetName(), Type: t.Name,
		Generation: fed.GetGeneration(), Deleting: fed.GetDeletionTimestamp() != nil,
		Orphaning: orphaning.State(fed.GetAnnotations()), TypePropagation: string(corev1beta1.Enabled),
		typ: t, kubefedNamespace: h.Namespace, kfcs: map[string]*corev1beta1.KubeFedCluster{}, statuses: map[string]fedv1beta1.GenericClusterStatus{},
	}
	if t.Config != nil {
		r.TypeConfig = h.Namespace + "/" + t.Config.Name
		if !t.PropagationEnabled() {
			r.TypePropagation = string(corev1beta1.Disabled)
		}
	}
	if err := r.readSpecAndStatus(fed); err != nil {
		return nil, err
	}
	if choice, err := propagation.UpdateStrategy(t.Federated.Kind, fed, t.Config); err != nil {
		r.UpdateStrategyError = err.Error()
	} else {
		r.UpdateStrategy, r.UpdateStrategySource = string(choice.Strategy), choice.Source
	}
	r.healthCondition = healthCondition(ctx, h, t)

	var kfcs corev1beta1.KubeFedClusterList
	if err := h.Client.List(ctx, &kfcs, client.InNamespace(h.Namespace)); err != nil {
		return nil, fmt.Errorf("list KubeFedClusters in %s: %w", h.Namespace, err)
	}
	candidates := make([]placement.Cluster, 0, len(kfcs.Items))
	for i := range kfcs.Items {
		kfc := &kfcs.Items[i]
		r.kfcs[kfc.Name] = kfc
		candidates = append(candidates, placement.Cluster{Name: kfc.Name, Labels: kfc.Labels})
	}
	if err := r.place(ctx, h, candidates); err != nil {
		return nil, err
	}
	if err := r.readScheduling(ctx, h); err != nil {
		return nil, err
	}
	if err := r.readDNS(ctx, h); err != nil {
		return nil, err
	}

	names := slices.Clone(r.placed.Clusters)
	for n := range r.kfcs {
		names = append(names, n)
	}
	sort.Strings(names)
	names = slices.Compact(names)
	r.Clusters = make([]clusterReport, len(names))
	var wg sync.WaitGroup
	for i, n := range names {
		c := &r.Clusters[i]
		c.Name = n
		r.placeCluster(c)
		wg.Go(func() { r.inspectMember(ctx, h, c) })
	}
	wg.Wait()
	r.readHealth()
	return r, nil
}

func (r *statusReport) readSpecAndStatus(fed *unstructured.Unstructured) error {
	var err error
	if r.fed, err = fedtype.NewUnstructured(fed); err != nil {
		return err
	}
	st := r.fed.FederatedStatus()
	r.ObservedGeneration = st.ObservedGeneration
	r.StatusStale = st.ObservedGeneration < r.Generation
	r.Propagation = meta.FindStatusCondition(st.Conditions, fedv1beta1.ConditionPropagation)
	r.Ready = meta.FindStatusCondition(st.Conditions, fedv1beta1.ConditionReady)
	for _, c := range st.Clusters {
		r.statuses[c.Name] = c
	}
	return nil
}

// healthCondition is the condition of t's target that its Federated CRD names
// as meaning healthy (kubefed-gen's healthConditions, which the compiled
// controller gets from the same generated code); empty when the CRD names
// none, cannot be read, or the type is propagated dynamically, which judges
// by the kind's rule.
func healthCondition(ctx context.Context, h *host.Host, t *resolve.Type) string {
	if t.Config != nil {
		if c := meta.FindStatusCondition(t.Config.Status.Conditions, corev1beta1.TypeConfigPropagating); c != nil && c.Reason == corev1beta1.ReasonDynamic {
			return ""
		}
	}
	crd := &metav1.PartialObjectMetadata{}
	crd.SetGroupVersionKind(apiextensionsv1.SchemeGroupVersion.WithKind("CustomResourceDefinition"))
	if err := h.Client.Get(ctx, client.ObjectKey{Name: t.FederatedCRDName()}, crd); err != nil {
		return ""
	}
	return crd.GetAnnotations()[fedv1beta1.HealthConditionAnnotation]
}

func describePlacement(p *fedv1beta1.Placement) string {
	switch {
	case len(p.Clusters) > 0:
		var names []string
		for _, c := range p.Clusters {
			names = append(names, c.Name)
		}
		return "clusters " + strings.Join(names, ", ")
	case p.ClusterSelector == nil:
		return "none: neither clusters nor clusterSelector is set, so no cluster is selected"
	case len(p.ClusterSelector.MatchLabels) == 0 && len(p.ClusterSelector.MatchExpressions) == 0:
		return "clusterSelector {} (every cluster)"
	}
	return "clusterSelector " + metav1.FormatLabelSelector(p.ClusterSelector)
}

// placeCluster fills what the host knows of cluster c.
func (r *statusReport) placeCluster(c *clusterReport) {
	if kfc, ok := r.kfcs[c.Name]; ok {
		c.Joined = true
		c.Ready = string(metav1.ConditionUnknown)
		if cond := meta.FindStatusCondition(kfc.Status.Conditions, corev1beta1.ClusterReady); cond != nil {
			c.Ready, c.ReadyMessage = string(cond.Status), cond.Message
		}
	}
	ns := r.placed.Namespace
	switch {
	case slices.Contains(r.placed.Clusters, c.Name):
		c.Placed = true
	case !slices.Contains(r.placed.Own, c.Name):
		c.NotPlacedReason = notInPlacement
	case ns != nil && !ns.Federated:
		c.NotPlacedReason = namespaceNotFederated
	default:
		c.NotPlacedReason = namespaceNotPlaced
	}
	if st, ok := r.statuses[c.Name]; ok {
		c.Status, c.Message = string(st.Status), st.Message
		if st.Status == fedv1beta1.ClusterPropagationOK {
			c.Status = statusOK
		}
	}
}

// inspectMember reads the object from the member with the controller's
// credentials and compares it with the desired object.
func (r *statusReport) inspectMember(ctx context.Context, h *host.Host, c *clusterReport) {
	c.Present = presentUnknown
	var want client.Object
	if c.Placed {
		var err error
		if want, err = r.desired(c.Name); err != nil {
			c.DesiredError = err.Error()
		}
	}
	kfc, ok := r.kfcs[c.Name]
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cfg, err := cluster.MemberConfig(ctx, h.Client, kfc)
	if err != nil {
		c.MemberError = err.Error()
		return
	}
	cfg.UserAgent, cfg.Timeout = "kubefedctl", 5*time.Second
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		c.MemberError = err.Error()
		return
	}
	key := r.memberKey()
	res := dyn.Resource(r.typ.Target.GroupVersionResource())
	var rc dynamic.ResourceInterface = res
	if r.typ.Target.Namespaced {
		rc = res.Namespace(key.Namespace)
	}
	actual, err := rc.Get(ctx, key.Name, metav1.GetOptions{})
	var status apierrors.APIStatus
	switch {
	case apierrors.IsNotFound(err):
		c.Present = presentNo
		return
	case err != nil && !errors.As(err, &status):
		c.Present, c.MemberError = presentUnreachable, err.Error()
		return
	case err != nil:
		c.MemberError = err.Error()
		return
	}
	c.Present = presentYes
	c.setLiveHealth(actual, r.healthCondition)
	managed := actual.GetLabels()[fedv1beta1.ManagedLabel] == "true"
	c.Managed = &managed
	if c.OtherManagers, err = dispatch.OtherManagers(actual); err != nil {
		c.MemberError = err.Error()
	}
	if want == nil {
		return
	}
	diffs, err := drift.Diff(want, actual)
	if err != nil {
		c.MemberError = err.Error()
		return
	}
	inSync := len(diffs) == 0
	c.InSync = &inSync
	if len(diffs) > maxDiffs {
		c.MoreDifferences = len(diffs) - maxDiffs
		diffs = diffs[:maxDiffs]
	}
	c.Differences = diffs
}

// memberKey is the target object's key in member clusters.
func (r *statusReport) memberKey() client.ObjectKey {
	if r.typ.Target.Namespaced {
		return client.ObjectKey{Namespace: r.fed.GetNamespace(), Name: r.fed.GetName()}
	}
	return client.ObjectKey{Name: r.fed.GetName()}
}
