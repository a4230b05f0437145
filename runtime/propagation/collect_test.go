package propagation

import (
	"testing"
	"time"

	"golang.org/x/time/rate"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
)

func TestRemoteOf(t *testing.T) {
	now := time.Unix(1700000000, 0)
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Generation: 1},
		Spec:       appsv1.DeploymentSpec{Replicas: ptr.To[int32](3)},
		Status:     appsv1.DeploymentStatus{ObservedGeneration: 1, Replicas: 3, UpdatedReplicas: 3, ReadyReplicas: 1, AvailableReplicas: 1},
	}
	r := remoteOf(d, "", now)
	if r.Health != fedv1beta1.HealthProgressing || *r.Replicas != 3 || *r.ReadyReplicas != 1 || r.Status == nil || !r.ObservedAt.Time.Equal(now) {
		t.Errorf("deployment: %+v", r)
	}

	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "example.com/v1", "kind": "Widget",
		"spec":   map[string]any{"replicas": int64(2)},
		"status": map[string]any{"conditions": []any{map[string]any{"type": "Ready", "status": "True"}}},
	}}
	r = remoteOf(u, "", now)
	if r.Health != fedv1beta1.HealthReady || *r.Replicas != 2 || *r.ReadyReplicas != 0 || string(r.Status.Raw) != `{"conditions":[{"status":"True","type":"Ready"}]}` {
		t.Errorf("widget: %+v, status %s", r, r.Status.Raw)
	}

	r = remoteOf(&corev1.ConfigMap{}, "", now)
	if r.Health != fedv1beta1.HealthReady || r.Status != nil || r.Replicas != nil {
		t.Errorf("configmap: %+v", r)
	}
	if r := remoteOf(nil, "", now); r.Health != fedv1beta1.HealthUnknown || r.Status != nil {
		t.Errorf("nothing observed: %+v", r)
	}
}

func TestMemberChanged(t *testing.T) {
	r := &reconciler{}
	old := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Generation: 1, ResourceVersion: "1"}}
	statusOnly := old.DeepCopy()
	statusOnly.ResourceVersion, statusOnly.Status.ReadyReplicas = "2", 1
	pass := func(p predicate.Predicate, o, n *appsv1.Deployment) bool {
		return p.Update(event.UpdateEvent{ObjectOld: o, ObjectNew: n})
	}
	if pass(r.memberChanged(), old, statusOnly) {
		t.Error("without collection a status-only update passed")
	}
	r.collecting.Store(true)
	if !pass(r.memberChanged(), old, statusOnly) {
		t.Error("with collection a status-only update was dropped")
	}
	if pass(r.memberChanged(), old, old.DeepCopy()) {
		t.Error("with collection a resync passed")
	}
}

func TestStatusWait(t *testing.T) {
	r := &reconciler{opts: Options{StatusInterval: time.Second}, lastWrite: map[types.NamespacedName]time.Time{}, statusLimiter: rate.NewLimiter(2, 2)}
	now := time.Now()
	a, b, c := types.NamespacedName{Name: "a"}, types.NamespacedName{Name: "b"}, types.NamespacedName{Name: "c"}
	if w := r.statusWait(a, now); w != 0 {
		t.Fatalf("first write of a waits %v", w)
	}
	r.noteWrite(a, now)
	if w := r.statusWait(a, now.Add(300*time.Millisecond)); w != 700*time.Millisecond {
		t.Errorf("second write of a within the interval waits %v, want 700ms", w)
	}
	if w := r.statusWait(b, now); w != 0 {
		t.Errorf("b waits %v", w)
	}
	// The burst of 2 per type is spent: c waits for the limiter.
	if w := r.statusWait(c, now); w <= 0 {
		t.Errorf("c beyond the type's rate waits %v", w)
	}
}

// widget is a typed target whose status is held by pointer, as in some CRDs' Go types.
type widget struct {
	corev1.ConfigMap
	Spec   struct{ Replicas *int32 }
	Status *struct{ ReadyReplicas int32 }
}

func TestRemoteOfStatusByPointer(t *testing.T) {
	now := time.Unix(1700000000, 0)
	w := &widget{}
	w.Spec.Replicas = ptr.To[int32](2)
	if r := remoteOf(w, "", now); r.Status != nil || *r.Replicas != 2 || *r.ReadyReplicas != 0 {
		t.Errorf("no status yet: %+v", r)
	}
	w.Status = &struct{ ReadyReplicas int32 }{ReadyReplicas: 1}
	if r := remoteOf(w, "", now); r.Status == nil || *r.ReadyReplicas != 1 {
		t.Errorf("status by pointer: %+v", r)
	}
}

// The member status is recorded without nulls (a typed remoteStatus schema
// refuses them), and judged by the type's health condition when it names one.
func TestRemoteOfTypedStatus(t *testing.T) {
	now := time.Unix(1700000000, 0)
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Generation: 1},
		Status: appsv1.DeploymentStatus{ObservedGeneration: 1, Replicas: 1, UpdatedReplicas: 1, AvailableReplicas: 1,
			// Unset times are written as null by their Go type.
			Conditions: []appsv1.DeploymentCondition{{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionFalse}}},
	}
	r := remoteOf(d, "", now)
	if want := `{"availableReplicas":1,"conditions":[{"status":"False","type":"Available"}],"observedGeneration":1,"replicas":1,"updatedReplicas":1}`; string(r.Status.Raw) != want {
		t.Errorf("status %s, want %s", r.Status.Raw, want)
	}
	if r.Health != fedv1beta1.HealthReady {
		t.Errorf("health by the kind's rule %s, want Ready", r.Health)
	}
	if r := remoteOf(d, "Available", now); r.Health != fedv1beta1.HealthDegraded {
		t.Errorf("health by the Available condition %s, want Degraded", r.Health)
	}
}

func TestCollectedOnly(t *testing.T) {
	before := &fedv1beta1.GenericFederatedStatus{
		Conditions: []metav1.Condition{{Type: fedv1beta1.ConditionPropagation, Status: metav1.ConditionTrue, Reason: "Propagated"}},
		Clusters:   []fedv1beta1.GenericClusterStatus{{Name: "m1", Health: fedv1beta1.HealthReady}},
	}
	after := before.DeepCopy()
	after.Clusters[0].Health = fedv1beta1.HealthDegraded
	if !andReady(func(*fedv1beta1.GenericFederatedStatus) bool { return true }, 1, true)(after) {
		t.Fatal("andReady reported no change")
	}
	if c := after.Conditions[1]; c.Type != fedv1beta1.ConditionReady || c.Status != metav1.ConditionFalse {
		t.Fatalf("conditions %+v, want Ready False", after.Conditions)
	}
	if !collectedOnly(before, after) {
		t.Error("a change of health and of the Ready condition is not taken for collected status only")
	}
	after.Conditions[0].Status = metav1.ConditionFalse
	if collectedOnly(before, after) {
		t.Error("a change of the Propagation condition is taken for collected status only")
	}
}
