package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/manager"
	"github.com/kubefed-gen/kubefed/test/federation"
	"github.com/kubefed-gen/kubefed/test/gomodule"
)

// TestDynamicTypes propagates a type the default controller manager was not built
// with: `kubefedctl enable` installs its Federated CRD and FederatedTypeConfig, and
// the running manager starts a sync controller over unstructured objects for it,
// with no rebuild and no restart. Overrides, drift, placement, orphaning and
// deletion behave as for the compiled types; disabling, deleting and re-creating
// the FederatedTypeConfig stop and start the controller; a type the host does not
// serve, or that the manager may not write, is reported on its FederatedTypeConfig.
func TestDynamicTypes(t *testing.T) {
	f := federation.Start(t, manager.Options{})
	ctx := context.Background()
	root := gomodule.Root(t)
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := f.Set.WriteKubeconfig(kubeconfig); err != nil {
		t.Fatal(err)
	}
	ctl := func(t *testing.T, args ...string) string {
		t.Helper()
		stdout, stderr, err := runCtl(ctx, kubeconfig, args...)
		if err != nil {
			t.Fatalf("kubefedctl %s: %v\n%s%s", strings.Join(args, " "), err, stdout, stderr)
		}
		return stdout
	}
	crdDir := filepath.Join(root, "generator", "discover", "crd", "testdata")
	for _, c := range f.Set.All() {
		installCRDFile(t, c, filepath.Join(crdDir, "velero.io_backups.yaml"))
	}
	installCRDFile(t, f.Set.Host, filepath.Join(crdDir, "cert-manager.io_certificates.yaml"))

	ctl(t, "enable", "backups.velero.io")
	waitTypeConfig(t, f, "backups.velero.io", metav1.ConditionTrue, corev1beta1.ReasonDynamic)

	ns := "dynamic"
	f.FederateNamespace(t, ns, "member1", "member2")
	both := map[string]fedv1beta1.PropagationStatus{"member1": ok, "member2": ok}
	fedBackup := func(name string) *unstructured.Unstructured {
		u := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedBackup",
			"metadata": map[string]any{"name": name, "namespace": ns},
			"spec": map[string]any{
				"template": map[string]any{
					"metadata": map[string]any{"labels": map[string]any{"team": "storage"}},
					"spec":     map[string]any{"includedNamespaces": []any{ns}, "ttl": "72h0m0s"},
				},
				"placement": map[string]any{"clusters": []any{map[string]any{"name": "member1"}, map[string]any{"name": "member2"}}},
				"overrides": []any{map[string]any{"clusterName": "member2", "clusterOverrides": []any{
					map[string]any{"path": "/spec/ttl", "value": "24h0m0s"},
				}}},
			},
		}}
		return u
	}
	memberBackup := func(name string) *unstructured.Unstructured {
		u := &unstructured.Unstructured{}
		u.SetAPIVersion("velero.io/v1")
		u.SetKind("Backup")
		u.SetNamespace(ns)
		u.SetName(name)
		return u
	}
	ttlIs := func(name, want string) func(client.Client) error {
		return func(m client.Client) error {
			got := memberBackup(name)
			if err := m.Get(ctx, client.ObjectKeyFromObject(got), got); err != nil {
				return err
			}
			if ttl, _, _ := unstructured.NestedString(got.Object, "spec", "ttl"); ttl != want {
				return fmt.Errorf("spec.ttl %q, want %q", ttl, want)
			}
			if got.GetLabels()[fedv1beta1.ManagedLabel] != "true" || got.GetLabels()["team"] != "storage" {
				return fmt.Errorf("labels %v", got.GetLabels())
			}
			return nil
		}
	}

	t.Run("propagate with overrides, correct drift, follow placement", func(t *testing.T) {
		nightly := fedBackup("nightly")
		if err := f.Host.Create(ctx, nightly); err != nil {
			t.Fatal(err)
		}
		waitUnstructuredStatus(t, f, nightly, both)
		waitMembers(t, f, "template", ttlIs("nightly", "72h0m0s"), "member1")
		waitMembers(t, f, "override", ttlIs("nightly", "24h0m0s"), "member2")

		drifted := memberBackup("nightly")
		if err := f.Members["member1"].Get(ctx, client.ObjectKeyFromObject(drifted), drifted); err != nil {
			t.Fatal(err)
		}
		_ = unstructured.SetNestedField(drifted.Object, "1h0m0s", "spec", "ttl")
		if err := f.Members["member1"].Update(ctx, drifted); err != nil {
			t.Fatal(err)
		}
		waitMembers(t, f, "drift corrected", ttlIs("nightly", "72h0m0s"), "member1")

		updateUnstructured(t, f, nightly, func(u *unstructured.Unstructured) {
			_ = unstructured.SetNestedSlice(u.Object, []any{map[string]any{"name": "member1"}}, "spec", "placement", "clusters")
		})
		waitUnstructuredStatus(t, f, nightly, map[string]fedv1beta1.PropagationStatus{"member1": ok})
		waitMembers(t, f, "removed from member2", absent(memberBackup("nightly"), ns, "nightly"), "member2")
	})

	t.Run("disabled, then enabled again", func(t *testing.T) {
		setPropagation(t, f, "backups.velero.io", corev1beta1.Disabled)
		waitTypeConfig(t, f, "backups.velero.io", metav1.ConditionFalse, corev1beta1.ReasonDisabled)
		nightly := fedBackup("nightly")
		updateUnstructured(t, f, nightly, func(u *unstructured.Unstructured) {
			_ = unstructured.SetNestedField(u.Object, "48h0m0s", "spec", "template", "spec", "ttl")
		})
		setPropagation(t, f, "backups.velero.io", corev1beta1.Enabled)
		waitTypeConfig(t, f, "backups.velero.io", metav1.ConditionTrue, corev1beta1.ReasonDynamic)
		waitMembers(t, f, "change made while disabled", ttlIs("nightly", "48h0m0s"), "member1")
	})

	t.Run("orphan and delete", func(t *testing.T) {
		weekly := fedBackup("weekly")
		weekly.SetAnnotations(map[string]string{fedv1beta1.OrphanAnnotation: "true"})
		if err := f.Host.Create(ctx, weekly); err != nil {
			t.Fatal(err)
		}
		waitUnstructuredStatus(t, f, weekly, both)
		for _, obj := range []*unstructured.Unstructured{weekly, fedBackup("nightly")} {
			if err := f.Host.Delete(ctx, obj); err != nil {
				t.Fatal(err)
			}
			f.Eventually(t, obj.GetName()+" gone from the host", func(ctx context.Context) error {
				return expectNotFound(f.Host.Get(ctx, client.ObjectKeyFromObject(obj), fedBackup(obj.GetName())))
			})
		}
		waitMembers(t, f, "deleted", absent(memberBackup("nightly"), ns, "nightly"), "member1", "member2")
		for _, m := range []string{"member1", "member2"} {
			got := memberBackup("weekly")
			if err := f.Members[m].Get(ctx, client.ObjectKeyFromObject(got), got); err != nil {
				t.Fatalf("%s: orphaned backup: %v", m, err)
			}
			if _, managed := got.GetLabels()[fedv1beta1.ManagedLabel]; managed {
				t.Errorf("%s: orphaned backup still managed: %v", m, got.GetLabels())
			}
		}
	})

	t.Run("deleting the FederatedTypeConfig stops the controller, creating it starts one", func(t *testing.T) {
		ftc := &corev1beta1.FederatedTypeConfig{}
		key := client.ObjectKey{Namespace: federation.KubefedNamespace, Name: "backups.velero.io"}
		if err := f.Host.Get(ctx, key, ftc); err != nil {
			t.Fatal(err)
		}
		if err := f.Host.Delete(ctx, ftc); err != nil {
			t.Fatal(err)
		}
		// With no controller, a new object is not propagated: nothing writes its
		// status or member objects while the type has no configuration.
		hourly := fedBackup("hourly")
		if err := f.Host.Create(ctx, hourly); err != nil {
			t.Fatal(err)
		}
		time.Sleep(3 * time.Second)
		got := fedBackup("hourly")
		if err := f.Host.Get(ctx, client.ObjectKeyFromObject(got), got); err != nil {
			t.Fatal(err)
		}
		if st, found, _ := unstructured.NestedFieldNoCopy(got.Object, "status"); found || len(got.GetFinalizers()) > 0 {
			t.Errorf("propagated with no FederatedTypeConfig: status %v, finalizers %v", st, got.GetFinalizers())
		}
		ctl(t, "enable", "backups.velero.io")
		waitTypeConfig(t, f, "backups.velero.io", metav1.ConditionTrue, corev1beta1.ReasonDynamic)
		waitUnstructuredStatus(t, f, hourly, both)
	})

	t.Run("a built-in type outside the default set", func(t *testing.T) {
		ctl(t, "enable", "statefulsets.apps")
		waitTypeConfig(t, f, "statefulsets.apps", metav1.ConditionTrue, corev1beta1.ReasonDynamic)
		labels := map[string]any{"app": "db"}
		fss := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedStatefulSet",
			"metadata": map[string]any{"name": "db", "namespace": ns},
			"spec": map[string]any{
				"template": map[string]any{"spec": map[string]any{
					"replicas": int64(3),
					"selector": map[string]any{"matchLabels": labels},
					"template": map[string]any{
						"metadata": map[string]any{"labels": labels},
						"spec":     map[string]any{"containers": []any{map[string]any{"name": "db", "image": "postgres:17"}}},
					},
				}},
				"placement": map[string]any{"clusters": []any{map[string]any{"name": "member1"}, map[string]any{"name": "member2"}}},
				"overrides": []any{map[string]any{"clusterName": "member2", "clusterOverrides": []any{
					map[string]any{"path": "/spec/replicas", "value": int64(1)},
				}}},
			},
		}}
		if err := f.Host.Create(ctx, fss); err != nil {
			t.Fatal(err)
		}
		waitUnstructuredStatus(t, f, fss, both)
		for member, want := range map[string]int32{"member1": 3, "member2": 1} {
			waitMembers(t, f, "statefulset", func(m client.Client) error {
				var got appsv1.StatefulSet
				if err := m.Get(ctx, client.ObjectKey{Namespace: ns, Name: "db"}, &got); err != nil {
					return err
				}
				if got.Spec.Replicas == nil || *got.Spec.Replicas != want || got.Spec.Template.Spec.Containers[0].Image != "postgres:17" {
					return fmt.Errorf("spec %+v", got.Spec)
				}
				return nil
			}, member)
		}
		if err := f.Host.Delete(ctx, fss); err != nil {
			t.Fatal(err)
		}
		waitMembers(t, f, "statefulset deleted", absent(&appsv1.StatefulSet{}, ns, "db"), "member1", "member2")
	})

	t.Run("a compiled type is claimed; a type another manager claims is left to it", func(t *testing.T) {
		ctl(t, "enable", "configmaps")
		waitTypeConfig(t, f, "configmaps", metav1.ConditionTrue, corev1beta1.ReasonTyped)
		var ftc corev1beta1.FederatedTypeConfig
		if err := f.Host.Get(ctx, client.ObjectKey{Namespace: federation.KubefedNamespace, Name: "configmaps"}, &ftc); err != nil {
			t.Fatal(err)
		}
		if got := ftc.Annotations[corev1beta1.PropagatedByAnnotation]; got != manager.DefaultName {
			t.Errorf("configmaps claimed by %q, want %q", got, manager.DefaultName)
		}

		out := ctl(t, "enable", "poddisruptionbudgets.policy", "-o", "yaml")
		docs := strings.Split(out, "\n---\n")
		crd := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(strings.TrimPrefix(docs[0], "---\n")), &crd.Object); err != nil {
			t.Fatal(err)
		}
		if err := f.Host.Create(ctx, crd); err != nil {
			t.Fatal(err)
		}
		pdbs := &corev1beta1.FederatedTypeConfig{}
		if err := yaml.Unmarshal([]byte(docs[len(docs)-1]), pdbs); err != nil {
			t.Fatal(err)
		}
		pdbs.Annotations = map[string]string{corev1beta1.PropagatedByAnnotation: "kubefed-pdb-manager"}
		if err := f.Host.Create(ctx, pdbs); err != nil {
			t.Fatal(err)
		}
		time.Sleep(3 * time.Second)
		if err := f.Host.Get(ctx, client.ObjectKeyFromObject(pdbs), pdbs); err != nil {
			t.Fatal(err)
		}
		if len(pdbs.Status.Conditions) > 0 || pdbs.Status.PropagationController != "" {
			t.Errorf("a type another manager claims was handled: status %+v", pdbs.Status)
		}
		// Handed over: the annotation removed, this manager propagates it.
		delete(pdbs.Annotations, corev1beta1.PropagatedByAnnotation)
		if err := f.Host.Update(ctx, pdbs); err != nil {
			t.Fatal(err)
		}
		waitTypeConfig(t, f, pdbs.Name, metav1.ConditionTrue, corev1beta1.ReasonDynamic)
	})

	t.Run("a type the host does not serve", func(t *testing.T) {
		ftc := certificatesTypeConfig(t, ctl)
		ftc.Spec.FederatedType.Kind, ftc.Spec.FederatedType.PluralName = "FederatedNothing", "federatednothings"
		if err := f.Host.Create(ctx, ftc); err != nil {
			t.Fatal(err)
		}
		cond := waitTypeConfig(t, f, ftc.Name, metav1.ConditionFalse, corev1beta1.ReasonResourceNotServed)
		if !strings.Contains(cond.Message, "FederatedNothing") {
			t.Errorf("message %q does not name the kind", cond.Message)
		}
		if err := f.Host.Delete(ctx, ftc); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("a type the manager may not write", func(t *testing.T) {
		// The generated RBAC grants the federated group (types.kubefed.io); a
		// Federated CRD in another group is not covered.
		out := ctl(t, "enable", "certificates.cert-manager.io", "-o", "yaml")
		docs := strings.Split(out, "\n---\n")
		crd := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(strings.TrimPrefix(docs[0], "---\n")), &crd.Object); err != nil {
			t.Fatal(err)
		}
		crd.SetName("federatedcertificates.federation.example.com")
		_ = unstructured.SetNestedField(crd.Object, "federation.example.com", "spec", "group")
		if err := f.Host.Create(ctx, crd); err != nil {
			t.Fatal(err)
		}
		f.Eventually(t, "CRD established", func(ctx context.Context) error {
			_, err := f.Host.RESTMapper().RESTMapping(schema.GroupKind{Group: "federation.example.com", Kind: "FederatedCertificate"}, "v1beta1")
			return err
		})
		ftc := certificatesTypeConfig(t, ctl)
		ftc.Spec.FederatedType.Group = "federation.example.com"
		if err := f.Host.Create(ctx, ftc); err != nil {
			t.Fatal(err)
		}
		cond := waitTypeConfig(t, f, ftc.Name, metav1.ConditionFalse, corev1beta1.ReasonForbidden)
		if !strings.Contains(cond.Message, "federatedcertificates") {
			t.Errorf("message %q does not name the resource", cond.Message)
		}
		// The other types are undisturbed.
		waitTypeConfig(t, f, "backups.velero.io", metav1.ConditionTrue, corev1beta1.ReasonDynamic)
	})
}

// certificatesTypeConfig is the FederatedTypeConfig `kubefedctl enable` writes for
// cert-manager's Certificates.
func certificatesTypeConfig(t *testing.T, ctl func(*testing.T, ...string) string) *corev1beta1.FederatedTypeConfig {
	t.Helper()
	out := ctl(t, "enable", "certificates.cert-manager.io", "-o", "yaml")
	docs := strings.Split(out, "\n---\n")
	ftc := &corev1beta1.FederatedTypeConfig{}
	if err := yaml.Unmarshal([]byte(docs[len(docs)-1]), ftc); err != nil {
		t.Fatal(err)
	}
	return ftc
}

// waitTypeConfig waits until the FederatedTypeConfig's Propagating condition,
// for its current generation, has status and reason, and returns it.
func waitTypeConfig(t *testing.T, f *federation.Federation, name string, status metav1.ConditionStatus, reason string) metav1.Condition {
	t.Helper()
	var cond metav1.Condition
	f.Eventually(t, fmt.Sprintf("FederatedTypeConfig %s %s=%s", name, reason, status), func(ctx context.Context) error {
		var ftc corev1beta1.FederatedTypeConfig
		if err := f.Host.Get(ctx, client.ObjectKey{Namespace: federation.KubefedNamespace, Name: name}, &ftc); err != nil {
			return err
		}
		c := meta.FindStatusCondition(ftc.Status.Conditions, corev1beta1.TypeConfigPropagating)
		if c == nil || c.Status != status || c.Reason != reason || c.ObservedGeneration != ftc.Generation {
			return fmt.Errorf("status %+v", ftc.Status)
		}
		want := "NotRunning"
		if status == metav1.ConditionTrue {
			want = "Running"
		}
		if ftc.Status.PropagationController != want {
			return fmt.Errorf("propagationController %q, want %q", ftc.Status.PropagationController, want)
		}
		cond = *c
		return nil
	})
	return cond
}

func setPropagation(t *testing.T, f *federation.Federation, name string, s corev1beta1.Switch) {
	t.Helper()
	f.Eventually(t, "set propagation of "+name, func(ctx context.Context) error {
		var ftc corev1beta1.FederatedTypeConfig
		if err := f.Host.Get(ctx, client.ObjectKey{Namespace: federation.KubefedNamespace, Name: name}, &ftc); err != nil {
			return err
		}
		ftc.Spec.Propagation = s
		return f.Host.Update(ctx, &ftc)
	})
}

func updateUnstructured(t *testing.T, f *federation.Federation, obj *unstructured.Unstructured, change func(*unstructured.Unstructured)) {
	t.Helper()
	f.Eventually(t, "update "+obj.GetName(), func(ctx context.Context) error {
		if err := f.Host.Get(ctx, client.ObjectKeyFromObject(obj), obj); err != nil {
			return err
		}
		change(obj)
		return f.Host.Update(ctx, obj)
	})
}

// waitUnstructuredStatus is federation.WaitStatus for an object read unstructured.
func waitUnstructuredStatus(t *testing.T, f *federation.Federation, obj *unstructured.Unstructured, want map[string]fedv1beta1.PropagationStatus) {
	t.Helper()
	f.Eventually(t, "status of "+obj.GetName(), func(ctx context.Context) error {
		fresh := obj.DeepCopy()
		if err := f.Host.Get(ctx, client.ObjectKeyFromObject(obj), fresh); err != nil {
			return err
		}
		observed, _, _ := unstructured.NestedInt64(fresh.Object, "status", "observedGeneration")
		if observed != fresh.GetGeneration() {
			return fmt.Errorf("observed generation %d, want %d", observed, fresh.GetGeneration())
		}
		clusters, _, _ := unstructured.NestedSlice(fresh.Object, "status", "clusters")
		got := map[string]fedv1beta1.PropagationStatus{}
		for _, c := range clusters {
			c := c.(map[string]any)
			s, _ := c["status"].(string)
			got[c["name"].(string)] = fedv1beta1.PropagationStatus(s)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			return fmt.Errorf("clusters %v, want %v", clusters, want)
		}
		return nil
	})
}
