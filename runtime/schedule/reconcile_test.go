package schedule

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	schedulingv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/scheduling/v1alpha1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/cluster"
)

func value(v any) *apiextensionsv1.JSON {
	raw, _ := json.Marshal(v)
	return &apiextensionsv1.JSON{Raw: raw}
}

func TestOverrides(t *testing.T) {
	image := fedv1beta1.ClusterOverride{Path: "/spec/template/spec/containers/0/image", Value: value("nginx:1.27")}
	replicas := func(n int64) fedv1beta1.ClusterOverride {
		return fedv1beta1.ClusterOverride{Path: replicasPath, Value: value(n)}
	}
	item := func(cluster string, overrides ...fedv1beta1.ClusterOverride) fedv1beta1.GenericOverrideItem {
		return fedv1beta1.GenericOverrideItem{ClusterName: cluster, ClusterOverrides: overrides}
	}
	cases := []struct {
		name     string
		have     []fedv1beta1.GenericOverrideItem
		replicas map[string]int64
		want     []fedv1beta1.GenericOverrideItem
	}{{
		name:     "none yet: one per cluster, by name",
		replicas: map[string]int64{"b": 3, "a": 6},
		want:     []fedv1beta1.GenericOverrideItem{item("a", replicas(6)), item("b", replicas(3))},
	}, {
		name:     "other overrides kept, replicas value replaced in place",
		have:     []fedv1beta1.GenericOverrideItem{item("b", replicas(1), image)},
		replicas: map[string]int64{"a": 6, "b": 3},
		want:     []fedv1beta1.GenericOverrideItem{item("b", replicas(3), image), item("a", replicas(6))},
	}, {
		name:     "a cluster with other overrides gets replicas appended",
		have:     []fedv1beta1.GenericOverrideItem{item("a", image)},
		replicas: map[string]int64{"a": 2},
		want:     []fedv1beta1.GenericOverrideItem{item("a", image, replicas(2))},
	}, {
		name:     "a cluster no longer scheduled loses its replicas override only",
		have:     []fedv1beta1.GenericOverrideItem{item("a", replicas(4), image), item("b", replicas(5))},
		replicas: map[string]int64{"c": 9},
		want:     []fedv1beta1.GenericOverrideItem{item("a", image), item("c", replicas(9))},
	}, {
		name:     "a second replicas override of a cluster is dropped",
		have:     []fedv1beta1.GenericOverrideItem{item("a", replicas(1), replicas(2))},
		replicas: map[string]int64{"a": 7},
		want:     []fedv1beta1.GenericOverrideItem{item("a", replicas(7))},
	}, {
		name:     "a remove op becomes a replace",
		have:     []fedv1beta1.GenericOverrideItem{item("a", fedv1beta1.ClusterOverride{Op: "remove", Path: replicasPath})},
		replicas: map[string]int64{"a": 0},
		want:     []fedv1beta1.GenericOverrideItem{item("a", replicas(0))},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Overrides(tc.have, tc.replicas)
			if err != nil {
				t.Fatal(err)
			}
			if !jsonEqual(got, tc.want) {
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(tc.want)
				t.Errorf("got  %s\nwant %s", g, w)
			}
			if again, _ := Overrides(got, tc.replicas); !jsonEqual(again, got) {
				t.Errorf("not stable: a second pass gives %v", again)
			}
		})
	}
}

func TestUnschedulable(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	r := &reconciler{opts: Options{UnschedulableThreshold: time.Minute}, now: func() time.Time { return now }}
	pod := func(phase corev1.PodPhase, reason string, since time.Duration, deleting bool) corev1.Pod {
		p := corev1.Pod{Status: corev1.PodStatus{Phase: phase, Conditions: []corev1.PodCondition{{
			Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: reason,
			LastTransitionTime: metav1.NewTime(now.Add(-since)),
		}}}}
		if deleting {
			p.DeletionTimestamp = &metav1.Time{Time: now}
		}
		return p
	}
	n, recheck := r.unschedulable([]corev1.Pod{
		pod(corev1.PodPending, corev1.PodReasonUnschedulable, 2*time.Minute, false),  // counts
		pod(corev1.PodPending, corev1.PodReasonUnschedulable, 90*time.Second, false), // counts
		pod(corev1.PodPending, corev1.PodReasonUnschedulable, 40*time.Second, false), // in 20s
		pod(corev1.PodPending, corev1.PodReasonUnschedulable, 10*time.Second, false), // in 50s
		pod(corev1.PodPending, corev1.PodReasonUnschedulable, 5*time.Minute, true),   // going away
		pod(corev1.PodPending, "SchedulerError", 5*time.Minute, false),               // not capacity
		pod(corev1.PodRunning, corev1.PodReasonUnschedulable, 5*time.Minute, false),  // running after all
	})
	if n != 2 || recheck != 21*time.Second {
		t.Errorf("got %d unschedulable, recheck in %v; want 2 and 21s", n, recheck)
	}
}

func TestUnjoined(t *testing.T) {
	spec := schedulingv1alpha1.ReplicaSchedulingPreferenceSpec{Clusters: map[string]schedulingv1alpha1.ClusterPreferences{
		schedulingv1alpha1.AllClusters: {Weight: 1}, "member1": {Weight: 2}, "membr2": {Weight: 1}, "gone": {Weight: 1},
	}}
	got := unjoined(spec, []*cluster.Member{{Name: "member1"}, {Name: "member2"}})
	if want := []string{"gone", "membr2"}; !slices.Equal(got, want) {
		t.Errorf("unjoined = %v, want %v", got, want)
	}
}
