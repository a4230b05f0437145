//go:build unix

package e2e

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	typesv1beta1 "github.com/kubefed-gen/kubefed/cmd/controller-manager/apis/types/v1beta1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/cluster"
	"github.com/kubefed-gen/kubefed/runtime/manager"
	"github.com/kubefed-gen/kubefed/test/federation"
)

// hungBurst is how many federated objects each measurement creates.
const hungBurst = 200

// TestHungMember hangs member2's API server (SIGSTOP: connections stay open,
// nothing is answered) and creates a burst of FederatedConfigMaps placed on both
// members. member1 must get them about as fast as when member2 is healthy, with
// every status written (OK for member1, a reason for member2); once member2
// answers again it must converge with nothing missing and nothing extra.
func TestHungMember(t *testing.T) {
	// Short, so that the one wait a hang costs stays small next to the burst; the
	// default (15s) makes room for slow admission webhooks in real members.
	const requestTimeout = time.Second
	f := federation.Start(t, manager.Options{HealthCheck: cluster.HealthCheck{RequestTimeout: requestTimeout}})
	member2 := f.Set.Members[1]
	// Registered after federation.Start, so it runs before the clusters stop: a
	// stopped API server cannot be stopped cleanly, whatever this test did.
	t.Cleanup(func() {
		if err := member2.ResumeAPIServer(); err != nil {
			t.Error(err)
		}
	})
	healthyNS, hungNS := "burst-healthy", "burst-hung"
	// Namespaces first: a hung member2 could not receive its own.
	f.FederateNamespace(t, healthyNS, "member1", "member2")
	f.FederateNamespace(t, hungNS, "member1", "member2")

	healthy := measureBurst(t, f, healthyNS, func(st fedv1beta1.PropagationStatus, _ string) bool { return st == ok })
	t.Logf("member2 healthy: member1 holds %d objects and every status is written after %v", hungBurst, healthy.Round(time.Millisecond))

	if err := member2.HangAPIServer(); err != nil {
		t.Fatal(err)
	}
	reasons := map[fedv1beta1.PropagationStatus]int{}
	hung := measureBurst(t, f, hungNS, func(st fedv1beta1.PropagationStatus, msg string) bool {
		switch st {
		case notReady, fedv1beta1.CreationTimedOut:
			return msg != ""
		}
		return false
	})
	ratio := hung.Seconds() / healthy.Seconds()
	t.Logf("member2 hung: member1 holds %d objects and every status is written after %v; ratio to healthy %.2f", hungBurst, hung.Round(time.Millisecond), ratio)
	var sample string
	for _, cm := range listFederated(t, f, hungNS) {
		for _, c := range cm.Status.Clusters {
			if c.Name == "member2" {
				reasons[c.Status]++
				sample = string(c.Status) + ": " + c.Message
			}
		}
	}
	t.Logf("member2's reasons while hung: %v; e.g. %s", reasons, sample)
	// Measured in the same run, so both see the same machine. The hang may cost
	// the one request that finds member2 hung (a request timeout) and the work
	// of reporting it, not a timeout per object: without the breaker the burst
	// would wait 200 request timeouts, spread over the workers. Allow two
	// request timeouts over the healthy run, so that a loaded machine's noise
	// does not count as a stall.
	if extra := hung - healthy; extra > 2*requestTimeout {
		t.Errorf("with member2 hung, member1 took %v, %v more than with member2 healthy (%v); want at most %v more", hung, extra.Round(time.Millisecond), healthy, 2*requestTimeout)
	}

	// member2 answers again: it gets everything, without any help.
	if err := member2.ResumeAPIServer(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	waitBurst(t, f, hungNS, 3*time.Minute, func(string, fedv1beta1.PropagationStatus, string) bool { return false }, "member1", "member2")
	t.Logf("member2 resumed: it holds all %d objects and every status is OK after %v", hungBurst, time.Since(start).Round(time.Millisecond))
	for _, ns := range []string{healthyNS, hungNS} {
		for name, member := range f.Members {
			missing, extra := compareBurst(t, member, ns)
			if len(missing) > 0 || len(extra) > 0 {
				t.Errorf("%s in %s: %d missing %v, %d not federated %v", ns, name, len(missing), missing, len(extra), extra)
			}
		}
	}
}

// measureBurst creates hungBurst FederatedConfigMaps in ns placed on both
// members, one after the other as a user applying files would, and returns the
// time until member1 holds all of them and every status reports member1 OK and
// member2 as member2OK accepts.
func measureBurst(t *testing.T, f *federation.Federation, ns string, member2OK func(fedv1beta1.PropagationStatus, string) bool) time.Duration {
	t.Helper()
	ctx := context.Background()
	start := time.Now()
	for i := range hungBurst {
		cm := &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Name: burstName(i), Namespace: ns}}
		cm.Spec.Template.Data = map[string]string{"i": fmt.Sprint(i)}
		cm.Spec.Placement = federation.PlacementOn("member1", "member2")
		if err := f.Host.Create(ctx, cm); err != nil {
			t.Fatal(err)
		}
	}
	waitBurst(t, f, ns, 3*time.Minute, func(cluster string, st fedv1beta1.PropagationStatus, msg string) bool {
		return cluster == "member2" && member2OK(st, msg)
	}, "member1")
	return time.Since(start)
}

// waitBurst waits until every named member holds every object of the burst in
// ns, and every object's status, for its generation, has one entry per member
// that is OK or that accept takes.
func waitBurst(t *testing.T, f *federation.Federation, ns string, timeout time.Duration, accept func(cluster string, st fedv1beta1.PropagationStatus, msg string) bool, holders ...string) {
	t.Helper()
	var last error
	err := wait.PollUntilContextTimeout(context.Background(), 100*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		last = burstDone(ctx, f, ns, accept, holders)
		return last == nil, nil
	})
	if err != nil {
		t.Fatalf("burst in %s: %v", ns, last)
	}
}

func burstDone(ctx context.Context, f *federation.Federation, ns string, accept func(string, fedv1beta1.PropagationStatus, string) bool, holders []string) error {
	for _, name := range holders {
		var list corev1.ConfigMapList
		if err := f.Members[name].List(ctx, &list, client.InNamespace(ns), client.MatchingLabels{fedv1beta1.ManagedLabel: "true"}); err != nil {
			return err
		}
		if len(list.Items) != hungBurst {
			return fmt.Errorf("%s holds %d of %d objects", name, len(list.Items), hungBurst)
		}
	}
	var fed typesv1beta1.FederatedConfigMapList
	if err := f.Host.List(ctx, &fed, client.InNamespace(ns)); err != nil {
		return err
	}
	if len(fed.Items) != hungBurst {
		return fmt.Errorf("%d federated objects, want %d", len(fed.Items), hungBurst)
	}
	for _, cm := range fed.Items {
		st := cm.Status
		if st.ObservedGeneration != cm.Generation || len(st.Clusters) != 2 {
			return fmt.Errorf("%s: status of generation %d with %d clusters", cm.Name, st.ObservedGeneration, len(st.Clusters))
		}
		for _, c := range st.Clusters {
			if c.Status != ok && !accept(c.Name, c.Status, c.Message) {
				return fmt.Errorf("%s: cluster %s: %s: %s", cm.Name, c.Name, c.Status, c.Message)
			}
		}
	}
	return nil
}

// compareBurst returns the objects of the burst that member lacks, and the
// objects it holds in ns that are not of the burst.
func compareBurst(t *testing.T, member client.Client, ns string) (missing, extra []string) {
	t.Helper()
	var list corev1.ConfigMapList
	if err := member.List(context.Background(), &list, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for i := range hungBurst {
		want[burstName(i)] = true
	}
	for _, cm := range list.Items {
		if want[cm.Name] && cm.Labels[fedv1beta1.ManagedLabel] == "true" && cm.Data["i"] == strings.TrimPrefix(cm.Name, "burst-") {
			delete(want, cm.Name)
			continue
		}
		if cm.Name != "kube-root-ca.crt" {
			extra = append(extra, cm.Name)
		}
	}
	return slices.Sorted(maps.Keys(want)), extra
}

func burstName(i int) string { return fmt.Sprintf("burst-%d", i) }

func listFederated(t *testing.T, f *federation.Federation, ns string) []typesv1beta1.FederatedConfigMap {
	t.Helper()
	var list typesv1beta1.FederatedConfigMapList
	if err := f.Host.List(context.Background(), &list, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	return list.Items
}
