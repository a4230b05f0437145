package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/test/clusters"
	"github.com/kubefed-gen/kubefed/test/gomodule"
)

// TestHelmChart installs the default manager's checked-in chart
// (cmd/controller-manager/chart) with helm into a real host cluster, checks that
// every object it rendered exists, that its CRDs are installed and that the
// release Secret stays under the 1 MiB a Secret may hold and that the chart's
// admission policy puts the sync finalizer on new federated objects, then runs
// the manager as the chart's ServiceAccount and sees a FederatedConfigMap reach
// a joined member.
//
// The clusters here are API servers without a kubelet, and no image can be
// pulled on this machine, so the Deployment the chart installs never runs a
// pod. The manager binary runs outside the cluster instead, with the
// Deployment's own arguments, authenticated by a token of the chart's
// ServiceAccount (TokenRequest): what it can do is exactly what the chart's
// RBAC grants.
func TestHelmChart(t *testing.T) {
	root := gomodule.Root(t)
	binDir, err := clusters.BinaryDir()
	if err != nil {
		t.Fatal(err)
	}
	helm := filepath.Join(binDir, "helm")
	if _, err := os.Stat(helm); err != nil {
		t.Fatalf("helm not found in %s: run hack/install-helm.sh (or 'make test-binaries') first", binDir)
	}
	set, err := clusters.Start(clusters.Options{Members: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = set.Stop() })
	adminKubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := set.WriteKubeconfig(adminKubeconfig); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const ns, release = "kube-federation-system", "kubefed"
	chart := filepath.Join(root, "cmd", "controller-manager", "chart")
	run := func(name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s%s", filepath.Base(name), strings.Join(args, " "), err, out, stderr.Bytes())
		}
		return string(out)
	}
	hostFlags := []string{"--kubeconfig", adminKubeconfig, "--kube-context", clusters.HostName, "--namespace", ns}
	run(helm, append([]string{"install", release, chart, "--create-namespace"}, hostFlags...)...)

	// Every rendered object exists as rendered.
	hostDyn := dynamic.NewForConfigOrDie(set.Host.Config)
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(discovery.NewDiscoveryClientForConfigOrDie(set.Host.Config)))
	rendered := splitManifest(t, run(helm, append([]string{"get", "manifest", release}, hostFlags...)...))
	kinds := map[string]int{}
	var deployment *unstructured.Unstructured
	for _, obj := range rendered {
		kinds[obj.GetKind()]++
		m, err := mapper.RESTMapping(obj.GroupVersionKind().GroupKind(), obj.GroupVersionKind().Version)
		if err != nil {
			t.Fatalf("%s %s: %v", obj.GetKind(), obj.GetName(), err)
		}
		got, err := hostDyn.Resource(m.Resource).Namespace(obj.GetNamespace()).Get(ctx, obj.GetName(), metav1.GetOptions{})
		if err != nil {
			t.Errorf("rendered %s %s/%s: %v", obj.GetKind(), obj.GetNamespace(), obj.GetName(), err)
			continue
		}
		if obj.GetKind() == "Deployment" {
			deployment = got
		}
	}
	for _, kind := range []string{"ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Deployment", "KubeFedConfig", "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding"} {
		if kinds[kind] == 0 {
			t.Errorf("the chart rendered no %s (rendered %v)", kind, kinds)
		}
	}
	if deployment == nil {
		t.Fatal("no Deployment of the manager")
	}
	containers, _, _ := unstructured.NestedSlice(deployment.Object, "spec", "template", "spec", "containers")
	args, _, _ := unstructured.NestedStringSlice(containers[0].(map[string]any), "args")
	wantArgs := []string{"--kubefed-namespace=" + ns, "--leader-elect", "--metrics-bind-address=:8080", "--health-probe-bind-address=:8081",
		"--feature-gates=CrossClusterServiceDiscovery=false,FederatedIngress=false"}
	if !slices.Equal(args, wantArgs) {
		t.Errorf("the manager's arguments in the cluster: %q, want %q", args, wantArgs)
	}
	crdFiles, err := filepath.Glob(filepath.Join(chart, "crds", "*.yaml"))
	if err != nil || len(crdFiles) == 0 {
		t.Fatalf("no CRDs in %s/crds (%v)", chart, err)
	}
	crds := schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	for _, f := range crdFiles {
		name := strings.SplitN(strings.TrimSuffix(filepath.Base(f), ".yaml"), "_", 2)
		if _, err := hostDyn.Resource(crds).Get(ctx, name[1]+"."+name[0], metav1.GetOptions{}); err != nil {
			t.Errorf("CRD of %s: %v", filepath.Base(f), err)
		}
	}

	// Helm keeps the release, the chart's CRDs included, in one Secret.
	hostK8s := kubernetes.NewForConfigOrDie(set.Host.Config)
	secret, err := hostK8s.CoreV1().Secrets(ns).Get(ctx, "sh.helm.release.v1."+release+".v1", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	size := len(secret.Data["release"])
	t.Logf("release Secret: %d bytes (%.0f%% of 1 MiB), %d CRDs", size, float64(size)*100/(1<<20), len(crdFiles))
	if size >= 1<<20 {
		t.Errorf("release Secret holds %d bytes, over the 1 MiB a Secret may hold", size)
	}

	// The chart's admission policy puts the sync finalizer on a new federated
	// object, with no manager running yet (a dry run: nothing is stored).
	eventually(t, "the finalizer policy applied", func(ctx context.Context) error {
		fcm := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedConfigMap",
			"metadata": map[string]any{"name": "probe", "namespace": "default"},
		}}
		got, err := hostDyn.Resource(schema.GroupVersionResource{Group: "types.kubefed.io", Version: "v1beta1", Resource: "federatedconfigmaps"}).
			Namespace("default").Create(ctx, fcm, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		if err != nil {
			return err
		}
		if !slices.Contains(got.GetFinalizers(), fedv1beta1.SyncFinalizer) {
			return fmt.Errorf("finalizers %v", got.GetFinalizers())
		}
		return nil
	})

	// The manager, built from this checkout, as the chart's ServiceAccount.
	bin := t.TempDir()
	gomodule.Go(t, root, "build", "-o", bin, "./cmd/controller-manager/cmd/manager", "./cmd/kubefedctl")
	manager := filepath.Join(bin, "manager")
	if out := run(manager, "--version"); !strings.HasPrefix(out, "kubefed-controller-manager (devel)\nKubeFed APIs: core.kubefed.io/v1alpha1, core.kubefed.io/v1beta1,") ||
		!strings.Contains(out, "Federated types: types.kubefed.io/v1beta1\n") {
		t.Errorf("manager --version printed:\n%s", out)
	}
	run(filepath.Join(bin, "kubefedctl"), "join", "member1", "--cluster-context", "member1",
		"--kubeconfig", adminKubeconfig, "--host-cluster-context", clusters.HostName)

	account, _, _ := unstructured.NestedString(deployment.Object, "spec", "template", "spec", "serviceAccountName")
	token, err := hostK8s.CoreV1().ServiceAccounts(ns).CreateToken(ctx, account,
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](3600)}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	saKubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(clientcmdapi.Config{
		Clusters:       map[string]*clientcmdapi.Cluster{"host": {Server: set.Host.Config.Host, CertificateAuthorityData: set.Host.Config.CAData}},
		AuthInfos:      map[string]*clientcmdapi.AuthInfo{account: {Token: token.Status.Token}},
		Contexts:       map[string]*clientcmdapi.Context{"host": {Cluster: "host", AuthInfo: account}},
		CurrentContext: "host",
	}, saKubeconfig); err != nil {
		t.Fatal(err)
	}
	// The Deployment's arguments, with the endpoints off: they would take ports
	// other tests on this machine may use.
	cmd := exec.Command(manager, append(args, "--kubeconfig", saKubeconfig,
		"--metrics-bind-address=0", "--health-probe-bind-address=0", "--cluster-health-check-period=500ms")...)
	logs, err := os.Create(filepath.Join(t.TempDir(), "manager.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			data, _ := os.ReadFile(logs.Name())
			t.Logf("manager log:\n%s", data)
		}
	})

	// A FederatedConfigMap, in a namespace a FederatedNamespace places on the member.
	if _, err := hostK8s.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	placement := map[string]any{"clusters": []any{map[string]any{"name": "member1"}}}
	for _, obj := range []*unstructured.Unstructured{
		{Object: map[string]any{
			"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedNamespace",
			"metadata": map[string]any{"name": "shop", "namespace": "shop"},
			"spec":     map[string]any{"placement": placement},
		}},
		{Object: map[string]any{
			"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedConfigMap",
			"metadata": map[string]any{"name": "settings", "namespace": "shop"},
			"spec": map[string]any{
				"template":  map[string]any{"data": map[string]any{"colour": "blue"}},
				"placement": placement,
			},
		}},
	} {
		gvr := schema.GroupVersionResource{Group: "types.kubefed.io", Version: "v1beta1", Resource: strings.ToLower(obj.GetKind()) + "s"}
		if _, err := hostDyn.Resource(gvr).Namespace("shop").Create(ctx, obj, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	member := kubernetes.NewForConfigOrDie(set.Members[0].Config)
	eventually(t, "ConfigMap shop/settings in member1", func(ctx context.Context) error {
		cm, err := member.CoreV1().ConfigMaps("shop").Get(ctx, "settings", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if cm.Labels[fedv1beta1.ManagedLabel] != "true" || !reflect.DeepEqual(cm.Data, map[string]string{"colour": "blue"}) {
			return fmt.Errorf("labels %v, data %v", cm.Labels, cm.Data)
		}
		return nil
	})
	data, err := os.ReadFile(logs.Name())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "starting") || !strings.Contains(string(data), "(devel)") {
		t.Errorf("the manager's log does not start with its version:\n%s", data)
	}
}

// splitManifest parses the documents of a rendered manifest.
func splitManifest(t *testing.T, manifest string) []*unstructured.Unstructured {
	t.Helper()
	var out []*unstructured.Unstructured
	for _, doc := range strings.Split(manifest, "\n---\n") {
		var obj map[string]any
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
			t.Fatalf("rendered manifest: %v\n%s", err, doc)
		}
		if obj != nil {
			out = append(out, &unstructured.Unstructured{Object: obj})
		}
	}
	return out
}
