package schedule

import (
	"fmt"
	"strings"

	schedulingv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/scheduling/v1alpha1"
)

// Explain says, for a person, why the plan recorded in a preference's status
// gives one cluster its replicas: which preference applies to it (its own entry
// or "*"), its share of the weights of the clusters in the status, its bounds,
// and the capacity that cut it. spec is the preference's spec, planned the
// status's entries; kubefedctl status prints it.
func Explain(spec schedulingv1alpha1.ReplicaSchedulingPreferenceSpec, planned []schedulingv1alpha1.ClusterReplicas, entry schedulingv1alpha1.ClusterReplicas) string {
	spec = Effective(spec)
	prefs, from, ok := preferenceOf(spec, entry.Name)
	if !ok {
		return fmt.Sprintf("no preference: neither %q nor %q is in spec.clusters", entry.Name, schedulingv1alpha1.AllClusters)
	}
	var totalWeight int64
	for _, e := range planned {
		if p, _, ok := preferenceOf(spec, e.Name); ok {
			totalWeight += p.Weight
		}
	}
	parts := []string{fmt.Sprintf("weight %d of %d", prefs.Weight, totalWeight)}
	if prefs.MinReplicas > 0 {
		min := fmt.Sprintf("min %d", prefs.MinReplicas)
		if entry.PlannedReplicas < prefs.MinReplicas {
			min += " (not reached: too few replicas or too little capacity)"
		}
		parts = append(parts, min)
	}
	if prefs.MaxReplicas != nil {
		max := fmt.Sprintf("max %d", *prefs.MaxReplicas)
		if entry.PlannedReplicas == *prefs.MaxReplicas {
			max += " (reached)"
		}
		parts = append(parts, max)
	}
	if entry.OverflowReplicas > 0 {
		parts = append(parts, fmt.Sprintf("capacity %d (pods unschedulable): %d more would be its share, overflow kept pending there (%d replicas written)",
			entry.PlannedReplicas, entry.OverflowReplicas, entry.PlannedReplicas+entry.OverflowReplicas))
	}
	if !spec.Rebalance && entry.CurrentReplicas != nil && *entry.CurrentReplicas > 0 {
		parts = append(parts, "rebalance off: running replicas stay where they are")
	}
	return fmt.Sprintf("%s: %s", from, strings.Join(parts, ", "))
}

// preferenceOf returns the preferences of cluster, and where they come from.
func preferenceOf(spec schedulingv1alpha1.ReplicaSchedulingPreferenceSpec, cluster string) (schedulingv1alpha1.ClusterPreferences, string, bool) {
	if p, ok := spec.Clusters[cluster]; ok {
		return p, fmt.Sprintf("clusters[%q]", cluster), true
	}
	if p, ok := spec.Clusters[schedulingv1alpha1.AllClusters]; ok {
		return p, fmt.Sprintf("clusters[%q]", schedulingv1alpha1.AllClusters), true
	}
	return schedulingv1alpha1.ClusterPreferences{}, "", false
}
