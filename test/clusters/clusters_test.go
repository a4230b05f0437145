package clusters_test

import (
	"context"
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubefed-gen/kubefed/test/clusters"
)

// TestHostAndMembers starts a host and two members, then writes an object through
// the written kubeconfig's context of each cluster and reads it back, proving each
// context reaches its own API server; members that share an etcd must be as
// separate as members with an etcd each, down to their identity.
func TestHostAndMembers(t *testing.T) {
	for _, shared := range []bool{false, true} {
		t.Run(map[bool]string{false: "etcd each", true: "shared etcd"}[shared], func(t *testing.T) {
			t.Parallel()
			testHostAndMembers(t, clusters.Options{Members: 2, SharedEtcd: shared})
		})
	}
}

func testHostAndMembers(t *testing.T, opts clusters.Options) {
	set, err := clusters.Start(opts)
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
	identities := map[types.UID]string{}
	for _, c := range set.All() {
		cs := kubernetes.NewForConfigOrDie(c.Config)
		got, err := cs.CoreV1().ConfigMaps("default").Get(ctx, "hello", metav1.GetOptions{})
		if err != nil {
			t.Fatalf("get from %s: %v", c.Name, err)
		}
		if got.Data["cluster"] != c.Name {
			t.Errorf("cluster %s holds data %v, want cluster=%s", c.Name, got.Data, c.Name)
		}
		// A federation tells clusters apart by this UID.
		ns, err := cs.CoreV1().Namespaces().Get(ctx, metav1.NamespaceSystem, metav1.GetOptions{})
		if err != nil {
			t.Fatalf("get namespace kube-system from %s: %v", c.Name, err)
		}
		if other, ok := identities[ns.UID]; ok {
			t.Errorf("clusters %s and %s have one kube-system UID %s", other, c.Name, ns.UID)
		}
		identities[ns.UID] = c.Name
	}

	mem, err := set.MemberMemory()
	if err != nil {
		t.Fatal(err)
	}
	// A member's kube-apiserver alone is well over 100 MiB resident.
	if mem.RSS < 2*100<<20 || mem.PSS == 0 || mem.PSS > mem.RSS {
		t.Errorf("members' memory %+v, want RSS > 200 MiB and 0 < PSS <= RSS", mem)
	}
}
