package bench

import (
	"context"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kubefed-gen/kubefed/runtime/manager"
	"github.com/kubefed-gen/kubefed/test/federation"
)

// BenchmarkLatency creates federated ConfigMaps at a fixed rate, placed on every
// member, the way Karmada measures distribution: KUBEFED_BENCH_RATE per second
// (default 20) for KUBEFED_BENCH_SECONDS (default 60). It reports the 50th, 90th
// and 99th percentile of the time from the host create to the object being
// present in every member, as the members' watches see it; then it changes
// every template at the same rate and reports the same for the update. There
// are KUBEFED_BENCH_LATENCY_MEMBERS members (default 10), sharing one etcd.
func BenchmarkLatency(b *testing.B) {
	rate, seconds := envInt("KUBEFED_BENCH_RATE", 20), envInt("KUBEFED_BENCH_SECONDS", 60)
	f := federation.Start(b, manager.Options{ConcurrentSyncs: concurrency},
		federation.WithMembers(envInt("KUBEFED_BENCH_LATENCY_MEMBERS", 10)), federation.WithSharedEtcd())
	members := f.MemberNames()
	n := rate * seconds
	for b.Loop() {
		ns := "latency"
		f.FederateNamespace(b, ns, members...)
		trackers := map[string]*tracker{}
		for _, m := range f.Set.Members {
			trackers[m.Name] = track(b, m.Config, ns)
		}
		for _, phase := range phases[:2] { // create, update
			sent := atRate(b, rate, n, func(i int) error {
				return phase.host(context.Background(), f.Host, ns, i, federation.PlacementOn(members...))
			})
			waitFor(b, phase.name+" propagated", 10*time.Minute, allHold(trackers, n, phase.want))
			latencies := make([]time.Duration, n)
			for i := range n {
				for _, t := range trackers {
					seen, ok := t.firstSeen(cmName(i), phase.want(cmName(i)))
					if !ok {
						b.Fatalf("%s never seen as wanted", cmName(i))
					}
					latencies[i] = max(latencies[i], seen.Sub(sent[i]))
				}
			}
			slices.Sort(latencies)
			for _, q := range []float64{50, 90, 99} {
				b.ReportMetric(percentile(latencies, q).Seconds(), fmt.Sprintf("%s-p%.0f-s", phase.name, q))
			}
		}
		b.ReportMetric(float64(len(members)), "members")
		b.ReportMetric(float64(rate), "objects/s")
	}
}

// atRate calls fn(i) for i in 0..n-1 at rate calls per second, each on its own
// goroutine so that a slow call does not slow the rate, and returns when each
// call was started.
func atRate(b *testing.B, rate, n int, fn func(i int) error) []time.Time {
	sent := make([]time.Time, n)
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		<-tick.C
		sent[i] = time.Now()
		wg.Go(func() {
			if err := fn(i); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	return sent
}

// percentile is the q-th percentile of sorted, by the nearest-rank method.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(q / 100 * float64(len(sorted))))
	return sorted[max(rank, 1)-1]
}

// BenchmarkColdStart propagates KUBEFED_BENCH_COLD_OBJECTS federated ConfigMaps
// (default 10000) to every member, stops the manager and starts a new one: it
// reports the time until the new manager has reconciled every object once, the
// member writes it made meanwhile (everything was in sync: expected 0), its peak
// heap, and the live heap per federated object once it is done. Run with
// -memprofile for the heap profile's top entries.
func BenchmarkColdStart(b *testing.B) {
	n := envInt("KUBEFED_BENCH_COLD_OBJECTS", 10000)
	f := federation.Start(b, manager.Options{ConcurrentSyncs: concurrency})
	members := f.MemberNames()
	ns := "cold"
	f.FederateNamespace(b, ns, members...)
	trackers := map[string]*tracker{}
	for _, m := range f.Set.Members {
		trackers[m.Name] = track(b, m.Config, ns)
	}
	start := time.Now()
	run(b, n, func(i int) error {
		return phases[0].host(context.Background(), f.Host, ns, i, federation.PlacementOn(members...))
	})
	waitFor(b, "every object propagated", 30*time.Minute, allHold(trackers, n, phases[0].want))
	initial := time.Since(start)
	for b.Loop() {
		f.StopManager(b)
		heapBefore := liveHeap()
		reconciled := func() float64 {
			return counterWith(b, "controller_runtime_reconcile_total", map[string]string{"controller": "sync-configmaps"})
		}
		reconciles, writes := reconciled(), counter(b, "kubefed_member_writes_total")
		stopSampling := samplePeakHeap()
		start := time.Now()
		f.StartManager(b)
		waitFor(b, "every object reconciled", 30*time.Minute, func() error {
			if got := reconciled() - reconciles; got < float64(n) {
				return fmt.Errorf("%v of %d reconciled", got, n)
			}
			return nil
		})
		b.ReportMetric(time.Since(start).Seconds(), "ready-s")
		time.Sleep(time.Second) // in-flight writes, if any
		b.ReportMetric(counter(b, "kubefed_member_writes_total")-writes, "member-writes")
		b.ReportMetric(float64(stopSampling())/(1<<20), "peak-heap-MiB")
		heapAfter := liveHeap()
		b.ReportMetric(float64(heapAfter-min(heapBefore, heapAfter))/float64(n), "heap-bytes/object")
		b.ReportMetric(float64(rssBytes())/(1<<20), "process-rss-MiB")
	}
	// Reported after the loop, which resets the metrics reported before it.
	b.ReportMetric(initial.Seconds(), "initial-propagation-s")
	b.ReportMetric(float64(n), "objects")
}

// rssBytes is this process's resident set: the in-process manager, the
// benchmark's clients and its trackers.
func rssBytes() uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
