package scheduling

import (
	"cmp"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"math"
	"math/bits"
	"slices"
	"strings"

	schedulingv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/scheduling/v1alpha1"
)

// Plan spreads spec.TotalReplicas over clusters, the clusters the target may be
// placed on, following spec's preferences.
//
// current holds the replicas each cluster runs now; it matters only when
// spec.Rebalance is false. capacity holds the replicas each cluster can take at
// most, for the clusters where that is known. key (typically the target's
// namespace/name) breaks ties between clusters of equal weight, so that different
// workloads do not all favour the same cluster.
//
// plan has an entry for every cluster in clusters. overflow holds, for clusters
// whose capacity cut their share, how many more replicas they would get without
// that limit. Invalid input (a negative number, minReplicas above maxReplicas, a
// cluster named twice or weights too large to add up) is an error.
func Plan(spec schedulingv1alpha1.ReplicaSchedulingPreferenceSpec, clusters []string, current, capacity map[string]int64, key string) (plan, overflow map[string]int64, err error) {
	if err := validate(spec, clusters, current, capacity); err != nil {
		return nil, nil, err
	}
	plan = make(map[string]int64, len(clusters))
	overflow = map[string]int64{}

	candidates := make([]*candidate, 0, len(clusters))
	// The rounds below add up weights; a sum too large for int64 is refused here.
	var totalWeight int64
	for _, name := range clusters {
		prefs, ok := spec.Clusters[name]
		if !ok {
			prefs, ok = spec.Clusters[schedulingv1alpha1.AllClusters]
		}
		if !ok {
			plan[name] = 0
			continue
		}
		if totalWeight > math.MaxInt64-prefs.Weight {
			return nil, nil, fmt.Errorf("the weights of the clusters add up to more than %d", int64(math.MaxInt64))
		}
		totalWeight += prefs.Weight
		candidates = append(candidates, &candidate{name: name, hash: tieBreakHash(name, key), ClusterPreferences: prefs})
	}
	// Heaviest first: they get their minimum first when the total is short, and
	// their rounded-up share first in every round.
	slices.SortFunc(candidates, func(a, b *candidate) int {
		return cmp.Or(cmp.Compare(b.Weight, a.Weight), cmp.Compare(a.hash, b.hash), strings.Compare(a.name, b.name))
	})

	remaining := int64(spec.TotalReplicas)

	// 1. Every cluster gets its minimum, as far as the total and its capacity
	// allow.
	for _, c := range candidates {
		n := min(c.MinReplicas, remaining)
		if limit, ok := capacity[c.name]; ok {
			n = min(n, limit)
		}
		plan[c.name] = n
		remaining -= n
	}

	// 2. Without rebalancing, a cluster keeps the replicas it runs beyond its
	// minimum, as far as its maximum and capacity allow. They are placed now and
	// count towards its weighted share in step 3, so they move nowhere, yet do not
	// make the cluster's share bigger than its weight says.
	if !spec.Rebalance {
		for _, c := range candidates {
			planned := plan[c.name]
			running, ok := current[c.name]
			if !ok || running <= planned {
				continue
			}
			target := running
			if c.MaxReplicas != nil {
				target = min(target, *c.MaxReplicas)
			}
			if limit, ok := capacity[c.name]; ok {
				target = min(target, limit)
			}
			kept := max(0, min(target-planned, remaining))
			c.kept = kept
			plan[c.name] = planned + kept
			remaining -= kept
		}
	}

	// 3. The rest goes by weight, in rounds. A round offers every cluster its
	// share of what was left at the round's start, rounded up, so a round may run
	// out before its last (lightest) clusters. A cluster that reaches its maximum
	// or capacity takes part in no later round; the replicas it could not take are
	// offered again to the others in the next round.
	active := candidates
	for progress := true; progress && remaining > 0; {
		progress = false
		weightSum := int64(0)
		for _, c := range active {
			weightSum += c.Weight
		}
		if weightSum == 0 {
			break
		}
		budget := remaining
		placedAny, fullAny := false, false
		stillOpen := active[:0] // filtered in place: written no faster than read
		for _, c := range active {
			start := plan[c.name]
			share := min(ceilShare(budget, c.Weight, weightSum), remaining)
			c.share = share
			// A share is first paid with the replicas kept in step 2.
			if fromKept := min(share, c.kept); fromKept > 0 {
				c.kept -= fromKept
				share -= fromKept
				progress = true
			}
			total := start + share
			full := false
			if c.MaxReplicas != nil && total > *c.MaxReplicas {
				total, full = *c.MaxReplicas, true
			}
			if limit, ok := capacity[c.name]; ok && total > limit {
				overflow[c.name] = total - limit
				total, full = limit, true
			}
			if full {
				fullAny = true
			} else {
				stillOpen = append(stillOpen, c)
			}
			plan[c.name] = total
			remaining -= total - start
			if total > start {
				placedAny, progress = true, true
			}
		}
		active = stillOpen
		if progress && !placedAny && !fullAny {
			skipKeptOnlyRounds(active)
		}
	}

	if !spec.Rebalance {
		// Without rebalancing, a cluster's overflow is capped at the replicas
		// that found no place at all: only those are worth asking for elsewhere.
		for name, n := range overflow {
			if n = min(n, remaining); n > 0 {
				overflow[name] = n
			} else {
				delete(overflow, name)
			}
		}
	}
	return plan, overflow, nil
}

// candidate is a cluster with preferences, as the planner goes through it.
type candidate struct {
	name string
	hash uint32
	schedulingv1alpha1.ClusterPreferences
	// kept is how many of the replicas kept in step 2 have not yet been counted
	// towards a weighted share.
	kept int64
	// share is what the last round offered the cluster.
	share int64
}

// skipKeptOnlyRounds fast-forwards over rounds that would be paid entirely with
// kept replicas. After a round that placed nothing and filled no cluster, the next
// round starts from the same remaining replicas, the same clusters and so the same
// shares; only the kept replicas shrink. Such rounds repeat until some cluster's
// kept replicas fall short of its share, which can take as many rounds as there
// are replicas: doing them all at once gives the same result in one step.
func skipKeptOnlyRounds(active []*candidate) {
	rounds := int64(math.MaxInt64)
	for _, c := range active {
		if c.share > 0 {
			rounds = min(rounds, c.kept/c.share)
		}
	}
	if rounds == math.MaxInt64 {
		return
	}
	for _, c := range active {
		c.kept -= rounds * c.share
	}
}

// ceilShare is n*weight/weightSum rounded up, without overflowing int64: weights
// may be as large as int64 allows. It needs 0 <= n, 0 <= weight <= weightSum and
// 0 < weightSum, so that the result is at most n.
func ceilShare(n, weight, weightSum int64) int64 {
	hi, lo := bits.Mul64(uint64(n), uint64(weight))
	lo, carry := bits.Add64(lo, uint64(weightSum-1), 0)
	// hi < weightSum holds: n*weight + weightSum - 1 < (n+1)*weightSum <= 2^64*weightSum.
	q, _ := bits.Div64(hi+carry, lo, uint64(weightSum))
	return int64(q)
}

// tieBreakHash orders clusters of equal weight: the 32-bit FNV-1 hash of the
// cluster's name followed by key, as KubeFed computes it, so that both pick the
// same cluster.
func tieBreakHash(cluster, key string) uint32 {
	h := fnv.New32()
	_, _ = h.Write([]byte(cluster))
	_, _ = h.Write([]byte(key))
	return h.Sum32()
}

// validate reports every problem of the input at once, in a stable order.
func validate(spec schedulingv1alpha1.ReplicaSchedulingPreferenceSpec, clusters []string, current, capacity map[string]int64) error {
	var errs []error
	if spec.TotalReplicas < 0 {
		errs = append(errs, fmt.Errorf("totalReplicas %d is negative", spec.TotalReplicas))
	}
	for _, name := range slices.Sorted(maps.Keys(spec.Clusters)) {
		p := spec.Clusters[name]
		if p.MinReplicas < 0 {
			errs = append(errs, fmt.Errorf("clusters[%q]: minReplicas %d is negative", name, p.MinReplicas))
		}
		if p.MaxReplicas != nil && *p.MaxReplicas < 0 {
			errs = append(errs, fmt.Errorf("clusters[%q]: maxReplicas %d is negative", name, *p.MaxReplicas))
		}
		if p.Weight < 0 {
			errs = append(errs, fmt.Errorf("clusters[%q]: weight %d is negative", name, p.Weight))
		}
		if p.MaxReplicas != nil && p.MinReplicas > *p.MaxReplicas {
			errs = append(errs, fmt.Errorf("clusters[%q]: minReplicas %d is greater than maxReplicas %d", name, p.MinReplicas, *p.MaxReplicas))
		}
	}
	seen := make(map[string]bool, len(clusters))
	for _, name := range clusters {
		switch {
		case name == "":
			errs = append(errs, errors.New("a cluster has an empty name"))
		case seen[name]:
			errs = append(errs, fmt.Errorf("cluster %q is listed twice", name))
		}
		seen[name] = true
	}
	for _, m := range []struct {
		what   string
		counts map[string]int64
	}{{"current replicas", current}, {"capacity", capacity}} {
		for _, name := range slices.Sorted(maps.Keys(m.counts)) {
			if n := m.counts[name]; n < 0 {
				errs = append(errs, fmt.Errorf("%s of cluster %q is negative (%d)", m.what, name, n))
			}
		}
	}
	return errors.Join(errs...)
}
