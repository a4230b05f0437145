package scheduling

import (
	"fmt"
	"maps"
	"math/big"
	"testing"

	schedulingv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/scheduling/v1alpha1"
)

// FuzzPlan: Plan never panics, refuses only invalid input, and its plan keeps to
// the total, the maxima and the capacities.
//
// data describes the clusters, six bytes each: flags, then minReplicas,
// maxReplicas, weight, current replicas and capacity as signed bytes. Flag bits: 1
// the cluster has its own preferences (else "*" applies), 2 with a maximum, 4 with
// current replicas, 8 with a capacity, 16 the cluster repeats the previous name,
// 32 its numbers are multiplied by 2^24 (large counts). The "*" entry, when star
// is set, uses the int64 arguments as they are (starMax < 0: no maximum).
func FuzzPlan(f *testing.F) {
	f.Add(int32(50), false, "ns/web", true, int64(1), int64(0), int64(-1), []byte{0, 0, 0, 0, 0, 0, 1, 2, 5, 3, 4, 1, 15, 0, 2, 1, 9, 1})
	f.Add(int32(60), true, "", true, int64(1), int64(20), int64(-1), []byte{8, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0})
	f.Add(int32(1<<31-1), false, "k", false, int64(0), int64(0), int64(0), []byte{37, 0, 0, 1, 127, 0})
	f.Add(int32(7), true, "k", true, int64(1<<62), int64(0), int64(3), []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add(int32(-1), false, "", true, int64(-1), int64(-1), int64(-2), []byte{31, 255, 255, 255, 255, 255, 16, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, total int32, rebalance bool, key string, star bool, starWeight, starMin, starMax int64, data []byte) {
		spec := schedulingv1alpha1.ReplicaSchedulingPreferenceSpec{TotalReplicas: total, Rebalance: rebalance, Clusters: map[string]schedulingv1alpha1.ClusterPreferences{}}
		if star {
			p := schedulingv1alpha1.ClusterPreferences{MinReplicas: starMin, Weight: starWeight}
			if starMax >= 0 {
				p.MaxReplicas = &starMax
			}
			spec.Clusters[schedulingv1alpha1.AllClusters] = p
		}
		var clusters []string
		current, capacity := map[string]int64{}, map[string]int64{}
		for i := 0; i+6 <= len(data) && i < 6*32; i += 6 {
			flags := data[i]
			num := func(j int) int64 {
				n := int64(int8(data[i+j]))
				if flags&32 != 0 {
					n <<= 24
				}
				return n
			}
			name := fmt.Sprintf("c%d", i/6)
			if flags&16 != 0 && len(clusters) > 0 {
				name = clusters[len(clusters)-1]
			}
			clusters = append(clusters, name)
			if flags&1 != 0 {
				p := schedulingv1alpha1.ClusterPreferences{MinReplicas: num(1), Weight: num(3)}
				if flags&2 != 0 {
					p.MaxReplicas = new(num(2))
				}
				spec.Clusters[name] = p
			}
			if flags&4 != 0 {
				current[name] = num(4)
			}
			if flags&8 != 0 {
				capacity[name] = num(5)
			}
		}

		plan, overflow, err := Plan(spec, clusters, current, capacity, key)
		if problem := invalid(spec, clusters, current, capacity); err != nil || problem != "" {
			if (err == nil) != (problem == "") {
				t.Fatalf("error %v, but the input's problem is %q", err, problem)
			}
			if plan != nil || overflow != nil {
				t.Fatalf("plan %v and overflow %v returned with error %v", plan, overflow, err)
			}
			return
		}

		var sum int64
		for _, c := range clusters {
			n, ok := plan[c]
			if !ok || n < 0 {
				t.Fatalf("cluster %s: planned %d (present %v)", c, n, ok)
			}
			sum += n
			p, hasPrefs := preferencesOf(spec, c)
			if !hasPrefs && n != 0 {
				t.Errorf("cluster %s has no preferences but gets %d", c, n)
			}
			if p.MaxReplicas != nil && n > *p.MaxReplicas {
				t.Errorf("cluster %s: planned %d above its maximum %d", c, n, *p.MaxReplicas)
			}
			if limit, ok := capacity[c]; ok && n > limit {
				t.Errorf("cluster %s: planned %d above its capacity %d", c, n, limit)
			}
		}
		if len(plan) != len(clusters) {
			t.Errorf("plan %v has clusters not asked for (%v)", plan, clusters)
		}
		if sum > int64(total) {
			t.Errorf("planned %d replicas in all, above the total %d", sum, total)
		}
		for c, n := range overflow {
			if _, ok := capacity[c]; !ok || n <= 0 {
				t.Errorf("overflow %d for cluster %s, which has no capacity or no overflow", n, c)
			}
		}
		again, againOverflow, err := Plan(spec, clusters, current, capacity, key)
		if err != nil || !maps.Equal(plan, again) || !maps.Equal(overflow, againOverflow) {
			t.Errorf("second plan differs: %v %v %v, first %v %v", again, againOverflow, err, plan, overflow)
		}
	})
}

// preferencesOf is the entry of spec.Clusters that applies to cluster.
func preferencesOf(spec schedulingv1alpha1.ReplicaSchedulingPreferenceSpec, cluster string) (schedulingv1alpha1.ClusterPreferences, bool) {
	if p, ok := spec.Clusters[cluster]; ok {
		return p, true
	}
	p, ok := spec.Clusters[schedulingv1alpha1.AllClusters]
	return p, ok
}

// invalid says what is wrong with Plan's input, if anything, as Plan's
// documentation has it.
func invalid(spec schedulingv1alpha1.ReplicaSchedulingPreferenceSpec, clusters []string, current, capacity map[string]int64) string {
	if spec.TotalReplicas < 0 {
		return "negative total"
	}
	for name, p := range spec.Clusters {
		if p.MinReplicas < 0 || p.Weight < 0 || (p.MaxReplicas != nil && (*p.MaxReplicas < 0 || *p.MaxReplicas < p.MinReplicas)) {
			return "bad preferences for " + name
		}
	}
	for _, m := range []map[string]int64{current, capacity} {
		for name, n := range m {
			if n < 0 {
				return "negative count for " + name
			}
		}
	}
	seen := map[string]bool{}
	weights := new(big.Int)
	for _, c := range clusters {
		if c == "" || seen[c] {
			return "bad or repeated cluster name"
		}
		seen[c] = true
		if p, ok := preferencesOf(spec, c); ok {
			weights.Add(weights, big.NewInt(p.Weight))
		}
	}
	if !weights.IsInt64() {
		return "weights add up past int64"
	}
	return ""
}
