package dispatch

import (
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

func TestInSync(t *testing.T) {
	desired := &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: "c", Namespace: "ns", Labels: map[string]string{"a": "1"}},
		Data:       map[string]string{"k": "v"},
	}
	// What a member returns: server-set metadata, extra labels from other writers.
	actual := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{
			Name: "c", Namespace: "ns", UID: "u", ResourceVersion: "7", Generation: 1,
			CreationTimestamp: metav1.NewTime(time.Now()),
			Labels:            map[string]string{"a": "1", "added-by": "someone"},
			ManagedFields:     []metav1.ManagedFieldsEntry{{Manager: "kubefed"}},
		},
		Data: map[string]string{"k": "v"},
	}
	deploy := func(replicas int32, cpu string) *appsv1.Deployment {
		d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "d"}, Spec: appsv1.DeploymentSpec{Replicas: ptr.To(replicas)}}
		d.Spec.Template.Spec.Containers = []corev1.Container{{Name: "c", Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu)}}}}
		return d
	}
	defaulted := deploy(2, "1")
	defaulted.Spec.RevisionHistoryLimit = ptr.To[int32](10) // a server default
	tests := []struct {
		name            string
		desired, actual client.Object
		want            bool
	}{
		{"server metadata and foreign labels are not drift", desired, actual, true},
		{"changed data is drift", desired, withData(actual, "other"), false},
		{"a removed label is drift", desired, withLabels(actual, nil), false},
		{"defaults and equal quantities in another spelling are not drift", deploy(2, "1000m"), defaulted, true},
		{"changed replicas are drift", deploy(3, "1"), defaulted, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := inSync(tt.desired, tt.actual); got != tt.want {
				t.Errorf("inSync = %v, want %v", got, tt.want)
			}
		})
	}
}

func withData(cm *corev1.ConfigMap, v string) *corev1.ConfigMap {
	out := cm.DeepCopy()
	out.Data = map[string]string{"k": v}
	return out
}

func withLabels(cm *corev1.ConfigMap, labels map[string]string) *corev1.ConfigMap {
	out := cm.DeepCopy()
	out.Labels = labels
	return out
}

func TestObjectVersion(t *testing.T) {
	withGeneration := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "d", Namespace: "ns", ResourceVersion: "12", Generation: 3}}
	withoutGeneration := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "c", Namespace: "ns", ResourceVersion: "7"}}
	// KubeFed's format: the generation when there is one, else the resourceVersion.
	if got := ObjectVersion(withGeneration); got != "gen:3" {
		t.Errorf("with a generation: %q, want gen:3", got)
	}
	if got := ObjectVersion(withoutGeneration); got != "rv:7" {
		t.Errorf("without a generation: %q, want rv:7", got)
	}
	v := NewVersions()
	if got := v.ObjectVersion("m1", withoutGeneration); got != "" {
		t.Errorf("before any write: %q, want none", got)
	}
	v.set("m1", withoutGeneration)
	v.set("m2", withGeneration)
	key := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "c", Namespace: "ns"}}
	if got := v.ObjectVersion("m1", key); got != "rv:7" {
		t.Errorf("m1 after a write: %q, want rv:7", got)
	}
	if got := v.ObjectVersion("m2", withGeneration); got != "gen:3" {
		t.Errorf("m2 after a write: %q, want gen:3", got)
	}
	v.Forget("m1", key)
	if got := v.ObjectVersion("m1", key); got != "" {
		t.Errorf("m1 after Forget: %q, want none", got)
	}
}
