package schedule

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	schedulingv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/scheduling/v1alpha1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/cluster"
	"github.com/kubefed-gen/kubefed/runtime/fedtype"
	"github.com/kubefed-gen/kubefed/runtime/placement"
	"github.com/kubefed-gen/kubefed/runtime/propagation"
	"github.com/kubefed-gen/kubefed/runtime/scheduling"
)

// ConditionScheduled says whether the preference's plan is in its federated
// object.
const ConditionScheduled = "Scheduled"

// Reasons of the Scheduled condition.
const (
	// ReasonScheduled: the plan is written (True).
	ReasonScheduled = "Scheduled"
	// ReasonNoReplicas: totalReplicas is 0, so every cluster is given 0 replicas (True).
	ReasonNoReplicas = "NoReplicas"
	// ReasonUnknownTargetKind: targetKind is no federated type of this manager.
	ReasonUnknownTargetKind = "UnknownTargetKind"
	// ReasonKindNotScalable: targetKind's target has no spec.replicas.
	ReasonKindNotScalable = "KindNotScalable"
	// ReasonTargetNotFound: no federated object of targetKind has the preference's name.
	ReasonTargetNotFound = "TargetNotFound"
	// ReasonNamespaceNotFederated: the namespace has no FederatedNamespace.
	ReasonNamespaceNotFederated = propagation.ReasonNamespaceNotFederated
	// ReasonNoClusters: no ready cluster may take the workload.
	ReasonNoClusters = "NoClusters"
	// ReasonPlacementFailed: the federated object's clusterSelector is invalid.
	ReasonPlacementFailed = "PlacementFailed"
	// ReasonInvalidPreference: the planner refused the preference.
	ReasonInvalidPreference = "InvalidPreference"
)

// replicasPath is the override the plan is written as, KubeFed's.
const replicasPath = "/spec/replicas"

// conflictRetry is how soon a reconcile that lost a write race runs again.
const conflictRetry = 100 * time.Millisecond

// outcome is what one scheduling pass found; it becomes the preference's status.
type outcome struct {
	condition metav1.Condition
	clusters  []schedulingv1alpha1.ClusterReplicas
	// recheck is when pods still below the unschedulable threshold cross it.
	recheck time.Duration
}

func failed(reason, format string, args ...any) outcome {
	return outcome{condition: metav1.Condition{Type: ConditionScheduled, Status: metav1.ConditionFalse, Reason: reason, Message: fmt.Sprintf(format, args...)}}
}

// Reconcile schedules one ReplicaSchedulingPreference.
func (r *reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	log := ctrl.LoggerFrom(ctx).WithValues("replicaschedulingpreference", req.String())
	ctx = ctrl.LoggerInto(ctx, log)
	if err := r.clusters.WaitLoaded(ctx); err != nil {
		return ctrl.Result{}, err
	}
	var rsp schedulingv1alpha1.ReplicaSchedulingPreference
	if err := r.host.Get(ctx, req.NamespacedName, &rsp); err != nil {
		// A deleted preference leaves its federated object as last scheduled,
		// as in KubeFed.
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	out, err := r.schedule(ctx, &rsp)
	if errors.Is(err, errConflict) {
		log.V(1).Info("federated object changed while scheduling; retrying")
		return ctrl.Result{RequeueAfter: conflictRetry}, nil
	}
	if err != nil {
		return ctrl.Result{}, err
	}
	if err := r.writeStatus(ctx, &rsp, out); err != nil {
		return ctrl.Result{}, err
	}
	return ctrl.Result{RequeueAfter: out.recheck}, nil
}

// schedule plans rsp's workload and writes the plan into its federated object.
func (r *reconciler) schedule(ctx context.Context, rsp *schedulingv1alpha1.ReplicaSchedulingPreference) (outcome, error) {
	kind := rsp.Spec.TargetKind
	t, ok := r.types[kind]
	if !ok {
		return failed(ReasonUnknownTargetKind, "targetKind %q is not a federated type of this controller manager; it schedules %s", kind, r.scalableKinds()), nil
	}
	info := t.TypeInfo()
	if !info.Scalable {
		return failed(ReasonKindNotScalable, "%s cannot be scheduled: its target %s has no spec.replicas; scalable kinds: %s", kind, info.Target.Kind, r.scalableKinds()), nil
	}
	obj := t.NewFederatedObject()
	key := types.NamespacedName{Namespace: rsp.Namespace, Name: rsp.Name}
	if err := r.host.Get(ctx, key, obj); apierrors.IsNotFound(err) {
		return failed(ReasonTargetNotFound, "%s %s does not exist", kind, key), nil
	} else if err != nil {
		return outcome{}, fmt.Errorf("get %s %s: %w", kind, key, err)
	}
	if obj.GetDeletionTimestamp() != nil {
		return failed(ReasonTargetNotFound, "%s %s is being deleted", kind, key), nil
	}
	fed, err := t.AsFederated(obj)
	if err != nil {
		return outcome{}, err
	}

	ready := readyMembers(r.clusters.Members())
	clusters, out, err := r.candidates(ctx, rsp, info, fed, ready)
	if err != nil {
		return outcome{}, err
	}
	if out != nil {
		return *out, nil
	}

	members := map[string]*cluster.Member{}
	for _, m := range ready {
		members[m.Name] = m
	}
	current, capacity := map[string]int64{}, map[string]int64{}
	var recheck time.Duration
	for _, name := range clusters {
		state, err := r.observe(ctx, members[name], t, key)
		if err != nil {
			return outcome{}, fmt.Errorf("cluster %s: %w", name, err)
		}
		if !state.found {
			continue
		}
		current[name] = state.ready
		if state.capacity != nil {
			capacity[name] = *state.capacity
		}
		if state.recheck > 0 && (recheck == 0 || state.recheck < recheck) {
			recheck = state.recheck
		}
	}

	plan, overflow, err := scheduling.Plan(Effective(rsp.Spec), clusters, current, capacity, key.String())
	if err != nil {
		return failed(ReasonInvalidPreference, "cannot plan: %v", err), nil
	}
	replicas := make(map[string]int64, len(plan))
	for name, n := range plan {
		replicas[name] = n + overflow[name]
	}
	if err := r.write(ctx, obj, fed, replicas); err != nil {
		return outcome{}, err
	}

	res := outcome{recheck: recheck, condition: metav1.Condition{Type: ConditionScheduled, Status: metav1.ConditionTrue, Reason: ReasonScheduled}}
	var parts []string
	for _, name := range clusters {
		entry := schedulingv1alpha1.ClusterReplicas{Name: name, PlannedReplicas: plan[name], OverflowReplicas: overflow[name]}
		if n, ok := current[name]; ok {
			entry.CurrentReplicas = &n
		}
		res.clusters = append(res.clusters, entry)
		part := fmt.Sprintf("%s %d", name, plan[name])
		if overflow[name] > 0 {
			part += fmt.Sprintf(" (+%d overflow)", overflow[name])
		}
		parts = append(parts, part)
	}
	res.condition.Message = fmt.Sprintf("%d replicas planned: %s", rsp.Spec.TotalReplicas, strings.Join(parts, ", "))
	if rsp.Spec.TotalReplicas == 0 {
		res.condition.Reason = ReasonNoReplicas
		res.condition.Message = "totalReplicas is 0: every cluster is given 0 replicas (" + strings.Join(clusters, ", ") + ")"
	}
	if unknown := unjoined(rsp.Spec, r.clusters.Members()); len(unknown) > 0 {
		// Ignored, as in KubeFed, but said: it is most likely a typo.
		res.condition.Message += "; ignored, not joined: " + strings.Join(unknown, ", ")
	}
	return res, nil
}

// unjoined are the clusters spec has preferences for that are not joined, sorted.
func unjoined(spec schedulingv1alpha1.ReplicaSchedulingPreferenceSpec, members []*cluster.Member) []string {
	var out []string
	for name := range spec.Clusters {
		if name != schedulingv1alpha1.AllClusters && !slices.ContainsFunc(members, func(m *cluster.Member) bool { return m.Name == name }) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// Effective is the spec the planner is given: without cluster preferences every
// cluster has weight 1, as in KubeFed.
func Effective(spec schedulingv1alpha1.ReplicaSchedulingPreferenceSpec) schedulingv1alpha1.ReplicaSchedulingPreferenceSpec {
	if len(spec.Clusters) == 0 {
		spec.Clusters = map[string]schedulingv1alpha1.ClusterPreferences{schedulingv1alpha1.AllClusters: {Weight: 1}}
	}
	return spec
}

func (r *reconciler) scalableKinds() string {
	var kinds []string
	for _, t := range r.scalable() {
		kinds = append(kinds, t.TypeInfo().Federated.Kind)
	}
	if len(kinds) == 0 {
		return "no kind (none of its types has spec.replicas)"
	}
	return strings.Join(kinds, ", ")
}

// readyMembers are the members that take replicas: ready and answering.
func readyMembers(members []*cluster.Member) []*cluster.Member {
	var out []*cluster.Member
	for _, m := range members {
		if m.Ready() && m.Unresponsive() == nil && m.Client != nil {
			out = append(out, m)
		}
	}
	return out
}

// candidates returns the clusters the workload may be scheduled on, sorted, or
// the outcome saying why there are none.
func (r *reconciler) candidates(ctx context.Context, rsp *schedulingv1alpha1.ReplicaSchedulingPreference, info fedtype.Info, fed fedtype.Federated, ready []*cluster.Member) ([]string, *outcome, error) {
	if len(ready) == 0 {
		o := failed(ReasonNoClusters, "no member cluster is ready")
		return nil, &o, nil
	}
	// Every ready cluster, or those the object's selector picks; Place then
	// limits a namespaced workload to its namespace's clusters.
	p := fedv1beta1.Placement{ClusterSelector: &metav1.LabelSelector{}}
	if rsp.Spec.IntersectWithClusterSelector {
		p.ClusterSelector = fed.Placement().ClusterSelector
	}
	cands := make([]placement.Cluster, 0, len(ready))
	for _, m := range ready {
		cands = append(cands, placement.Cluster{Name: m.Name, Labels: m.Labels})
	}
	placed, err := propagation.Place(ctx, r.host, info, withPlacement{fed, &p}, cands, r.opts.NamespacedScope)
	if perr := (*propagation.PlacementError)(nil); errors.As(err, &perr) {
		reason := ReasonPlacementFailed
		if perr.Reason == propagation.ReasonNamespaceNotFederated {
			reason = ReasonNamespaceNotFederated
		}
		o := failed(reason, "%s", perr.Error())
		return nil, &o, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if len(placed.Clusters) == 0 {
		var why []string
		if rsp.Spec.IntersectWithClusterSelector {
			if p.ClusterSelector == nil {
				why = append(why, "intersectWithClusterSelector is set but the federated object has no spec.placement.clusterSelector")
			} else {
				why = append(why, fmt.Sprintf("the federated object's clusterSelector %q selects none of them", metav1.FormatLabelSelector(p.ClusterSelector)))
			}
		}
		if ns := placed.Namespace; ns != nil && len(placed.Own) > 0 {
			why = append(why, fmt.Sprintf("FederatedNamespace %s places the namespace on none of them", ns.Name))
		}
		o := failed(ReasonNoClusters, "no ready cluster may take the workload (ready: %s): %s", names(ready), strings.Join(why, "; "))
		return nil, &o, nil
	}
	return placed.Clusters, nil, nil
}

func names(members []*cluster.Member) string {
	var out []string
	for _, m := range members {
		out = append(out, m.Name)
	}
	return strings.Join(out, ", ")
}

// withPlacement is fed with another placement.
type withPlacement struct {
	fedtype.Federated
	placement *fedv1beta1.Placement
}

func (w withPlacement) Placement() *fedv1beta1.Placement { return w.placement }

// memberState is what the controller knows of the workload in one member.
type memberState struct {
	found bool
	ready int64
	// capacity is set when pods are unschedulable.
	capacity *int64
	// recheck is when the next unschedulable pod crosses the threshold.
	recheck time.Duration
}

// observe reads the workload in member m from the member's cache: its ready
// replicas and, when some are not ready, its pods that cannot be scheduled.
func (r *reconciler) observe(ctx context.Context, m *cluster.Member, t fedtype.Descriptor, key types.NamespacedName) (memberState, error) {
	ctx, cancel := context.WithTimeout(ctx, m.RequestTimeout())
	defer cancel()
	obj := t.NewTargetObject()
	if err := m.Client.Get(ctx, key, obj); apierrors.IsNotFound(err) {
		return memberState{}, nil
	} else if err != nil {
		return memberState{}, fmt.Errorf("get %s %s: %w", t.TypeInfo().Target.Kind, key, err)
	}
	content, err := asMap(obj)
	if err != nil {
		return memberState{}, err
	}
	st := memberState{found: true}
	replicas, _ := integer(content, "spec", "replicas")
	st.ready, _ = integer(content, "status", "readyReplicas")
	if st.ready >= replicas {
		return st, nil
	}
	raw, ok, _ := unstructured.NestedMap(content, "spec", "selector")
	if !ok {
		return st, nil
	}
	var ls metav1.LabelSelector
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(raw, &ls); err != nil {
		return st, nil
	}
	selector, err := metav1.LabelSelectorAsSelector(&ls)
	if err != nil || selector.Empty() {
		return st, nil
	}
	var pods corev1.PodList
	if err := m.Client.List(ctx, &pods, client.InNamespace(key.Namespace), client.MatchingLabelsSelector{Selector: selector}); err != nil {
		return memberState{}, fmt.Errorf("list pods of %s %s: %w", t.TypeInfo().Target.Kind, key, err)
	}
	unschedulable, recheck := r.unschedulable(pods.Items)
	if unschedulable > 0 {
		st.capacity = new(max(0, replicas-unschedulable))
	}
	st.recheck = recheck
	return st, nil
}

// unschedulable counts the pods that have been unschedulable for longer than
// the threshold, and says when the next of the others crosses it, as KubeFed's
// pod analysis does.
func (r *reconciler) unschedulable(pods []corev1.Pod) (int64, time.Duration) {
	now := r.now()
	var n int64
	var recheck time.Duration
	for _, p := range pods {
		if p.DeletionTimestamp != nil || p.Status.Phase == corev1.PodRunning {
			continue
		}
		for _, c := range p.Status.Conditions {
			if c.Type != corev1.PodScheduled || c.Status != corev1.ConditionFalse || c.Reason != corev1.PodReasonUnschedulable {
				continue
			}
			since := now.Sub(c.LastTransitionTime.Time)
			if since > r.opts.UnschedulableThreshold {
				n++
			} else if wait := r.opts.UnschedulableThreshold - since + time.Second; recheck == 0 || wait < recheck {
				recheck = wait
			}
		}
	}
	return n, recheck
}

func asMap(obj client.Object) (map[string]any, error) {
	if u, ok := obj.(*unstructured.Unstructured); ok {
		return u.Object, nil
	}
	return runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
}

// integer reads a whole number at path, whatever its Go type after decoding.
func integer(obj map[string]any, path ...string) (int64, bool) {
	v, ok, _ := unstructured.NestedFieldNoCopy(obj, path...)
	if !ok {
		return 0, false
	}
	switch n := v.(type) {
	case int64:
		return n, true
	case int32:
		return int64(n), true
	case int:
		return int64(n), true
	case float64:
		return int64(n), true
	}
	return 0, false
}

// write makes replicas the federated object's placement and /spec/replicas
// overrides, keeping every other override. It patches only spec.placement.clusters
// and spec.overrides, and only when they change; the object's resourceVersion
// makes the patch fail rather than overwrite a change it has not seen.
func (r *reconciler) write(ctx context.Context, obj client.Object, fed fedtype.Federated, replicas map[string]int64) error {
	want := slices.Sorted(maps.Keys(replicas))
	var have []string
	for _, c := range fed.Placement().Clusters {
		have = append(have, c.Name)
	}
	slices.Sort(have)
	overrides, err := Overrides(fed.ClusterOverrides(), replicas)
	if err != nil {
		return err
	}
	if slices.Equal(have, want) && jsonEqual(fed.ClusterOverrides(), overrides) {
		return nil
	}
	clusters := make([]fedv1beta1.GenericClusterReference, 0, len(want))
	for _, n := range want {
		clusters = append(clusters, fedv1beta1.GenericClusterReference{Name: n})
	}
	patch, err := json.Marshal(map[string]any{
		"metadata": map[string]any{"resourceVersion": obj.GetResourceVersion()},
		"spec": map[string]any{
			"placement": map[string]any{"clusters": clusters},
			"overrides": overrides,
		},
	})
	if err != nil {
		return err
	}
	err = r.host.Patch(ctx, obj, client.RawPatch(types.MergePatchType, patch))
	if apierrors.IsConflict(err) {
		return errConflict
	}
	if err != nil {
		return fmt.Errorf("write the plan into %s %s: %w", obj.GetObjectKind().GroupVersionKind().Kind, client.ObjectKeyFromObject(obj), err)
	}
	ctrl.LoggerFrom(ctx).V(1).Info("scheduled", "replicas", replicas)
	return nil
}

// Overrides returns overrides with a /spec/replicas override of replicas[c] for
// every cluster c of replicas, and none for the other clusters; other overrides
// are kept in their order. As in KubeFed, an existing /spec/replicas override
// has its value replaced, and a cluster without one gets one appended.
func Overrides(overrides []fedv1beta1.GenericOverrideItem, replicas map[string]int64) ([]fedv1beta1.GenericOverrideItem, error) {
	out := make([]fedv1beta1.GenericOverrideItem, 0, len(overrides)+len(replicas))
	done := map[string]bool{}
	for _, item := range overrides {
		item = *item.DeepCopy()
		n, scheduled := replicas[item.ClusterName]
		var kept []fedv1beta1.ClusterOverride
		for _, o := range item.ClusterOverrides {
			if o.Path != replicasPath {
				kept = append(kept, o)
				continue
			}
			if !scheduled || done[item.ClusterName] {
				continue // dropped: the cluster has no plan, or this is a second one
			}
			value, err := replicasValue(n)
			if err != nil {
				return nil, err
			}
			o.Value = value
			if o.Op == fedv1beta1.OverrideOp("remove") {
				o.Op = ""
			}
			kept = append(kept, o)
			done[item.ClusterName] = true
		}
		item.ClusterOverrides = kept
		if len(kept) > 0 {
			out = append(out, item)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(replicas)) {
		if done[name] {
			continue
		}
		value, err := replicasValue(replicas[name])
		if err != nil {
			return nil, err
		}
		o := fedv1beta1.ClusterOverride{Path: replicasPath, Value: value}
		if i := slices.IndexFunc(out, func(item fedv1beta1.GenericOverrideItem) bool { return item.ClusterName == name }); i >= 0 {
			out[i].ClusterOverrides = append(out[i].ClusterOverrides, o)
		} else {
			out = append(out, fedv1beta1.GenericOverrideItem{ClusterName: name, ClusterOverrides: []fedv1beta1.ClusterOverride{o}})
		}
	}
	return out, nil
}

func replicasValue(n int64) (*apiextensionsv1.JSON, error) {
	raw, err := json.Marshal(n)
	if err != nil {
		return nil, err
	}
	return &apiextensionsv1.JSON{Raw: raw}, nil
}

func jsonEqual(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	if errA != nil || errB != nil {
		return false
	}
	var va, vb any
	if json.Unmarshal(ja, &va) != nil || json.Unmarshal(jb, &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}

// writeStatus records out in rsp's status when it differs from what is there, and
// makes an event when the preference starts failing, or fails for another reason.
func (r *reconciler) writeStatus(ctx context.Context, rsp *schedulingv1alpha1.ReplicaSchedulingPreference, out outcome) error {
	before := rsp.DeepCopy()
	prev := meta.FindStatusCondition(rsp.Status.Conditions, ConditionScheduled)
	if out.condition.Status == metav1.ConditionFalse && (prev == nil || prev.Status != metav1.ConditionFalse || prev.Reason != out.condition.Reason) {
		r.recorder.Eventf(rsp, nil, corev1.EventTypeWarning, out.condition.Reason, "Schedule", "%s", out.condition.Message)
	}
	out.condition.ObservedGeneration = rsp.Generation
	meta.SetStatusCondition(&rsp.Status.Conditions, out.condition)
	rsp.Status.ObservedGeneration = rsp.Generation
	rsp.Status.Clusters = out.clusters
	if reflect.DeepEqual(before.Status, rsp.Status) {
		return nil
	}
	if err := r.host.Status().Patch(ctx, rsp, client.MergeFrom(before)); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("write status of ReplicaSchedulingPreference %s: %w", client.ObjectKeyFromObject(rsp), err)
	}
	return nil
}
