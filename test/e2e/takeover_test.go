package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	typesv1beta1 "github.com/kubefed-gen/kubefed/cmd/controller-manager/apis/types/v1beta1"
	corev1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1alpha1"
	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/manager"
	"github.com/kubefed-gen/kubefed/runtime/status"
	"github.com/kubefed-gen/kubefed/test/clusters"
	"github.com/kubefed-gen/kubefed/test/federation"
)

// TestTakeOverFromKubeFed runs KubeFed v0.10.0's own controller manager on a real
// host and two members until it has propagated a namespace, a Deployment with an
// override, a ConfigMap placed by clusterSelector and a ClusterRole, stops it,
// installs this project's CRDs over KubeFed's and starts the default controller
// manager, in the order docs/migrating-from-kubefed.md gives. The member objects KubeFed wrote
// are taken over in place (same UIDs) with one write each, the federated objects
// report Propagated, KubeFed's PropagatedVersions are left alone until kubefedctl
// delete-propagated-versions deletes them, an object of another federation is
// never touched, and deletion and orphaning work on what was taken over.
func TestTakeOverFromKubeFed(t *testing.T) {
	began := time.Now()
	defer func() { t.Logf("wall time: %s", time.Since(began).Round(time.Second)) }()
	ctx := context.Background()
	binDir, err := clusters.BinaryDir()
	if err != nil {
		t.Fatal(err)
	}
	chartDir := filepath.Join(binDir, "kubefed-chart")
	for _, need := range []string{"kubefed-controller-manager", "kubefed-chart"} {
		if _, err := os.Stat(filepath.Join(binDir, need)); err != nil {
			t.Fatalf("%v: run make test-binaries (hack/install-kubefed.sh) first", err)
		}
	}

	// 1. A host with KubeFed's CRDs only, and two members.
	set, err := clusters.Start(clusters.Options{Members: 2, HostCRDDirs: []string{
		filepath.Join(chartDir, "core-crds.yaml"), filepath.Join(chartDir, "types-crds.yaml"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := set.Stop(); err != nil {
			t.Error(err)
		}
	})
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := set.WriteKubeconfig(kubeconfig); err != nil {
		t.Fatal(err)
	}
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	host, err := client.New(set.Host.Config, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	members := map[string]client.Client{}
	configs := map[string]*rest.Config{}
	for _, m := range set.Members {
		configs[m.Name] = m.Config
		if members[m.Name], err = client.New(m.Config, client.Options{Scheme: scheme}); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("clusters started with KubeFed's CRDs after %s", time.Since(began).Round(time.Second))

	// 2. KubeFed's control plane: its namespace and KubeFedConfig, the members
	// joined in its format, its FederatedTypeConfigs, its controller manager.
	for _, ns := range []string{federation.KubefedNamespace, "takeover"} {
		if err := host.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
			t.Fatal(err)
		}
	}
	createYAML(t, host, kubeFedConfig)
	for _, m := range set.Members {
		args := []string{"join", m.Name, "--cluster-context", m.Name}
		for k, v := range federation.MemberLabels[m.Name] {
			args = append(args, "--labels", k+"="+v)
		}
		if out, errOut, err := runCtl(ctx, kubeconfig, args...); err != nil {
			t.Fatalf("kubefedctl %s: %v\n%s%s", strings.Join(args, " "), err, out, errOut)
		}
		// KubeFed's own join records no member identity.
		kfc := &unstructured.Unstructured{}
		kfc.SetGroupVersionKind(schemaGVK("core.kubefed.io", "v1beta1", "KubeFedCluster"))
		kfc.SetNamespace(federation.KubefedNamespace)
		kfc.SetName(m.Name)
		patch := fmt.Sprintf(`{"metadata":{"annotations":{%q:null}}}`, corev1beta1.ClusterIDAnnotation)
		if err := host.Patch(ctx, kfc, client.RawPatch(types.MergePatchType, []byte(patch))); err != nil {
			t.Fatal(err)
		}
		if _, ok := kfc.GetAnnotations()[corev1beta1.ClusterIDAnnotation]; ok {
			t.Fatalf("KubeFedCluster %s still has %s", m.Name, corev1beta1.ClusterIDAnnotation)
		}
	}
	var ftcNames []string
	for _, ftc := range chartTypeConfigs(t, chartDir) {
		if err := host.Create(ctx, ftc); err != nil {
			t.Fatal(err)
		}
		ftcNames = append(ftcNames, ftc.GetName())
	}
	kubefed := startKubeFed(t, binDir, kubeconfig)
	fedObjs := createYAML(t, host, kubeFedObjects)

	// 3. Wait until KubeFed reports every federated object propagated and the
	// member objects exist.
	placed := map[string][]string{"FederatedNamespace": {"member1", "member2"}, "FederatedDeployment": {"member1", "member2"}, "FederatedConfigMap": {"member1"}, "FederatedClusterRole": {"member1", "member2"}}
	for _, obj := range fedObjs {
		waitKubeFedPropagated(t, host, obj, placed[obj.GetKind()])
	}
	written := []takenObject{
		{"member1", gvr("", "v1", "namespaces"), "", "takeover"},
		{"member2", gvr("", "v1", "namespaces"), "", "takeover"},
		{"member1", gvr("apps", "v1", "deployments"), "takeover", "web"},
		{"member2", gvr("apps", "v1", "deployments"), "takeover", "web"},
		{"member1", gvr("", "v1", "configmaps"), "takeover", "settings"},
		{"member1", gvr("rbac.authorization.k8s.io", "v1", "clusterroles"), "", "reader"},
		{"member2", gvr("rbac.authorization.k8s.io", "v1", "clusterroles"), "", "reader"},
	}
	// KubeFed leaves the template's annotations out of the member object.
	var settings corev1.ConfigMap
	if err := members["member1"].Get(ctx, client.ObjectKey{Namespace: "takeover", Name: "settings"}, &settings); err != nil {
		t.Fatal(err)
	}
	if _, ok := settings.Annotations["owner"]; ok {
		t.Errorf("KubeFed propagated the template annotation owner: %v", settings.Annotations)
	}
	var dep appsv1.Deployment
	if err := members["member2"].Get(ctx, client.ObjectKey{Namespace: "takeover", Name: "web"}, &dep); err != nil {
		t.Fatal(err)
	}
	if dep.Spec.Replicas == nil || *dep.Spec.Replicas != 3 {
		t.Errorf("KubeFed's Deployment in member2 has replicas %v, want the override's 3", dep.Spec.Replicas)
	}
	pvs := propagatedVersions(t, host)
	if len(pvs) != len(fedObjs) {
		t.Errorf("KubeFed left PropagatedVersions %v, want one for each of the %d federated objects", pvs, len(fedObjs))
	}
	t.Logf("KubeFed propagated %d federated objects to %d member objects after %s", len(fedObjs), len(written), time.Since(began).Round(time.Second))

	// 4. Stop KubeFed; record what it left.
	if err := kubefed.Stop(30 * time.Second); err != nil {
		t.Fatalf("stop KubeFed's controller manager: %v", err)
	}
	for _, obj := range fedObjs {
		if err := host.Get(ctx, client.ObjectKeyFromObject(obj), obj); err != nil {
			t.Fatal(err)
		}
	}
	// A federated object with a typo in its template, placed nowhere, which
	// KubeFed's schema (unknown template fields preserved) accepts.
	typo := createYAML(t, host, `
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata:
  name: typo
  namespace: takeover
spec:
  template:
    data:
      color: blue
    dataa:
      color: red
  placement:
    clusters: []
`)[0]
	if tmpl, _, _ := unstructured.NestedMap(typo.Object, "spec", "template"); tmpl["dataa"] == nil {
		t.Fatalf("KubeFed's CRD did not keep the unknown template field dataa: %v", tmpl)
	}
	before := map[takenObject]*unstructured.Unstructured{}
	for _, o := range written {
		obj := getMember(t, configs, o)
		if obj.GetLabels()[fedv1beta1.ManagedLabel] != "true" || obj.GetAnnotations()[fedv1beta1.OriginAnnotation] != "" {
			t.Fatalf("KubeFed wrote %s with labels %v and annotations %v, want %s and no %s", o, obj.GetLabels(), obj.GetAnnotations(), fedv1beta1.ManagedLabel, fedv1beta1.OriginAnnotation)
		}
		before[o] = obj
	}
	// KubeFed's finalizer stays on its FederatedTypeConfigs, which nothing
	// removes once KubeFed is gone (see the guide).
	for _, name := range ftcNames {
		ftc := &unstructured.Unstructured{}
		ftc.SetGroupVersionKind(schemaGVK("core.kubefed.io", "v1beta1", "FederatedTypeConfig"))
		if err := host.Get(ctx, client.ObjectKey{Namespace: federation.KubefedNamespace, Name: name}, ftc); err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(ftc.GetFinalizers(), kubeFedTypeConfigFinalizer) {
			t.Errorf("FederatedTypeConfig %s has finalizers %v, want KubeFed's %s", name, ftc.GetFinalizers(), kubeFedTypeConfigFinalizer)
		}
	}
	// An object of another federation beside them, in the member KubeFed did not
	// place the ConfigMap in: it must never be touched.
	foreign := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "takeover", Name: "settings",
		Labels:      map[string]string{fedv1beta1.ManagedLabel: "true"},
		Annotations: map[string]string{fedv1beta1.OriginAnnotation: "another-host/member2"}}, Data: map[string]string{"color": "red"}}
	if err := members["member2"].Create(ctx, foreign); err != nil {
		t.Fatal(err)
	}
	foreignObj := takenObject{"member2", gvr("", "v1", "configmaps"), "takeover", "settings"}
	writes := countWrites(t, configs, append(slices.Clone(written), foreignObj))

	// 5. This project's CRDs over KubeFed's (the objects stay), then the default
	// controller manager.
	t0 := time.Now()
	kubectl(t, binDir, kubeconfig, "--context", "host", "apply", "--server-side", "--force-conflicts", "-k", filepath.Join("..", "..", "cmd", "controller-manager", "config", "core"))
	kubectl(t, binDir, kubeconfig, "--context", "host", "apply", "--server-side", "--force-conflicts", "-k", filepath.Join("..", "..", "cmd", "controller-manager", "config", "crd"))
	// The API server prunes what the new schemas do not know from every object
	// it reads, old ones included: a template field the type does not have,
	// which KubeFed's schema kept, is gone; KubeFed's valid federated objects
	// read back with the specs they had.
	// (The API server switches to a new schema shortly after the CRD is written.)
	var tmpl map[string]any
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		if err := host.Get(ctx, client.ObjectKeyFromObject(typo), typo); err != nil {
			return false, err
		}
		tmpl, _, _ = unstructured.NestedMap(typo.Object, "spec", "template")
		return tmpl["dataa"] == nil, nil
	})
	if err != nil || tmpl["data"] == nil {
		t.Errorf("the template of %s under the new CRD is %v (%v), want data without dataa", typo.GetName(), tmpl, err)
	}
	if err := host.Delete(ctx, typo); err != nil {
		t.Fatal(err)
	}
	for _, obj := range fedObjs {
		was := obj.DeepCopy()
		if err := host.Get(ctx, client.ObjectKeyFromObject(obj), obj); err != nil {
			t.Fatal(err)
		}
		if d := specDiff(was, obj); d != "" {
			t.Errorf("%s %s reads back differently under the new CRD: %s", obj.GetKind(), obj.GetName(), d)
		}
	}
	// KubeFed's finalizer would keep a deleted FederatedTypeConfig for ever,
	// since no KubeFed runs to remove it; this manager puts none on them.
	for _, name := range ftcNames {
		kubectl(t, binDir, kubeconfig, "--context", "host", "patch", "federatedtypeconfigs.core.kubefed.io", name, "-n", federation.KubefedNamespace,
			"--type=json", `-p=[{"op":"remove","path":"/metadata/finalizers"}]`)
	}
	f := federation.TakeOver(t, set, manager.Options{})

	// 6. Every federated object reports Propagated, as this manager writes it.
	typed := []client.Object{
		&typesv1beta1.FederatedNamespace{ObjectMeta: metav1.ObjectMeta{Namespace: "takeover", Name: "takeover"}},
		&typesv1beta1.FederatedDeployment{ObjectMeta: metav1.ObjectMeta{Namespace: "takeover", Name: "web"}},
		&typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "takeover", Name: "settings"}},
		&typesv1beta1.FederatedClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "reader"}},
	}
	for _, obj := range typed {
		want := map[string]fedv1beta1.PropagationStatus{}
		for _, c := range placed[strings.TrimPrefix(fmt.Sprintf("%T", obj), "*v1beta1.")] {
			want[c] = fedv1beta1.ClusterPropagationOK
		}
		f.WaitStatus(t, obj, want)
		f.Eventually(t, "Propagated condition of "+obj.GetName(), func(ctx context.Context) error {
			if err := f.Host.Get(ctx, client.ObjectKeyFromObject(obj), obj); err != nil {
				return err
			}
			st := obj.(interface {
				FederatedStatus() *fedv1beta1.GenericFederatedStatus
			}).FederatedStatus()
			c := meta.FindStatusCondition(st.Conditions, fedv1beta1.ConditionPropagation)
			if c == nil || c.Status != metav1.ConditionTrue || c.Reason != status.ReasonPropagated || c.ObservedGeneration != obj.GetGeneration() {
				return fmt.Errorf("conditions %+v", st.Conditions)
			}
			return nil
		})
	}
	t.Logf("the default manager reports every federated object Propagated %s after the CRDs were replaced", time.Since(t0).Round(time.Second))
	for _, name := range ftcNames {
		var ftc corev1beta1.FederatedTypeConfig
		if err := f.Host.Get(ctx, client.ObjectKey{Namespace: federation.KubefedNamespace, Name: name}, &ftc); err != nil {
			t.Fatal(err)
		}
		if len(ftc.Finalizers) != 0 {
			t.Errorf("FederatedTypeConfig %s has finalizers %v after the takeover, want none", name, ftc.Finalizers)
		}
	}

	// 7. The member objects were taken over in place, with one write each.
	got := writes.settle(t, 3*time.Second)
	total := 0
	for _, o := range written {
		obj := getMember(t, configs, o)
		if obj.GetUID() != before[o].GetUID() {
			t.Errorf("%s was replaced: UID %s, KubeFed's was %s", o, obj.GetUID(), before[o].GetUID())
		}
		// Only metadata changed: a Deployment's pod template, and so its pods,
		// stay. (Its generation still goes up by one: a Deployment's annotations
		// count, since they are copied to its ReplicaSets.)
		if d := specDiff(before[o], obj); d != "" {
			t.Errorf("%s: spec changed: %s", o, d)
		}
		if want := hostOrigin(t, f.Host, o.cluster); obj.GetAnnotations()[fedv1beta1.OriginAnnotation] != want {
			t.Errorf("%s has origin %q, want %q", o, obj.GetAnnotations()[fedv1beta1.OriginAnnotation], want)
		}
		// The one write each object needs: adoption, a server-side apply that
		// records this host's origin and the desired hash (KubeFed wrote neither)
		// and takes ownership of the template's fields. The ConfigMap's write
		// also adds the template annotation KubeFed left out; the Deployment's
		// keeps the override. Nothing else differs, so nothing else is written.
		if w := got[o]; !slices.Equal(w, []string{"MODIFIED"}) {
			t.Errorf("%s: writes %v (resourceVersion %s -> %s), want one MODIFIED, the adoption", o, w, before[o].GetResourceVersion(), obj.GetResourceVersion())
		}
		total += len(got[o])
	}
	t.Logf("member writes of the takeover: %d for %d member objects", total, len(written))
	if cm := getMember(t, configs, written[4]); cm.GetAnnotations()["owner"] != "team-a" {
		t.Errorf("the template annotation owner is not propagated: %v", cm.GetAnnotations())
	}
	if d := getMember(t, configs, written[3]); fmt.Sprint(d.Object["spec"].(map[string]any)["replicas"]) != "3" {
		t.Errorf("member2's Deployment lost the override: replicas %v", d.Object["spec"].(map[string]any)["replicas"])
	}

	// The manager now propagates changes to what it took over.
	// (A merge patch: the manager writes the status meanwhile.)
	if err := f.Host.Patch(ctx, typed[2], client.RawPatch(types.MergePatchType, []byte(`{"spec":{"template":{"data":{"color":"green"}}}}`))); err != nil {
		t.Fatal(err)
	}
	f.Eventually(t, "member1's ConfigMap updated", func(ctx context.Context) error {
		var cm corev1.ConfigMap
		if err := f.Members["member1"].Get(ctx, client.ObjectKey{Namespace: "takeover", Name: "settings"}, &cm); err != nil {
			return err
		}
		if cm.Data["color"] != "green" || cm.UID != before[written[4]].GetUID() {
			return fmt.Errorf("data %v, UID %s", cm.Data, cm.UID)
		}
		return nil
	})

	// 8. KubeFed's PropagatedVersions are left as they were; kubefedctl deletes them.
	after := propagatedVersions(t, host)
	if fmt.Sprint(after) != fmt.Sprint(pvs) {
		t.Errorf("PropagatedVersions changed under the default manager: %v, KubeFed left %v", after, pvs)
	}
	for _, dryRun := range []string{"client", "server"} {
		out, errOut, err := runCtl(ctx, kubeconfig, "delete-propagated-versions", "-A", "--dry-run="+dryRun)
		if err != nil || strings.Count(out, " deleted") != len(pvs) || strings.Count(out, "dry run)\n") != len(pvs) {
			t.Fatalf("delete-propagated-versions --dry-run=%s: %v\n%s%s", dryRun, err, out, errOut)
		}
		if left := propagatedVersions(t, host); fmt.Sprint(left) != fmt.Sprint(pvs) {
			t.Errorf("a %s dry run changed the PropagatedVersions: %v, were %v", dryRun, left, pvs)
		}
	}
	out, errOut, err := runCtl(ctx, kubeconfig, "delete-propagated-versions", "-A")
	if err != nil || strings.Count(out, " deleted") != len(pvs) || strings.Contains(out, "dry run") {
		t.Fatalf("delete-propagated-versions -A: %v\n%s%s", err, out, errOut)
	}
	t.Logf("kubefedctl delete-propagated-versions -A:\n%s", out)
	if left := propagatedVersions(t, host); len(left) != 0 {
		t.Errorf("PropagatedVersions left after delete-propagated-versions: %v", left)
	}

	// 9. Deleting a federated object deletes the member objects taken over.
	if err := f.Host.Delete(ctx, typed[2]); err != nil {
		t.Fatal(err)
	}
	f.Eventually(t, "FederatedConfigMap settings and member1's ConfigMap deleted", func(ctx context.Context) error {
		if err := f.Host.Get(ctx, client.ObjectKeyFromObject(typed[2]), typed[2]); !apierrors.IsNotFound(err) {
			return fmt.Errorf("FederatedConfigMap: %v", err)
		}
		if err := f.Members["member1"].Get(ctx, client.ObjectKey{Namespace: "takeover", Name: "settings"}, &corev1.ConfigMap{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("member1's ConfigMap: %v", err)
		}
		return nil
	})

	// 10. Orphaning keeps them, unmanaged.
	if out, errOut, err := runCtl(ctx, kubeconfig, "orphaning", "enable", "deployments.apps", "web", "-n", "takeover"); err != nil {
		t.Fatalf("kubefedctl orphaning enable: %v\n%s%s", err, out, errOut)
	}
	if err := f.Host.Delete(ctx, typed[1]); err != nil {
		t.Fatal(err)
	}
	f.Eventually(t, "FederatedDeployment web deleted", func(ctx context.Context) error {
		if err := f.Host.Get(ctx, client.ObjectKeyFromObject(typed[1]), typed[1]); !apierrors.IsNotFound(err) {
			return fmt.Errorf("FederatedDeployment: %v", err)
		}
		return nil
	})
	for _, o := range written[2:4] {
		obj := getMember(t, configs, o)
		if obj.GetUID() != before[o].GetUID() || obj.GetLabels()[fedv1beta1.ManagedLabel] != "" {
			t.Errorf("orphaned %s: UID %s (KubeFed's %s), labels %v; want it kept, without %s", o, obj.GetUID(), before[o].GetUID(), obj.GetLabels(), fedv1beta1.ManagedLabel)
		}
	}

	// The other federation's ConfigMap went through all of it untouched.
	if w := writes.snapshot()[foreignObj]; len(w) != 0 {
		t.Errorf("%s, another federation's, was written: %v", foreignObj, w)
	}
	var still corev1.ConfigMap
	if err := members["member2"].Get(ctx, client.ObjectKeyFromObject(foreign), &still); err != nil || still.UID != foreign.UID || still.Data["color"] != "red" {
		t.Errorf("%s, another federation's: %v, %+v", foreignObj, err, still)
	}
}

// kubeFedTypeConfigFinalizer is the finalizer KubeFed's controller manager puts on
// every FederatedTypeConfig.
const kubeFedTypeConfigFinalizer = "core.kubefed.io/federated-type-config"

// waitKubeFedPropagated waits, for two minutes at most, until KubeFed's status of
// the federated object says Propagation True for exactly the clusters named.
func waitKubeFedPropagated(t testing.TB, host client.Client, obj *unstructured.Unstructured, clusterNames []string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	var last string
	for time.Now().Before(deadline) {
		fresh := &unstructured.Unstructured{}
		fresh.SetGroupVersionKind(obj.GroupVersionKind())
		if err := host.Get(context.Background(), client.ObjectKeyFromObject(obj), fresh); err != nil {
			t.Fatal(err)
		}
		st, _, _ := unstructured.NestedMap(fresh.Object, "status")
		last = fmt.Sprint(st)
		conditions, _, _ := unstructured.NestedSlice(fresh.Object, "status", "conditions")
		clusterList, _, _ := unstructured.NestedSlice(fresh.Object, "status", "clusters")
		var got []string
		for _, c := range clusterList {
			m := c.(map[string]any)
			if m["status"] == nil || m["status"] == "" {
				got = append(got, fmt.Sprint(m["name"]))
			}
		}
		slices.Sort(got)
		propagated := false
		for _, c := range conditions {
			m := c.(map[string]any)
			propagated = propagated || (m["type"] == "Propagation" && m["status"] == "True")
		}
		if propagated && slices.Equal(got, clusterNames) {
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("KubeFed did not report %s %s propagated to %v in two minutes; status %s", obj.GetKind(), obj.GetName(), clusterNames, last)
}

// propagatedVersions lists the PropagatedVersions (as namespace/name) and
// ClusterPropagatedVersions (as name) in the host, with their resourceVersions.
func propagatedVersions(t testing.TB, host client.Client) []string {
	t.Helper()
	var out []string
	for _, kind := range []string{"PropagatedVersionList", "ClusterPropagatedVersionList"} {
		list := &unstructured.UnstructuredList{}
		list.SetGroupVersionKind(corev1alpha1.SchemeGroupVersion.WithKind(kind))
		if err := host.List(context.Background(), list); err != nil {
			t.Fatal(err)
		}
		for _, pv := range list.Items {
			out = append(out, client.ObjectKeyFromObject(&pv).String()+"@"+pv.GetResourceVersion())
		}
	}
	slices.Sort(out)
	return out
}

// getMember reads a member object straight from its API server.
func getMember(t testing.TB, configs map[string]*rest.Config, o takenObject) *unstructured.Unstructured {
	t.Helper()
	c, err := client.New(configs[o.cluster], client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	obj := &unstructured.Unstructured{}
	obj.SetGroupVersionKind(gvkOf(o.resource))
	if err := c.Get(context.Background(), types.NamespacedName{Namespace: o.namespace, Name: o.name}, obj); err != nil {
		t.Fatalf("get %s: %v", o, err)
	}
	return obj
}
