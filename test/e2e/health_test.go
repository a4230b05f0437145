package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	typesv1beta1 "github.com/kubefed-gen/kubefed/cmd/controller-manager/apis/types/v1beta1"
	widgettypes "github.com/kubefed-gen/kubefed/generator/testdata/healthcondition/federation/apis/types/v1beta1"
	widgetfedtypes "github.com/kubefed-gen/kubefed/generator/testdata/healthcondition/federation/fedtypes"
	widgetsv1alpha1 "github.com/kubefed-gen/kubefed/generator/testdata/healthcondition/federation/targets/example.com/widgets/v1alpha1"
	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/fedtype"
	"github.com/kubefed-gen/kubefed/runtime/health"
	"github.com/kubefed-gen/kubefed/runtime/manager"
	"github.com/kubefed-gen/kubefed/test/federation"
	"github.com/kubefed-gen/kubefed/test/gomodule"
)

// widgetsDir holds a CRD target generated with a health condition: the
// kubefed-gen.yaml there names the Widget's Serving condition as its health.
var widgetsDir = filepath.Join("..", "..", "generator", "testdata", "healthcondition")

// TestHealth judges member objects of CRD types by their conditions and sums
// them up in the federated object's Ready condition, on bare API servers: the
// test writes the member objects' status itself, through the status
// subresource, as their controllers would. The manager is built with the
// default set and the generated Widget type; cert-manager's Certificate is
// enabled at run time.
func TestHealth(t *testing.T) {
	f := federation.Start(t, manager.Options{}, federation.WithTypes(widgetfedtypes.Descriptors,
		func(s *runtime.Scheme) error {
			return errors.Join(widgettypes.AddToScheme(s), widgetsv1alpha1.AddToScheme(s))
		},
		filepath.Join(widgetsDir, "federation", "config", "crd", "bases")))
	ctx := context.Background()
	const ns = "health"
	f.FederateNamespace(t, ns, "member1", "member2")

	t.Run("compiled: the condition named in kubefed-gen.yaml judges health", func(t *testing.T) {
		// The members' Widget CRD has a status field more than the one the
		// types were generated from, as a newer version of it would.
		installCRD(t, f, filepath.Join(widgetsDir, "widgets.yaml"), func(crd *apiextensionsv1.CustomResourceDefinition) {
			status := crd.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["status"]
			status.Properties["build"] = apiextensionsv1.JSONSchemaProps{Type: "string"}
			crd.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["status"] = status
		}, "member1", "member2")

		gear := &widgettypes.FederatedWidget{ObjectMeta: metav1.ObjectMeta{Name: "gear", Namespace: ns}}
		gear.Spec.Template.Spec = &widgetsv1alpha1.WidgetSpec{Size: 3}
		gear.Spec.Placement = federation.PlacementOn("member1", "member2")
		if err := f.Host.Create(ctx, gear); err != nil {
			t.Fatal(err)
		}
		// Until their controller reports Serving, the widgets are Progressing.
		waitHealth(t, f, gear, map[string]fedv1beta1.Health{"member1": health.Progressing, "member2": health.Progressing},
			metav1.ConditionFalse, health.ReasonClustersProgressing, "not ready in 2 of 2 cluster(s): member1 Progressing, member2 Progressing")

		// member1's Ready condition is True, but Serving, the one named, is False.
		widget := memberObject("example.com/v1alpha1", "Widget", ns, "gear")
		setMemberStatus(t, f, "member1", widget, map[string]any{"phase": "Pending", "build": "b7", "conditions": []any{
			condition("Ready", "True"), condition("Serving", "False")}})
		setMemberStatus(t, f, "member2", widget, map[string]any{"phase": "Serving", "conditions": []any{condition("Serving", "True")}})
		waitHealth(t, f, gear, map[string]fedv1beta1.Health{"member1": health.Degraded, "member2": health.Ready},
			metav1.ConditionFalse, health.ReasonClustersDegraded, "not ready in 1 of 2 cluster(s): member1 Degraded")

		// The remote status reads typed, without the field its schema does not know.
		fresh := &widgettypes.FederatedWidget{}
		if err := f.Host.Get(ctx, client.ObjectKeyFromObject(gear), fresh); err != nil {
			t.Fatal(err)
		}
		st, ok, err := fresh.RemoteStatus("member1")
		if err != nil || !ok || st.Phase == nil || *st.Phase != "Pending" || len(st.Conditions) != 2 {
			t.Errorf("RemoteStatus(member1) = %+v, %v, %v; want phase Pending and 2 conditions", st, ok, err)
		}
		if raw := clusterEntry(&fresh.Status, "member1").RemoteStatus; raw == nil || strings.Contains(string(raw.Raw), "build") {
			t.Errorf("member1 remoteStatus %s, want it without the field unknown to the Widget's status schema", raw)
		}
		if _, ok, err := fresh.RemoteStatus("member3"); ok || err != nil {
			t.Errorf("RemoteStatus of a cluster without an entry: ok %v, error %v", ok, err)
		}

		setMemberStatus(t, f, "member1", widget, map[string]any{"phase": "Serving", "conditions": []any{
			condition("Ready", "True"), condition("Serving", "True")}})
		waitHealth(t, f, gear, map[string]fedv1beta1.Health{"member1": health.Ready, "member2": health.Ready},
			metav1.ConditionTrue, health.ReasonClustersReady, "ready in 2 cluster(s)")

		// A member event that changes nothing collected costs a reconcile but no host write.
		reconciles := func() float64 {
			return metricValue(t, "controller_runtime_reconcile_total", map[string]string{"controller": "sync-widgets.example.com"})
		}
		hostWrites := func() float64 {
			return metricValue(t, "kubefed_host_writes_total", map[string]string{"type": "widgets.example.com"})
		}
		time.Sleep(3 * time.Second) // past the coalescing interval: nothing held back
		reconcilesBefore, writesBefore := reconciles(), hostWrites()
		for _, c := range []string{"member1", "member2"} {
			patch := []byte(`{"metadata":{"annotations":{"example.com/touched":"yes"}}}`)
			if err := f.Members[c].Patch(ctx, widget.DeepCopy(), client.RawPatch(types.MergePatchType, patch)); err != nil {
				t.Fatal(err)
			}
		}
		f.Eventually(t, "reconciles of the touched widgets", func(context.Context) error {
			if n := reconciles() - reconcilesBefore; n < 2 {
				return fmt.Errorf("%v reconciles", n)
			}
			return nil
		})
		time.Sleep(3 * time.Second)
		if n := hostWrites() - writesBefore; n != 0 {
			t.Errorf("%v host writes in a steady state, want none", n)
		}
	})

	t.Run("dynamic: a CRD enabled at run time is judged by its Ready condition", func(t *testing.T) {
		certificates := filepath.Join(gomodule.Root(t), "generator", "discover", "crd", "testdata", "cert-manager.io_certificates.yaml")
		installCRD(t, f, certificates, nil, "host", "member1", "member2")
		kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
		if err := f.Set.WriteKubeconfig(kubeconfig); err != nil {
			t.Fatal(err)
		}
		if stdout, stderr, err := runCtl(ctx, kubeconfig, "enable", "certificates.cert-manager.io"); err != nil {
			t.Fatalf("kubefedctl enable: %v\n%s%s", err, stdout, stderr)
		}
		waitTypeConfig(t, f, "certificates.cert-manager.io", metav1.ConditionTrue, corev1beta1.ReasonDynamic)

		cert := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedCertificate",
			"metadata": map[string]any{"name": "web", "namespace": ns},
			"spec": map[string]any{
				"template": map[string]any{"spec": map[string]any{
					"secretName": "web-tls", "dnsNames": []any{"web.example.com"},
					"issuerRef": map[string]any{"name": "ca", "kind": "ClusterIssuer"},
				}},
				"placement": map[string]any{"clusters": []any{map[string]any{"name": "member1"}, map[string]any{"name": "member2"}}},
			},
		}}
		if err := f.Host.Create(ctx, cert); err != nil {
			t.Fatal(err)
		}
		// Without a status, or a Ready condition, a CRD's object is Ready once it exists.
		waitHealth(t, f, cert, map[string]fedv1beta1.Health{"member1": health.Ready, "member2": health.Ready},
			metav1.ConditionTrue, health.ReasonClustersReady, "ready in 2 cluster(s)")

		member := memberObject("cert-manager.io/v1", "Certificate", ns, "web")
		setMemberStatus(t, f, "member1", member, map[string]any{"conditions": []any{condition("Ready", "False")}})
		waitHealth(t, f, cert, map[string]fedv1beta1.Health{"member1": health.Degraded, "member2": health.Ready},
			metav1.ConditionFalse, health.ReasonClustersDegraded, "not ready in 1 of 2 cluster(s): member1 Degraded")

		setMemberStatus(t, f, "member1", member, map[string]any{"conditions": []any{condition("Ready", "True")}})
		waitHealth(t, f, cert, map[string]fedv1beta1.Health{"member1": health.Ready, "member2": health.Ready},
			metav1.ConditionTrue, health.ReasonClustersReady, "ready in 2 cluster(s)")
	})

	t.Run("a built-in type's remoteStatus is pruned to its status schema", func(t *testing.T) {
		// Placed nowhere: the controller has no cluster to write an entry for.
		web := newFederatedDeployment(ns, "pruned")
		if err := f.Host.Create(ctx, web); err != nil {
			t.Fatal(err)
		}
		patch := []byte(`{"status":{"clusters":[{"name":"member1","remoteStatus":{"readyReplicas":2,"fromTheFuture":{"a":1}}}]}}`)
		if err := f.Host.Status().Patch(ctx, web, client.RawPatch(types.MergePatchType, patch)); err != nil {
			t.Fatal(err)
		}
		st, ok, err := web.RemoteStatus("member1")
		if err != nil || !ok || st.ReadyReplicas != 2 {
			t.Fatalf("RemoteStatus(member1) = %+v, %v, %v; want 2 ready replicas", st, ok, err)
		}
		if raw := clusterEntry(&web.Status, "member1").RemoteStatus; strings.Contains(string(raw.Raw), "fromTheFuture") {
			t.Errorf("remoteStatus %s kept a field DeploymentStatus does not have", raw.Raw)
		}
	})
}

// installCRD installs the CRD of file, changed by change when not nil, into
// the named clusters.
func installCRD(t *testing.T, f *federation.Federation, file string, change func(*apiextensionsv1.CustomResourceDefinition), clusterNames ...string) {
	t.Helper()
	if change != nil {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var crd apiextensionsv1.CustomResourceDefinition
		if err := yaml.Unmarshal(data, &crd); err != nil {
			t.Fatal(err)
		}
		change(&crd)
		if data, err = yaml.Marshal(&crd); err != nil {
			t.Fatal(err)
		}
		file = filepath.Join(t.TempDir(), filepath.Base(file))
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range f.Set.All() {
		for _, name := range clusterNames {
			if c.Name == name {
				installCRDFile(t, c, file)
			}
		}
	}
}

func memberObject(apiVersion, kind, namespace, name string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetAPIVersion(apiVersion)
	u.SetKind(kind)
	u.SetNamespace(namespace)
	u.SetName(name)
	return u
}

// condition is a complete condition, as a controller writes it.
func condition(typ, status string) map[string]any {
	return map[string]any{"type": typ, "status": status, "reason": "Test", "message": "set by the test",
		"lastTransitionTime": time.Now().UTC().Format(time.RFC3339)}
}

// setMemberStatus replaces the status of obj in a member cluster, once the
// federation has created it there, through the status subresource.
func setMemberStatus(t *testing.T, f *federation.Federation, cluster string, obj *unstructured.Unstructured, status map[string]any) {
	t.Helper()
	f.Eventually(t, fmt.Sprintf("status of %s in %s", obj.GetName(), cluster), func(ctx context.Context) error {
		u := obj.DeepCopy()
		if err := f.Members[cluster].Get(ctx, client.ObjectKeyFromObject(obj), u); err != nil {
			return err
		}
		u.Object["status"] = status
		return f.Members[cluster].Status().Update(ctx, u)
	})
}

// waitHealth waits until the federated object obj, typed or unstructured, has
// the given health per cluster and a Ready condition of the current
// generation with status, reason and message.
func waitHealth(t *testing.T, f *federation.Federation, obj client.Object, want map[string]fedv1beta1.Health, status metav1.ConditionStatus, reason, message string) {
	t.Helper()
	f.Eventually(t, fmt.Sprintf("health of %s", obj.GetName()), func(ctx context.Context) error {
		fresh := obj.DeepCopyObject().(client.Object)
		if err := f.Host.Get(ctx, client.ObjectKeyFromObject(obj), fresh); err != nil {
			return err
		}
		st, err := federatedStatus(fresh)
		if err != nil {
			return err
		}
		data, _ := json.Marshal(st)
		if err := wantHealth(st, want); err != nil {
			return fmt.Errorf("%w; status %s", err, data)
		}
		c := meta.FindStatusCondition(st.Conditions, fedv1beta1.ConditionReady)
		if c == nil || c.Status != status || c.Reason != reason || c.Message != message || c.ObservedGeneration != fresh.GetGeneration() {
			return fmt.Errorf("Ready condition %+v, want %s %s %q; status %s", c, status, reason, message, data)
		}
		return nil
	})
}

func federatedStatus(obj client.Object) (*fedv1beta1.GenericFederatedStatus, error) {
	if u, ok := obj.(*unstructured.Unstructured); ok {
		fed, err := fedtype.NewUnstructured(u)
		if err != nil {
			return nil, err
		}
		return fed.FederatedStatus(), nil
	}
	fed, ok := obj.(fedtype.Federated)
	if !ok {
		return nil, fmt.Errorf("%T is not a federated object", obj)
	}
	return fed.FederatedStatus(), nil
}

// The typed remote status of the default set is the target's own status type.
var _ func(string) (*appsv1.DeploymentStatus, bool, error) = (&typesv1beta1.FederatedDeployment{}).RemoteStatus
