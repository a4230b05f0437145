package e2e

import (
	"context"
	"crypto/md5" //nolint:gosec // KubeFed's version format
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	typesv1beta1 "github.com/kubefed-gen/kubefed/cmd/controller-manager/apis/types/v1beta1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/manager"
	"github.com/kubefed-gen/kubefed/test/federation"
)

// TestPropagatedVersions checks, with --write-propagated-versions, that a
// FederatedConfigMap gets KubeFed's PropagatedVersion and a FederatedClusterRole
// KubeFed's ClusterPropagatedVersion, with the content KubeFed's sync
// controller computes (recomputed here from the objects as the API server
// serves them), that they follow template and override changes, that a
// restarted manager writes nothing when nothing changed, and that they go with
// their federated objects. It counts the host writes they cost.
func TestPropagatedVersions(t *testing.T) {
	f := federation.Start(t, manager.Options{WritePropagatedVersions: true})
	ctx := context.Background()
	const ns = "versions"
	f.FederateNamespace(t, ns, "member1", "member2")
	writes := func(typ string) float64 {
		return metricValue(t, "kubefed_host_writes_total", map[string]string{"type": typ, "write": "propagatedversion"})
	}
	// The controller counts a write once the API server answered it, so the
	// count may trail what the API server already serves by a moment.
	expectWrites := func(typ string, since, want float64) float64 {
		t.Helper()
		f.Eventually(t, fmt.Sprintf("%v host writes of the PropagatedVersions of %s", want, typ), func(context.Context) error {
			if n := writes(typ) - since; n != want {
				return fmt.Errorf("%v writes", n)
			}
			return nil
		})
		return since + want
	}

	before := writes("configmaps")
	cm := &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "settings", Namespace: ns}}
	cm.Spec.Template.Data = map[string]string{"color": "blue"}
	cm.Spec.Placement = federation.PlacementOn("member1", "member2")
	if err := f.Host.Create(ctx, cm); err != nil {
		t.Fatal(err)
	}
	f.WaitStatus(t, cm, map[string]fedv1beta1.PropagationStatus{"member1": fedv1beta1.ClusterPropagationOK, "member2": fedv1beta1.ClusterPropagationOK})
	pvKey := types.NamespacedName{Namespace: ns, Name: "configmap-settings"}
	waitVersion(t, f, "PropagatedVersion", pvKey, cm, &corev1.ConfigMap{}, "member1", "member2")
	// Created, then its status written: a create drops the status of an
	// object with a status subresource.
	before = expectWrites("configmaps", before, 2)

	t.Run("a restarted manager writes nothing when nothing changed", func(t *testing.T) {
		reconciles := func() float64 {
			return metricValue(t, "controller_runtime_reconcile_total", map[string]string{"controller": "sync-configmaps"})
		}
		f.StopManager(t)
		reconciled := reconciles()
		f.StartManager(t)
		f.Eventually(t, "the FederatedConfigMap reconciled again", func(context.Context) error {
			if reconciles() == reconciled {
				return fmt.Errorf("no reconcile of configmaps since the restart")
			}
			return nil
		})
		before = expectWrites("configmaps", before, 0)
	})

	t.Run("a template change is recorded", func(t *testing.T) {
		patch := []byte(`{"spec":{"template":{"data":{"color":"green"}}}}`)
		if err := f.Host.Patch(ctx, cm, client.RawPatch(types.MergePatchType, patch)); err != nil {
			t.Fatal(err)
		}
		waitVersion(t, f, "PropagatedVersion", pvKey, cm, &corev1.ConfigMap{}, "member1", "member2")
		before = expectWrites("configmaps", before, 1)
	})

	t.Run("an override change is recorded", func(t *testing.T) {
		patch := []byte(`{"spec":{"overrides":[{"clusterName":"member1","clusterOverrides":[{"path":"/data/color","value":"red"}]}]}}`)
		if err := f.Host.Patch(ctx, cm, client.RawPatch(types.MergePatchType, patch)); err != nil {
			t.Fatal(err)
		}
		waitVersion(t, f, "PropagatedVersion", pvKey, cm, &corev1.ConfigMap{}, "member1", "member2")
		before = expectWrites("configmaps", before, 1)
	})

	t.Run("a cluster-scoped federated object gets a ClusterPropagatedVersion", func(t *testing.T) {
		roleWrites := writes("clusterroles.rbac.authorization.k8s.io")
		role := &typesv1beta1.FederatedClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "versions-reader"}}
		role.SetTemplate(&rbacv1.ClusterRole{Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get"}}}})
		role.Spec.Placement = federation.PlacementOn("member1")
		if err := f.Host.Create(ctx, role); err != nil {
			t.Fatal(err)
		}
		f.WaitStatus(t, role, map[string]fedv1beta1.PropagationStatus{"member1": fedv1beta1.ClusterPropagationOK})
		cpvKey := types.NamespacedName{Name: "clusterrole-versions-reader"}
		waitVersion(t, f, "ClusterPropagatedVersion", cpvKey, role, &rbacv1.ClusterRole{}, "member1")
		roleWrites = expectWrites("clusterroles.rbac.authorization.k8s.io", roleWrites, 2)

		if err := f.Host.Delete(ctx, role); err != nil {
			t.Fatal(err)
		}
		waitGone(t, f, "ClusterPropagatedVersion", cpvKey)
		expectWrites("clusterroles.rbac.authorization.k8s.io", roleWrites, 1)
	})

	t.Run("deleting the federated object deletes its PropagatedVersion", func(t *testing.T) {
		if err := f.Host.Delete(ctx, cm); err != nil {
			t.Fatal(err)
		}
		waitGone(t, f, "PropagatedVersion", pvKey)
		expectWrites("configmaps", before, 1)
	})
}

// TestPropagatedVersionsDynamic checks that the dynamic sync controller (a type
// the manager was not built with, enabled by its FederatedTypeConfig) writes
// the same PropagatedVersion as the typed one, and deletes it.
func TestPropagatedVersionsDynamic(t *testing.T) {
	f := federation.StartWithTypes(t, manager.Options{WritePropagatedVersions: true}, federation.WithoutType("configmaps"))
	f.EnableDynamic(t, federation.TypeInfo(t, "configmaps"))
	ctx := context.Background()
	const ns = "versions"
	f.FederateNamespace(t, ns, "member1", "member2")
	cm := &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "settings", Namespace: ns}}
	cm.Spec.Template.Data = map[string]string{"color": "blue"}
	cm.Spec.Placement = federation.PlacementOn("member1", "member2")
	cm.Spec.Overrides = []fedv1beta1.GenericOverrideItem{{ClusterName: "member2", ClusterOverrides: []fedv1beta1.ClusterOverride{
		{Path: "/data/color", Value: &apiextensionsv1.JSON{Raw: []byte(`"red"`)}},
	}}}
	if err := f.Host.Create(ctx, cm); err != nil {
		t.Fatal(err)
	}
	f.WaitStatus(t, cm, map[string]fedv1beta1.PropagationStatus{"member1": fedv1beta1.ClusterPropagationOK, "member2": fedv1beta1.ClusterPropagationOK})
	key := types.NamespacedName{Namespace: ns, Name: "configmap-settings"}
	waitVersion(t, f, "PropagatedVersion", key, cm, &corev1.ConfigMap{}, "member1", "member2")
	if err := f.Host.Delete(ctx, cm); err != nil {
		t.Fatal(err)
	}
	waitGone(t, f, "PropagatedVersion", key)
}

// waitVersion waits until the (Cluster)PropagatedVersion key holds what
// KubeFed's sync controller would write for fed (a federated object the
// controller propagated to clusters; member is an empty member object of its
// target type): its owner reference, the MD5 of its template and overrides as
// the API server serves them, and the versions of its member objects.
func waitVersion(t *testing.T, f *federation.Federation, kind string, key types.NamespacedName, fed client.Object, member client.Object, clusters ...string) {
	t.Helper()
	gvk, err := f.Host.GroupVersionKindFor(fed)
	if err != nil {
		t.Fatal(err)
	}
	f.Eventually(t, kind+" "+key.String()+" up to date", func(ctx context.Context) error {
		served := &unstructured.Unstructured{}
		served.SetGroupVersionKind(gvk)
		if err := f.Host.Get(ctx, client.ObjectKeyFromObject(fed), served); err != nil {
			return err
		}
		template, _, _ := unstructured.NestedMap(served.Object, "spec", "template")
		overrides, _, _ := unstructured.NestedSlice(served.Object, "spec", "overrides")
		var want []any
		for _, c := range clusters {
			obj := member.DeepCopyObject().(client.Object)
			if err := f.Members[c].Get(ctx, client.ObjectKey{Namespace: fed.GetNamespace(), Name: fed.GetName()}, obj); err != nil {
				return fmt.Errorf("cluster %s: %w", c, err)
			}
			version := "rv:" + obj.GetResourceVersion()
			if obj.GetGeneration() != 0 {
				version = fmt.Sprintf("gen:%d", obj.GetGeneration())
			}
			want = append(want, map[string]any{"clusterName": c, "version": version})
		}

		got := &unstructured.Unstructured{}
		got.SetAPIVersion("core.kubefed.io/v1alpha1")
		got.SetKind(kind)
		if err := f.Host.Get(ctx, key, got); err != nil {
			return err
		}
		wantOwner := []metav1.OwnerReference{{APIVersion: gvk.GroupVersion().String(), Kind: gvk.Kind, Name: served.GetName(), UID: served.GetUID()}}
		if owners := got.GetOwnerReferences(); !reflect.DeepEqual(owners, wantOwner) {
			return fmt.Errorf("ownerReferences %v, want %v", owners, wantOwner)
		}
		status, _, _ := unstructured.NestedMap(got.Object, "status")
		wantStatus := map[string]any{"templateVersion": kubefedHash(t, template), "overridesVersion": kubefedOverrideHash(t, overrides), "clusterVersions": want}
		if !reflect.DeepEqual(status, wantStatus) {
			return fmt.Errorf("status %v, want %v", toJSON(t, status), toJSON(t, wantStatus))
		}
		return nil
	})
}

// waitGone waits until the (Cluster)PropagatedVersion key is deleted.
func waitGone(t *testing.T, f *federation.Federation, kind string, key types.NamespacedName) {
	t.Helper()
	f.Eventually(t, kind+" "+key.String()+" deleted", func(ctx context.Context) error {
		got := &unstructured.Unstructured{}
		got.SetAPIVersion("core.kubefed.io/v1alpha1")
		got.SetKind(kind)
		err := f.Host.Get(ctx, key, got)
		if apierrors.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		return fmt.Errorf("still there")
	})
}

// kubefedHash is KubeFed's hashUnstructured: the hex MD5 of the JSON an
// unstructured object marshals to, a json.Encoder's trailing newline included.
func kubefedHash(t *testing.T, obj map[string]any) string {
	t.Helper()
	data, err := (&unstructured.Unstructured{Object: obj}).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum(data) //nolint:gosec // see the import
	return hex.EncodeToString(sum[:])
}

// kubefedOverrideHash is KubeFed's GetOverrideHash of served overrides:
// decoded into KubeFed's GenericOverrideItem and hashed as {"overrides": ...}.
func kubefedOverrideHash(t *testing.T, overrides []any) string {
	t.Helper()
	type clusterOverride struct {
		Op    string `json:"op,omitempty"`
		Path  string `json:"path"`
		Value any    `json:"value,omitempty"`
	}
	type genericOverrideItem struct {
		ClusterName      string            `json:"clusterName"`
		ClusterOverrides []clusterOverride `json:"clusterOverrides,omitempty"`
	}
	var items []genericOverrideItem
	if overrides != nil {
		if err := json.Unmarshal([]byte(toJSON(t, overrides)), &items); err != nil {
			t.Fatal(err)
		}
	}
	return kubefedHash(t, map[string]any{"overrides": items})
}
