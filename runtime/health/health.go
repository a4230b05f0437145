package health

import (
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
)

// Health values, re-exported for readers of this package.
const (
	Ready       = fedv1beta1.HealthReady
	Progressing = fedv1beta1.HealthProgressing
	Degraded    = fedv1beta1.HealthDegraded
	Unknown     = fedv1beta1.HealthUnknown
)

// Assessor is a target type that judges its own health; its method is called
// on the member object, as read from the member.
type Assessor interface {
	FederationHealth() fedv1beta1.Health
}

// Of returns the health of obj, a member object read from its cluster, typed
// or unstructured. A nil obj (nothing observed) is Unknown.
func Of(obj client.Object) fedv1beta1.Health {
	if obj == nil {
		return Unknown
	}
	if a, ok := obj.(Assessor); ok {
		return a.FederationHealth()
	}
	switch o := obj.(type) {
	case *appsv1.Deployment:
		return Deployment(o)
	case *appsv1.StatefulSet:
		return StatefulSet(o)
	case *appsv1.DaemonSet:
		return DaemonSet(o)
	case *appsv1.ReplicaSet:
		return ReplicaSet(o)
	case *batchv1.Job:
		return Job(o)
	case *corev1.Service:
		return Service(o)
	case *corev1.Namespace:
		return Namespace(o)
	case *unstructured.Unstructured:
		return ofUnstructured(o)
	}
	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return Unknown
	}
	return Conditions(&unstructured.Unstructured{Object: content})
}

// typed are the kinds judged by their typed status, by group and kind.
var typed = map[schema.GroupKind]func() client.Object{
	{Group: "apps", Kind: "Deployment"}:  func() client.Object { return &appsv1.Deployment{} },
	{Group: "apps", Kind: "StatefulSet"}: func() client.Object { return &appsv1.StatefulSet{} },
	{Group: "apps", Kind: "DaemonSet"}:   func() client.Object { return &appsv1.DaemonSet{} },
	{Group: "apps", Kind: "ReplicaSet"}:  func() client.Object { return &appsv1.ReplicaSet{} },
	{Group: "batch", Kind: "Job"}:        func() client.Object { return &batchv1.Job{} },
	{Kind: "Service"}:                    func() client.Object { return &corev1.Service{} },
	{Kind: "Namespace"}:                  func() client.Object { return &corev1.Namespace{} },
}

// ofUnstructured judges a built-in kind read unstructured (a type the manager
// propagates dynamically) as its typed form would be.
func ofUnstructured(u *unstructured.Unstructured) fedv1beta1.Health {
	if newTyped, ok := typed[u.GroupVersionKind().GroupKind()]; ok {
		obj := newTyped()
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, obj); err != nil {
			return Unknown
		}
		return Of(obj)
	}
	return Conditions(u)
}

// For returns the health of obj judged by condition, the condition its
// federated type names as meaning healthy (fedtype.Info.HealthCondition), or
// by Of when condition is empty.
func For(obj client.Object, condition string) fedv1beta1.Health {
	if condition == "" || obj == nil {
		return Of(obj)
	}
	u, ok := obj.(*unstructured.Unstructured)
	if !ok {
		content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
		if err != nil {
			return Unknown
		}
		u = &unstructured.Unstructured{Object: content}
	}
	return ByCondition(u, condition)
}

// ByCondition judges u by the condition of type name alone, whatever its kind:
// True is Ready, False Degraded, Unknown Progressing. Until the object's
// controller has reported on its current generation (status.observedGeneration,
// or the condition's own observedGeneration, behind the object's generation),
// and while the condition is absent, it is Progressing: a controller that
// names such a condition sets it once it has looked at the object.
func ByCondition(u *unstructured.Unstructured, name string) fedv1beta1.Health {
	status, _ := u.Object["status"].(map[string]any)
	if observed, found, err := unstructured.NestedInt64(status, "observedGeneration"); err == nil && found && observed < u.GetGeneration() {
		return Progressing
	}
	conditions, _, _ := unstructured.NestedSlice(status, "conditions")
	for _, c := range conditions {
		cond, ok := c.(map[string]any)
		if !ok || cond["type"] != name {
			continue
		}
		if observed, found, err := unstructured.NestedInt64(cond, "observedGeneration"); err == nil && found && observed < u.GetGeneration() {
			return Progressing
		}
		switch cond["status"] {
		case "True":
			return Ready
		case "False":
			return Degraded
		}
		return Progressing
	}
	return Progressing
}

// Deployment is Ready when its current generation is observed and every
// desired replica is updated and available with no old one left; Degraded when
// the rollout passed its progress deadline or a replica could not be created;
// else Progressing.
func Deployment(d *appsv1.Deployment) fedv1beta1.Health {
	for _, c := range d.Status.Conditions {
		if (c.Type == appsv1.DeploymentProgressing && c.Status == corev1.ConditionFalse && c.Reason == "ProgressDeadlineExceeded") ||
			(c.Type == appsv1.DeploymentReplicaFailure && c.Status == corev1.ConditionTrue) {
			return Degraded
		}
	}
	desired := replicas(d.Spec.Replicas)
	s := d.Status
	if s.ObservedGeneration < d.Generation {
		return Progressing
	}
	if s.UpdatedReplicas >= desired && s.AvailableReplicas >= desired && s.Replicas <= s.UpdatedReplicas {
		return Ready
	}
	return Progressing
}

// StatefulSet is Ready when its current generation is observed and every
// desired replica is ready, available and of the update revision; else
// Progressing (a StatefulSet has no progress deadline).
func StatefulSet(s *appsv1.StatefulSet) fedv1beta1.Health {
	desired := replicas(s.Spec.Replicas)
	st := s.Status
	if st.ObservedGeneration < s.Generation {
		return Progressing
	}
	if st.ReadyReplicas >= desired && st.AvailableReplicas >= desired &&
		(s.Spec.UpdateStrategy.Type == appsv1.OnDeleteStatefulSetStrategyType || st.UpdatedReplicas >= desired) {
		return Ready
	}
	return Progressing
}

// DaemonSet is Ready when its current generation is observed and every node
// that should run it runs an updated, available pod; else Progressing.
func DaemonSet(d *appsv1.DaemonSet) fedv1beta1.Health {
	st := d.Status
	if st.ObservedGeneration < d.Generation {
		return Progressing
	}
	if st.NumberAvailable >= st.DesiredNumberScheduled && st.UpdatedNumberScheduled >= st.DesiredNumberScheduled {
		return Ready
	}
	return Progressing
}

// ReplicaSet is Ready when its current generation is observed and every
// desired replica is available; Degraded when a replica could not be created;
// else Progressing.
func ReplicaSet(r *appsv1.ReplicaSet) fedv1beta1.Health {
	for _, c := range r.Status.Conditions {
		if c.Type == appsv1.ReplicaSetReplicaFailure && c.Status == corev1.ConditionTrue {
			return Degraded
		}
	}
	if r.Status.ObservedGeneration < r.Generation {
		return Progressing
	}
	if r.Status.AvailableReplicas >= replicas(r.Spec.Replicas) {
		return Ready
	}
	return Progressing
}

// Job is Ready when complete, Degraded when failed, else Progressing (running,
// or suspended).
func Job(j *batchv1.Job) fedv1beta1.Health {
	for _, c := range j.Status.Conditions {
		if c.Status != corev1.ConditionTrue {
			continue
		}
		switch c.Type {
		case batchv1.JobComplete:
			return Ready
		case batchv1.JobFailed:
			return Degraded
		}
	}
	return Progressing
}

// Service is Ready once it exists, except that a LoadBalancer service is
// Progressing until its load balancer has an ingress point.
func Service(s *corev1.Service) fedv1beta1.Health {
	if s.Spec.Type == corev1.ServiceTypeLoadBalancer && len(s.Status.LoadBalancer.Ingress) == 0 {
		return Progressing
	}
	return Ready
}

// Namespace is Ready while Active and Progressing while being deleted.
func Namespace(n *corev1.Namespace) fedv1beta1.Health {
	if n.Status.Phase == corev1.NamespaceTerminating {
		return Progressing
	}
	return Ready
}

// Conditions judges any other kind by its status: none (ConfigMap, Secret,
// RBAC) means Ready once it exists; a status.observedGeneration behind the
// object's generation means Progressing; then a Ready condition, else an
// Available one, decides: True is Ready, False Degraded, Unknown Progressing.
// Without either condition the object is Ready.
func Conditions(u *unstructured.Unstructured) fedv1beta1.Health {
	status, ok := u.Object["status"].(map[string]any)
	if !ok {
		return Ready
	}
	if observed, found, err := unstructured.NestedInt64(status, "observedGeneration"); err == nil && found && observed < u.GetGeneration() {
		return Progressing
	}
	conditions, _, _ := unstructured.NestedSlice(status, "conditions")
	for _, want := range []string{"Ready", "Available"} {
		for _, c := range conditions {
			cond, ok := c.(map[string]any)
			if !ok || cond["type"] != want {
				continue
			}
			switch cond["status"] {
			case "True":
				return Ready
			case "False":
				return Degraded
			default:
				return Progressing
			}
		}
	}
	return Ready
}

// replicas is the desired count of a spec.replicas the API server defaults to 1.
func replicas(r *int32) int32 {
	if r == nil {
		return 1
	}
	return *r
}
