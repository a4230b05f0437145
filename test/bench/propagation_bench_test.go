package bench

import (
	"context"
	"fmt"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	crmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	typesv1beta1 "github.com/kubefed-gen/kubefed/cmd/controller-manager/apis/types/v1beta1"
	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/manager"
	"github.com/kubefed-gen/kubefed/test/federation"
)

const (
	objects     = 1000
	concurrency = 16
)

// BenchmarkPropagation federates 1000 ConfigMaps onto 2 members and reports the
// time until every member object exists as a ratio to the floor: the same 2000
// objects created straight in the members with client-go at the same concurrency.
// It then resyncs every object with nothing changed and reports the member writes
// that caused (expected 0), and the controller's CPU time and peak heap.
//
// It runs twice: with the typed sync controller the default manager is built
// with, and with the dynamic one (unstructured objects) of a manager built
// without FederatedConfigMaps, which starts it from the FederatedTypeConfig.
func BenchmarkPropagation(b *testing.B) {
	b.Run("typed", func(b *testing.B) {
		benchmarkPropagation(b, federation.Start(b, manager.Options{ConcurrentSyncs: concurrency}))
	})
	b.Run("dynamic", func(b *testing.B) {
		f := federation.StartWithTypes(b, manager.Options{ConcurrentSyncs: concurrency}, federation.WithoutType("configmaps"))
		f.EnableDynamic(b, federation.TypeInfo(b, "configmaps"))
		benchmarkPropagation(b, f)
	})
}

func benchmarkPropagation(b *testing.B, f *federation.Federation) {
	ctx := context.Background()
	for b.Loop() {
		floor := timeFloor(b, f)
		f.FederateNamespace(b, "bench", "member1", "member2")

		cpuBefore := cpuSeconds()
		reconcilesBefore, hostWritesBefore := counter(b, "controller_runtime_reconcile_total"), counter(b, "rest_client_requests_total")
		stopSampling := samplePeakHeap()
		start := time.Now()
		run(b, objects, func(i int) error {
			cm := &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("cm-%04d", i), Namespace: "bench"}}
			cm.Spec.Template.Data = map[string]string{"index": fmt.Sprint(i)}
			cm.Spec.Placement = federation.PlacementOn("member1", "member2")
			return f.Host.Create(ctx, cm)
		})
		hostCreates := time.Since(start)
		for name, m := range f.Members {
			f.Eventually(b, "all objects in "+name, func(ctx context.Context) error {
				var list corev1.ConfigMapList
				if err := m.List(ctx, &list, client.InNamespace("bench"), client.MatchingLabels{fedv1beta1.ManagedLabel: "true"}); err != nil {
					return err
				}
				if len(list.Items) < objects {
					return fmt.Errorf("%d of %d", len(list.Items), objects)
				}
				return nil
			})
		}
		federated := time.Since(start)
		b.ReportMetric((counter(b, "controller_runtime_reconcile_total")-reconcilesBefore)/objects, "reconciles/object")
		b.ReportMetric((counter(b, "rest_client_requests_total")-hostWritesBefore)/objects, "requests/object")
		cpu := cpuSeconds() - cpuBefore
		peak := stopSampling()

		writes := resyncWrites(b, f)

		b.ReportMetric(floor.Seconds(), "floor-s")
		b.ReportMetric(federated.Seconds(), "federated-s")
		// How long the benchmark itself took to create the federated objects in the
		// host, while the controller was already propagating: part of federated-s.
		b.ReportMetric(hostCreates.Seconds(), "host-creates-s")
		b.ReportMetric(federated.Seconds()/floor.Seconds(), "x-floor")
		b.ReportMetric(writes, "resync-writes")
		b.ReportMetric(cpu, "controller-cpu-s")
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	}
}

// timeFloor creates the same number of ConfigMaps straight in every member, at the
// same concurrency per member as the controller has.
func timeFloor(b *testing.B, f *federation.Federation) time.Duration {
	ctx := context.Background()
	for _, m := range f.Members {
		if err := m.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "floor"}}); err != nil {
			b.Fatal(err)
		}
	}
	start := time.Now()
	var wg sync.WaitGroup
	for _, m := range f.Members {
		wg.Go(func() {
			run(b, objects, func(i int) error {
				return m.Create(ctx, &corev1.ConfigMap{
					ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("cm-%04d", i), Namespace: "floor"},
					Data:       map[string]string{"index": fmt.Sprint(i)},
				})
			})
		})
	}
	wg.Wait()
	return time.Since(start)
}

// resyncWrites requeues every federated object (the sync controllers watch the
// KubeFedConfig) and counts the member writes that follow.
func resyncWrites(b *testing.B, f *federation.Federation) float64 {
	ctx := context.Background()
	writes, reconciles := counter(b, "kubefed_member_writes_total"), counter(b, "controller_runtime_reconcile_total")
	cfg := &corev1beta1.KubeFedConfig{ObjectMeta: metav1.ObjectMeta{Name: "kubefed", Namespace: federation.KubefedNamespace}}
	cfg.Spec.Scope = corev1beta1.ScopeCluster
	if err := f.Host.Create(ctx, cfg); err != nil {
		b.Fatal(err)
	}
	f.Eventually(b, "resync reconciled every object", func(context.Context) error {
		if got := counter(b, "controller_runtime_reconcile_total") - reconciles; got < objects {
			return fmt.Errorf("%v reconciles", got)
		}
		return nil
	})
	time.Sleep(time.Second) // let in-flight reconciles finish their writes, if any
	return counter(b, "kubefed_member_writes_total") - writes
}

// run calls fn for 0..n-1 from `concurrency` goroutines.
func run(b *testing.B, n int, fn func(i int) error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, concurrency)
	for range concurrency {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				if err := fn(i); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}

func counter(b *testing.B, name string) float64 {
	families, err := crmetrics.Registry.Gather()
	if err != nil {
		b.Fatal(err)
	}
	var sum float64
	for _, mf := range families {
		if mf.GetName() == name {
			for _, m := range mf.GetMetric() {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}

// cpuSeconds is the user and system CPU time of this process: the in-process
// controller manager and the benchmark's own clients.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// samplePeakHeap samples the live heap every 50ms until the returned function is
// called, which returns the largest sample in bytes.
func samplePeakHeap() func() uint64 {
	done := make(chan struct{})
	var peak atomic.Uint64
	go func() {
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 { close(done); return peak.Load() }
}
