package e2e

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/json"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	typesv1beta1 "github.com/kubefed-gen/kubefed/cmd/controller-manager/apis/types/v1beta1"
	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/health"
	"github.com/kubefed-gen/kubefed/runtime/manager"
	"github.com/kubefed-gen/kubefed/test/clusters"
	"github.com/kubefed-gen/kubefed/test/federation"
)

// TestMemberStatus runs on members that run pods: member1 has room, member2
// one node with room for a single pod.
func TestMemberStatus(t *testing.T) {
	f := federation.Start(t, manager.Options{}, federation.WithWorkloads(map[string]clusters.Workloads{
		"member1": {},
		"member2": {NodeCapacity: corev1.ResourceList{corev1.ResourcePods: resource.MustParse("1")}},
	}))
	ctx := context.Background()
	const ns = "memberstatus"
	f.FederateNamespace(t, ns, "member1", "member2")

	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := f.Set.WriteKubeconfig(kubeconfig); err != nil {
		t.Fatal(err)
	}
	binDir, err := clusters.BinaryDir()
	if err != nil {
		t.Fatal(err)
	}
	// columns returns the printer columns kubectl shows for the object, by header.
	columns := func(t *testing.T, resource, name string) map[string]string {
		t.Helper()
		out, err := exec.Command(filepath.Join(binDir, "kubectl"), "--kubeconfig", kubeconfig, "--context", "host",
			"get", resource, name, "-n", ns).CombinedOutput()
		if err != nil {
			t.Fatalf("kubectl get %s: %v\n%s", resource, err, out)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(lines) != 2 {
			t.Fatalf("kubectl get %s:\n%s", resource, out)
		}
		header, values := strings.Fields(lines[0]), strings.Fields(lines[1])
		got := map[string]string{}
		for i, h := range header {
			if i < len(values) {
				got[h] = values[i]
			}
		}
		return got
	}

	web := &typesv1beta1.FederatedDeployment{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: ns}}
	labels := map[string]string{"app": "web"}
	web.Spec.Template.Spec = appsv1.DeploymentSpec{
		Replicas: ptr.To[int32](1),
		// A rollout that cannot finish is Degraded after this long.
		ProgressDeadlineSeconds: ptr.To[int32](5),
		// Old pods go first, so that a rollout back to a size that fits has
		// the room of the one that did not.
		Strategy: appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType},
		Selector: &metav1.LabelSelector{MatchLabels: labels},
		Template: corev1.PodTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Labels: labels},
			Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "nginx"}}},
		},
	}
	web.Spec.Placement = federation.PlacementOn("member1", "member2")

	t.Run("a FederatedDeployment becomes Ready in both members", func(t *testing.T) {
		if err := f.Host.Create(ctx, web); err != nil {
			t.Fatal(err)
		}
		waitFederatedStatus(t, f, web, "ready in both", func(st *fedv1beta1.GenericFederatedStatus) error {
			if err := wantHealth(st, map[string]fedv1beta1.Health{"member1": fedv1beta1.HealthReady, "member2": fedv1beta1.HealthReady}); err != nil {
				return err
			}
			return wantCounts(st, 2, 2, 2)
		})
		fresh := &typesv1beta1.FederatedDeployment{}
		if err := f.Host.Get(ctx, client.ObjectKeyFromObject(web), fresh); err != nil {
			t.Fatal(err)
		}
		remote, ok, err := fresh.RemoteStatus("member1")
		if err != nil || !ok || remote.ReadyReplicas != 1 || remote.ObservedGeneration == 0 {
			t.Errorf("member1 remoteStatus %+v (%v, %v), want the member Deployment's status", remote, ok, err)
		}
		if c := meta.FindStatusCondition(fresh.Status.Conditions, fedv1beta1.ConditionReady); c == nil || c.Status != metav1.ConditionTrue {
			t.Errorf("Ready condition %+v, want True", c)
		}
		if got := columns(t, "federateddeployments", "web"); got["READY"] != "2" || got["REPLICAS"] != "2" || got["READY-REPLICAS"] != "2" {
			t.Errorf("columns %v, want READY 2, REPLICAS 2, READY-REPLICAS 2", got)
		}
	})

	t.Run("a member too small for its replicas is Degraded and the aggregate drops", func(t *testing.T) {
		// A rollout (a new pod template) of 3 replicas on room for 1: it cannot
		// finish, and passes its progress deadline. (Scaling alone is no
		// rollout: Kubernetes applies no deadline to it, and it stays
		// Progressing.)
		setOverrides(t, f, web, []fedv1beta1.GenericOverrideItem{{ClusterName: "member2", ClusterOverrides: []fedv1beta1.ClusterOverride{
			{Path: "/spec/replicas", Value: &apiextensionsv1.JSON{Raw: []byte("3")}},
			{Path: "/spec/template/spec/containers/0/image", Value: &apiextensionsv1.JSON{Raw: []byte(`"nginx:2"`)}},
		}}})
		waitFederatedStatus(t, f, web, "member2 degraded", func(st *fedv1beta1.GenericFederatedStatus) error {
			if err := wantHealth(st, map[string]fedv1beta1.Health{"member1": fedv1beta1.HealthReady, "member2": fedv1beta1.HealthDegraded}); err != nil {
				return err
			}
			if c := meta.FindStatusCondition(st.Conditions, fedv1beta1.ConditionReady); c == nil || c.Status != metav1.ConditionFalse ||
				c.Reason != health.ReasonClustersDegraded || c.Message != "not ready in 1 of 2 cluster(s): member2 Degraded" {
				return fmt.Errorf("Ready condition %+v, want False naming member2 Degraded", c)
			}
			return wantCounts(st, 1, 4, 2)
		})
		if got := columns(t, "federateddeployments", "web"); got["CLUSTERS"] != "2" || got["READY"] != "1" || got["REPLICAS"] != "4" || got["READY-REPLICAS"] != "2" {
			t.Errorf("columns %v, want CLUSTERS 2, READY 1, REPLICAS 4, READY-REPLICAS 2", got)
		}
		// Back to a size member2 can run: Ready again.
		setOverrides(t, f, web, nil)
		waitFederatedStatus(t, f, web, "member2 ready again", func(st *fedv1beta1.GenericFederatedStatus) error {
			return wantCounts(st, 2, 2, 2)
		})
	})

	t.Run("jobs: a complete one is Ready, a failed one Degraded", func(t *testing.T) {
		job := func(name string, spec batchv1.JobSpec) *typesv1beta1.FederatedJob {
			j := &typesv1beta1.FederatedJob{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}}
			spec.Template.Spec.RestartPolicy = corev1.RestartPolicyNever
			spec.Template.Spec.Containers = []corev1.Container{{Name: "run", Image: "busybox"}}
			j.Spec.Template.Spec = spec
			j.Spec.Placement = federation.PlacementOn("member1")
			if err := f.Host.Create(ctx, j); err != nil {
				t.Fatal(err)
			}
			return j
		}
		done := job("done", batchv1.JobSpec{})
		// No node matches, so the pod never runs and the deadline fails the job.
		failing := job("failing", batchv1.JobSpec{ActiveDeadlineSeconds: ptr.To[int64](1), BackoffLimit: ptr.To[int32](0),
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{NodeSelector: map[string]string{"nowhere": "true"}}}})
		for obj, want := range map[*typesv1beta1.FederatedJob]fedv1beta1.Health{done: fedv1beta1.HealthReady, failing: fedv1beta1.HealthDegraded} {
			waitFederatedStatus(t, f, obj, "job "+obj.Name, func(st *fedv1beta1.GenericFederatedStatus) error {
				return wantHealth(st, map[string]fedv1beta1.Health{"member1": want})
			})
		}
		st := getFederatedStatus(t, f, failing)
		var remote batchv1.JobStatus
		if err := json.Unmarshal(clusterEntry(st, "member1").RemoteStatus.Raw, &remote); err != nil {
			t.Fatal(err)
		}
		if !hasJobCondition(remote, batchv1.JobFailed) {
			t.Errorf("failed job's remoteStatus %+v has no Failed condition", remote)
		}
	})

	t.Run("an unreachable member's status is kept, marked stale", func(t *testing.T) {
		before := time.Now().Add(-time.Second)
		restore := sync.OnceFunc(setEndpoint(t, f, "member2", "https://"+closedPort(t)))
		t.Cleanup(restore)
		waitFederatedStatus(t, f, web, "member2 stale", func(st *fedv1beta1.GenericFederatedStatus) error {
			c := clusterEntry(st, "member2")
			if !c.Stale || c.Health != fedv1beta1.HealthUnknown || c.Status != fedv1beta1.ClusterNotReady {
				return fmt.Errorf("member2 %+v, want stale, Unknown, ClusterNotReady", c)
			}
			if c.RemoteStatus == nil || c.LastObservedTime == nil || c.LastObservedTime.Time.Before(before.Add(-time.Minute)) {
				return fmt.Errorf("member2 remote status %v observed %v, want the last one with its time", c.RemoteStatus, c.LastObservedTime)
			}
			if c.LastObservedTime.After(time.Now()) {
				return fmt.Errorf("member2 observed in the future: %v", c.LastObservedTime)
			}
			if c := meta.FindStatusCondition(st.Conditions, fedv1beta1.ConditionReady); c == nil || c.Status != metav1.ConditionFalse ||
				c.Reason != health.ReasonClustersNotReady || c.Message != "not ready in 1 of 2 cluster(s): member2 Unknown (stale, ClusterNotReady)" {
				return fmt.Errorf("Ready condition %+v, want False naming member2 stale", c)
			}
			// Desired replicas stay counted; member2's ready ones no longer do.
			return wantCounts(st, 1, 2, 1)
		})
		restore()
		waitFederatedStatus(t, f, web, "member2 current again", func(st *fedv1beta1.GenericFederatedStatus) error {
			if c := clusterEntry(st, "member2"); c.Stale {
				return fmt.Errorf("member2 still stale: %+v", c)
			}
			return wantCounts(st, 2, 2, 2)
		})
	})

	t.Run("status collection disabled: no remote status", func(t *testing.T) {
		ftc := federation.TypeInfo(t, "deployments.apps").TypeConfig(federation.KubefedNamespace, corev1beta1.Enabled)
		ftc.Spec.StatusCollection = ptr.To(corev1beta1.Disabled)
		if err := f.Host.Create(ctx, ftc); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = f.Host.Delete(context.Background(), ftc) })
		waitFederatedStatus(t, f, web, "no collected status", func(st *fedv1beta1.GenericFederatedStatus) error {
			for _, c := range st.Clusters {
				if c.RemoteStatus != nil || c.Health != "" || c.LastObservedTime != nil {
					return fmt.Errorf("cluster %s still has collected status: %+v", c.Name, c)
				}
			}
			if st.Replicas != nil || st.ReadyReplicas != nil || st.ReadyClusters != 2 {
				return fmt.Errorf("replicas %v ready replicas %v ready clusters %d, want none, none, 2 (propagated)", st.Replicas, st.ReadyReplicas, st.ReadyClusters)
			}
			if c := meta.FindStatusCondition(st.Conditions, fedv1beta1.ConditionReady); c != nil {
				return fmt.Errorf("Ready condition %+v without status collection", c)
			}
			return nil
		})
	})
}

func getFederatedStatus(t *testing.T, f *federation.Federation, obj client.Object) *fedv1beta1.GenericFederatedStatus {
	t.Helper()
	fresh := obj.DeepCopyObject().(client.Object)
	if err := f.Host.Get(context.Background(), client.ObjectKeyFromObject(obj), fresh); err != nil {
		t.Fatal(err)
	}
	return fresh.(interface {
		FederatedStatus() *fedv1beta1.GenericFederatedStatus
	}).FederatedStatus()
}

// waitFederatedStatus waits until check accepts the federated object's status,
// failing with check's last complaint and the status after 30 seconds.
func waitFederatedStatus(t *testing.T, f *federation.Federation, obj client.Object, what string, check func(*fedv1beta1.GenericFederatedStatus) error) {
	t.Helper()
	var last error
	var st *fedv1beta1.GenericFederatedStatus
	// A minute: some states come from the members' kube-controller-manager
	// (a rollout past its progress deadline), which a loaded machine delays.
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		fresh := obj.DeepCopyObject().(client.Object)
		if last = f.Host.Get(context.Background(), client.ObjectKeyFromObject(obj), fresh); last != nil {
			continue
		}
		st = fresh.(interface {
			FederatedStatus() *fedv1beta1.GenericFederatedStatus
		}).FederatedStatus()
		if last = check(st); last == nil {
			return
		}
	}
	data, _ := json.Marshal(st)
	t.Fatalf("%s: %s: %v\nstatus: %s", client.ObjectKeyFromObject(obj), what, last, data)
}

func clusterEntry(st *fedv1beta1.GenericFederatedStatus, name string) fedv1beta1.GenericClusterStatus {
	for _, c := range st.Clusters {
		if c.Name == name {
			return c
		}
	}
	return fedv1beta1.GenericClusterStatus{}
}

func wantHealth(st *fedv1beta1.GenericFederatedStatus, want map[string]fedv1beta1.Health) error {
	for name, h := range want {
		if c := clusterEntry(st, name); c.Health != h || c.Stale {
			return fmt.Errorf("cluster %s health %q (stale %v), want %s", name, c.Health, c.Stale, h)
		}
	}
	return nil
}

func wantCounts(st *fedv1beta1.GenericFederatedStatus, readyClusters, replicas, readyReplicas int32) error {
	if st.ReadyClusters != readyClusters || st.Replicas == nil || *st.Replicas != replicas || st.ReadyReplicas == nil || *st.ReadyReplicas != readyReplicas {
		return fmt.Errorf("ready clusters %d, replicas %v/%v; want %d, %d/%d", st.ReadyClusters,
			ptr.Deref(st.ReadyReplicas, -1), ptr.Deref(st.Replicas, -1), readyClusters, readyReplicas, replicas)
	}
	return nil
}

func setOverrides(t *testing.T, f *federation.Federation, obj *typesv1beta1.FederatedDeployment, overrides []fedv1beta1.GenericOverrideItem) {
	t.Helper()
	ctx := context.Background()
	fresh := &typesv1beta1.FederatedDeployment{}
	if err := f.Host.Get(ctx, client.ObjectKeyFromObject(obj), fresh); err != nil {
		t.Fatal(err)
	}
	patch := client.MergeFrom(fresh.DeepCopy())
	fresh.Spec.Overrides = overrides
	if err := f.Host.Patch(ctx, fresh, patch); err != nil {
		t.Fatal(err)
	}
}

func hasJobCondition(st batchv1.JobStatus, typ batchv1.JobConditionType) bool {
	for _, c := range st.Conditions {
		if c.Type == typ && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}
