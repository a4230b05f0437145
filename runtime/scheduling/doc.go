// Package scheduling plans how the replicas of a federated workload spread over
// member clusters, following a ReplicaSchedulingPreference
// (scheduling.kubefed.io/v1alpha1). Plan is a pure function: it reads no cluster.
// For every input it accepts, its result is that of KubeFed v0.10's planner,
// but for the corner cases listed below, where KubeFed's was undefined.
//
// # Algorithm
//
// Each cluster takes its own entry of spec.clusters, or else the "*" entry; a
// cluster with neither gets no replicas. The clusters with preferences are
// ordered by decreasing weight, and clusters of equal weight by the 32-bit FNV-1
// hash of the cluster name followed by a key (the workload's namespace/name), so
// that workloads of one replica do not all land in the same cluster. Then:
//
//  1. Minimums: in that order, each cluster gets its minReplicas, as far as the
//     total and its capacity allow. When the total is short, the heavier clusters
//     get theirs.
//  2. Without rebalance, each cluster keeps the replicas it runs beyond that, up
//     to its maxReplicas and capacity and as far as the total allows. These count
//     towards the cluster's weighted share in step 3.
//  3. Weighted rounds: each round offers every cluster its weight's share of the
//     replicas left at the round's start, rounded up, until none are left. A
//     cluster whose share passes its maxReplicas or capacity is capped, takes part
//     in no later round, and what it could not take is offered to the others in
//     the next round; the part beyond its capacity is its overflow. Rounds stop
//     when nothing is left or no round places anything more.
//
// Overflow tells a caller where more replicas would go if the capacity estimate
// was too low. Without rebalance, each cluster's overflow is cut to the replicas
// that found no place at all.
//
// # Where this differs from KubeFed
//
// Only in what KubeFed did not define: input KubeFed took without complaint but
// that makes no sense is an error here (a negative total, minimum, maximum, weight,
// current count or capacity; minReplicas above maxReplicas, which KubeFed capped in
// some cases and not in others; a cluster listed twice or with an empty name;
// weights adding up past int64). Shares are computed without overflow for any
// int64 weight, where KubeFed's weight times replicas could wrap around. Two
// clusters of equal weight and equal hash are ordered by name,
// where KubeFed's order was unspecified. Rounds paid entirely with kept replicas
// (step 2), which KubeFed ran one by one, sometimes one per replica (about a
// second per ten million), are done at once with the same result.
//
// # KubeFed results kept although surprising
//
// KubeFed's own tests flag two results as not what one would want; Plan gives
// KubeFed's result in both, so that a workload scheduled by either is scheduled
// the same:
//
//   - With weights 1:1, a total of 50, no rebalance, and 10 replicas running in
//     cluster A and 70 in B, the plan is A:0 B:50, though A:10 B:40 would move
//     nothing (KubeFed's test says "should be 10:40", kubernetes issue 31816).
//     Step 2 goes through the clusters in order, and B, first by hash, keeps as
//     many of its replicas as the whole total; nothing is left for A to keep.
//   - With minReplicas 20 and weights 1:1 for A and B, a total of 60, rebalance,
//     and room for 10 in B, the plan is A:50 B:10 with an overflow of 15 for B,
//     though B's even share, 30, is 20 more than it can take ("we would like to
//     have extra 20 in B but 15 is also good"). Overflow is only what the
//     weighted rounds offer beyond the capacity; a minimum cut by the capacity
//     is not in it.
//
// Also worth knowing: the plan depends on the key (hash order) whenever replicas
// do not divide evenly, and a round may hand out more than the cluster's share in
// total (shares are rounded up), so the clusters last in the order can get less
// than their weight says: weights 1:1:1 for 50 replicas give 17:17:16 in an order
// that depends on the hashes.
package scheduling
