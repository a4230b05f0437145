package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	typesv1beta1 "github.com/kubefed-gen/kubefed/cmd/controller-manager/apis/types/v1beta1"
	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/manager"
	"github.com/kubefed-gen/kubefed/test/federation"
)

const (
	ok       = fedv1beta1.ClusterPropagationOK
	notReady = fedv1beta1.ClusterNotReady
)

// TestPropagation runs the default controller manager against a real host and two
// real members and checks KubeFed's behaviours one by one; the subtests share the
// clusters and run in order.
func TestPropagation(t *testing.T) {
	f := federation.Start(t, manager.Options{})
	ctx := context.Background()
	both := map[string]fedv1beta1.PropagationStatus{"member1": ok, "member2": ok}

	t.Run("create, update and delete of several kinds", func(t *testing.T) {
		ns := "crud"
		f.FederateNamespace(t, ns, "member1", "member2")
		cm := &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "settings", Namespace: ns}}
		cm.Spec.Template.Data = map[string]string{"color": "blue"}
		cm.Spec.Placement = federation.PlacementOn("member1", "member2")
		secret := &typesv1beta1.FederatedSecret{ObjectMeta: metav1.ObjectMeta{Name: "token", Namespace: ns}}
		secret.Spec.Template.StringData = map[string]string{"token": "s3cret"}
		secret.Spec.Placement = federation.PlacementOn("member1", "member2")
		deploy := newFederatedDeployment(ns, "web", "member1", "member2")
		for _, obj := range []client.Object{cm, secret, deploy} {
			if err := f.Host.Create(ctx, obj); err != nil {
				t.Fatal(err)
			}
		}
		f.WaitStatus(t, cm, both)
		f.WaitStatus(t, secret, both)
		f.WaitStatus(t, deploy, both)
		for name, member := range f.Members {
			var got corev1.ConfigMap
			if err := member.Get(ctx, client.ObjectKey{Namespace: ns, Name: "settings"}, &got); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if got.Data["color"] != "blue" || got.Labels[fedv1beta1.ManagedLabel] != "true" {
				t.Errorf("%s: configmap data %v labels %v", name, got.Data, got.Labels)
			}
			var s corev1.Secret
			if err := member.Get(ctx, client.ObjectKey{Namespace: ns, Name: "token"}, &s); err != nil || string(s.Data["token"]) != "s3cret" {
				t.Errorf("%s: secret %v, err %v", name, s.Data, err)
			}
		}

		// Update: the change reaches both members.
		update(t, f, cm, func() { cm.Spec.Template.Data["color"] = "green" })
		waitMembers(t, f, "color=green", func(m client.Client) error {
			var got corev1.ConfigMap
			if err := m.Get(ctx, client.ObjectKey{Namespace: ns, Name: "settings"}, &got); err != nil {
				return err
			}
			if got.Data["color"] != "green" {
				return fmt.Errorf("data %v", got.Data)
			}
			return nil
		}, "member1", "member2")

		// Drift made by hand in a member is corrected.
		var drifted corev1.ConfigMap
		if err := f.Members["member2"].Get(ctx, client.ObjectKey{Namespace: ns, Name: "settings"}, &drifted); err != nil {
			t.Fatal(err)
		}
		drifted.Data["color"] = "red"
		if err := f.Members["member2"].Update(ctx, &drifted); err != nil {
			t.Fatal(err)
		}
		waitMembers(t, f, "drift corrected", func(m client.Client) error {
			var got corev1.ConfigMap
			if err := m.Get(ctx, client.ObjectKey{Namespace: ns, Name: "settings"}, &got); err != nil {
				return err
			}
			if got.Data["color"] != "green" {
				return fmt.Errorf("data %v", got.Data)
			}
			return nil
		}, "member2")

		// Delete: member objects go, then the federated object.
		if err := f.Host.Delete(ctx, cm); err != nil {
			t.Fatal(err)
		}
		waitMembers(t, f, "configmap deleted", absent(&corev1.ConfigMap{}, ns, "settings"), "member1", "member2")
		f.Eventually(t, "federated configmap gone", func(ctx context.Context) error {
			return expectNotFound(f.Host.Get(ctx, client.ObjectKeyFromObject(cm), &typesv1beta1.FederatedConfigMap{}))
		})
	})

	t.Run("placement: add and remove a cluster, clusterSelector", func(t *testing.T) {
		ns := "placement"
		f.FederateNamespace(t, ns, "member1", "member2")
		cm := &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "moving", Namespace: ns}}
		cm.Spec.Template.Data = map[string]string{"k": "v"}
		cm.Spec.Placement = federation.PlacementOn("member1")
		if err := f.Host.Create(ctx, cm); err != nil {
			t.Fatal(err)
		}
		f.WaitStatus(t, cm, map[string]fedv1beta1.PropagationStatus{"member1": ok})
		waitMembers(t, f, "only in member1", absent(&corev1.ConfigMap{}, ns, "moving"), "member2")

		update(t, f, cm, func() { cm.Spec.Placement = federation.PlacementOn("member1", "member2") })
		f.WaitStatus(t, cm, both)
		waitMembers(t, f, "added to member2", present(&corev1.ConfigMap{}, ns, "moving"), "member2")

		update(t, f, cm, func() { cm.Spec.Placement = federation.PlacementOn("member2") })
		f.WaitStatus(t, cm, map[string]fedv1beta1.PropagationStatus{"member2": ok})
		waitMembers(t, f, "removed from member1", absent(&corev1.ConfigMap{}, ns, "moving"), "member1")

		update(t, f, cm, func() {
			cm.Spec.Placement = fedv1beta1.Placement{ClusterSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"region": "eu"}}}
		})
		f.WaitStatus(t, cm, map[string]fedv1beta1.PropagationStatus{"member1": ok})
		waitMembers(t, f, "selector picks member1", present(&corev1.ConfigMap{}, ns, "moving"), "member1")
		waitMembers(t, f, "selector drops member2", absent(&corev1.ConfigMap{}, ns, "moving"), "member2")

		update(t, f, cm, func() { cm.Spec.Placement = fedv1beta1.Placement{ClusterSelector: &metav1.LabelSelector{}} })
		f.WaitStatus(t, cm, both)
	})

	t.Run("overrides: replicas, image, annotations", func(t *testing.T) {
		ns := "overrides"
		f.FederateNamespace(t, ns, "member1", "member2")
		deploy := newFederatedDeployment(ns, "api", "member1", "member2")
		deploy.Spec.Template.Metadata.Annotations = map[string]string{"team": "core", "tier": "gold"}
		deploy.Spec.Overrides = []fedv1beta1.GenericOverrideItem{{
			ClusterName: "member2",
			ClusterOverrides: []fedv1beta1.ClusterOverride{
				{Path: "/spec/replicas", Value: jsonValue(5)},
				{Op: fedv1beta1.OverrideReplace, Path: "/spec/template/spec/containers/0/image", Value: jsonValue("nginx:1.27-alpine")},
				{Op: fedv1beta1.OverrideAdd, Path: "/metadata/annotations/region", Value: jsonValue("us")},
				{Op: fedv1beta1.OverrideRemove, Path: "/metadata/annotations/tier"},
			},
		}}
		if err := f.Host.Create(ctx, deploy); err != nil {
			t.Fatal(err)
		}
		f.WaitStatus(t, deploy, both)
		get := func(member string) *appsv1.Deployment {
			var d appsv1.Deployment
			if err := f.Members[member].Get(ctx, client.ObjectKey{Namespace: ns, Name: "api"}, &d); err != nil {
				t.Fatalf("%s: %v", member, err)
			}
			return &d
		}
		d1, d2 := get("member1"), get("member2")
		if *d1.Spec.Replicas != 2 || d1.Spec.Template.Spec.Containers[0].Image != "nginx:1.27" || d1.Annotations["tier"] != "gold" {
			t.Errorf("member1 without overrides: replicas %d image %s annotations %v", *d1.Spec.Replicas, d1.Spec.Template.Spec.Containers[0].Image, d1.Annotations)
		}
		if *d2.Spec.Replicas != 5 || d2.Spec.Template.Spec.Containers[0].Image != "nginx:1.27-alpine" || d2.Annotations["region"] != "us" {
			t.Errorf("member2 overrides not applied: replicas %d image %s annotations %v", *d2.Spec.Replicas, d2.Spec.Template.Spec.Containers[0].Image, d2.Annotations)
		}
		if _, has := d2.Annotations["tier"]; has {
			t.Errorf("member2 still has the removed annotation: %v", d2.Annotations)
		}

		// Dropping an override takes its effect back out of the member.
		update(t, f, deploy, func() { deploy.Spec.Overrides[0].ClusterOverrides = deploy.Spec.Overrides[0].ClusterOverrides[:1] })
		waitMembers(t, f, "annotation override dropped", func(m client.Client) error {
			var d appsv1.Deployment
			if err := m.Get(ctx, client.ObjectKey{Namespace: ns, Name: "api"}, &d); err != nil {
				return err
			}
			if _, has := d.Annotations["region"]; has || d.Annotations["tier"] != "gold" || d.Spec.Template.Spec.Containers[0].Image != "nginx:1.27" {
				return fmt.Errorf("annotations %v image %s", d.Annotations, d.Spec.Template.Spec.Containers[0].Image)
			}
			return nil
		}, "member2")

		// A bad override path is reported on that cluster; the other still propagates.
		update(t, f, deploy, func() {
			deploy.Spec.Overrides[0].ClusterOverrides = []fedv1beta1.ClusterOverride{{Path: "/spec/replicass", Value: jsonValue(1)}}
			deploy.Spec.Template.Metadata.Annotations["team"] = "platform"
		})
		f.WaitStatus(t, deploy, map[string]fedv1beta1.PropagationStatus{"member1": ok, "member2": fedv1beta1.ApplyOverridesFailed})
		if got := get("member1").Annotations["team"]; got != "platform" {
			t.Errorf("member1 not updated while member2's override failed: team=%s", got)
		}
	})

	t.Run("namespace placement limits namespaced objects", func(t *testing.T) {
		ns := "only-eu"
		f.FederateNamespace(t, ns, "member1")
		cm := &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "c", Namespace: ns}}
		cm.Spec.Placement = federation.PlacementOn("member1", "member2")
		if err := f.Host.Create(ctx, cm); err != nil {
			t.Fatal(err)
		}
		f.WaitStatus(t, cm, map[string]fedv1beta1.PropagationStatus{"member1": ok})
		waitMembers(t, f, "not in member2", absent(&corev1.ConfigMap{}, ns, "c"), "member2")

		// A cluster that is not joined is reported, not silently dropped.
		update(t, f, cm, func() { cm.Spec.Placement = federation.PlacementOn("member1", "member9") })
		f.WaitStatus(t, cm, map[string]fedv1beta1.PropagationStatus{"member1": ok, "member9": notReady})
		var got typesv1beta1.FederatedConfigMap
		if err := f.Host.Get(ctx, client.ObjectKeyFromObject(cm), &got); err != nil {
			t.Fatal(err)
		}
		if c := meta.FindStatusCondition(got.Status.Conditions, fedv1beta1.ConditionPropagation); c == nil || c.Status != metav1.ConditionFalse || !strings.Contains(c.Message, "member9") {
			t.Errorf("Propagation condition %+v, want False naming member9", c)
		}
	})

	t.Run("orphaning leaves member objects unmanaged", func(t *testing.T) {
		ns := "orphans"
		f.FederateNamespace(t, ns, "member1", "member2")
		cm := &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "keep", Namespace: ns,
			Annotations: map[string]string{fedv1beta1.OrphanAnnotation: "true"}}}
		cm.Spec.Template.Data = map[string]string{"k": "v"}
		cm.Spec.Placement = federation.PlacementOn("member1", "member2")
		if err := f.Host.Create(ctx, cm); err != nil {
			t.Fatal(err)
		}
		f.WaitStatus(t, cm, both)
		if err := f.Host.Delete(ctx, cm); err != nil {
			t.Fatal(err)
		}
		f.Eventually(t, "federated configmap gone", func(ctx context.Context) error {
			return expectNotFound(f.Host.Get(ctx, client.ObjectKeyFromObject(cm), &typesv1beta1.FederatedConfigMap{}))
		})
		waitMembers(t, f, "left unmanaged", func(m client.Client) error {
			var got corev1.ConfigMap
			if err := m.Get(ctx, client.ObjectKey{Namespace: ns, Name: "keep"}, &got); err != nil {
				return err
			}
			if _, managed := got.Labels[fedv1beta1.ManagedLabel]; managed || got.Data["k"] != "v" {
				return fmt.Errorf("labels %v data %v", got.Labels, got.Data)
			}
			return nil
		}, "member1", "member2")
	})

	t.Run("adoption off reports AlreadyExists, on adopts", func(t *testing.T) {
		ns := "adoption"
		f.FederateNamespace(t, ns, "member1", "member2")
		// A settled object whose requeue shows that the manager has seen the new
		// KubeFedConfig: the sync controller requeues every object on its change.
		witness := &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "witness", Namespace: ns}}
		witness.Spec.Placement = federation.PlacementOn("member1")
		if err := f.Host.Create(ctx, witness); err != nil {
			t.Fatal(err)
		}
		f.WaitStatus(t, witness, map[string]fedv1beta1.PropagationStatus{"member1": ok})
		reconciles := func() float64 {
			return metricValue(t, "controller_runtime_reconcile_total", map[string]string{"controller": "sync-configmaps"})
		}
		before := reconciles()
		setAdoption(t, f, corev1beta1.Disabled)
		f.Eventually(t, "the manager saw adoption switched off", func(context.Context) error {
			if reconciles() == before {
				return fmt.Errorf("no reconcile since the change")
			}
			return nil
		})
		existing := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "legacy", Namespace: ns}, Data: map[string]string{"owner": "someone"}}
		if err := f.Members["member1"].Create(ctx, existing); err != nil {
			t.Fatal(err)
		}
		cm := &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "legacy", Namespace: ns}}
		cm.Spec.Template.Data = map[string]string{"owner": "federation"}
		cm.Spec.Placement = federation.PlacementOn("member1", "member2")
		if err := f.Host.Create(ctx, cm); err != nil {
			t.Fatal(err)
		}
		f.WaitStatus(t, cm, map[string]fedv1beta1.PropagationStatus{"member1": fedv1beta1.AlreadyExists, "member2": ok})
		var untouched corev1.ConfigMap
		if err := f.Members["member1"].Get(ctx, client.ObjectKeyFromObject(existing), &untouched); err != nil || untouched.Data["owner"] != "someone" {
			t.Errorf("unmanaged object changed without adoption: %v %v", untouched.Data, err)
		}
		setAdoption(t, f, corev1beta1.Enabled)
		f.WaitStatus(t, cm, both)
		waitMembers(t, f, "adopted", func(m client.Client) error {
			var got corev1.ConfigMap
			if err := m.Get(ctx, client.ObjectKeyFromObject(existing), &got); err != nil {
				return err
			}
			if got.Labels[fedv1beta1.ManagedLabel] != "true" || got.Data["owner"] != "federation" {
				return fmt.Errorf("labels %v data %v", got.Labels, got.Data)
			}
			return nil
		}, "member1")
	})

	t.Run("unreachable member reports ClusterNotReady, then converges", func(t *testing.T) {
		ns := "outage"
		f.FederateNamespace(t, ns, "member1", "member2")
		restore := setEndpoint(t, f, "member2", "https://"+closedPort(t))
		cm := &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "during-outage", Namespace: ns}}
		cm.Spec.Placement = federation.PlacementOn("member1", "member2")
		if err := f.Host.Create(ctx, cm); err != nil {
			t.Fatal(err)
		}
		f.WaitStatus(t, cm, map[string]fedv1beta1.PropagationStatus{"member1": ok, "member2": notReady})

		restore()
		f.WaitStatus(t, cm, both)
		waitMembers(t, f, "arrived after the outage", present(&corev1.ConfigMap{}, ns, "during-outage"), "member2")
	})

	t.Run("deleting while a member is down leaks nothing", func(t *testing.T) {
		ns := "leak"
		f.FederateNamespace(t, ns, "member1", "member2")
		const n = 20
		var objs []*typesv1beta1.FederatedConfigMap
		for i := range n {
			cm := &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("c%02d", i), Namespace: ns}}
			cm.Spec.Template.Data = map[string]string{"i": fmt.Sprint(i)}
			cm.Spec.Placement = federation.PlacementOn("member1", "member2")
			if err := f.Host.Create(ctx, cm); err != nil {
				t.Fatal(err)
			}
			objs = append(objs, cm)
		}
		for _, cm := range objs {
			f.WaitStatus(t, cm, both)
		}
		restore := setEndpoint(t, f, "member2", "https://"+closedPort(t))
		f.Eventually(t, "member2 not ready", func(ctx context.Context) error {
			var kfc corev1beta1.KubeFedCluster
			if err := f.Host.Get(ctx, client.ObjectKey{Namespace: federation.KubefedNamespace, Name: "member2"}, &kfc); err != nil {
				return err
			}
			if c := meta.FindStatusCondition(kfc.Status.Conditions, corev1beta1.ClusterReady); c == nil || c.Status == metav1.ConditionTrue {
				return fmt.Errorf("Ready %+v", c)
			}
			return nil
		})
		for _, cm := range objs {
			if err := f.Host.Delete(ctx, cm); err != nil {
				t.Fatal(err)
			}
		}
		count := func(m client.Client) int {
			var list corev1.ConfigMapList
			if err := m.List(ctx, &list, client.InNamespace(ns), client.MatchingLabels{fedv1beta1.ManagedLabel: "true"}); err != nil {
				t.Fatal(err)
			}
			return len(list.Items)
		}
		waitMembers(t, f, "member1 emptied", func(m client.Client) error {
			if got := count(m); got != 0 {
				return fmt.Errorf("%d managed configmaps left", got)
			}
			return nil
		}, "member1")
		for _, cm := range objs {
			f.WaitStatus(t, cm, map[string]fedv1beta1.PropagationStatus{"member2": notReady})
		}
		if got := count(f.Members["member2"]); got != n {
			t.Errorf("member2 holds %d of the %d objects while it is down, want all (nothing reaches it)", got, n)
		}

		restore()
		waitMembers(t, f, "member2 emptied once back", func(m client.Client) error {
			if got := count(m); got != 0 {
				return fmt.Errorf("%d managed configmaps leaked", got)
			}
			return nil
		}, "member2")
		f.Eventually(t, "federated objects gone", func(ctx context.Context) error {
			var list typesv1beta1.FederatedConfigMapList
			if err := f.Host.List(ctx, &list, client.InNamespace(ns)); err != nil {
				return err
			}
			if len(list.Items) != 0 {
				return fmt.Errorf("%d federated configmaps left", len(list.Items))
			}
			return nil
		})
	})

	t.Run("a stray managed label is removed", func(t *testing.T) {
		ns := "stray"
		f.FederateNamespace(t, ns, "member1", "member2")
		stray := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "stray", Namespace: ns, Labels: map[string]string{fedv1beta1.ManagedLabel: "true"}}}
		if err := f.Members["member1"].Create(ctx, stray); err != nil {
			t.Fatal(err)
		}
		waitMembers(t, f, "label removed, object kept", func(m client.Client) error {
			var got corev1.ConfigMap
			if err := m.Get(ctx, client.ObjectKeyFromObject(stray), &got); err != nil {
				return err
			}
			if _, ok := got.Labels[fedv1beta1.ManagedLabel]; ok {
				return fmt.Errorf("labels %v", got.Labels)
			}
			return nil
		}, "member1")
	})

	t.Run("a cluster joined twice under two names loses nothing", func(t *testing.T) {
		ns := "twice"
		f.FederateNamespace(t, ns, "member1", "member2")
		const n = 10
		for i := range n {
			cm := &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("c%02d", i), Namespace: ns}}
			cm.Spec.Placement = federation.PlacementOn("member1", "member2")
			if err := f.Host.Create(ctx, cm); err != nil {
				t.Fatal(err)
			}
			f.WaitStatus(t, cm, both)
		}
		// A second KubeFedCluster for member2 with no recorded identity, as
		// another tool may write one: the registry cannot know it is member2.
		var orig corev1beta1.KubeFedCluster
		if err := f.Host.Get(ctx, client.ObjectKey{Namespace: federation.KubefedNamespace, Name: "member2"}, &orig); err != nil {
			t.Fatal(err)
		}
		again := &corev1beta1.KubeFedCluster{ObjectMeta: metav1.ObjectMeta{Name: "member2-again", Namespace: orig.Namespace}, Spec: orig.Spec}
		if err := f.Host.Create(ctx, again); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = f.Host.Delete(context.Background(), again) })
		f.Eventually(t, "member2-again ready", func(ctx context.Context) error {
			if err := f.Host.Get(ctx, client.ObjectKeyFromObject(again), again); err != nil {
				return err
			}
			if c := meta.FindStatusCondition(again.Status.Conditions, corev1beta1.ClusterReady); c == nil || c.Status != metav1.ConditionTrue {
				return fmt.Errorf("Ready %+v", c)
			}
			return nil
		})
		// Every object is reconciled with member2-again known and not placed:
		// removal there must find nothing of its own to delete.
		reconcilesBefore := metricSum(t, "controller_runtime_reconcile_total")
		touchKubeFedConfig(t, f)
		f.Eventually(t, "objects reconciled again", func(context.Context) error {
			if got := metricSum(t, "controller_runtime_reconcile_total") - reconcilesBefore; got < n {
				return fmt.Errorf("%v reconciles", got)
			}
			return nil
		})
		var list corev1.ConfigMapList
		if err := f.Members["member2"].List(ctx, &list, client.InNamespace(ns), client.MatchingLabels{fedv1beta1.ManagedLabel: "true"}); err != nil {
			t.Fatal(err)
		}
		deleting := 0
		for _, cm := range list.Items {
			if cm.DeletionTimestamp != nil {
				deleting++
			}
		}
		if len(list.Items) != n || deleting != 0 {
			t.Errorf("member2 holds %d of %d objects (%d being deleted) after a second name was joined, want all, none deleted", len(list.Items), n, deleting)
		}
	})

	t.Run("FederatedTypeConfig switches propagation and reports it", func(t *testing.T) {
		ftc := func(name string, p corev1beta1.Switch) *corev1beta1.FederatedTypeConfig {
			c := &corev1beta1.FederatedTypeConfig{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: federation.KubefedNamespace}}
			c.Spec.Propagation = p
			c.Spec.TargetType = corev1beta1.APIResource{Version: "v1", Kind: "ConfigMap", PluralName: "configmaps", Scope: "Namespaced"}
			c.Spec.FederatedType = corev1beta1.APIResource{Group: "types.kubefed.io", Version: "v1beta1", Kind: "FederatedConfigMap", PluralName: "federatedconfigmaps", Scope: "Namespaced"}
			return c
		}
		waitController := func(name, want string) {
			f.Eventually(t, "FederatedTypeConfig "+name+" "+want, func(ctx context.Context) error {
				var c corev1beta1.FederatedTypeConfig
				if err := f.Host.Get(ctx, client.ObjectKey{Namespace: federation.KubefedNamespace, Name: name}, &c); err != nil {
					return err
				}
				if c.Status.PropagationController != want {
					return fmt.Errorf("propagationController %q", c.Status.PropagationController)
				}
				return nil
			})
		}
		notCompiled := ftc("statefulsets.apps", corev1beta1.Enabled)
		// Named after its target, as the CRD's validation requires.
		notCompiled.Spec.TargetType = corev1beta1.APIResource{Group: "apps", Version: "v1", Kind: "StatefulSet", PluralName: "statefulsets", Scope: "Namespaced"}
		notCompiled.Spec.FederatedType = corev1beta1.APIResource{Group: "types.kubefed.io", Version: "v1beta1", Kind: "FederatedStatefulSet", PluralName: "federatedstatefulsets", Scope: "Namespaced"}
		configmaps := ftc("configmaps", corev1beta1.Disabled)
		for _, c := range []client.Object{notCompiled, configmaps} {
			if err := f.Host.Create(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		waitController("statefulsets.apps", "NotRunning")
		waitController("configmaps", "NotRunning")

		// While disabled, template changes do not reach the members.
		ns := "paused"
		f.FederateNamespace(t, ns, "member1")
		cm := &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "c", Namespace: ns}}
		cm.Spec.Placement = federation.PlacementOn("member1")
		if err := f.Host.Create(ctx, cm); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Second)
		if err := absent(&corev1.ConfigMap{}, ns, "c")(f.Members["member1"]); err != nil {
			t.Fatalf("propagated while disabled: %v", err)
		}
		update(t, f, configmaps, func() { configmaps.Spec.Propagation = corev1beta1.Enabled })
		waitController("configmaps", "Running")
		f.WaitStatus(t, cm, map[string]fedv1beta1.PropagationStatus{"member1": ok})
	})

	t.Run("the user's spec is never rewritten and status writes never conflict", func(t *testing.T) {
		ns := "hygiene"
		f.FederateNamespace(t, ns, "member1", "member2")
		const burst = 100
		metric := func(write, result string) float64 {
			labels := map[string]string{"type": "configmaps", "result": result}
			if write != "" {
				labels["write"] = write
			}
			return metricValue(t, "kubefed_host_writes_total", labels)
		}
		writesBefore, statusConflictsBefore, finalizerConflictsBefore := metric("", "ok"), metric("status", "conflict"), metric("finalizer", "conflict")
		errorsBefore := metricValue(t, "controller_runtime_reconcile_errors_total", map[string]string{"controller": "sync-configmaps"})
		var objs []*typesv1beta1.FederatedConfigMap
		templates := map[string][]byte{}
		for i := range burst {
			cm := &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("burst-%03d", i), Namespace: ns}}
			cm.Spec.Template.Data = map[string]string{"i": fmt.Sprint(i)}
			cm.Spec.Placement = federation.PlacementOn("member1", "member2")
			if err := f.Host.Create(ctx, cm); err != nil {
				t.Fatal(err)
			}
			raw, err := json.Marshal(cm.Spec.Template)
			if err != nil {
				t.Fatal(err)
			}
			templates[cm.Name] = raw
			objs = append(objs, cm)
		}
		for _, cm := range objs {
			f.WaitStatus(t, cm, both)
		}
		for _, cm := range objs {
			var got typesv1beta1.FederatedConfigMap
			if err := f.Host.Get(ctx, client.ObjectKeyFromObject(cm), &got); err != nil {
				t.Fatal(err)
			}
			raw, _ := json.Marshal(got.Spec.Template)
			if got.Generation != 1 || string(raw) != string(templates[cm.Name]) {
				t.Errorf("%s after propagation: generation %d, template %s; want generation 1 and template %s", cm.Name, got.Generation, raw, templates[cm.Name])
			}
			for _, mf := range got.ManagedFields {
				if mf.Manager != "e2e.test" && mf.Subresource == "" && mf.FieldsV1 != nil && strings.Contains(string(mf.FieldsV1.Raw), `"f:spec"`) {
					t.Errorf("%s: manager %s owns spec fields: %s", cm.Name, mf.Manager, mf.FieldsV1.Raw)
				}
			}
		}
		if got := metric("status", "conflict") - statusConflictsBefore; got != 0 {
			t.Errorf("%v status write conflicts for a burst of %d objects, want 0", got, burst)
		}
		// The finalizer patch is conditional (finalizers are a list others write
		// too); when the cache lags it loses the race and is retried quietly.
		t.Logf("finalizer patches retried after a conflict: %v", metric("finalizer", "conflict")-finalizerConflictsBefore)
		if got := metricValue(t, "controller_runtime_reconcile_errors_total", map[string]string{"controller": "sync-configmaps"}) - errorsBefore; got != 0 {
			t.Errorf("%v reconcile errors for a burst of %d objects, want 0", got, burst)
		}
		// The user's create, plus what the controller wrote.
		perObject := (metric("", "ok") - writesBefore) / burst
		t.Logf("host writes per federated object: %.2f (1 create + %.2f by the controller)", 1+perObject, perObject)
	})

	t.Run("a resync with nothing changed makes no member write", func(t *testing.T) {
		objects := 0
		for _, list := range []client.ObjectList{&typesv1beta1.FederatedConfigMapList{}, &typesv1beta1.FederatedDeploymentList{}, &typesv1beta1.FederatedSecretList{}, &typesv1beta1.FederatedNamespaceList{}} {
			if err := f.Host.List(ctx, list); err != nil {
				t.Fatal(err)
			}
			objects += len(mustItems(t, list))
		}
		writesBefore, reconcilesBefore := metricSum(t, "kubefed_member_writes_total"), metricSum(t, "controller_runtime_reconcile_total")
		// Every sync controller watches the KubeFedConfig and requeues all of its objects.
		touchKubeFedConfig(t, f)
		f.Eventually(t, "every object reconciled again", func(context.Context) error {
			if got := metricSum(t, "controller_runtime_reconcile_total") - reconcilesBefore; got < float64(objects) {
				return fmt.Errorf("%v reconciles since the resync, want at least %d", got, objects)
			}
			return nil
		})
		if got := metricSum(t, "kubefed_member_writes_total") - writesBefore; got != 0 {
			t.Errorf("resync of %d unchanged objects wrote %v times to members, want 0", objects, got)
		}
	})
}

// setEndpoint points a KubeFedCluster at endpoint and returns a func restoring it.
func setEndpoint(t *testing.T, f *federation.Federation, name, endpoint string) (restore func()) {
	t.Helper()
	old, err := f.SetEndpoint(context.Background(), name, endpoint)
	if err != nil {
		t.Fatal(err)
	}
	return func() {
		if _, err := f.SetEndpoint(context.Background(), name, old); err != nil {
			t.Fatal(err)
		}
	}
}

func mustItems(t *testing.T, list client.ObjectList) []runtime.Object {
	t.Helper()
	items, err := meta.ExtractList(list)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// metricValue adds up the series of a counter whose labels include labels.
func metricValue(t *testing.T, name string, labels map[string]string) float64 {
	t.Helper()
	families, err := metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, mf := range families {
		if mf.GetName() != name {
			continue
		}
	series:
		for _, m := range mf.GetMetric() {
			have := map[string]string{}
			for _, l := range m.GetLabel() {
				have[l.GetName()] = l.GetValue()
			}
			for k, v := range labels {
				if have[k] != v {
					continue series
				}
			}
			sum += m.GetCounter().GetValue()
		}
	}
	return sum
}

// metricSum adds up every series of a metric in the in-process manager's registry.
func metricSum(t *testing.T, name string) float64 {
	t.Helper()
	return metricValue(t, name, nil)
}

func newFederatedDeployment(ns, name string, clusterNames ...string) *typesv1beta1.FederatedDeployment {
	labels := map[string]string{"app": name}
	d := &typesv1beta1.FederatedDeployment{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}}
	d.SetTemplate(&appsv1.Deployment{Spec: appsv1.DeploymentSpec{
		Replicas: ptr.To[int32](2),
		Selector: &metav1.LabelSelector{MatchLabels: labels},
		Template: corev1.PodTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Labels: labels},
			Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "nginx:1.27"}}},
		},
	}})
	d.Spec.Placement = federation.PlacementOn(clusterNames...)
	return d
}

func jsonValue(v any) *apiextensionsv1.JSON {
	raw, _ := json.Marshal(v)
	return &apiextensionsv1.JSON{Raw: raw}
}

// update re-reads obj, applies change, and writes it, retrying on conflicts with the
// controller's own writes (finalizer, status).
func update(t *testing.T, f *federation.Federation, obj client.Object, change func()) {
	t.Helper()
	f.Eventually(t, "update "+obj.GetName(), func(ctx context.Context) error {
		if err := f.Host.Get(ctx, client.ObjectKeyFromObject(obj), obj); err != nil {
			return err
		}
		change()
		return f.Host.Update(ctx, obj)
	})
}

// waitMembers polls check against each named member cluster.
func waitMembers(t *testing.T, f *federation.Federation, what string, check func(client.Client) error, memberNames ...string) {
	t.Helper()
	for _, name := range memberNames {
		f.Eventually(t, what+" in "+name, func(context.Context) error { return check(f.Members[name]) })
	}
}

func present(obj client.Object, ns, name string) func(client.Client) error {
	return func(m client.Client) error {
		return m.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, obj.DeepCopyObject().(client.Object))
	}
}

func absent(obj client.Object, ns, name string) func(client.Client) error {
	return func(m client.Client) error {
		return expectNotFound(m.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, obj.DeepCopyObject().(client.Object)))
	}
}

func expectNotFound(err error) error {
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err == nil {
		return fmt.Errorf("still there")
	}
	return err
}

func setAdoption(t *testing.T, f *federation.Federation, s corev1beta1.Switch) {
	t.Helper()
	ctx := context.Background()
	cfg := &corev1beta1.KubeFedConfig{ObjectMeta: metav1.ObjectMeta{Name: "kubefed", Namespace: federation.KubefedNamespace}}
	err := f.Host.Get(ctx, client.ObjectKeyFromObject(cfg), cfg)
	cfg.Spec.Scope = corev1beta1.ScopeCluster
	cfg.Spec.SyncController = &corev1beta1.SyncControllerConfig{AdoptResources: &s}
	switch {
	case apierrors.IsNotFound(err):
		err = f.Host.Create(ctx, cfg)
	case err == nil:
		err = f.Host.Update(ctx, cfg)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// closedPort returns a local address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// touchKubeFedConfig changes an annotation of the KubeFedConfig, which makes every
// sync controller requeue all of its objects: a full resync.
func touchKubeFedConfig(t *testing.T, f *federation.Federation) {
	t.Helper()
	ctx := context.Background()
	cfg := &corev1beta1.KubeFedConfig{}
	if err := f.Host.Get(ctx, client.ObjectKey{Namespace: federation.KubefedNamespace, Name: "kubefed"}, cfg); err != nil {
		t.Fatal(err)
	}
	metav1.SetMetaDataAnnotation(&cfg.ObjectMeta, "e2e.kubefed.io/resync", time.Now().Format(time.RFC3339Nano))
	if err := f.Host.Update(ctx, cfg); err != nil {
		t.Fatal(err)
	}
}
