package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	typesv1beta1 "github.com/kubefed-gen/kubefed/cmd/controller-manager/apis/types/v1beta1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/manager"
	"github.com/kubefed-gen/kubefed/test/federation"
)

// TestManagerStoppedMidway stops the controller manager in the middle of a burst
// of creates and of deletes, as a crash would, and starts a new one: the members
// end up holding exactly what the host says, with nothing lost and nothing leaked.
func TestManagerStoppedMidway(t *testing.T) {
	f := federation.Start(t, manager.Options{})
	ctx := context.Background()
	const n = 100
	ns := "restart"
	f.FederateNamespace(t, ns, "member1", "member2")

	count := func(member string) int {
		var list corev1.ConfigMapList
		if err := f.Members[member].List(ctx, &list, client.InNamespace(ns), client.MatchingLabels{fedv1beta1.ManagedLabel: "true"}); err != nil {
			t.Fatal(err)
		}
		return len(list.Items)
	}
	// stopWhen stops the manager as soon as member1 holds a count for which done
	// is true, which the burst passes through.
	stopWhen := func(what string, done func(int) bool) {
		err := wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, time.Minute, true, func(context.Context) (bool, error) {
			return done(count("member1")), nil
		})
		if err != nil {
			t.Fatalf("waiting until %s: %v (member1 holds %d)", what, err, count("member1"))
		}
		f.StopManager(t)
		t.Logf("manager stopped when %s: member1 %d, member2 %d of %d", what, count("member1"), count("member2"), n)
	}

	var objs []*typesv1beta1.FederatedConfigMap
	go func() {
		for i := range n {
			cm := &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("c%03d", i), Namespace: ns}}
			cm.Spec.Template.Data = map[string]string{"i": fmt.Sprint(i)}
			cm.Spec.Placement = federation.PlacementOn("member1", "member2")
			if err := f.Host.Create(ctx, cm); err != nil {
				t.Error(err)
			}
		}
	}()
	stopWhen("part of the creates propagated", func(c int) bool { return c >= 10 })
	restarted := time.Now()
	f.StartManager(t)
	f.Eventually(t, "every object in both members after the restart", func(context.Context) error {
		if m1, m2 := count("member1"), count("member2"); m1 != n || m2 != n {
			return fmt.Errorf("member1 %d, member2 %d of %d", m1, m2, n)
		}
		return nil
	})
	t.Logf("creates converged %v after the restart", time.Since(restarted).Round(time.Millisecond))
	var list typesv1beta1.FederatedConfigMapList
	if err := f.Host.List(ctx, &list, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	for i := range list.Items {
		objs = append(objs, &list.Items[i])
	}
	for _, cm := range objs {
		f.WaitStatus(t, cm, map[string]fedv1beta1.PropagationStatus{"member1": ok, "member2": ok})
	}

	go func() {
		for _, cm := range objs {
			if err := f.Host.Delete(ctx, cm); err != nil {
				t.Error(err)
			}
		}
	}()
	stopWhen("part of the deletes propagated", func(c int) bool { return c <= n-10 })
	restarted = time.Now()
	f.StartManager(t)
	emptied := func(ctx context.Context) error {
		var left typesv1beta1.FederatedConfigMapList
		if err := f.Host.List(ctx, &left, client.InNamespace(ns)); err != nil {
			return err
		}
		if m1, m2 := count("member1"), count("member2"); m1 != 0 || m2 != 0 || len(left.Items) != 0 {
			return fmt.Errorf("leaked: member1 %d, member2 %d; federated objects left %d", m1, m2, len(left.Items))
		}
		return nil
	}
	f.Eventually(t, "both members emptied and the federated objects gone after the restart", emptied)
	t.Logf("deletes converged %v after the restart", time.Since(restarted).Round(time.Millisecond))

	// Deleted while no manager runs: the new manager's first reconciles of them
	// must not let any go before it knows both members, or their member objects
	// would be left behind for ever.
	objs = objs[:0]
	for i := range n {
		cm := &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("d%03d", i), Namespace: ns}}
		cm.Spec.Placement = federation.PlacementOn("member1", "member2")
		if err := f.Host.Create(ctx, cm); err != nil {
			t.Fatal(err)
		}
		objs = append(objs, cm)
	}
	for _, cm := range objs {
		f.WaitStatus(t, cm, map[string]fedv1beta1.PropagationStatus{"member1": ok, "member2": ok})
	}
	f.StopManager(t)
	for _, cm := range objs {
		if err := f.Host.Delete(ctx, cm); err != nil {
			t.Fatal(err)
		}
	}
	f.StartManager(t)
	f.Eventually(t, "both members emptied of what was deleted while no manager ran", emptied)
}
