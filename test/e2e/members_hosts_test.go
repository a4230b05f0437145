package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	typesv1beta1 "github.com/kubefed-gen/kubefed/cmd/controller-manager/apis/types/v1beta1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/cluster"
	"github.com/kubefed-gen/kubefed/runtime/manager"
	"github.com/kubefed-gen/kubefed/test/federation"
)

// TestHostsShareMember runs two complete federations, A and B, each a host with
// its own manager and member, and joins A's member to B as well, under the name
// shared. Both propagate ConfigMaps into one namespace of it. B's object named
// like one of A's is a conflict on B (AlreadyExists, naming both origins), and
// so is B's FederatedNamespace for the namespace A created; A's objects are
// never changed or deleted: not by B's writes, not by B's deletes, not by
// unjoining shared from B.
func TestHostsShareMember(t *testing.T) {
	a := federation.Start(t, manager.Options{}, federation.WithMembers(1))
	b := federation.Start(t, manager.Options{}, federation.WithMembers(1))
	ctx := context.Background()
	shared := a.Set.Members[0] // "member1" to A
	sharedClient := a.Members["member1"]
	if err := cluster.Join(ctx, b.Set.Host.Config, shared.Config, cluster.JoinOptions{
		ClusterName: "shared", HostClusterName: "host-b", KubeFedNamespace: federation.KubefedNamespace,
	}); err != nil {
		t.Fatal(err)
	}
	b.WaitClusterReady(t, "shared")

	const ns, n = "two-hosts", 10
	a.FederateNamespace(t, ns, "member1")
	// B's FederatedNamespace places the namespace on its own member and on
	// shared, where A's namespace is: a conflict, and the namespace stays A's.
	if err := b.Host.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
		t.Fatal(err)
	}
	bns := &typesv1beta1.FederatedNamespace{ObjectMeta: metav1.ObjectMeta{Name: ns, Namespace: ns}}
	bns.Spec.Placement = federation.PlacementOn("member1", "shared")
	if err := b.Host.Create(ctx, bns); err != nil {
		t.Fatal(err)
	}
	b.WaitStatus(t, bns, map[string]fedv1beta1.PropagationStatus{"member1": ok, "shared": fedv1beta1.AlreadyExists})

	create := func(f *federation.Federation, name, value string, clusters ...string) *typesv1beta1.FederatedConfigMap {
		t.Helper()
		cm := &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}}
		cm.Spec.Template.Data = map[string]string{"host": value}
		cm.Spec.Placement = federation.PlacementOn(clusters...)
		if err := f.Host.Create(ctx, cm); err != nil {
			t.Fatal(err)
		}
		return cm
	}
	for i := range n {
		a.WaitStatus(t, create(a, fmt.Sprintf("a%03d", i), "a", "member1"), map[string]fedv1beta1.PropagationStatus{"member1": ok})
	}
	for i := range n {
		b.WaitStatus(t, create(b, fmt.Sprintf("b%03d", i), "b", "member1", "shared"), map[string]fedv1beta1.PropagationStatus{"member1": ok, "shared": ok})
	}
	aObjects := snapshot(t, sharedClient, ns, "a")
	if len(aObjects) != n {
		t.Fatalf("shared holds %d of A's objects, want %d", len(aObjects), n)
	}
	aOrigin, bOrigin := originOf(t, sharedClient, ns, "a001"), originOf(t, sharedClient, ns, "b001")
	origins := originCounts(t, sharedClient, ns)
	if aOrigin == bOrigin || len(origins) != 2 || origins[aOrigin] != n || origins[bOrigin] != n {
		t.Fatalf("shared holds by origin %v, want %d of A's (%q) and %d of B's (%q)", origins, n, aOrigin, n, bOrigin)
	}
	t.Logf("shared holds by origin: %v (A %q, B %q)", origins, aOrigin, bOrigin)

	// B's a000 collides with A's.
	collision := create(b, "a000", "b", "shared")
	b.WaitStatus(t, collision, map[string]fedv1beta1.PropagationStatus{"shared": fedv1beta1.AlreadyExists})
	var got typesv1beta1.FederatedConfigMap
	if err := b.Host.Get(ctx, client.ObjectKeyFromObject(collision), &got); err != nil {
		t.Fatal(err)
	}
	msg := got.Status.Clusters[0].Message
	if !strings.Contains(msg, aOrigin) {
		t.Errorf("B's conflict message %q does not name A's origin %q", msg, aOrigin)
	}
	t.Logf("B's status for shared: %s: %s", got.Status.Clusters[0].Status, msg)

	// B deletes its colliding object and half of its own.
	if err := b.Host.Delete(ctx, collision); err != nil {
		t.Fatal(err)
	}
	for i := range n / 2 {
		if err := b.Host.Delete(ctx, &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("b%03d", i), Namespace: ns}}); err != nil {
			t.Fatal(err)
		}
	}
	b.Eventually(t, "B's deletes reach shared", func(ctx context.Context) error {
		if got := originCounts(t, sharedClient, ns)[bOrigin]; got != n/2 {
			return fmt.Errorf("shared holds %d of B's objects, want %d", got, n/2)
		}
		var list typesv1beta1.FederatedConfigMapList
		if err := b.Host.List(ctx, &list, client.InNamespace(ns)); err != nil {
			return err
		}
		if len(list.Items) != n/2 {
			return fmt.Errorf("B's host holds %d FederatedConfigMaps, want %d", len(list.Items), n/2)
		}
		return nil
	})
	checkUnchanged(t, sharedClient, ns, aObjects)

	// Unjoining shared from B leaves what B propagated there (as KubeFed's
	// unjoin does) and A's objects as they were; B's ServiceAccount goes, A's stays.
	if err := cluster.Unjoin(ctx, b.Set.Host.Config, shared.Config, cluster.JoinOptions{
		ClusterName: "shared", HostClusterName: "host-b", KubeFedNamespace: federation.KubefedNamespace,
	}); err != nil {
		t.Fatal(err)
	}
	// B's manager forgets shared; its remaining objects report it as not joined.
	b.Eventually(t, "B's objects report shared as not joined", func(ctx context.Context) error {
		var fcm typesv1beta1.FederatedConfigMap
		if err := b.Host.Get(ctx, types.NamespacedName{Namespace: ns, Name: fmt.Sprintf("b%03d", n-1)}, &fcm); err != nil {
			return err
		}
		for _, c := range fcm.Status.Clusters {
			if c.Name == "shared" && c.Status == notReady && strings.Contains(c.Message, "not joined") {
				t.Logf("B's status of %s for shared after unjoining it: %s: %s", fcm.Name, c.Status, c.Message)
				return nil
			}
		}
		return fmt.Errorf("status %+v, want shared reported as not joined", fcm.Status.Clusters)
	})
	if got := originCounts(t, sharedClient, ns); got[aOrigin] != n || got[bOrigin] != n/2 || len(got) != 2 {
		t.Errorf("shared after unjoining it from B holds by origin %v, want A %d, B %d", got, n, n/2)
	}
	checkUnchanged(t, sharedClient, ns, aObjects)
	for name, want := range map[string]bool{cluster.ServiceAccountName("member1", "host"): true, cluster.ServiceAccountName("shared", "host-b"): false} {
		err := sharedClient.Get(ctx, client.ObjectKey{Namespace: federation.KubefedNamespace, Name: name}, &corev1.ServiceAccount{})
		if (err == nil) != want {
			t.Errorf("ServiceAccount %s in shared: %v, want present %v", name, err, want)
		}
	}
	var nsObj corev1.Namespace
	if err := sharedClient.Get(ctx, client.ObjectKey{Name: ns}, &nsObj); err != nil || !nsObj.DeletionTimestamp.IsZero() {
		t.Errorf("namespace %s in shared: %v, deletion %v", ns, err, nsObj.DeletionTimestamp)
	}
	t.Logf("shared after unjoining from B: A %d objects unchanged, B %d left", n, n/2)
}

// snapshot returns the resource versions and UIDs of ns's managed ConfigMaps
// whose data key host is value.
func snapshot(t *testing.T, c client.Client, ns, value string) map[string]string {
	t.Helper()
	var list corev1.ConfigMapList
	if err := c.List(context.Background(), &list, client.InNamespace(ns), client.MatchingLabels{fedv1beta1.ManagedLabel: "true"}); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, cm := range list.Items {
		if cm.Data["host"] == value {
			out[cm.Name] = string(cm.UID) + "/" + cm.ResourceVersion
		}
	}
	return out
}

// checkUnchanged fails for every object of before that is gone or changed.
func checkUnchanged(t *testing.T, c client.Client, ns string, before map[string]string) {
	t.Helper()
	for name, was := range before {
		var cm corev1.ConfigMap
		if err := c.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, &cm); err != nil {
			t.Errorf("A's %s: %v", name, err)
			continue
		}
		if now := string(cm.UID) + "/" + cm.ResourceVersion; now != was {
			t.Errorf("A's %s changed: uid/resourceVersion %s, was %s", name, now, was)
		}
	}
}

// originCounts counts ns's ConfigMaps by their origin annotation.
func originCounts(t *testing.T, c client.Client, ns string) map[string]int {
	t.Helper()
	var list corev1.ConfigMapList
	if err := c.List(context.Background(), &list, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, cm := range list.Items {
		if o := cm.Annotations[fedv1beta1.OriginAnnotation]; o != "" {
			out[o]++
		}
	}
	return out
}

func originOf(t *testing.T, c client.Client, ns, name string) string {
	t.Helper()
	var cm corev1.ConfigMap
	if err := c.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, &cm); err != nil {
		t.Fatal(err)
	}
	return cm.Annotations[fedv1beta1.OriginAnnotation]
}
