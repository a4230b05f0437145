package status

import (
	"fmt"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
)

// Reasons of the Propagation condition.
const (
	// ReasonPropagated: every placed cluster holds the desired object.
	ReasonPropagated = "Propagated"
	// ReasonCheckClusters: some placed cluster does not; see status.clusters (KubeFed's reason).
	ReasonCheckClusters = "CheckClusters"
	// ReasonNoClusters: the placement selects no cluster.
	ReasonNoClusters = "NoClustersPlaced"
	// ReasonComputePlacementFailed: the placement could not be evaluated (KubeFed's reason).
	ReasonComputePlacementFailed = "ComputePlacementFailed"
)

// Cluster is the outcome in one placed cluster.
type Cluster struct {
	Name    string
	Status  fedv1beta1.PropagationStatus
	Message string
}

// Set writes the outcome of one reconcile into st and says whether anything
// changed, so that callers write status only when it did.
func Set(st *fedv1beta1.GenericFederatedStatus, generation int64, clusters []Cluster) bool {
	before := st.DeepCopy()
	sort.Slice(clusters, func(i, j int) bool { return clusters[i].Name < clusters[j].Name })
	st.Clusters = nil
	st.PlacedClusters, st.ReadyClusters = int32(len(clusters)), 0
	var problems []string
	for _, c := range clusters {
		st.Clusters = append(st.Clusters, fedv1beta1.GenericClusterStatus{Name: c.Name, Status: c.Status, Message: c.Message})
		if c.Status == fedv1beta1.ClusterPropagationOK {
			st.ReadyClusters++
		} else {
			problems = append(problems, fmt.Sprintf("%s: %s", c.Name, c.Status))
		}
	}
	cond := metav1.Condition{Type: fedv1beta1.ConditionPropagation, ObservedGeneration: generation}
	switch {
	case len(clusters) == 0:
		cond.Status, cond.Reason, cond.Message = metav1.ConditionTrue, ReasonNoClusters, "the placement selects no cluster"
	case len(problems) == 0:
		cond.Status, cond.Reason, cond.Message = metav1.ConditionTrue, ReasonPropagated, fmt.Sprintf("propagated to %d cluster(s)", len(clusters))
	default:
		cond.Status, cond.Reason = metav1.ConditionFalse, ReasonCheckClusters
		cond.Message = "not propagated to " + strings.Join(problems, ", ")
	}
	meta.SetStatusCondition(&st.Conditions, cond)
	st.ObservedGeneration = generation
	return !equality.Semantic.DeepEqual(before, st)
}

// SetFailed records a failure that stopped propagation before any cluster was
// considered, e.g. an invalid placement.
func SetFailed(st *fedv1beta1.GenericFederatedStatus, generation int64, reason, message string) bool {
	before := st.DeepCopy()
	meta.SetStatusCondition(&st.Conditions, metav1.Condition{
		Type: fedv1beta1.ConditionPropagation, Status: metav1.ConditionFalse,
		Reason: reason, Message: message, ObservedGeneration: generation,
	})
	st.ObservedGeneration = generation
	return !equality.Semantic.DeepEqual(before, st)
}
