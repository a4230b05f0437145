package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	typesv1beta1 "github.com/kubefed-gen/kubefed/cmd/controller-manager/apis/types/v1beta1"
	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/cluster"
	"github.com/kubefed-gen/kubefed/runtime/manager"
	"github.com/kubefed-gen/kubefed/test/federation"
)

// TestMembersTypesAccess joins member1 again with access to the federated
// types only: deployments through their Enabled FederatedTypeConfig in the
// host, configmaps through an explicit type. A FederatedConfigMap and a
// FederatedDeployment reach both members; a FederatedSecret reaches member2
// only, and its status and member1's KubeFedCluster say that member1 forbids
// secrets. Granting secrets by joining again propagates it without a restart.
func TestMembersTypesAccess(t *testing.T) {
	f := federation.Start(t, manager.Options{})
	ctx := context.Background()
	member1 := f.Set.Members[0]
	deployments := federation.TypeInfo(t, "deployments.apps")
	if err := f.Host.Create(ctx, deployments.TypeConfig(federation.KubefedNamespace, corev1beta1.Enabled)); err != nil {
		t.Fatal(err)
	}
	join := func(types ...string) {
		t.Helper()
		if err := cluster.Join(ctx, f.Set.Host.Config, member1.Config, cluster.JoinOptions{
			ClusterName: "member1", HostClusterName: "host", KubeFedNamespace: federation.KubefedNamespace,
			Labels: federation.MemberLabels["member1"], Access: cluster.AccessTypes, Types: types,
		}); err != nil {
			t.Fatal(err)
		}
	}
	join("configmaps")

	// The member's ClusterRole grants exactly the types' rules and the probes.
	saName := cluster.ServiceAccountName("member1", "host")
	var role rbacv1.ClusterRole
	if err := f.Members["member1"].Get(ctx, client.ObjectKey{Name: cluster.RoleName(saName)}, &role); err != nil {
		t.Fatal(err)
	}
	want := cluster.TypeRules([]schema.GroupResource{{Resource: "configmaps"}, {Group: "apps", Resource: "deployments"}})
	for _, r := range want {
		if !slices.ContainsFunc(role.Rules, func(got rbacv1.PolicyRule) bool { return equality.Semantic.DeepEqual(got, r) }) {
			t.Errorf("ClusterRole %s lacks rule %+v; has %+v", role.Name, r, role.Rules)
		}
	}
	for _, r := range role.Rules {
		if slices.Contains(r.Verbs, rbacv1.VerbAll) || slices.Contains(r.Resources, rbacv1.ResourceAll) || slices.Contains(r.Resources, "secrets") {
			t.Errorf("ClusterRole %s grants more than the types: %+v", role.Name, r)
		}
	}
	f.WaitClusterReady(t, "member1")

	ns := "narrow"
	f.FederateNamespace(t, ns, "member1", "member2")
	cm := &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cm", Namespace: ns}}
	cm.Spec.Template.Data = map[string]string{"k": "v"}
	cm.Spec.Placement = federation.PlacementOn("member1", "member2")
	labels := map[string]string{"app": "web"}
	dep := &typesv1beta1.FederatedDeployment{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: ns}}
	dep.Spec.Template.Spec = appsv1.DeploymentSpec{
		Replicas: ptr.To[int32](1),
		Selector: &metav1.LabelSelector{MatchLabels: labels},
		Template: corev1.PodTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Labels: labels},
			Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "registry.k8s.io/pause:3.10"}}},
		},
	}
	dep.Spec.Placement = federation.PlacementOn("member1", "member2")
	secret := &typesv1beta1.FederatedSecret{ObjectMeta: metav1.ObjectMeta{Name: "s", Namespace: ns}}
	secret.Spec.Template.StringData = map[string]string{"k": "v"}
	secret.Spec.Placement = federation.PlacementOn("member1", "member2")
	for _, obj := range []client.Object{cm, dep, secret} {
		if err := f.Host.Create(ctx, obj); err != nil {
			t.Fatal(err)
		}
	}
	both := map[string]fedv1beta1.PropagationStatus{"member1": ok, "member2": ok}
	f.WaitStatus(t, cm, both)
	f.WaitStatus(t, dep, both)

	f.Eventually(t, "member1's status of the FederatedSecret says member1 forbids secrets", func(ctx context.Context) error {
		var got typesv1beta1.FederatedSecret
		if err := f.Host.Get(ctx, client.ObjectKeyFromObject(secret), &got); err != nil {
			return err
		}
		statuses := map[string]fedv1beta1.GenericClusterStatus{}
		for _, c := range got.Status.Clusters {
			statuses[c.Name] = c
		}
		if s := statuses["member2"]; s.Status != ok {
			return fmt.Errorf("member2: %s %s", s.Status, s.Message)
		}
		if s := statuses["member1"]; s.Status == ok || !strings.Contains(s.Message, "forbids Secret") || !strings.Contains(s.Message, "forbidden") {
			return fmt.Errorf("member1: %s %q, want a failure saying member1 forbids secrets", s.Status, s.Message)
		}
		t.Logf("member1's status of the FederatedSecret: %s: %s", statuses["member1"].Status, statuses["member1"].Message)
		return nil
	})
	condition := func(ctx context.Context) (*metav1.Condition, error) {
		var kfc corev1beta1.KubeFedCluster
		if err := f.Host.Get(ctx, client.ObjectKey{Namespace: federation.KubefedNamespace, Name: "member1"}, &kfc); err != nil {
			return nil, err
		}
		if !meta.IsStatusConditionTrue(kfc.Status.Conditions, corev1beta1.ClusterReady) {
			return nil, fmt.Errorf("member1 is not Ready: %+v", kfc.Status.Conditions)
		}
		c := meta.FindStatusCondition(kfc.Status.Conditions, corev1beta1.ClusterTypesAllowed)
		if c == nil {
			return nil, fmt.Errorf("no %s condition: %+v", corev1beta1.ClusterTypesAllowed, kfc.Status.Conditions)
		}
		return c, nil
	}
	f.Eventually(t, "member1's KubeFedCluster lists Secret as forbidden", func(ctx context.Context) error {
		c, err := condition(ctx)
		if err != nil {
			return err
		}
		kinds := forbiddenKinds(c.Message)
		if c.Status != metav1.ConditionFalse || c.Reason != cluster.ReasonTypesForbidden ||
			!slices.Contains(kinds, "Secret") || slices.Contains(kinds, "ConfigMap") || slices.Contains(kinds, "Deployment.apps") || slices.Contains(kinds, "Namespace") {
			return fmt.Errorf("condition %+v", c)
		}
		t.Logf("member1's %s condition: %s", c.Type, c.Message)
		return nil
	})
	// Exactly what member1 allows is there; member2 holds all three.
	for name, wantSecret := range map[string]bool{"member1": false, "member2": true} {
		m := f.Members[name]
		if err := m.Get(ctx, client.ObjectKey{Namespace: ns, Name: "cm"}, &corev1.ConfigMap{}); err != nil {
			t.Errorf("%s: ConfigMap: %v", name, err)
		}
		if err := m.Get(ctx, client.ObjectKey{Namespace: ns, Name: "web"}, &appsv1.Deployment{}); err != nil {
			t.Errorf("%s: Deployment: %v", name, err)
		}
		err := m.Get(ctx, client.ObjectKey{Namespace: ns, Name: "s"}, &corev1.Secret{})
		if wantSecret && err != nil || !wantSecret && !apierrors.IsNotFound(err) {
			t.Errorf("%s: Secret: %v, want present %v", name, err, wantSecret)
		}
	}

	// Granting the type is joining again: the secret follows, and the
	// condition clears.
	join("configmaps", "secrets")
	f.WaitStatus(t, secret, both)
	f.Eventually(t, "member1's KubeFedCluster no longer lists Secret as forbidden", func(ctx context.Context) error {
		c, err := condition(ctx)
		if err != nil {
			return err
		}
		// Other compiled types stay forbidden; Secret must be gone from the list.
		if slices.Contains(forbiddenKinds(c.Message), "Secret") {
			return fmt.Errorf("condition %+v still lists Secret", c)
		}
		return nil
	})
	if err := f.Members["member1"].Get(ctx, client.ObjectKey{Namespace: ns, Name: "s"}, &corev1.Secret{}); err != nil {
		t.Errorf("member1: Secret after granting it: %v", err)
	}
}

// forbiddenKinds are the kinds a TypesAllowed condition's message lists.
func forbiddenKinds(msg string) []string {
	_, after, _ := strings.Cut(msg, "service account: ")
	list, _, _ := strings.Cut(after, ";")
	return strings.Split(list, ", ")
}
