package status

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

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
	// Remote is what status collection observed of the member object; nil
	// when the type's status is not collected.
	Remote *Remote
}

// Remote is the member object as status collection saw it.
type Remote struct {
	Health fedv1beta1.Health
	// Status is the member object's status; nil when none was observed or the
	// kind has none.
	Status *runtime.RawExtension
	// Replicas and ReadyReplicas are the member object's spec.replicas and
	// status.readyReplicas, nil for a kind without spec.replicas.
	Replicas, ReadyReplicas *int32
	// Stale says the member could not be read: the rest is as last observed,
	// at ObservedAt.
	Stale bool
	// ObservedAt is when the member object was read.
	ObservedAt metav1.Time
}

// Set writes the outcome of one reconcile into st and says whether anything
// changed, so that callers write status only when it did.
func Set(st *fedv1beta1.GenericFederatedStatus, generation int64, clusters []Cluster) bool {
	before := st.DeepCopy()
	sort.Slice(clusters, func(i, j int) bool { return clusters[i].Name < clusters[j].Name })
	previous := map[string]fedv1beta1.GenericClusterStatus{}
	for _, c := range st.Clusters {
		previous[c.Name] = c
	}
	st.Clusters = nil
	st.PlacedClusters, st.ReadyClusters = int32(len(clusters)), 0
	st.Replicas, st.ReadyReplicas = nil, nil
	var problems []string
	for _, c := range clusters {
		entry := fedv1beta1.GenericClusterStatus{Name: c.Name, Status: c.Status, Message: c.Message}
		ready := c.Status == fedv1beta1.ClusterPropagationOK
		if c.Remote != nil {
			setRemote(&entry, *c.Remote, previous[c.Name])
			ready = ready && entry.Health == fedv1beta1.HealthReady
			addReplicas(st, *c.Remote)
		}
		st.Clusters = append(st.Clusters, entry)
		if ready {
			st.ReadyClusters++
		}
		if c.Status != fedv1beta1.ClusterPropagationOK {
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

// setRemote records what was collected of one cluster's object in its entry.
// The observation time moves only with what was observed, so that a member
// read again and found the same costs no status write.
func setRemote(entry *fedv1beta1.GenericClusterStatus, r Remote, previous fedv1beta1.GenericClusterStatus) {
	entry.Health, entry.RemoteStatus, entry.Stale = r.Health, r.Status, r.Stale
	if r.Stale {
		entry.Health = fedv1beta1.HealthUnknown
	}
	if previous.Health == entry.Health && previous.Stale == entry.Stale && RawEqual(previous.RemoteStatus, entry.RemoteStatus) &&
		previous.LastObservedTime != nil {
		entry.LastObservedTime = previous.LastObservedTime
		entry.RemoteStatus = previous.RemoteStatus
		return
	}
	if !r.ObservedAt.IsZero() {
		entry.LastObservedTime = &metav1.Time{Time: r.ObservedAt.Rfc3339Copy().Time}
	}
}

// addReplicas adds one cluster's replicas to the aggregate: what it asks for
// always, what is ready only when it was observed now.
func addReplicas(st *fedv1beta1.GenericFederatedStatus, r Remote) {
	if r.Replicas == nil {
		return
	}
	if st.Replicas == nil {
		st.Replicas, st.ReadyReplicas = new(int32), new(int32)
	}
	*st.Replicas += *r.Replicas
	if r.ReadyReplicas != nil && !r.Stale {
		*st.ReadyReplicas += *r.ReadyReplicas
	}
}

// RawEqual says whether a and b hold the same JSON value, however formatted.
func RawEqual(a, b *runtime.RawExtension) bool {
	if a == nil || b == nil {
		return a == b
	}
	if string(a.Raw) == string(b.Raw) {
		return true
	}
	var av, bv any
	if json.Unmarshal(a.Raw, &av) != nil || json.Unmarshal(b.Raw, &bv) != nil {
		return false
	}
	return reflect.DeepEqual(av, bv)
}

// WithoutCollected returns a copy of st without what status collection adds,
// so that callers can tell a change of propagation from a change of the
// members' own status.
func WithoutCollected(st *fedv1beta1.GenericFederatedStatus) *fedv1beta1.GenericFederatedStatus {
	out := st.DeepCopy()
	out.ReadyClusters, out.Replicas, out.ReadyReplicas = 0, nil, nil
	for i := range out.Clusters {
		c := &out.Clusters[i]
		c.Health, c.RemoteStatus, c.Stale, c.LastObservedTime = "", nil, false, nil
	}
	return out
}
