package bench

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"net"
	"os"
	"runtime"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	typesv1beta1 "github.com/kubefed-gen/kubefed/cmd/controller-manager/apis/types/v1beta1"
	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/manager"
	"github.com/kubefed-gen/kubefed/test/federation"
)

// Soak settings; make soak runs 30 minutes, the default is a 5-minute variant.
const (
	soakDurationEnv = "KUBEFED_SOAK_DURATION"
	soakNames       = 300 // the federated objects are drawn from this many names
	soakWriters     = 4
	soakFlap        = 30 * time.Second // member2 goes down and comes back this often
	soakSample      = 30 * time.Second
)

// BenchmarkSoak runs random creates, updates and deletes of FederatedConfigMaps
// (random data and placements) while member2 flaps between reachable and not,
// then checks that every member holds exactly what the host says. It logs writes,
// CPU and live heap over time, and reports the heap at the start and the end.
func BenchmarkSoak(b *testing.B) {
	duration := 5 * time.Minute
	if v := os.Getenv(soakDurationEnv); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			b.Fatalf("%s: %v", soakDurationEnv, err)
		}
		duration = d
	}
	f := federation.Start(b, manager.Options{})
	ctx := context.Background()
	const ns = "soak"
	f.FederateNamespace(b, ns, "member1", "member2")

	for b.Loop() {
		deadline := time.Now().Add(duration)
		var wg sync.WaitGroup
		var ops [3]int64
		var opsMu sync.Mutex
		for w := range soakWriters {
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(w), uint64(time.Now().UnixNano())))
				for time.Now().Before(deadline) {
					op := rng.IntN(3)
					if err := soakOp(ctx, f, ns, rng, op); err != nil {
						b.Error(err)
						return
					}
					opsMu.Lock()
					ops[op]++
					opsMu.Unlock()
				}
			})
		}
		wg.Go(func() { flap(b, f, deadline) })
		heapStart, heapEnd := sampleUntil(b, deadline)
		wg.Wait()
		b.Logf("operations: %d creates, %d updates, %d deletes", ops[0], ops[1], ops[2])

		start := time.Now()
		converge(b, f, ns)
		b.Logf("members matched the host %.1fs after the load stopped", time.Since(start).Seconds())
		b.ReportMetric(float64(heapStart)/(1<<20), "heap-start-MiB")
		b.ReportMetric(float64(heapEnd)/(1<<20), "heap-end-MiB")
		b.ReportMetric(counter(b, "kubefed_member_writes_total"), "member-writes")
		b.ReportMetric(counter(b, "kubefed_host_writes_total"), "host-writes")
		b.ReportMetric(cpuSeconds(), "cpu-s")
	}
}

var placements = [][]string{{"member1"}, {"member2"}, {"member1", "member2"}}

// soakOp creates (0), updates (1) or deletes (2) a federated object of a random name.
func soakOp(ctx context.Context, f *federation.Federation, ns string, rng *rand.Rand, op int) error {
	key := client.ObjectKey{Namespace: ns, Name: fmt.Sprintf("o%03d", rng.IntN(soakNames))}
	var err error
	switch op {
	case 0:
		cm := &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Name: key.Name, Namespace: key.Namespace}}
		cm.Spec.Template.Data = map[string]string{"v": fmt.Sprint(rng.Int())}
		cm.Spec.Placement = federation.PlacementOn(placements[rng.IntN(len(placements))]...)
		err = f.Host.Create(ctx, cm)
	case 1:
		cm := &typesv1beta1.FederatedConfigMap{}
		if err = f.Host.Get(ctx, key, cm); err == nil {
			cm.Spec.Template.Data = map[string]string{"v": fmt.Sprint(rng.Int())}
			cm.Spec.Placement = federation.PlacementOn(placements[rng.IntN(len(placements))]...)
			err = f.Host.Update(ctx, cm)
		}
	case 2:
		err = f.Host.Delete(ctx, &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Name: key.Name, Namespace: key.Namespace}})
	}
	// Racing the other writers (and finalizers) is part of the workload.
	if apierrors.IsNotFound(err) || apierrors.IsAlreadyExists(err) || apierrors.IsConflict(err) {
		return nil
	}
	return err
}

// flap takes member2 down (its KubeFedCluster points at a closed port) and brings
// it back, every soakFlap, until deadline; it leaves member2 up.
func flap(b *testing.B, f *federation.Federation, deadline time.Time) {
	ctx := context.Background()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Error(err)
		return
	}
	down := "https://" + l.Addr().String()
	_ = l.Close()
	var kfc corev1beta1.KubeFedCluster
	if err := f.Host.Get(ctx, client.ObjectKey{Namespace: federation.KubefedNamespace, Name: "member2"}, &kfc); err != nil {
		b.Error(err)
		return
	}
	up := kfc.Spec.APIEndpoint
	set := func(endpoint string) {
		if _, err := f.SetEndpoint(ctx, "member2", endpoint); err != nil {
			b.Errorf("set member2's endpoint: %v", err)
		}
	}
	isDown := false
	for time.Until(deadline) > soakFlap {
		time.Sleep(soakFlap)
		isDown = !isDown
		if isDown {
			set(down)
		} else {
			set(up)
		}
	}
	if isDown {
		set(up)
	}
}

// sampleUntil logs writes, CPU and live heap every soakSample until deadline and
// returns the live heap after the first period and at the end (both after a GC).
func sampleUntil(b *testing.B, deadline time.Time) (first, last uint64) {
	start := time.Now()
	for time.Until(deadline) > 0 {
		time.Sleep(min(soakSample, time.Until(deadline)))
		heap := liveHeap()
		if first == 0 {
			first = heap
		}
		last = heap
		b.Logf("t=%4.0fs member writes %6.0f host writes %6.0f cpu %6.1fs live heap %6.1f MiB goroutines %d",
			time.Since(start).Seconds(), counter(b, "kubefed_member_writes_total"), counter(b, "kubefed_host_writes_total"),
			cpuSeconds(), float64(heap)/(1<<20), runtime.NumGoroutine())
	}
	return first, last
}

func liveHeap() uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	return sample[0].Value.Uint64()
}

// converge waits until no federated object is being deleted and every member
// holds exactly the managed ConfigMaps, with their data, that the host places
// there; it fails with the differences after five minutes.
func converge(b *testing.B, f *federation.Federation, ns string) {
	var last error
	err := wait.PollUntilContextTimeout(context.Background(), time.Second, 5*time.Minute, true, func(ctx context.Context) (bool, error) {
		last = matches(ctx, f, ns)
		return last == nil, nil
	})
	if err != nil {
		b.Fatalf("members do not match the host: %v", last)
	}
}

func matches(ctx context.Context, f *federation.Federation, ns string) error {
	var fed typesv1beta1.FederatedConfigMapList
	if err := f.Host.List(ctx, &fed, client.InNamespace(ns)); err != nil {
		return err
	}
	want := map[string]map[string]map[string]string{"member1": {}, "member2": {}}
	for _, o := range fed.Items {
		if o.DeletionTimestamp != nil {
			return fmt.Errorf("%s is still being deleted", o.Name)
		}
		for _, c := range o.Spec.Placement.Clusters {
			want[c.Name][o.Name] = o.Spec.Template.Data
		}
	}
	for name, m := range f.Members {
		var list corev1.ConfigMapList
		if err := m.List(ctx, &list, client.InNamespace(ns), client.MatchingLabels{fedv1beta1.ManagedLabel: "true"}); err != nil {
			return err
		}
		have := map[string]map[string]string{}
		for _, cm := range list.Items {
			have[cm.Name] = cm.Data
		}
		var diffs []string
		for o, data := range want[name] {
			if got, ok := have[o]; !ok {
				diffs = append(diffs, o+" missing")
			} else if !maps.Equal(got, data) {
				diffs = append(diffs, fmt.Sprintf("%s has %v, want %v", o, got, data))
			}
		}
		for o := range have {
			if _, ok := want[name][o]; !ok {
				diffs = append(diffs, o+" leaked")
			}
		}
		if len(diffs) > 0 {
			slices.Sort(diffs)
			return fmt.Errorf("%s holds %d objects, the host places %d there: %s", name, len(have), len(want[name]), strings.Join(diffs, "; "))
		}
	}
	return nil
}
