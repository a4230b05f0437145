package status

import (
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"

	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
)

func TestSet(t *testing.T) {
	var st fedv1beta1.GenericFederatedStatus
	changed := Set(&st, 3, []Cluster{
		{Name: "b", Status: fedv1beta1.ClusterNotReady, Message: "offline"},
		{Name: "a", Status: fedv1beta1.ClusterPropagationOK},
	})
	if !changed {
		t.Fatal("first Set reported no change")
	}
	if st.PlacedClusters != 2 || st.ReadyClusters != 1 || st.ObservedGeneration != 3 {
		t.Errorf("counts placed=%d ready=%d generation=%d, want 2, 1, 3", st.PlacedClusters, st.ReadyClusters, st.ObservedGeneration)
	}
	if st.Clusters[0].Name != "a" || st.Clusters[1].Message != "offline" {
		t.Errorf("clusters not sorted or message lost: %+v", st.Clusters)
	}
	c := meta.FindStatusCondition(st.Conditions, fedv1beta1.ConditionPropagation)
	if c == nil || c.Status != "False" || c.Reason != ReasonCheckClusters || c.Message != "not propagated to b: ClusterNotReady" {
		t.Errorf("condition = %+v", c)
	}

	// The same outcome again is no change: no status write on a steady state.
	if Set(&st, 3, []Cluster{{Name: "a", Status: fedv1beta1.ClusterPropagationOK}, {Name: "b", Status: fedv1beta1.ClusterNotReady, Message: "offline"}}) {
		t.Error("identical Set reported a change")
	}

	if !Set(&st, 4, []Cluster{{Name: "a", Status: fedv1beta1.ClusterPropagationOK}}) {
		t.Error("new outcome reported no change")
	}
	if c := meta.FindStatusCondition(st.Conditions, fedv1beta1.ConditionPropagation); c.Status != "True" || c.Reason != ReasonPropagated {
		t.Errorf("condition after recovery = %+v", c)
	}
	if !Set(&st, 5, nil) || meta.FindStatusCondition(st.Conditions, fedv1beta1.ConditionPropagation).Reason != ReasonNoClusters {
		t.Error("no placed clusters not reported")
	}
}

func TestSetFailed(t *testing.T) {
	var st fedv1beta1.GenericFederatedStatus
	if !SetFailed(&st, 1, ReasonComputePlacementFailed, "bad selector") {
		t.Fatal("no change reported")
	}
	if c := meta.FindStatusCondition(st.Conditions, fedv1beta1.ConditionPropagation); c.Status != "False" || c.Message != "bad selector" {
		t.Errorf("condition = %+v", c)
	}
}

func TestSetCollected(t *testing.T) {
	at := func(sec int) metav1.Time { return metav1.Unix(int64(1700000000+sec), 0) }
	raw := func(s string) *runtime.RawExtension { return &runtime.RawExtension{Raw: []byte(s)} }
	three, one, two := int32(3), int32(1), int32(2)
	var st fedv1beta1.GenericFederatedStatus
	Set(&st, 1, []Cluster{
		{Name: "a", Remote: &Remote{Health: fedv1beta1.HealthReady, Status: raw(`{"readyReplicas":2}`), Replicas: &two, ReadyReplicas: &two, ObservedAt: at(0)}},
		{Name: "b", Remote: &Remote{Health: fedv1beta1.HealthProgressing, Status: raw(`{"readyReplicas":1}`), Replicas: &three, ReadyReplicas: &one, ObservedAt: at(0)}},
	})
	if st.PlacedClusters != 2 || st.ReadyClusters != 1 {
		t.Errorf("placed=%d ready=%d, want 2, 1: ready counts healthy clusters", st.PlacedClusters, st.ReadyClusters)
	}
	if st.Replicas == nil || *st.Replicas != 5 || *st.ReadyReplicas != 3 {
		t.Errorf("replicas %v/%v, want 3/5", st.ReadyReplicas, st.Replicas)
	}
	if got := st.Clusters[1]; got.Health != fedv1beta1.HealthProgressing || got.LastObservedTime == nil || !got.LastObservedTime.Equal(ptr.To(at(0))) {
		t.Errorf("cluster b = %+v", got)
	}

	// Read again later and found the same (however formatted): no change, the
	// time stays, so a steady member costs no write.
	if Set(&st, 1, []Cluster{
		{Name: "a", Remote: &Remote{Health: fedv1beta1.HealthReady, Status: raw(`{ "readyReplicas": 2 }`), Replicas: &two, ReadyReplicas: &two, ObservedAt: at(5)}},
		{Name: "b", Remote: &Remote{Health: fedv1beta1.HealthProgressing, Status: raw(`{"readyReplicas":1}`), Replicas: &three, ReadyReplicas: &one, ObservedAt: at(5)}},
	}) {
		t.Errorf("the same observation again reported a change: %+v", st.Clusters)
	}

	// b becomes unreachable: its last status stays, marked stale with the
	// time it was last read, its health Unknown and its ready replicas uncounted.
	if !Set(&st, 1, []Cluster{
		{Name: "a", Remote: &Remote{Health: fedv1beta1.HealthReady, Status: raw(`{"readyReplicas":2}`), Replicas: &two, ReadyReplicas: &two, ObservedAt: at(9)}},
		{Name: "b", Status: fedv1beta1.ClusterNotReady, Remote: &Remote{Health: fedv1beta1.HealthProgressing, Status: raw(`{"readyReplicas":1}`), Replicas: &three, ReadyReplicas: &one, Stale: true, ObservedAt: at(7)}},
	}) {
		t.Fatal("a stale cluster reported no change")
	}
	b := st.Clusters[1]
	if !b.Stale || b.Health != fedv1beta1.HealthUnknown || !b.LastObservedTime.Equal(ptr.To(at(7))) || string(b.RemoteStatus.Raw) != `{"readyReplicas":1}` {
		t.Errorf("stale cluster b = %+v", b)
	}
	if *st.Replicas != 5 || *st.ReadyReplicas != 2 || st.ReadyClusters != 1 {
		t.Errorf("replicas %d/%d ready clusters %d, want 2/5 and 1", *st.ReadyReplicas, *st.Replicas, st.ReadyClusters)
	}

	// Only collected fields changed: WithoutCollected cannot tell the two apart.
	before := st.DeepCopy()
	Set(&st, 1, []Cluster{
		{Name: "a", Remote: &Remote{Health: fedv1beta1.HealthProgressing, Status: raw(`{"readyReplicas":1}`), Replicas: &two, ReadyReplicas: &one, ObservedAt: at(10)}},
		{Name: "b", Status: fedv1beta1.ClusterNotReady, Remote: &Remote{Health: fedv1beta1.HealthProgressing, Stale: true, ObservedAt: at(7)}},
	})
	if !reflect.DeepEqual(WithoutCollected(before), WithoutCollected(&st)) {
		t.Error("a change of collected status alone changed more than collected fields")
	}
}
