package schedule

import (
	"testing"

	"k8s.io/utils/ptr"

	schedulingv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/scheduling/v1alpha1"
)

func TestExplain(t *testing.T) {
	spec := schedulingv1alpha1.ReplicaSchedulingPreferenceSpec{
		TotalReplicas: 9,
		Clusters: map[string]schedulingv1alpha1.ClusterPreferences{
			"a": {Weight: 2, MinReplicas: 3},
			"*": {Weight: 1, MaxReplicas: ptr.To[int64](2)},
		},
	}
	planned := []schedulingv1alpha1.ClusterReplicas{
		{Name: "a", PlannedReplicas: 7, CurrentReplicas: ptr.To[int64](7)},
		{Name: "b", PlannedReplicas: 2},
		{Name: "c", PlannedReplicas: 0, OverflowReplicas: 2},
	}
	want := []string{
		`clusters["a"]: weight 2 of 4, min 3, rebalance off: running replicas stay where they are`,
		`clusters["*"]: weight 1 of 4, max 2 (reached)`,
		`clusters["*"]: weight 1 of 4, max 2, capacity 0 (pods unschedulable): 2 more would be its share, overflow kept pending there (2 replicas written)`,
	}
	for i, e := range planned {
		if got := Explain(spec, planned, e); got != want[i] {
			t.Errorf("%s:\n got %s\nwant %s", e.Name, got, want[i])
		}
	}
	delete(spec.Clusters, "*")
	if got := Explain(spec, planned, planned[1]); got != `no preference: neither "b" nor "*" is in spec.clusters` {
		t.Errorf("b without \"*\": %s", got)
	}
	if got := Explain(schedulingv1alpha1.ReplicaSchedulingPreferenceSpec{Rebalance: true}, planned, planned[0]); got != `clusters["*"]: weight 1 of 3` {
		t.Errorf("no preferences at all: %s", got)
	}
}
