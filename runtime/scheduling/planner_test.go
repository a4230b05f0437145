package scheduling

import (
	"maps"
	"math"
	"strings"
	"testing"

	schedulingv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/scheduling/v1alpha1"
)

type prefs = map[string]schedulingv1alpha1.ClusterPreferences

type counts = map[string]int64

func ptr(n int64) *int64 { return &n }

// planCase is one call of Plan. A nil wantOverflow means an empty overflow.
type planCase struct {
	name      string
	prefs     prefs
	total     int32
	rebalance bool
	clusters  []string
	current   counts
	capacity  counts
	key       string

	want         counts
	wantOverflow counts
}

// kubeFedCases are the cases of KubeFed v0.10.0's planner tests
// (pkg/controller/util/planner/planner_test.go), in its order, with its inputs and
// its expected results. Its TestEqual, TestMin, TestMax and TestWeight call the
// planner without current replicas or capacity, TestEqualWithExisting with
// current replicas, all three with rebalance false and an empty key.
var kubeFedCases = []planCase{
	// TestEqual
	{name: "Equal/50 over 3 (hash dependent)", prefs: prefs{"*": {Weight: 1}}, total: 50, clusters: []string{"A", "B", "C"},
		want: counts{"A": 16, "B": 17, "C": 17}},
	{name: "Equal/50 over 2", prefs: prefs{"*": {Weight: 1}}, total: 50, clusters: []string{"A", "B"},
		want: counts{"A": 25, "B": 25}},
	{name: "Equal/1 over 2 (hash dependent)", prefs: prefs{"*": {Weight: 1}}, total: 1, clusters: []string{"A", "B"},
		want: counts{"A": 0, "B": 1}},
	{name: "Equal/1 over 4 (hash dependent)", prefs: prefs{"*": {Weight: 1}}, total: 1, clusters: []string{"A", "B", "C", "D"},
		want: counts{"A": 0, "B": 0, "C": 0, "D": 1}},
	{name: "Equal/1 over 1", prefs: prefs{"*": {Weight: 1}}, total: 1, clusters: []string{"A"},
		want: counts{"A": 1}},
	{name: "Equal/1 over none", prefs: prefs{"*": {Weight: 1}}, total: 1, clusters: []string{},
		want: counts{}},

	// TestEqualWithExisting
	{name: "EqualWithExisting/C runs 30", prefs: prefs{"*": {Weight: 1}}, total: 50, clusters: []string{"A", "B", "C"},
		current: counts{"C": 30}, want: counts{"A": 10, "B": 10, "C": 30}},
	{name: "EqualWithExisting/A runs 30", prefs: prefs{"*": {Weight: 1}}, total: 50, clusters: []string{"A", "B"},
		current: counts{"A": 30}, want: counts{"A": 30, "B": 20}},
	{name: "EqualWithExisting/15, A runs 0 B 8", prefs: prefs{"*": {Weight: 1}}, total: 15, clusters: []string{"A", "B"},
		current: counts{"A": 0, "B": 8}, want: counts{"A": 7, "B": 8}},
	{name: "EqualWithExisting/15, A runs 1 B 8", prefs: prefs{"*": {Weight: 1}}, total: 15, clusters: []string{"A", "B"},
		current: counts{"A": 1, "B": 8}, want: counts{"A": 7, "B": 8}},
	{name: "EqualWithExisting/15, A runs 4 B 8", prefs: prefs{"*": {Weight: 1}}, total: 15, clusters: []string{"A", "B"},
		current: counts{"A": 4, "B": 8}, want: counts{"A": 7, "B": 8}},
	{name: "EqualWithExisting/15, A runs 5 B 8", prefs: prefs{"*": {Weight: 1}}, total: 15, clusters: []string{"A", "B"},
		current: counts{"A": 5, "B": 8}, want: counts{"A": 7, "B": 8}},
	{name: "EqualWithExisting/15, A runs 6 B 8", prefs: prefs{"*": {Weight: 1}}, total: 15, clusters: []string{"A", "B"},
		current: counts{"A": 6, "B": 8}, want: counts{"A": 7, "B": 8}},
	{name: "EqualWithExisting/15, A runs 7 B 8", prefs: prefs{"*": {Weight: 1}}, total: 15, clusters: []string{"A", "B"},
		current: counts{"A": 7, "B": 8}, want: counts{"A": 7, "B": 8}},
	{name: "EqualWithExisting/500000, A runs 300000", prefs: prefs{"*": {Weight: 1}}, total: 500000, clusters: []string{"A", "B"},
		current: counts{"A": 300000}, want: counts{"A": 300000, "B": 200000}},
	{name: "EqualWithExisting/A runs 10", prefs: prefs{"*": {Weight: 1}}, total: 50, clusters: []string{"A", "B"},
		current: counts{"A": 10}, want: counts{"A": 25, "B": 25}},
	// KubeFed marks this result wrong (should be A:10 B:40, kubernetes issue
	// 31816) and keeps it; so do we. See the package documentation.
	{name: "EqualWithExisting/A runs 10 B 70 (hash dependent)", prefs: prefs{"*": {Weight: 1}}, total: 50, clusters: []string{"A", "B"},
		current: counts{"A": 10, "B": 70}, want: counts{"A": 0, "B": 50}},
	{name: "EqualWithExisting/1, A runs 30", prefs: prefs{"*": {Weight: 1}}, total: 1, clusters: []string{"A", "B"},
		current: counts{"A": 30}, want: counts{"A": 1, "B": 0}},
	{name: "EqualWithExisting/A runs 10 B 20", prefs: prefs{"*": {Weight: 1}}, total: 50, clusters: []string{"A", "B"},
		current: counts{"A": 10, "B": 20}, want: counts{"A": 25, "B": 25}},

	// TestWithExistingAndCapacity
	{name: "WithExistingAndCapacity/C holds 10", prefs: prefs{"*": {Weight: 1}}, total: 50, rebalance: true, clusters: []string{"A", "B", "C"},
		current: counts{}, capacity: counts{"C": 10},
		want: counts{"A": 20, "B": 20, "C": 10}, wantOverflow: counts{"C": 7}},
	{name: "WithExistingAndCapacity/B holds 10, A not available", prefs: prefs{"A": {Weight: 10000}, "B": {Weight: 1}}, total: 50, rebalance: true, clusters: []string{"B", "C"},
		current: counts{}, capacity: counts{"B": 10},
		want: counts{"B": 10, "C": 0}, wantOverflow: counts{"B": 40}},
	{name: "WithExistingAndCapacity/B holds 10 of 40", prefs: prefs{"A": {Weight: 1}, "B": {Weight: 2}}, total: 60, rebalance: true, clusters: []string{"A", "B", "C"},
		current: counts{}, capacity: counts{"B": 10},
		want: counts{"A": 50, "B": 10, "C": 0}, wantOverflow: counts{"B": 30}},
	{name: "WithExistingAndCapacity/maxima and C holds 10", prefs: prefs{
		"A": {Weight: 10000, MaxReplicas: ptr(10)},
		"B": {Weight: 1},
		"C": {Weight: 1, MaxReplicas: ptr(21)},
		"D": {Weight: 1, MaxReplicas: ptr(10)},
	}, total: 71, rebalance: true, clusters: []string{"A", "B", "C", "D"},
		current: counts{}, capacity: counts{"C": 10},
		want: counts{"A": 10, "B": 41, "C": 10, "D": 10}, wantOverflow: counts{"C": 11}},
	{name: "WithExistingAndCapacity/no rebalance, A and B hold 10", prefs: prefs{"A": {Weight: 1}, "B": {Weight: 1}}, total: 60, clusters: []string{"A", "B", "C"},
		current: counts{}, capacity: counts{"A": 10, "B": 10},
		want: counts{"A": 10, "B": 10, "C": 0}, wantOverflow: counts{"A": 20, "B": 20}},
	{name: "WithExistingAndCapacity/no rebalance, B holds 10", prefs: prefs{"A": {Weight: 1}, "B": {Weight: 5}}, total: 60, clusters: []string{"A", "B", "C"},
		current: counts{}, capacity: counts{"B": 10},
		want: counts{"A": 50, "B": 10, "C": 0}},
	{name: "WithExistingAndCapacity/no rebalance, minima, B holds 10", prefs: prefs{"*": {MinReplicas: 20}}, total: 50, clusters: []string{"A", "B", "C"},
		current: counts{}, capacity: counts{"B": 10},
		want: counts{"A": 20, "B": 10, "C": 20}},
	// KubeFed: "Actually we would like to have extra 20 in B but 15 is also good."
	{name: "WithExistingAndCapacity/minima, B holds 10", prefs: prefs{"*": {MinReplicas: 20, Weight: 1}}, total: 60, rebalance: true, clusters: []string{"A", "B"},
		current: counts{}, capacity: counts{"B": 10},
		want: counts{"A": 50, "B": 10}, wantOverflow: counts{"B": 15}},

	// TestMin
	{name: "Min/2 each", prefs: prefs{"*": {MinReplicas: 2}}, total: 50, clusters: []string{"A", "B", "C"},
		want: counts{"A": 2, "B": 2, "C": 2}},
	{name: "Min/20 each of 50 (hash dependent)", prefs: prefs{"*": {MinReplicas: 20}}, total: 50, clusters: []string{"A", "B", "C"},
		want: counts{"A": 10, "B": 20, "C": 20}},
	{name: "Min/A wants 100", prefs: prefs{"*": {MinReplicas: 20}, "A": {MinReplicas: 100, Weight: 1}}, total: 50, clusters: []string{"A", "B", "C"},
		want: counts{"A": 50, "B": 0, "C": 0}},
	{name: "Min/min 10 max 12", prefs: prefs{"*": {MinReplicas: 10, Weight: 1, MaxReplicas: ptr(12)}}, total: 50, clusters: []string{"A", "B", "C"},
		want: counts{"A": 12, "B": 12, "C": 12}},

	// TestMax
	{name: "Max/2 each", prefs: prefs{"*": {Weight: 1, MaxReplicas: ptr(2)}}, total: 50, clusters: []string{"A", "B", "C"},
		want: counts{"A": 2, "B": 2, "C": 2}},
	{name: "Max/no weight", prefs: prefs{"*": {MaxReplicas: ptr(2)}}, total: 50, clusters: []string{"A", "B", "C"},
		want: counts{"A": 0, "B": 0, "C": 0}},

	// TestWeight
	{name: "Weight/1 and 2", prefs: prefs{"A": {Weight: 1}, "B": {Weight: 2}}, total: 60, clusters: []string{"A", "B", "C"},
		want: counts{"A": 20, "B": 40, "C": 0}},
	{name: "Weight/10000 and 1", prefs: prefs{"A": {Weight: 10000}, "B": {Weight: 1}}, total: 50, clusters: []string{"A", "B", "C"},
		want: counts{"A": 50, "B": 0, "C": 0}},
	{name: "Weight/heavy cluster not available", prefs: prefs{"A": {Weight: 10000}, "B": {Weight: 1}}, total: 50, clusters: []string{"B", "C"},
		want: counts{"B": 50, "C": 0}},
	{name: "Weight/A capped at 10", prefs: prefs{"A": {Weight: 10000, MaxReplicas: ptr(10)}, "B": {Weight: 1}, "C": {Weight: 1}}, total: 50, clusters: []string{"A", "B", "C"},
		want: counts{"A": 10, "B": 20, "C": 20}},
	{name: "Weight/A and C capped at 10", prefs: prefs{"A": {Weight: 10000, MaxReplicas: ptr(10)}, "B": {Weight: 1}, "C": {Weight: 1, MaxReplicas: ptr(10)}}, total: 50, clusters: []string{"A", "B", "C"},
		want: counts{"A": 10, "B": 30, "C": 10}},
	{name: "Weight/three capped of four", prefs: prefs{
		"A": {Weight: 10000, MaxReplicas: ptr(10)},
		"B": {Weight: 1},
		"C": {Weight: 1, MaxReplicas: ptr(21)},
		"D": {Weight: 1, MaxReplicas: ptr(10)},
	}, total: 71, clusters: []string{"A", "B", "C", "D"},
		want: counts{"A": 10, "B": 30, "C": 21, "D": 10}},
	{name: "Weight/three capped of five", prefs: prefs{
		"A": {Weight: 10000, MaxReplicas: ptr(10)},
		"B": {Weight: 1},
		"C": {Weight: 1, MaxReplicas: ptr(21)},
		"D": {Weight: 1, MaxReplicas: ptr(10)},
		"E": {Weight: 1},
	}, total: 91, clusters: []string{"A", "B", "C", "D", "E"},
		want: counts{"A": 10, "B": 25, "C": 21, "D": 10, "E": 25}},
}

// ownCases cover what KubeFed's tests did not.
var ownCases = []planCase{
	{name: "no clusters", prefs: prefs{"*": {Weight: 1}}, total: 5, clusters: nil,
		want: counts{}},
	{name: "no preferences: nothing placed", total: 5, clusters: []string{"A", "B"},
		want: counts{"A": 0, "B": 0}},
	{name: "zero total", prefs: prefs{"*": {MinReplicas: 3, Weight: 1}}, total: 0, clusters: []string{"A", "B"},
		current: counts{"A": 4}, capacity: counts{"B": 1},
		want: counts{"A": 0, "B": 0}},
	{name: "clusters in the spec but not available are ignored", prefs: prefs{"X": {MinReplicas: 40, Weight: 100}, "*": {Weight: 1}}, total: 10, clusters: []string{"A", "B"},
		want: counts{"A": 5, "B": 5}},
	{name: "a cluster without an entry and no * gets nothing", prefs: prefs{"A": {Weight: 1}}, total: 10, clusters: []string{"A", "B"},
		want: counts{"A": 10, "B": 0}},
	{name: "own entry wins over *", prefs: prefs{"*": {Weight: 1}, "B": {Weight: 3}}, total: 8, clusters: []string{"A", "B"},
		want: counts{"A": 2, "B": 6}},
	// The minimum is cut to the capacity, and the cut part is not overflow: only
	// what the weighted rounds offer beyond the capacity is (8 here: half of the
	// 16 left after the minima).
	{name: "capacity smaller than min, no weight", prefs: prefs{"*": {MinReplicas: 10}}, total: 30, rebalance: true, clusters: []string{"A", "B", "C"},
		capacity: counts{"A": 4}, want: counts{"A": 4, "B": 10, "C": 10}},
	{name: "capacity smaller than min, with weight", prefs: prefs{"*": {MinReplicas: 10, Weight: 1}}, total: 30, rebalance: true, clusters: []string{"A", "B"},
		capacity: counts{"A": 4}, want: counts{"A": 4, "B": 26}, wantOverflow: counts{"A": 8}},
	{name: "zero capacity", prefs: prefs{"*": {Weight: 1}}, total: 6, rebalance: true, clusters: []string{"A", "B"},
		capacity: counts{"A": 0}, want: counts{"A": 0, "B": 6}, wantOverflow: counts{"A": 3}},
	// With rebalance, running replicas carry no weight.
	{name: "rebalance moves running replicas", prefs: prefs{"*": {Weight: 1}}, total: 10, rebalance: true, clusters: []string{"A", "B"},
		current: counts{"A": 10}, want: counts{"A": 5, "B": 5}},
	{name: "no rebalance keeps no more than the maximum", prefs: prefs{"*": {Weight: 1, MaxReplicas: ptr(6)}}, total: 10, clusters: []string{"A", "B"},
		current: counts{"A": 10}, want: counts{"A": 6, "B": 4}},
	{name: "no rebalance keeps no more than the capacity", prefs: prefs{"*": {Weight: 1}}, total: 10, clusters: []string{"A", "B"},
		current: counts{"A": 10}, capacity: counts{"A": 7}, want: counts{"A": 7, "B": 3}},
	{name: "current replicas of unavailable clusters are ignored", prefs: prefs{"*": {Weight: 1}}, total: 10, clusters: []string{"A", "B"},
		current: counts{"X": 10}, want: counts{"A": 5, "B": 5}},
	// The key changes which of two equal clusters gets the odd replica: B with
	// the empty key (above), A with this one.
	{name: "key breaks ties", prefs: prefs{"*": {Weight: 1}}, total: 1, clusters: []string{"A", "B"}, key: "shop/cart",
		want: counts{"A": 1, "B": 0}},
	// Weights near the int64 limit: the shares are computed without overflow.
	{name: "huge weights", prefs: prefs{"A": {Weight: math.MaxInt64 / 4 * 3}, "B": {Weight: math.MaxInt64 / 4}}, total: 8, clusters: []string{"A", "B"},
		want: counts{"A": 6, "B": 2}},
	// Every round here is paid with replicas A already runs until the last one:
	// the planner must not take one round per replica.
	{name: "many replicas kept, one to place", prefs: prefs{"A": {Weight: 1}}, total: math.MaxInt32, clusters: []string{"A"},
		current: counts{"A": math.MaxInt32 - 1}, want: counts{"A": math.MaxInt32}},
	{name: "largest total", prefs: prefs{"*": {Weight: 1}}, total: math.MaxInt32, rebalance: true, clusters: []string{"A", "B"},
		want: counts{"A": math.MaxInt32 / 2, "B": math.MaxInt32/2 + 1}},
}

func TestPlan(t *testing.T) {
	if len(kubeFedCases) != 40 {
		t.Fatalf("%d KubeFed cases, want all 40", len(kubeFedCases))
	}
	for _, tc := range append(append([]planCase{}, kubeFedCases...), ownCases...) {
		t.Run(tc.name, func(t *testing.T) {
			spec := schedulingv1alpha1.ReplicaSchedulingPreferenceSpec{TotalReplicas: tc.total, Rebalance: tc.rebalance, Clusters: tc.prefs}
			plan, overflow, err := Plan(spec, tc.clusters, tc.current, tc.capacity, tc.key)
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(plan, tc.want) {
				t.Errorf("plan = %v, want %v", plan, tc.want)
			}
			if !maps.Equal(overflow, tc.wantOverflow) {
				t.Errorf("overflow = %v, want %v", overflow, tc.wantOverflow)
			}
		})
	}
}

func TestPlanRefusesBadInput(t *testing.T) {
	valid := prefs{"*": {Weight: 1}}
	for _, tc := range []struct {
		name     string
		prefs    prefs
		total    int32
		clusters []string
		current  counts
		capacity counts
		want     []string // substrings of the error
	}{
		{name: "negative total", prefs: valid, total: -1, clusters: []string{"A"}, want: []string{"totalReplicas -1 is negative"}},
		{name: "negative weight", prefs: prefs{"A": {Weight: -2}}, total: 1, clusters: []string{"A"}, want: []string{`clusters["A"]: weight -2 is negative`}},
		{name: "negative min", prefs: prefs{"*": {MinReplicas: -1}}, total: 1, clusters: []string{"A"}, want: []string{`clusters["*"]: minReplicas -1 is negative`}},
		{name: "negative max", prefs: prefs{"*": {MaxReplicas: ptr(-1)}}, total: 1, clusters: []string{"A"}, want: []string{`clusters["*"]: maxReplicas -1 is negative`}},
		{name: "min above max", prefs: prefs{"A": {MinReplicas: 3, MaxReplicas: ptr(2)}}, total: 1, clusters: []string{"A"},
			want: []string{`clusters["A"]: minReplicas 3 is greater than maxReplicas 2`}},
		{name: "bad entry of an unavailable cluster", prefs: prefs{"X": {Weight: -1}}, total: 1, clusters: []string{"A"}, want: []string{`clusters["X"]: weight -1`}},
		{name: "negative current", prefs: valid, total: 1, clusters: []string{"A"}, current: counts{"A": -1}, want: []string{`current replicas of cluster "A" is negative (-1)`}},
		{name: "negative capacity", prefs: valid, total: 1, clusters: []string{"A"}, capacity: counts{"A": -5}, want: []string{`capacity of cluster "A" is negative (-5)`}},
		{name: "cluster twice", prefs: valid, total: 1, clusters: []string{"A", "B", "A"}, want: []string{`cluster "A" is listed twice`}},
		{name: "empty cluster name", prefs: valid, total: 1, clusters: []string{""}, want: []string{"empty name"}},
		{name: "weights overflow", prefs: prefs{"*": {Weight: math.MaxInt64 / 2}}, total: 1, clusters: []string{"A", "B", "C"}, want: []string{"weights of the clusters add up to more than"}},
		{name: "every problem at once", prefs: prefs{"A": {Weight: -1}, "B": {MinReplicas: -1}}, total: -3, clusters: []string{"A"},
			want: []string{"totalReplicas -3", `clusters["A"]: weight -1`, `clusters["B"]: minReplicas -1`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := schedulingv1alpha1.ReplicaSchedulingPreferenceSpec{TotalReplicas: tc.total, Clusters: tc.prefs}
			plan, overflow, err := Plan(spec, tc.clusters, tc.current, tc.capacity, "")
			if err == nil {
				t.Fatalf("no error; plan %v overflow %v", plan, overflow)
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			if plan != nil || overflow != nil {
				t.Errorf("plan %v and overflow %v returned with an error", plan, overflow)
			}
		})
	}
}
