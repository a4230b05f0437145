package health

import (
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
)

func TestReadyCondition(t *testing.T) {
	entry := func(name string, h fedv1beta1.Health) fedv1beta1.GenericClusterStatus {
		return fedv1beta1.GenericClusterStatus{Name: name, Health: h}
	}
	stale := fedv1beta1.GenericClusterStatus{Name: "m2", Status: fedv1beta1.ClusterNotReady, Health: Unknown, Stale: true}
	for _, tc := range []struct {
		name         string
		clusters     []fedv1beta1.GenericClusterStatus
		conditions   []metav1.Condition
		status       metav1.ConditionStatus
		reason, text string
	}{
		{"every cluster ready", []fedv1beta1.GenericClusterStatus{entry("m1", Ready), entry("m2", Ready)}, nil,
			metav1.ConditionTrue, ReasonClustersReady, "ready in 2 cluster(s)"},
		{"placed nowhere", nil, nil, metav1.ConditionTrue, ReasonNoClustersPlaced, "the placement selects no cluster"},
		{"placement failed", nil, []metav1.Condition{{Type: fedv1beta1.ConditionPropagation, Status: metav1.ConditionFalse, Reason: "NamespaceNotFederated", Message: "no FederatedNamespace"}},
			metav1.ConditionFalse, "NamespaceNotFederated", "no FederatedNamespace"},
		{"degraded first, then progressing", []fedv1beta1.GenericClusterStatus{entry("m1", Progressing), entry("m2", Ready), entry("m3", Degraded)}, nil,
			metav1.ConditionFalse, ReasonClustersDegraded, "not ready in 2 of 3 cluster(s): m3 Degraded, m1 Progressing"},
		{"progressing", []fedv1beta1.GenericClusterStatus{entry("m1", Progressing), entry("m2", Ready)}, nil,
			metav1.ConditionFalse, ReasonClustersProgressing, "not ready in 1 of 2 cluster(s): m1 Progressing"},
		{"stale", []fedv1beta1.GenericClusterStatus{entry("m1", Ready), stale}, nil,
			metav1.ConditionFalse, ReasonClustersNotReady, "not ready in 1 of 2 cluster(s): m2 Unknown (stale, ClusterNotReady)"},
		{"running, but not updated", []fedv1beta1.GenericClusterStatus{{Name: "m1", Status: fedv1beta1.UpdateFailed, Health: Ready}}, nil,
			metav1.ConditionFalse, ReasonClustersNotReady, "not ready in 1 of 1 cluster(s): m1 Ready (UpdateFailed)"},
		{"nothing observed", []fedv1beta1.GenericClusterStatus{stale, {Name: "m1", Status: fedv1beta1.CreationFailed, Health: Unknown}}, nil,
			metav1.ConditionUnknown, ReasonNotObserved, "not ready in 2 of 2 cluster(s): m1 Unknown (CreationFailed), m2 Unknown (stale, ClusterNotReady)"},
		{"many", []fedv1beta1.GenericClusterStatus{entry("a", Degraded), entry("b", Degraded), entry("c", Progressing), entry("d", Progressing), entry("e", Progressing), entry("f", Ready)}, nil,
			metav1.ConditionFalse, ReasonClustersDegraded, "not ready in 5 of 6 cluster(s): a Degraded, b Degraded, c Progressing, and 2 more"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := &fedv1beta1.GenericFederatedStatus{Clusters: tc.clusters, Conditions: tc.conditions}
			got := ReadyCondition(st, 3)
			if got.Type != fedv1beta1.ConditionReady || got.Status != tc.status || got.Reason != tc.reason || got.Message != tc.text || got.ObservedGeneration != 3 {
				t.Errorf("got %s %s %q (generation %d), want %s %s %q", got.Status, got.Reason, got.Message, got.ObservedGeneration, tc.status, tc.reason, tc.text)
			}
		})
	}
}

func TestSetReady(t *testing.T) {
	st := &fedv1beta1.GenericFederatedStatus{Clusters: []fedv1beta1.GenericClusterStatus{{Name: "m1", Health: Ready}}}
	if !SetReady(st, 1, true) {
		t.Fatal("setting the condition changed nothing")
	}
	if SetReady(st, 1, true) {
		t.Error("setting it again changed the status")
	}
	if c := meta.FindStatusCondition(st.Conditions, fedv1beta1.ConditionReady); c == nil || c.Status != metav1.ConditionTrue {
		t.Errorf("conditions %+v", st.Conditions)
	}
	if !SetReady(st, 1, false) || len(st.Conditions) != 0 {
		t.Errorf("without collection the condition stays: %+v", st.Conditions)
	}
}
