package clusters_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/kubefed-gen/kubefed/test/clusters"
)

// TestWorkloads starts two members that run workloads, one of them with room for
// a single pod, and shows what a bare API server never does: Deployments get
// Ready pods, a namespace delete completes, an owner's delete removes its
// dependents, and pods that fit nowhere stay Pending, unschedulable.
func TestWorkloads(t *testing.T) {
	if testing.Short() {
		t.Skip("starts clusters with a controller manager, a scheduler and kwok each; make test runs it")
	}
	roomy, small := clusters.MemberName(1), clusters.MemberName(2)
	began := time.Now()
	set, err := clusters.Start(clusters.Options{Members: 2, Workloads: map[string]clusters.Workloads{
		roomy: {Nodes: 2},
		small: {NodeCapacity: corev1.ResourceList{corev1.ResourcePods: resource.MustParse("1")}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := set.Stop(); err != nil {
			t.Error(err)
		}
	})
	t.Logf("host and 2 members with workloads started in %s", time.Since(began).Round(100*time.Millisecond))
	if set.Host.Workloads != nil || set.Members[0].Workloads == nil || set.Members[1].Workloads == nil {
		t.Fatalf("workloads on host, member1, member2: %v %v %v, want only on the members",
			set.Host.Workloads != nil, set.Members[0].Workloads != nil, set.Members[1].Workloads != nil)
	}

	t.Run("roomy member", func(t *testing.T) {
		t.Parallel()
		ctx := t.Context()
		cs := kubernetes.NewForConfigOrDie(set.Members[0].Config)
		nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(nodes.Items) != 2 {
			t.Fatalf("%s has %d nodes, want 2", roomy, len(nodes.Items))
		}

		createNamespace(t, cs, "apps")
		createDeployment(t, cs, "apps", "web", 3)
		eventually(t, "deployment apps/web 3/3 ready", func() (bool, error) {
			d, err := cs.AppsV1().Deployments("apps").Get(ctx, "web", metav1.GetOptions{})
			return err == nil && d.Status.ReadyReplicas == 3 && d.Status.AvailableReplicas == 3 && d.Status.UpdatedReplicas == 3, err
		})
		pods := listPods(t, cs, "apps", "app=web")
		if len(pods) != 3 {
			t.Fatalf("deployment apps/web has %d pods, want 3", len(pods))
		}
		for _, p := range pods {
			if p.Status.Phase != corev1.PodRunning || !podCondition(&p, corev1.PodReady, corev1.ConditionTrue) || !strings.HasPrefix(p.Spec.NodeName, "kwok-node-") {
				t.Errorf("pod %s: phase %s, ready %v, node %q; want Running, Ready, on a kwok node",
					p.Name, p.Status.Phase, podCondition(&p, corev1.PodReady, corev1.ConditionTrue), p.Spec.NodeName)
			}
		}

		// The garbage collector removes what the Deployment owns: its ReplicaSet,
		// and through it the pods, which kwok lets go once they are deleted.
		if err := cs.AppsV1().Deployments("apps").Delete(ctx, "web", metav1.DeleteOptions{
			PropagationPolicy: ptr.To(metav1.DeletePropagationBackground),
		}); err != nil {
			t.Fatal(err)
		}
		eventually(t, "replica sets and pods of apps/web garbage-collected", func() (bool, error) {
			rs, err := cs.AppsV1().ReplicaSets("apps").List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
			if err != nil {
				return false, err
			}
			pods, err := cs.CoreV1().Pods("apps").List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
			return err == nil && len(rs.Items) == 0 && len(pods.Items) == 0, err
		})

		// The namespace controller empties a deleted namespace, Running pods
		// included, and then removes it.
		createNamespace(t, cs, "doomed")
		createDeployment(t, cs, "doomed", "web", 2)
		if _, err := cs.CoreV1().ConfigMaps("doomed").Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "settings"}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		eventually(t, "deployment doomed/web 2/2 ready", func() (bool, error) {
			d, err := cs.AppsV1().Deployments("doomed").Get(ctx, "web", metav1.GetOptions{})
			return err == nil && d.Status.ReadyReplicas == 2, err
		})
		if err := cs.CoreV1().Namespaces().Delete(ctx, "doomed", metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		eventually(t, "namespace doomed deleted", func() (bool, error) {
			_, err := cs.CoreV1().Namespaces().Get(ctx, "doomed", metav1.GetOptions{})
			if apierrors.IsNotFound(err) {
				return true, nil
			}
			return false, err
		})
	})

	t.Run("member with room for one pod", func(t *testing.T) {
		t.Parallel()
		ctx := t.Context()
		cs := kubernetes.NewForConfigOrDie(set.Members[1].Config)
		createNamespace(t, cs, "apps")
		createDeployment(t, cs, "apps", "web", 3)
		var pods []corev1.Pod
		eventually(t, "1 pod of apps/web ready and 2 unschedulable", func() (bool, error) {
			d, err := cs.AppsV1().Deployments("apps").Get(ctx, "web", metav1.GetOptions{})
			if err != nil || d.Status.ReadyReplicas != 1 {
				return false, err
			}
			pods = listPods(t, cs, "apps", "app=web")
			unschedulable := 0
			for _, p := range pods {
				if p.Status.Phase == corev1.PodPending && podConditionReason(&p, corev1.PodScheduled) == corev1.PodReasonUnschedulable {
					unschedulable++
				}
			}
			return len(pods) == 3 && unschedulable == 2, nil
		})
		for _, p := range pods {
			if p.Spec.NodeName == "" {
				t.Logf("pod %s Pending: %s", p.Name, podConditionMessage(&p, corev1.PodScheduled))
			}
		}
	})
}

// TestWorkloadsRejected checks what Start refuses before it starts anything.
func TestWorkloadsRejected(t *testing.T) {
	for _, tt := range []struct {
		name string
		opts clusters.Options
		want string
	}{
		{"unknown cluster", clusters.Options{Members: 1, Workloads: map[string]clusters.Workloads{"member2": {}}}, `cluster "member2", which is not started`},
		{"negative nodes", clusters.Options{Workloads: map[string]clusters.Workloads{clusters.HostName: {Nodes: -1}}}, "-1 nodes"},
		{"binaries missing", clusters.Options{BinaryDir: t.TempDir(), Workloads: map[string]clusters.Workloads{clusters.HostName: {}}}, "kube-controller-manager not found"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			set, err := clusters.Start(tt.opts)
			if err == nil {
				_ = set.Stop()
				t.Fatal("Start succeeded, want an error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Start: %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// eventually polls cond every 200ms for up to a minute; an error from cond is
// retried, and reported if the minute runs out.
func eventually(t *testing.T, what string, cond func() (bool, error)) {
	t.Helper()
	var last error
	err := wait.PollUntilContextTimeout(t.Context(), 200*time.Millisecond, time.Minute, true, func(context.Context) (bool, error) {
		ok, err := cond()
		last = err
		return ok, nil
	})
	if err != nil {
		t.Fatalf("waiting for %s: %v (last error: %v)", what, err, last)
	}
}

func createNamespace(t *testing.T, cs kubernetes.Interface, name string) {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if _, err := cs.CoreV1().Namespaces().Create(t.Context(), ns, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func createDeployment(t *testing.T, cs kubernetes.Interface, namespace, name string, replicas int32) {
	t.Helper()
	labels := map[string]string{"app": name}
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: name, Image: "nginx:1.27"}}},
			},
		},
	}
	if _, err := cs.AppsV1().Deployments(namespace).Create(t.Context(), d, metav1.CreateOptions{}); err != nil {
		t.Fatal(fmt.Errorf("create deployment %s/%s: %w", namespace, name, err))
	}
}

func listPods(t *testing.T, cs kubernetes.Interface, namespace, selector string) []corev1.Pod {
	t.Helper()
	pods, err := cs.CoreV1().Pods(namespace).List(t.Context(), metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		t.Fatal(err)
	}
	return pods.Items
}

func podCondition(p *corev1.Pod, typ corev1.PodConditionType, status corev1.ConditionStatus) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == typ {
			return c.Status == status
		}
	}
	return false
}

// podConditionReason is the reason of p's condition typ when that condition is
// False, else "".
func podConditionReason(p *corev1.Pod, typ corev1.PodConditionType) string {
	for _, c := range p.Status.Conditions {
		if c.Type == typ && c.Status == corev1.ConditionFalse {
			return c.Reason
		}
	}
	return ""
}

func podConditionMessage(p *corev1.Pod, typ corev1.PodConditionType) string {
	for _, c := range p.Status.Conditions {
		if c.Type == typ {
			return c.Message
		}
	}
	return ""
}
