package scheduling_test

import (
	"fmt"
	"maps"
	"slices"

	schedulingv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/scheduling/v1alpha1"
	"github.com/kubefed-gen/kubefed/runtime/scheduling"
)

// Ten replicas by weight 2:3, at least one everywhere and at most two in the
// "edge" cluster; "eu" has room for two pods only.
func ExamplePlan() {
	maxEdge := int64(2)
	spec := schedulingv1alpha1.ReplicaSchedulingPreferenceSpec{
		TargetKind:    "FederatedDeployment",
		TotalReplicas: 10,
		Rebalance:     true,
		Clusters: map[string]schedulingv1alpha1.ClusterPreferences{
			"eu":   {Weight: 2},
			"us":   {Weight: 3},
			"*":    {MinReplicas: 1, Weight: 1},
			"edge": {MinReplicas: 1, MaxReplicas: &maxEdge, Weight: 1},
		},
	}
	clusters := []string{"eu", "us", "edge", "lab"}
	capacity := map[string]int64{"eu": 2}

	plan, overflow, err := scheduling.Plan(spec, clusters, nil, capacity, "shop/web")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range slices.Sorted(maps.Keys(plan)) {
		fmt.Printf("%s: %d", c, plan[c])
		if n := overflow[c]; n > 0 {
			fmt.Printf(" (%d more if it had room)", n)
		}
		fmt.Println()
	}
	// Output:
	// edge: 2
	// eu: 2 (1 more if it had room)
	// lab: 2
	// us: 4
}
