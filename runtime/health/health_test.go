package health

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
)

func deployment(generation, observed int64, desired, updated, available, total int32, conds ...appsv1.DeploymentCondition) *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Generation: generation},
		Spec:       appsv1.DeploymentSpec{Replicas: ptr.To(desired)},
		Status: appsv1.DeploymentStatus{ObservedGeneration: observed, UpdatedReplicas: updated,
			AvailableReplicas: available, Replicas: total, Conditions: conds},
	}
}

type selfJudged struct{ corev1.ConfigMap }

func (selfJudged) FederationHealth() fedv1beta1.Health { return Degraded }

func crd(status map[string]any) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "example.com/v1", "kind": "Widget"}}
	u.SetGeneration(2)
	if status != nil {
		u.Object["status"] = status
	}
	return u
}

func condition(typ, status string) map[string]any {
	return map[string]any{"type": typ, "status": status}
}

func TestOf(t *testing.T) {
	for _, tc := range []struct {
		name string
		obj  client.Object
		want fedv1beta1.Health
	}{
		{"nothing observed", nil, Unknown},
		{"deployment ready", deployment(2, 2, 3, 3, 3, 3), Ready},
		{"deployment generation not observed", deployment(3, 2, 3, 3, 3, 3), Progressing},
		{"deployment rolling out", deployment(2, 2, 3, 3, 3, 4), Progressing},
		{"deployment short of capacity", deployment(2, 2, 3, 3, 1, 3), Progressing},
		{"deployment past its deadline", deployment(2, 2, 3, 3, 1, 3, appsv1.DeploymentCondition{
			Type: appsv1.DeploymentProgressing, Status: corev1.ConditionFalse, Reason: "ProgressDeadlineExceeded"}), Degraded},
		{"deployment replica failure", deployment(2, 2, 3, 0, 0, 0, appsv1.DeploymentCondition{
			Type: appsv1.DeploymentReplicaFailure, Status: corev1.ConditionTrue}), Degraded},
		{"deployment of zero", deployment(1, 1, 0, 0, 0, 0), Ready},
		{"statefulset ready", &appsv1.StatefulSet{Spec: appsv1.StatefulSetSpec{Replicas: ptr.To[int32](2)},
			Status: appsv1.StatefulSetStatus{ReadyReplicas: 2, AvailableReplicas: 2, UpdatedReplicas: 2}}, Ready},
		{"statefulset starting", &appsv1.StatefulSet{Spec: appsv1.StatefulSetSpec{Replicas: ptr.To[int32](2)},
			Status: appsv1.StatefulSetStatus{ReadyReplicas: 1, AvailableReplicas: 1, UpdatedReplicas: 2}}, Progressing},
		{"daemonset ready", &appsv1.DaemonSet{Status: appsv1.DaemonSetStatus{DesiredNumberScheduled: 2, NumberAvailable: 2, UpdatedNumberScheduled: 2}}, Ready},
		{"daemonset updating", &appsv1.DaemonSet{Status: appsv1.DaemonSetStatus{DesiredNumberScheduled: 2, NumberAvailable: 2, UpdatedNumberScheduled: 1}}, Progressing},
		{"replicaset default of one available", &appsv1.ReplicaSet{Status: appsv1.ReplicaSetStatus{AvailableReplicas: 1}}, Ready},
		{"replicaset none available", &appsv1.ReplicaSet{}, Progressing},
		{"job running", &batchv1.Job{}, Progressing},
		{"job complete", &batchv1.Job{Status: batchv1.JobStatus{Conditions: []batchv1.JobCondition{{Type: batchv1.JobComplete, Status: corev1.ConditionTrue}}}}, Ready},
		{"job failed", &batchv1.Job{Status: batchv1.JobStatus{Conditions: []batchv1.JobCondition{{Type: batchv1.JobFailed, Status: corev1.ConditionTrue}}}}, Degraded},
		{"cluster IP service", &corev1.Service{}, Ready},
		{"load balancer pending", &corev1.Service{Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer}}, Progressing},
		{"load balancer present", &corev1.Service{Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer},
			Status: corev1.ServiceStatus{LoadBalancer: corev1.LoadBalancerStatus{Ingress: []corev1.LoadBalancerIngress{{IP: "10.0.0.1"}}}}}, Ready},
		{"namespace active", &corev1.Namespace{Status: corev1.NamespaceStatus{Phase: corev1.NamespaceActive}}, Ready},
		{"namespace terminating", &corev1.Namespace{Status: corev1.NamespaceStatus{Phase: corev1.NamespaceTerminating}}, Progressing},
		{"configmap", &corev1.ConfigMap{}, Ready},
		{"cluster role", &rbacv1.ClusterRole{}, Ready},
		{"own health", &selfJudged{}, Degraded},
		{"CRD without status", crd(nil), Ready},
		{"CRD Ready True", crd(map[string]any{"conditions": []any{condition("Ready", "True")}}), Ready},
		{"CRD Ready False", crd(map[string]any{"conditions": []any{condition("Available", "True"), condition("Ready", "False")}}), Degraded},
		{"CRD Available Unknown", crd(map[string]any{"conditions": []any{condition("Available", "Unknown")}}), Progressing},
		{"CRD generation not observed", crd(map[string]any{"observedGeneration": int64(1), "conditions": []any{condition("Ready", "True")}}), Progressing},
		{"CRD with other conditions", crd(map[string]any{"conditions": []any{condition("Synced", "False")}}), Ready},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Of(tc.obj); got != tc.want {
				t.Errorf("Of = %s, want %s", got, tc.want)
			}
		})
	}
}

// A built-in kind read unstructured, as by a dynamic controller, is judged as its typed form.
func TestOfUnstructuredBuiltin(t *testing.T) {
	d := deployment(2, 2, 3, 3, 1, 3, appsv1.DeploymentCondition{
		Type: appsv1.DeploymentProgressing, Status: corev1.ConditionFalse, Reason: "ProgressDeadlineExceeded"})
	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(d)
	if err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{Object: content}
	u.SetAPIVersion("apps/v1")
	u.SetKind("Deployment")
	if got := Of(u); got != Degraded {
		t.Errorf("Of = %s, want Degraded", got)
	}
}

// A federated type that names its health condition is judged by it alone,
// typed or unstructured.
func TestFor(t *testing.T) {
	typedAvailable := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Generation: 1}, Status: appsv1.DeploymentStatus{
		ObservedGeneration: 1, Conditions: []appsv1.DeploymentCondition{{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionFalse}}}}
	for _, tc := range []struct {
		name      string
		obj       client.Object
		condition string
		want      fedv1beta1.Health
	}{
		{"no condition named: the kind's rule", crd(map[string]any{"conditions": []any{condition("Ready", "True")}}), "", Ready},
		{"named True", crd(map[string]any{"conditions": []any{condition("Ready", "False"), condition("Serving", "True")}}), "Serving", Ready},
		{"named False", crd(map[string]any{"conditions": []any{condition("Ready", "True"), condition("Serving", "False")}}), "Serving", Degraded},
		{"named Unknown", crd(map[string]any{"conditions": []any{condition("Serving", "Unknown")}}), "Serving", Progressing},
		{"named absent", crd(map[string]any{"conditions": []any{condition("Ready", "True")}}), "Serving", Progressing},
		{"no status yet", crd(nil), "Serving", Progressing},
		{"generation not observed", crd(map[string]any{"observedGeneration": int64(1), "conditions": []any{condition("Serving", "True")}}), "Serving", Progressing},
		{"condition of an older generation", crd(map[string]any{"conditions": []any{
			map[string]any{"type": "Serving", "status": "True", "observedGeneration": int64(1)}}}), "Serving", Progressing},
		{"typed object", typedAvailable, "Available", Degraded},
		{"nothing observed", nil, "Serving", Unknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := For(tc.obj, tc.condition); got != tc.want {
				t.Errorf("For = %s, want %s", got, tc.want)
			}
		})
	}
}
