package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/yaml"

	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/test/clusters"
	"github.com/kubefed-gen/kubefed/test/gomodule"
)

var (
	backups          = schema.GroupVersionResource{Group: "velero.io", Version: "v1", Resource: "backups"}
	federatedBackups = schema.GroupVersionResource{Group: "types.kubefed.io", Version: "v1beta1", Resource: "federatedbackups"}
)

// TestCLIWithCRDType is a user's whole path with a CRD type, driving the kubefedctl
// binary: join two members, enable the CRD's type (installing its Federated CRD from
// the live schema), emit the Go code of a manager for it, build and run that
// manager, federate an existing object, see it in both members, orphan it and
// delete the federated object (the member objects stay, unmanaged), and unjoin.
func TestCLIWithCRDType(t *testing.T) {
	root := gomodule.Root(t)
	set, err := clusters.Start(clusters.Options{Members: 2, HostCRDDirs: []string{filepath.Join(root, "runtime", "config", "crd")}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = set.Stop() })
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := set.WriteKubeconfig(kubeconfig); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	bin := t.TempDir()
	gomodule.Go(t, root, "build", "-o", bin, "./cmd/kubefedctl")
	kubefedctl := func(dir string, args ...string) string {
		t.Helper()
		cmd := exec.Command(filepath.Join(bin, "kubefedctl"), append(args, "--kubeconfig", kubeconfig, "--host-cluster-context", "host")...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("kubefedctl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}

	// The target CRD (velero's Backup) and namespace exist in every cluster.
	crdFile := filepath.Join(root, "generator", "discover", "crd", "testdata", "velero.io_backups.yaml")
	for _, c := range set.All() {
		installCRDFile(t, c, crdFile)
		if _, err := kubernetes.NewForConfigOrDie(c.Config).CoreV1().Namespaces().Create(ctx,
			&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	hostK8s := kubernetes.NewForConfigOrDie(set.Host.Config)
	if _, err := hostK8s.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "kube-federation-system"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	for _, m := range []string{"member1", "member2"} {
		kubefedctl(root, "join", m, "--cluster-context", m)
	}
	kubefedctl(root, "join", "member2", "--cluster-context", "member2") // idempotent

	if out := kubefedctl(root, "enable", "backups.velero.io"); !strings.Contains(out, "federatedbackups.types.kubefed.io") {
		t.Errorf("enable said:\n%s", out)
	}

	// Emit the code of a manager for the type into a user's module, build and run it.
	mod := gomodule.New(t, "example.com/backupfed")
	out := kubefedctl(mod, "enable", "backups.velero.io", "--emit-code", "./federation")
	if !strings.Contains(out, "Next steps") {
		t.Errorf("enable --emit-code said:\n%s", out)
	}
	gomodule.Go(t, mod, "build", "-o", filepath.Join(bin, "manager"), "./federation/cmd/manager")
	installCRDFile(t, set.Host, filepath.Join(mod, "federation", "config", "crd", "bases", "types.kubefed.io_federatedbackups.yaml"))
	manager := exec.Command(filepath.Join(bin, "manager"), "--kubeconfig", kubeconfig, "--context", "host",
		"--metrics-bind-address", "0", "--health-probe-bind-address", "0", "--cluster-health-check-period", "500ms")
	logs, err := os.Create(filepath.Join(t.TempDir(), "manager.log"))
	if err != nil {
		t.Fatal(err)
	}
	manager.Stdout, manager.Stderr = logs, logs
	if err := manager.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = manager.Process.Kill()
		_ = manager.Wait()
		if t.Failed() {
			data, _ := os.ReadFile(logs.Name())
			t.Logf("manager log:\n%s", data)
		}
	})

	// Federate an existing object.
	hostDyn := dynamic.NewForConfigOrDie(set.Host.Config)
	backup := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "velero.io/v1", "kind": "Backup",
		"metadata": map[string]any{"name": "nightly", "namespace": "shop"},
		"spec":     map[string]any{"includedNamespaces": []any{"shop"}, "ttl": "72h0m0s"},
	}}
	if _, err := hostDyn.Resource(backups).Namespace("shop").Create(ctx, backup, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	kubefedctl(root, "federate", "backups.velero.io", "nightly", "-n", "shop")
	for _, m := range set.Members {
		eventually(t, "backup in "+m.Name, func(ctx context.Context) error {
			got, err := dynamic.NewForConfigOrDie(m.Config).Resource(backups).Namespace("shop").Get(ctx, "nightly", metav1.GetOptions{})
			if err != nil {
				return err
			}
			if got.GetLabels()[fedv1beta1.ManagedLabel] != "true" {
				return fmt.Errorf("labels %v", got.GetLabels())
			}
			if ttl, _, _ := unstructured.NestedString(got.Object, "spec", "ttl"); ttl != "72h0m0s" {
				return fmt.Errorf("spec.ttl %q", ttl)
			}
			return nil
		})
	}

	// Orphan, then delete: the member objects stay, no longer managed.
	kubefedctl(root, "orphaning", "enable", "backups.velero.io", "nightly", "-n", "shop")
	if out := kubefedctl(root, "orphaning", "status", "backups.velero.io", "nightly", "-n", "shop"); !strings.Contains(out, "Enabled") {
		t.Errorf("orphaning status said %q", out)
	}
	if err := hostDyn.Resource(federatedBackups).Namespace("shop").Delete(ctx, "nightly", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "federated backup gone", func(ctx context.Context) error {
		_, err := hostDyn.Resource(federatedBackups).Namespace("shop").Get(ctx, "nightly", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("still there (%v)", err)
	})
	for _, m := range set.Members {
		got, err := dynamic.NewForConfigOrDie(m.Config).Resource(backups).Namespace("shop").Get(ctx, "nightly", metav1.GetOptions{})
		if err != nil {
			t.Fatalf("%s: orphaned backup: %v", m.Name, err)
		}
		if _, managed := got.GetLabels()[fedv1beta1.ManagedLabel]; managed {
			t.Errorf("%s: orphaned backup still managed: %v", m.Name, got.GetLabels())
		}
	}

	kubefedctl(root, "unjoin", "member2", "--cluster-context", "member2")
	_, err = hostDyn.Resource(schema.GroupVersionResource{Group: "core.kubefed.io", Version: "v1beta1", Resource: "kubefedclusters"}).
		Namespace("kube-federation-system").Get(ctx, "member2", metav1.GetOptions{})
	if !apierrors.IsNotFound(err) {
		t.Errorf("KubeFedCluster member2 after unjoin: %v", err)
	}
}

// installCRDFile creates the CRD in a YAML file in a cluster and waits for it.
func installCRDFile(t *testing.T, c *clusters.Cluster, file string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var crd apiextensionsv1.CustomResourceDefinition
	if err := yaml.Unmarshal(data, &crd); err != nil {
		t.Fatal(err)
	}
	ext := apiextensionsclient.NewForConfigOrDie(c.Config)
	existing, err := ext.ApiextensionsV1().CustomResourceDefinitions().Get(context.Background(), crd.Name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		_, err = ext.ApiextensionsV1().CustomResourceDefinitions().Create(context.Background(), &crd, metav1.CreateOptions{})
	case err == nil:
		crd.ResourceVersion = existing.ResourceVersion
		_, err = ext.ApiextensionsV1().CustomResourceDefinitions().Update(context.Background(), &crd, metav1.UpdateOptions{})
	}
	if err != nil {
		t.Fatalf("install %s in %s: %v", crd.Name, c.Name, err)
	}
	waitEstablished(t, ext, crd.Name)
}

func eventually(t *testing.T, what string, check func(context.Context) error) {
	t.Helper()
	var last error
	if err := wait.PollUntilContextTimeout(context.Background(), 200*time.Millisecond, 60*time.Second, true, func(ctx context.Context) (bool, error) {
		last = check(ctx)
		return last == nil, nil
	}); err != nil {
		t.Fatalf("%s: %v", what, last)
	}
}
