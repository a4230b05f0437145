package status

import (
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"

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
