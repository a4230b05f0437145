package health

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
)

// Reasons of the Ready condition of a federated object.
const (
	// ReasonClustersReady: every placed cluster holds the desired object and
	// it is Ready there.
	ReasonClustersReady = "ClustersReady"
	// ReasonNoClustersPlaced: the placement selects no cluster, so nothing is
	// waited for (as the Propagation condition says).
	ReasonNoClustersPlaced = "NoClustersPlaced"
	// ReasonClustersDegraded: some placed cluster's object is Degraded.
	ReasonClustersDegraded = "ClustersDegraded"
	// ReasonClustersProgressing: none is Degraded, some is Progressing.
	ReasonClustersProgressing = "ClustersProgressing"
	// ReasonClustersNotReady: none is Degraded or Progressing, but some
	// cluster's object is not observed now (the member is unreachable: stale;
	// or the object is not there) or not propagated.
	ReasonClustersNotReady = "ClustersNotReady"
	// ReasonNotObserved: no placed cluster's object is observed now; the
	// condition is Unknown.
	ReasonNotObserved = "NotObserved"
)

// maxListed is how many clusters the Ready condition's message names.
const maxListed = 3

// ReadyCondition sums up the per-cluster health in st, a federated object's
// status with collected member status, as its Ready condition: True when every
// placed cluster holds the desired object and it is Ready there (the READY
// column counts them: readyClusters equals placedClusters); False naming the
// clusters that are not, worst first, with their health; Unknown when no
// placed cluster's object is observed now. When placement itself failed (no
// clusters, Propagation False) it is False with the Propagation condition's
// reason and message.
func ReadyCondition(st *fedv1beta1.GenericFederatedStatus, generation int64) metav1.Condition {
	cond := metav1.Condition{Type: fedv1beta1.ConditionReady, ObservedGeneration: generation}
	if len(st.Clusters) == 0 {
		if p := meta.FindStatusCondition(st.Conditions, fedv1beta1.ConditionPropagation); p != nil && p.Status == metav1.ConditionFalse {
			cond.Status, cond.Reason, cond.Message = metav1.ConditionFalse, p.Reason, p.Message
			return cond
		}
		cond.Status, cond.Reason, cond.Message = metav1.ConditionTrue, ReasonNoClustersPlaced, "the placement selects no cluster"
		return cond
	}
	var notReady []fedv1beta1.GenericClusterStatus
	observed := false
	for _, c := range st.Clusters {
		h := current(c)
		observed = observed || h != Unknown
		if h != Ready || c.Status != fedv1beta1.ClusterPropagationOK {
			notReady = append(notReady, c)
		}
	}
	if len(notReady) == 0 {
		cond.Status, cond.Reason, cond.Message = metav1.ConditionTrue, ReasonClustersReady, fmt.Sprintf("ready in %d cluster(s)", len(st.Clusters))
		return cond
	}
	// Worst first, then by name, so that the message names what matters and
	// stays the same while nothing changes.
	slices.SortStableFunc(notReady, func(a, b fedv1beta1.GenericClusterStatus) int {
		return cmp.Or(cmp.Compare(severity(current(a)), severity(current(b))), cmp.Compare(a.Name, b.Name))
	})
	cond.Status = metav1.ConditionFalse
	switch current(notReady[0]) {
	case Degraded:
		cond.Reason = ReasonClustersDegraded
	case Progressing:
		cond.Reason = ReasonClustersProgressing
	default:
		cond.Reason = ReasonClustersNotReady
	}
	if !observed {
		cond.Status, cond.Reason = metav1.ConditionUnknown, ReasonNotObserved
	}
	var listed []string
	for _, c := range notReady[:min(len(notReady), maxListed)] {
		listed = append(listed, describe(c))
	}
	cond.Message = fmt.Sprintf("not ready in %d of %d cluster(s): %s", len(notReady), len(st.Clusters), strings.Join(listed, ", "))
	if more := len(notReady) - maxListed; more > 0 {
		cond.Message += fmt.Sprintf(", and %d more", more)
	}
	return cond
}

// current is a cluster's health as observed now: a stale entry's is Unknown.
func current(c fedv1beta1.GenericClusterStatus) fedv1beta1.Health {
	if c.Stale || c.Health == "" {
		return Unknown
	}
	return c.Health
}

func severity(h fedv1beta1.Health) int {
	switch h {
	case Degraded:
		return 0
	case Progressing:
		return 1
	case Unknown:
		return 2
	}
	return 3 // Ready, but not propagated
}

// describe names a cluster that is not ready with its health and, when it
// has them, why it is not observed now and its propagation status: "member2
// Degraded", "member3 Unknown (stale, ClusterNotReady)".
func describe(c fedv1beta1.GenericClusterStatus) string {
	var why []string
	if c.Stale {
		why = append(why, "stale")
	}
	if c.Status != fedv1beta1.ClusterPropagationOK {
		why = append(why, string(c.Status))
	}
	s := c.Name + " " + string(current(c))
	if len(why) > 0 {
		s += " (" + strings.Join(why, ", ") + ")"
	}
	return s
}

// SetReady writes the Ready condition ReadyCondition computes into st when
// collect says the type's status is collected, and removes it when not, since
// without collection nothing says whether the object is healthy. It says
// whether st changed.
func SetReady(st *fedv1beta1.GenericFederatedStatus, generation int64, collect bool) bool {
	if !collect {
		return meta.RemoveStatusCondition(&st.Conditions, fedv1beta1.ConditionReady)
	}
	return meta.SetStatusCondition(&st.Conditions, ReadyCondition(st, generation))
}
