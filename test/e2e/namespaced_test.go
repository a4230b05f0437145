package e2e

import (
	"context"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	typesv1beta1 "github.com/kubefed-gen/kubefed/cmd/controller-manager/apis/types/v1beta1"
	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/cluster"
	"github.com/kubefed-gen/kubefed/runtime/fedtype"
	"github.com/kubefed-gen/kubefed/runtime/manager"
	"github.com/kubefed-gen/kubefed/test/federation"
)

// TestNamespacedScope runs a control plane of KubeFed's scope Namespaced, its
// manager with the generated RBAC of config/rbac-namespaced: a member joined then
// grants access to the KubeFed namespace alone, the manager propagates
// the federated objects of that namespace (a namespace without a FederatedNamespace
// does not limit placement, as in KubeFed) and no other, and cluster-scoped types
// are reported as not propagating.
func TestNamespacedScope(t *testing.T) {
	f := federation.Start(t, manager.Options{})
	ctx := context.Background()
	ns := federation.KubefedNamespace
	f.StopManager(t)
	cfg := &corev1beta1.KubeFedConfig{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: corev1beta1.ConfigName}}
	cfg.Spec.Scope = corev1beta1.ScopeNamespaced
	if err := f.Host.Create(ctx, cfg); err != nil {
		t.Fatal(err)
	}

	// member2 joins again; its scope comes from the KubeFedConfig.
	member2 := f.Set.Members[1]
	join := cluster.JoinOptions{ClusterName: member2.Name, HostClusterName: "host", KubeFedNamespace: ns, Labels: federation.MemberLabels[member2.Name]}
	if err := cluster.Unjoin(ctx, f.Set.Host.Config, member2.Config, join); err != nil {
		t.Fatal(err)
	}
	if err := cluster.Join(ctx, f.Set.Host.Config, member2.Config, join); err != nil {
		t.Fatal(err)
	}
	roleName := cluster.RoleName(cluster.ServiceAccountName(member2.Name, "host"))
	var role rbacv1.Role
	if err := f.Members["member2"].Get(ctx, client.ObjectKey{Namespace: ns, Name: roleName}, &role); err != nil {
		t.Fatalf("the namespaced join wrote no Role: %v", err)
	}
	var clusterRole rbacv1.ClusterRole
	if err := f.Members["member2"].Get(ctx, client.ObjectKey{Name: roleName}, &clusterRole); err != nil {
		t.Fatal(err)
	}
	for _, rule := range clusterRole.Rules {
		if slices.Contains(rule.Resources, rbacv1.ResourceAll) || slices.Contains(rule.Verbs, rbacv1.VerbAll) {
			t.Errorf("the namespaced join granted %+v cluster-wide", rule)
		}
	}

	// The manager's own rights are the generated namespaced variant.
	f.UseNamespacedRBAC(t)
	f.StartManager(t)
	f.WaitClusterReady(t, member2.Name) // with its namespaced credentials

	t.Run("objects of the KubeFed namespace propagate into it", func(t *testing.T) {
		fcm := &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "settings"}}
		fcm.Spec.Template.Data = map[string]string{"color": "blue"}
		fcm.Spec.Placement = federation.PlacementOn("member1", "member2")
		if err := f.Host.Create(ctx, fcm); err != nil {
			t.Fatal(err)
		}
		f.WaitStatus(t, fcm, map[string]fedv1beta1.PropagationStatus{"member1": ok, "member2": ok})
		waitMembers(t, f, "propagated", present(&corev1.ConfigMap{}, ns, "settings"), "member1", "member2")
		if err := f.Host.Delete(ctx, fcm); err != nil {
			t.Fatal(err)
		}
		waitMembers(t, f, "deleted", absent(&corev1.ConfigMap{}, ns, "settings"), "member1", "member2")
	})

	t.Run("cluster-scoped types and other namespaces do not propagate", func(t *testing.T) {
		ftc := federation.TypeInfo(t, "clusterroles.rbac.authorization.k8s.io").TypeConfig(ns, corev1beta1.Enabled)
		if err := f.Host.Create(ctx, ftc); err != nil {
			t.Fatal(err)
		}
		waitTypeConfig(t, f, ftc.Name, metav1.ConditionFalse, corev1beta1.ReasonNotSupported)

		if err := f.Host.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "elsewhere"}}); err != nil {
			t.Fatal(err)
		}
		elsewhere := &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "elsewhere", Name: "settings"}}
		elsewhere.Spec.Template.Data = map[string]string{"color": "blue"}
		elsewhere.Spec.Placement = federation.PlacementOn("member1", "member2")
		role := &typesv1beta1.FederatedClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "reader"}}
		role.Spec.Placement = federation.PlacementOn("member1", "member2")
		for _, obj := range []client.Object{elsewhere, role} {
			if err := f.Host.Create(ctx, obj); err != nil {
				t.Fatal(err)
			}
		}
		// Nothing watches them: after a while they still have no finalizer and no
		// status, and no member has them.
		time.Sleep(3 * time.Second)
		for _, obj := range []client.Object{elsewhere, role} {
			fresh := obj.DeepCopyObject().(client.Object)
			if err := f.Host.Get(ctx, client.ObjectKeyFromObject(obj), fresh); err != nil {
				t.Fatal(err)
			}
			st := fresh.(fedtype.Federated).FederatedStatus()
			if len(fresh.GetFinalizers()) > 0 || !equality.Semantic.DeepEqual(*st, fedv1beta1.GenericFederatedStatus{}) {
				t.Errorf("%s was handled: finalizers %v, status %+v", fresh.GetName(), fresh.GetFinalizers(), st)
			}
		}
		waitMembers(t, f, "no cluster role", absent(&rbacv1.ClusterRole{}, "", "reader"), "member1", "member2")
	})
}
