package clusters_test

import (
	"context"
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubefed-gen/kubefed/test/clusters"
)

// TestHostAndMembers starts a host and two members, then writes an object through
// the written kubeconfig's context of each cluster and reads it back, proving each
// context reaches its own API server.
func TestHostAndMembers(t *testing.T) {
	set, err := clusters.Start(clusters.Options{Members: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := set.Stop(); err != nil {
			t.Error(err)
		}
	})
	if got := len(set.All()); got != 3 {
		t.Fatalf("started %d clusters, want 3", got)
	}

	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := set.WriteKubeconfig(path); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, c := range set.All() {
		cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
			&clientcmd.ClientConfigLoadingRules{ExplicitPath: path},
			&clientcmd.ConfigOverrides{CurrentContext: c.Name}).ClientConfig()
		if err != nil {
			t.Fatalf("context %s: %v", c.Name, err)
		}
		if cfg.Host != c.Config.Host {
			t.Errorf("context %s points at %s, want %s", c.Name, cfg.Host, c.Config.Host)
		}
		cs := kubernetes.NewForConfigOrDie(cfg)
		cm := &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Name: "hello", Namespace: "default"},
			Data:       map[string]string{"cluster": c.Name},
		}
		if _, err := cs.CoreV1().ConfigMaps("default").Create(ctx, cm, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create in %s: %v", c.Name, err)
		}
	}
	// Read back only after all writes, so a shared backend would show up as a wrong value.
	for _, c := range set.All() {
		got, err := kubernetes.NewForConfigOrDie(c.Config).CoreV1().ConfigMaps("default").Get(ctx, "hello", metav1.GetOptions{})
		if err != nil {
			t.Fatalf("get from %s: %v", c.Name, err)
		}
		if got.Data["cluster"] != c.Name {
			t.Errorf("cluster %s holds data %v, want cluster=%s", c.Name, got.Data, c.Name)
		}
	}
}
