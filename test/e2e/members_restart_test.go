//go:build unix

package e2e

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	typesv1beta1 "github.com/kubefed-gen/kubefed/cmd/controller-manager/apis/types/v1beta1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/manager"
	"github.com/kubefed-gen/kubefed/test/federation"
)

// TestMemberAPIServerKilled kills member2's kube-apiserver (SIGKILL: its port
// refuses connections) with objects propagated, creates, updates and deletes
// federated objects while it is down, and starts it again on the same port and
// etcd. member1 must be right throughout; member2 must converge with nothing
// missing, nothing leaked, nothing wrongly deleted (the untouched objects keep
// their UIDs), and the objects this federation did not write untouched.
func TestMemberAPIServerKilled(t *testing.T) {
	f := federation.Start(t, manager.Options{})
	ctx := context.Background()
	member2 := f.Set.Members[1]
	const ns = "apikill"
	f.FederateNamespace(t, ns, "member1", "member2")

	// Objects of others in member2: one plain, one that a hand labelled as
	// managed. Neither may be deleted, nor their data changed; the second
	// loses the stray managed label, as in KubeFed (dispatch.ReleaseStray).
	foreign := []*corev1.ConfigMap{
		{ObjectMeta: metav1.ObjectMeta{Name: "plain", Namespace: ns}, Data: map[string]string{"owner": "someone else"}},
		{ObjectMeta: metav1.ObjectMeta{Name: "hand-labelled", Namespace: ns, Labels: map[string]string{fedv1beta1.ManagedLabel: "true"}}, Data: map[string]string{"owner": "a hand"}},
	}
	for _, cm := range foreign {
		if err := f.Members["member2"].Create(ctx, cm); err != nil {
			t.Fatal(err)
		}
	}

	const n = 50
	want := map[string]string{} // federated objects by name: the data value i
	for i := range n {
		name := fmt.Sprintf("c%03d", i)
		createKillCM(t, f, ns, name, "v1")
		want[name] = "v1"
	}
	both := map[string]fedv1beta1.PropagationStatus{"member1": ok, "member2": ok}
	for name := range want {
		f.WaitStatus(t, &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}}, both)
	}
	before := managedUIDs(t, f, "member2", ns)
	if len(before) != len(want) {
		t.Fatalf("member2 holds %d managed objects before the kill, want %d", len(before), len(want))
	}

	if err := member2.KillAPIServer(); err != nil {
		t.Fatal(err)
	}
	killed := true
	t.Cleanup(func() {
		if killed {
			if err := member2.RestartAPIServer(); err != nil {
				t.Error(err)
			}
		}
	})
	var created, updated, deleted []string
	for i := range 20 {
		name := fmt.Sprintf("d%03d", i)
		createKillCM(t, f, ns, name, "v1")
		want[name], created = "v1", append(created, name)
	}
	for i := range 15 {
		name := fmt.Sprintf("c%03d", i)
		var cm typesv1beta1.FederatedConfigMap
		if err := f.Host.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, &cm); err != nil {
			t.Fatal(err)
		}
		cm.Spec.Template.Data["i"] = "v2"
		if err := f.Host.Update(ctx, &cm); err != nil {
			t.Fatal(err)
		}
		want[name], updated = "v2", append(updated, name)
	}
	for i := 35; i < n; i++ {
		name := fmt.Sprintf("c%03d", i)
		cm := &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}}
		if err := f.Host.Delete(ctx, cm); err != nil {
			t.Fatal(err)
		}
		delete(want, name)
		deleted = append(deleted, name)
	}
	t.Logf("while member2 is down: %d created, %d updated, %d deleted; %d federated objects wanted", len(created), len(updated), len(deleted), len(want))

	// member1 is right while member2 is down, and every status says why
	// member2 is not.
	f.Eventually(t, "member1 holds exactly the wanted objects while member2 is down", func(ctx context.Context) error {
		return holdsExactly(ctx, f, "member1", ns, want)
	})
	reasons := map[fedv1beta1.PropagationStatus]int{}
	for name := range want {
		var cm typesv1beta1.FederatedConfigMap
		if err := f.Host.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, &cm); err != nil {
			t.Fatal(err)
		}
		for _, c := range cm.Status.Clusters {
			if c.Name == "member2" {
				reasons[c.Status]++
			}
		}
	}
	t.Logf("member2's statuses once member1 converged, member2 down (\"\" is OK: not rewritten yet): %v", reasons)

	if err := member2.RestartAPIServer(); err != nil {
		t.Fatal(err)
	}
	killed = false
	restarted := time.Now()
	var last error
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 3*time.Minute, true, func(ctx context.Context) (bool, error) {
		last = holdsExactly(ctx, f, "member2", ns, want)
		return last == nil, nil
	})
	if err != nil {
		t.Fatalf("member2 after the restart: %v", last)
	}
	t.Logf("member2 converged %v after its API server answered again", time.Since(restarted).Round(time.Millisecond))
	for name := range want {
		f.WaitStatus(t, &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}}, both)
	}
	f.Eventually(t, "deleted federated objects gone from the host", func(ctx context.Context) error {
		var list typesv1beta1.FederatedConfigMapList
		if err := f.Host.List(ctx, &list, client.InNamespace(ns)); err != nil {
			return err
		}
		if len(list.Items) != len(want) {
			return fmt.Errorf("%d federated objects in the host, want %d", len(list.Items), len(want))
		}
		return nil
	})
	if err := holdsExactly(ctx, f, "member1", ns, want); err != nil {
		t.Errorf("member1 after the restart: %v", err)
	}

	// Nothing untouched was deleted and created again.
	after := managedUIDs(t, f, "member2", ns)
	recreated := 0
	for name, uid := range before {
		if _, wanted := want[name]; !wanted {
			continue
		}
		if after[name] != uid {
			recreated++
			t.Errorf("member2's %s has UID %s, was %s: deleted and created again", name, after[name], uid)
		}
	}
	for _, cm := range foreign {
		var got corev1.ConfigMap
		if err := f.Members["member2"].Get(ctx, client.ObjectKeyFromObject(cm), &got); err != nil {
			t.Errorf("foreign %s: %v", cm.Name, err)
			continue
		}
		if got.UID != cm.UID || !maps.Equal(got.Data, cm.Data) || got.Annotations[fedv1beta1.OriginAnnotation] != "" {
			t.Errorf("foreign %s changed: uid %s (was %s), data %v, annotations %v", cm.Name, got.UID, cm.UID, got.Data, got.Annotations)
		}
	}
	t.Logf("member2: %d objects held, 0 missing, 0 leaked, %d wrongly recreated; %d foreign objects untouched", len(want), recreated, len(foreign))
}

func createKillCM(t *testing.T, f *federation.Federation, ns, name, value string) {
	t.Helper()
	cm := &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}}
	cm.Spec.Template.Data = map[string]string{"i": value}
	cm.Spec.Placement = federation.PlacementOn("member1", "member2")
	if err := f.Host.Create(context.Background(), cm); err != nil {
		t.Fatal(err)
	}
}

// holdsExactly says how member's federated ConfigMaps in ns (those with an
// origin) differ from want, names to the value of key i: missing, leaked, or
// stale.
func holdsExactly(ctx context.Context, f *federation.Federation, member, ns string, want map[string]string) error {
	var list corev1.ConfigMapList
	if err := f.Members[member].List(ctx, &list, client.InNamespace(ns), client.MatchingLabels{fedv1beta1.ManagedLabel: "true"}); err != nil {
		return err
	}
	got := map[string]string{}
	for _, cm := range list.Items {
		if cm.Annotations[fedv1beta1.OriginAnnotation] != "" {
			got[cm.Name] = cm.Data["i"]
		}
	}
	var missing, leaked, stale []string
	for name, v := range want {
		switch g, ok := got[name]; {
		case !ok:
			missing = append(missing, name)
		case g != v:
			stale = append(stale, name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			leaked = append(leaked, name)
		}
	}
	if len(missing)+len(leaked)+len(stale) > 0 {
		slices.Sort(missing)
		slices.Sort(leaked)
		slices.Sort(stale)
		return fmt.Errorf("%s holds %d of %d: missing %v, leaked %v, stale %v", member, len(got), len(want), missing, leaked, stale)
	}
	return nil
}

// managedUIDs are the UIDs of member's ConfigMaps in ns labelled managed, by name.
func managedUIDs(t *testing.T, f *federation.Federation, member, ns string) map[string]types.UID {
	t.Helper()
	var list corev1.ConfigMapList
	if err := f.Members[member].List(context.Background(), &list, client.InNamespace(ns), client.MatchingLabels{fedv1beta1.ManagedLabel: "true"}); err != nil {
		t.Fatal(err)
	}
	out := map[string]types.UID{}
	for _, cm := range list.Items {
		out[cm.Name] = cm.UID
	}
	return out
}
