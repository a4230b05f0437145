package e2e

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	typesv1beta1 "github.com/kubefed-gen/kubefed/cmd/controller-manager/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/app"
	builtinv1beta1 "github.com/kubefed-gen/kubefed/examples/builtin-types/federation/apis/types/v1beta1"
	builtintypes "github.com/kubefed-gen/kubefed/examples/builtin-types/federation/fedtypes"
	schedulingv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/scheduling/v1alpha1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/manager"
	"github.com/kubefed-gen/kubefed/runtime/schedule"
	"github.com/kubefed-gen/kubefed/test/clusters"
	"github.com/kubefed-gen/kubefed/test/federation"
)

// TestScheduling runs ReplicaSchedulingPreferences on a host and two members that
// run pods (kwok nodes with room for all), with the default controller manager;
// the subtests share the clusters and run in order.
func TestScheduling(t *testing.T) {
	// StatefulSets are not in the default type set: the manager is built with
	// them too, from the generated example.
	f := federation.Start(t, manager.Options{}, federation.WithWorkloads(map[string]clusters.Workloads{
		"member1": {}, "member2": {},
	}), federation.WithTypes(builtintypes.Descriptors, builtinv1beta1.AddToScheme,
		filepath.Join("..", "..", "examples", "builtin-types", "federation", "config", "crd", "bases")))
	ctx := context.Background()
	ns := "shop"
	f.FederateNamespace(t, ns, "member1", "member2")

	web := newFederatedDeployment(ns, "web")
	webRSP := newRSP(ns, "web", "FederatedDeployment", 9, map[string]schedulingv1alpha1.ClusterPreferences{
		"member1": {Weight: 2}, "member2": {Weight: 1},
	})
	webRSP.Spec.Rebalance = true

	t.Run("weights 2:1 place 6 and 3 ready pods", func(t *testing.T) {
		// The federated object has no placement of its own: the preference gives it one.
		for _, obj := range []client.Object{web, webRSP} {
			if err := f.Host.Create(ctx, obj); err != nil {
				t.Fatal(err)
			}
		}
		waitDeploymentReady(t, f, ns, "web", map[string]int32{"member1": 6, "member2": 3})
		waitScheduled(t, f, webRSP, schedule.ReasonScheduled, map[string]plannedReplicas{"member1": {6, 0, 6}, "member2": {3, 0, 3}})
		fed := &typesv1beta1.FederatedDeployment{}
		if err := f.Host.Get(ctx, client.ObjectKeyFromObject(web), fed); err != nil {
			t.Fatal(err)
		}
		if got := placedOn(fed.Spec.Placement); got != "[member1 member2]" {
			t.Errorf("placement %s", got)
		}
	})

	t.Run(`"*" with min and max`, func(t *testing.T) {
		api := newFederatedDeployment(ns, "api")
		// Keep an override of another path: scheduling must not drop it.
		api.Spec.Overrides = []fedv1beta1.GenericOverrideItem{{ClusterName: "member2", ClusterOverrides: []fedv1beta1.ClusterOverride{
			{Op: "add", Path: "/spec/minReadySeconds", Value: jsonValue(5)},
		}}}
		// member2 takes "*": at least 1, at most 2; member1 has weight 1 and no bound.
		rsp := newRSP(ns, "api", "FederatedDeployment", 6, map[string]schedulingv1alpha1.ClusterPreferences{
			"*":       {MinReplicas: 1, MaxReplicas: ptr.To[int64](2), Weight: 1},
			"member1": {Weight: 1},
		})
		for _, obj := range []client.Object{api, rsp} {
			if err := f.Host.Create(ctx, obj); err != nil {
				t.Fatal(err)
			}
		}
		waitScheduled(t, f, rsp, schedule.ReasonScheduled, map[string]plannedReplicas{"member1": {4, 0, 4}, "member2": {2, 0, 2}})
		waitDeploymentReady(t, f, ns, "api", map[string]int32{"member1": 4, "member2": 2})
		var d appsv1.Deployment
		if err := f.Members["member2"].Get(ctx, client.ObjectKey{Namespace: ns, Name: "api"}, &d); err != nil {
			t.Fatal(err)
		}
		if d.Spec.MinReadySeconds != 5 {
			t.Errorf("the other override of member2 was lost: minReadySeconds %d", d.Spec.MinReadySeconds)
		}
	})

	t.Run("an unready member's replicas move to the other", func(t *testing.T) {
		restore := setEndpoint(t, f, "member2", "https://"+closedPort(t))
		waitDeploymentReady(t, f, ns, "web", map[string]int32{"member1": 9})
		waitScheduled(t, f, webRSP, schedule.ReasonScheduled, map[string]plannedReplicas{"member1": {9, 0, 9}})
		restore()
		// With rebalance, member2 gets its share back.
		waitDeploymentReady(t, f, ns, "web", map[string]int32{"member1": 6, "member2": 3})
		waitScheduled(t, f, webRSP, schedule.ReasonScheduled, map[string]plannedReplicas{"member1": {6, 0, 6}, "member2": {3, 0, 3}})
	})

	t.Run("a generated scalable kind: FederatedStatefulSet", func(t *testing.T) {
		labels := map[string]string{"app": "db"}
		db := &builtinv1beta1.FederatedStatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: ns}}
		db.SetTemplate(&appsv1.StatefulSet{Spec: appsv1.StatefulSetSpec{
			Replicas:    ptr.To[int32](1),
			ServiceName: "db",
			Selector:    &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "db", Image: "postgres:17"}}},
			},
		}})
		rsp := newRSP(ns, "db", "FederatedStatefulSet", 6, map[string]schedulingv1alpha1.ClusterPreferences{
			"member1": {Weight: 1}, "member2": {Weight: 2},
		})
		for _, obj := range []client.Object{db, rsp} {
			if err := f.Host.Create(ctx, obj); err != nil {
				t.Fatal(err)
			}
		}
		for member, n := range map[string]int32{"member1": 2, "member2": 4} {
			f.Eventually(t, "statefulset db in "+member, func(ctx context.Context) error {
				var s appsv1.StatefulSet
				if err := f.Members[member].Get(ctx, client.ObjectKey{Namespace: ns, Name: "db"}, &s); err != nil {
					return err
				}
				if got := ptr.Deref(s.Spec.Replicas, -1); got != n || s.Status.ReadyReplicas != n {
					return fmt.Errorf("%d replicas, %d ready; want %d", got, s.Status.ReadyReplicas, n)
				}
				return nil
			})
		}
		waitScheduled(t, f, rsp, schedule.ReasonScheduled, map[string]plannedReplicas{"member1": {2, 0, 2}, "member2": {4, 0, 4}})
	})

	t.Run("a second scalable kind of the default set: FederatedReplicaSet", func(t *testing.T) {
		labels := map[string]string{"app": "worker"}
		rs := &typesv1beta1.FederatedReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "worker", Namespace: ns}}
		rs.SetTemplate(&appsv1.ReplicaSet{Spec: appsv1.ReplicaSetSpec{
			Replicas: ptr.To[int32](1),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "worker", Image: "busybox:1.36"}}},
			},
		}})
		rsp := newRSP(ns, "worker", "FederatedReplicaSet", 3, map[string]schedulingv1alpha1.ClusterPreferences{
			"member1": {Weight: 2}, "member2": {Weight: 1},
		})
		for _, obj := range []client.Object{rs, rsp} {
			if err := f.Host.Create(ctx, obj); err != nil {
				t.Fatal(err)
			}
		}
		waitScheduled(t, f, rsp, schedule.ReasonScheduled, map[string]plannedReplicas{"member1": {2, 0, 2}, "member2": {1, 0, 1}})
	})

	t.Run("bad input is reported", func(t *testing.T) {
		negative := newRSP(ns, "negative", "FederatedDeployment", -1, nil)
		if err := f.Host.Create(ctx, negative); err == nil {
			t.Error("a negative totalReplicas was accepted")
		}
		cm := &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "settings", Namespace: ns}}
		if err := f.Host.Create(ctx, cm); err != nil {
			t.Fatal(err)
		}
		plain := "plain"
		if err := f.Host.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: plain}}); err != nil {
			t.Fatal(err)
		}
		if err := f.Host.Create(ctx, newFederatedDeployment(plain, "web")); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			rsp    *schedulingv1alpha1.ReplicaSchedulingPreference
			reason string
		}{
			{newRSP(ns, "widget", "FederatedWidget", 3, nil), schedule.ReasonUnknownTargetKind},
			{newRSP(ns, "settings", "FederatedConfigMap", 3, nil), schedule.ReasonKindNotScalable},
			{newRSP(ns, "missing", "FederatedDeployment", 3, map[string]schedulingv1alpha1.ClusterPreferences{
				"member1": {Weight: 2}, "member2": {Weight: 1},
			}), schedule.ReasonTargetNotFound},
			{newRSP(plain, "web", "FederatedDeployment", 3, nil), schedule.ReasonNamespaceNotFederated},
		}
		for _, c := range cases {
			if err := f.Host.Create(ctx, c.rsp); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range cases {
			cond := waitScheduled(t, f, c.rsp, c.reason, nil)
			t.Logf("%s: %s", c.reason, cond.Message)
		}

		// Creating the missing target schedules it.
		if err := f.Host.Create(ctx, newFederatedDeployment(ns, "missing")); err != nil {
			t.Fatal(err)
		}
		waitScheduled(t, f, cases[2].rsp, schedule.ReasonScheduled, map[string]plannedReplicas{"member1": {2, 0, -1}, "member2": {1, 0, -1}})

		// totalReplicas 0 scales the workload to zero everywhere.
		update(t, f, cases[2].rsp, func() { cases[2].rsp.Spec.TotalReplicas = 0 })
		waitScheduled(t, f, cases[2].rsp, schedule.ReasonNoReplicas, map[string]plannedReplicas{"member1": {0, 0, -1}, "member2": {0, 0, -1}})
		waitDeploymentReady(t, f, ns, "missing", map[string]int32{"member1": 0, "member2": 0})
	})

	t.Run("deleting the preference leaves the object as last scheduled", func(t *testing.T) {
		if err := f.Host.Delete(ctx, webRSP); err != nil {
			t.Fatal(err)
		}
		// The user now owns the replicas: a change to member2's override sticks.
		fed := &typesv1beta1.FederatedDeployment{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: ns}}
		update(t, f, fed, func() {
			for i, item := range fed.Spec.Overrides {
				if item.ClusterName == "member2" {
					fed.Spec.Overrides[i].ClusterOverrides = []fedv1beta1.ClusterOverride{{Path: "/spec/replicas", Value: jsonValue(1)}}
				}
			}
		})
		waitDeploymentReady(t, f, ns, "web", map[string]int32{"member1": 6, "member2": 1})
		// A member change that would reschedule a preference does nothing now.
		restore := setEndpoint(t, f, "member2", "https://"+closedPort(t))
		time.Sleep(3 * time.Second)
		restore()
		if err := f.Host.Get(ctx, client.ObjectKeyFromObject(fed), fed); err != nil {
			t.Fatal(err)
		}
		if got := placedOn(fed.Spec.Placement); got != "[member1 member2]" {
			t.Errorf("placement %s after the preference was deleted", got)
		}
		waitDeploymentReady(t, f, ns, "web", map[string]int32{"member1": 6, "member2": 1})
	})
}

// TestSchedulingOverflow makes member2 too small: its one node has room for one
// pod, so the replicas it cannot run move to member1 (rebalance on) and the
// preference reports them as member2's overflow.
func TestSchedulingOverflow(t *testing.T) {
	f := federation.Start(t, manager.Options{UnschedulableThreshold: 3 * time.Second}, federation.WithWorkloads(map[string]clusters.Workloads{
		"member1": {},
		"member2": {NodeCapacity: corev1.ResourceList{corev1.ResourcePods: resource.MustParse("1")}},
	}))
	ctx := context.Background()
	ns := "overflow"
	f.FederateNamespace(t, ns, "member1", "member2")
	rsp := newRSP(ns, "web", "FederatedDeployment", 9, map[string]schedulingv1alpha1.ClusterPreferences{
		"member1": {Weight: 2}, "member2": {Weight: 1},
	})
	rsp.Spec.Rebalance = true
	for _, obj := range []client.Object{newFederatedDeployment(ns, "web"), rsp} {
		if err := f.Host.Create(ctx, obj); err != nil {
			t.Fatal(err)
		}
	}
	// First 6:3; member2 runs 1 and 2 stay unschedulable; after the threshold
	// member2's capacity is 1: member1 runs 8, member2 keeps 3 (1 planned, 2
	// overflow, pending until room appears), as KubeFed does.
	waitScheduled(t, f, rsp, schedule.ReasonScheduled, map[string]plannedReplicas{"member1": {8, 0, 8}, "member2": {1, 2, 1}})
	waitDeploymentReady(t, f, ns, "web", map[string]int32{"member1": 8})
	var d appsv1.Deployment
	if err := f.Members["member2"].Get(ctx, client.ObjectKey{Namespace: ns, Name: "web"}, &d); err != nil {
		t.Fatal(err)
	}
	if ptr.Deref(d.Spec.Replicas, 0) != 3 || d.Status.ReadyReplicas != 1 {
		t.Errorf("member2: %d replicas, %d ready; want 3 and 1", ptr.Deref(d.Spec.Replicas, 0), d.Status.ReadyReplicas)
	}

	// kubefedctl status shows the plan and why.
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := f.Set.WriteKubeconfig(kubeconfig); err != nil {
		t.Fatal(err)
	}
	cmd := app.NewCommand()
	var stdout bytes.Buffer
	cmd.SetOut(&stdout)
	cmd.SetArgs([]string{"--kubeconfig", kubeconfig, "--host-cluster-context", "host", "status", "deployments.apps", "web", "-n", ns})
	if err := cmd.ExecuteContext(ctx); err != nil {
		t.Fatal(err)
	}
	out := stdout.String()
	t.Logf("kubefedctl status:\n%s", out)
	for _, want := range []string{
		"Scheduling: ReplicaSchedulingPreference overflow/web, 9 replicas, rebalance true",
		`clusters["member1"]: weight 2 of 3`,
		`clusters["member2"]: weight 1 of 3, capacity 1 (pods unschedulable): 2 more would be its share`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("kubefedctl status does not say %q", want)
		}
	}
}

func newRSP(ns, name, kind string, total int32, prefs map[string]schedulingv1alpha1.ClusterPreferences) *schedulingv1alpha1.ReplicaSchedulingPreference {
	return &schedulingv1alpha1.ReplicaSchedulingPreference{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec:       schedulingv1alpha1.ReplicaSchedulingPreferenceSpec{TargetKind: kind, TotalReplicas: total, Clusters: prefs},
	}
}

// plannedReplicas is a cluster's expected status entry; current -1 means not checked.
type plannedReplicas struct{ planned, overflow, current int64 }

// waitScheduled waits until the preference's Scheduled condition has reason, for
// its current generation, and (when clusters is not nil) its status has exactly
// those clusters; it returns the condition.
func waitScheduled(t *testing.T, f *federation.Federation, rsp *schedulingv1alpha1.ReplicaSchedulingPreference, reason string, clusters map[string]plannedReplicas) metav1.Condition {
	t.Helper()
	var cond metav1.Condition
	f.Eventually(t, fmt.Sprintf("ReplicaSchedulingPreference %s %s", client.ObjectKeyFromObject(rsp), reason), func(ctx context.Context) error {
		var fresh schedulingv1alpha1.ReplicaSchedulingPreference
		if err := f.Host.Get(ctx, client.ObjectKeyFromObject(rsp), &fresh); err != nil {
			return err
		}
		c := meta.FindStatusCondition(fresh.Status.Conditions, schedule.ConditionScheduled)
		if c == nil || c.Reason != reason || c.ObservedGeneration != fresh.Generation {
			return fmt.Errorf("condition %+v", c)
		}
		cond = *c
		if clusters == nil {
			return nil
		}
		got := map[string]plannedReplicas{}
		for _, e := range fresh.Status.Clusters {
			current := ptr.Deref(e.CurrentReplicas, -2)
			if clusters[e.Name].current == -1 {
				current = -1
			}
			got[e.Name] = plannedReplicas{e.PlannedReplicas, e.OverflowReplicas, current}
		}
		if fmt.Sprint(got) != fmt.Sprint(clusters) {
			return fmt.Errorf("clusters %v, want %v (condition %s)", got, clusters, c.Message)
		}
		return nil
	})
	return cond
}

// waitDeploymentReady waits until each named member's Deployment has exactly the
// replicas given, all ready.
func waitDeploymentReady(t *testing.T, f *federation.Federation, ns, name string, want map[string]int32) {
	t.Helper()
	for member, n := range want {
		f.Eventually(t, fmt.Sprintf("deployment %s/%s in %s", ns, name, member), func(ctx context.Context) error {
			var d appsv1.Deployment
			if err := f.Members[member].Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, &d); err != nil {
				return err
			}
			if got := ptr.Deref(d.Spec.Replicas, -1); got != n || d.Status.ReadyReplicas != n {
				return fmt.Errorf("%d replicas, %d ready; want %d", got, d.Status.ReadyReplicas, n)
			}
			return nil
		})
	}
}

func placedOn(p fedv1beta1.Placement) string {
	var names []string
	for _, c := range p.Clusters {
		names = append(names, c.Name)
	}
	return fmt.Sprint(names)
}
