package bench

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	crmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	typesv1beta1 "github.com/kubefed-gen/kubefed/cmd/controller-manager/apis/types/v1beta1"
	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/manager"
	"github.com/kubefed-gen/kubefed/test/federation"
)

// BenchmarkStatusCollection federates Deployments onto 2 bare members
// (KUBEFED_BENCH_STATUS_OBJECTS, default 1000), then changes the member status
// of 10% of them every second, in both members, for
// KUBEFED_BENCH_STATUS_SECONDS (default 20), as a member's controllers would.
// It runs once with the type's status collection Disabled and once with it on,
// and reports for each the propagation time, the host status writes per
// second while member status changes, and the controller's CPU time over that
// period; the "on" run also reports its propagation time as a ratio to "off".
func BenchmarkStatusCollection(b *testing.B) {
	n, seconds := envInt("KUBEFED_BENCH_STATUS_OBJECTS", 1000), envInt("KUBEFED_BENCH_STATUS_SECONDS", 20)
	var off time.Duration
	for _, collect := range []bool{false, true} {
		b.Run(fmt.Sprintf("collection=%v", collect), func(b *testing.B) {
			for b.Loop() {
				propagated := statusCollectionRun(b, n, seconds, collect)
				if collect && off > 0 {
					b.ReportMetric(propagated.Seconds()/off.Seconds(), "x-propagation-off")
				} else {
					off = propagated
				}
			}
		})
	}
}

func statusCollectionRun(b *testing.B, n, seconds int, collect bool) time.Duration {
	f := federation.Start(b, manager.Options{ConcurrentSyncs: concurrency})
	ctx := context.Background()
	if !collect {
		ftc := federation.TypeInfo(b, "deployments.apps").TypeConfig(federation.KubefedNamespace, corev1beta1.Enabled)
		ftc.Spec.StatusCollection = ptr.To(corev1beta1.Disabled)
		if err := f.Host.Create(ctx, ftc); err != nil {
			b.Fatal(err)
		}
	}
	const ns = "bench"
	f.FederateNamespace(b, ns, "member1", "member2")
	labels := map[string]string{"app": "bench"}
	name := func(i int) string { return fmt.Sprintf("d-%04d", i) }

	start := time.Now()
	run(b, n, func(i int) error {
		d := &typesv1beta1.FederatedDeployment{ObjectMeta: metav1.ObjectMeta{Name: name(i), Namespace: ns}}
		d.Spec.Template.Spec = appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](1),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx"}}},
			},
		}
		d.Spec.Placement = federation.PlacementOn("member1", "member2")
		return f.Host.Create(ctx, d)
	})
	for member, m := range f.Members {
		f.Eventually(b, "all objects in "+member, func(ctx context.Context) error {
			var list appsv1.DeploymentList
			if err := m.List(ctx, &list, client.InNamespace(ns), client.MatchingLabels{fedv1beta1.ManagedLabel: "true"}); err != nil {
				return err
			}
			if len(list.Items) < n {
				return fmt.Errorf("%d of %d", len(list.Items), n)
			}
			return nil
		})
	}
	propagated := time.Since(start)
	time.Sleep(3 * time.Second) // let the writes of propagation settle

	statusWrites := func() float64 {
		return counterWith(b, "kubefed_host_writes_total", map[string]string{"write": "status"})
	}
	writesBefore, cpuBefore := statusWrites(), cpuSeconds()
	flapStart := time.Now()
	flaps := 0
	for s := range seconds {
		tick := time.Now()
		var wg sync.WaitGroup
		for _, m := range f.Members {
			wg.Go(func() {
				// A different 10% each second, each set to a new ready count.
				run(b, n/10, func(i int) error {
					d := &appsv1.Deployment{}
					if err := m.Get(ctx, client.ObjectKey{Namespace: ns, Name: name((s*n/10 + i) % n)}, d); err != nil {
						return err
					}
					d.Status.ObservedGeneration = d.Generation
					d.Status.Replicas, d.Status.ReadyReplicas = 1, int32((s+1)%2)
					return m.Status().Update(ctx, d)
				})
			})
		}
		wg.Wait()
		flaps += 2 * (n / 10)
		if rest := time.Second - time.Since(tick); rest > 0 {
			time.Sleep(rest)
		}
	}
	flapTime := time.Since(flapStart)
	writes := statusWrites() - writesBefore
	b.ReportMetric(propagated.Seconds(), "propagation-s")
	b.ReportMetric(float64(flaps)/flapTime.Seconds(), "member-status-changes/s")
	b.ReportMetric(writes/flapTime.Seconds(), "host-status-writes/s")
	b.ReportMetric(cpuSeconds()-cpuBefore, "controller-cpu-s")
	return propagated
}

// counterWith adds up the series of a counter whose labels include labels.
func counterWith(b *testing.B, name string, labels map[string]string) float64 {
	families, err := crmetrics.Registry.Gather()
	if err != nil {
		b.Fatal(err)
	}
	var sum float64
	for _, mf := range families {
		if mf.GetName() != name {
			continue
		}
	metric:
		for _, m := range mf.GetMetric() {
			for k, v := range labels {
				found := false
				for _, l := range m.GetLabel() {
					if l.GetName() == k && l.GetValue() == v {
						found = true
					}
				}
				if !found {
					continue metric
				}
			}
			sum += m.GetCounter().GetValue()
		}
	}
	return sum
}

func envInt(name string, fallback int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return fallback
}
