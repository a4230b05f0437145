package bench

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/cache"
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

// BenchmarkPropagation federates 1000 ConfigMaps onto 2 members, then updates
// every template, then deletes them all, and reports each phase's time as a
// ratio to two floors measured in the same run with the manager stopped:
//   - floor A: the member writes alone (2000 creates, updates or deletes
//     straight in the members with client-go at the same concurrency);
//   - floor B: those and the user's 1000 host writes of the federated objects,
//     issued at once, at the same concurrency: what a perfect pipeline costs.
//
// Per phase it also reports the host writes per federated object (the user's
// own included), the member writes per member object, reconciles per object,
// the controller's CPU time per member write, and the CPU time of the clusters'
// API servers and etcds, also as a ratio to theirs in floor B; then a resync of
// every object with nothing changed, whose member writes should be 0; and the
// peak heap.
//
// It runs twice: with the typed sync controller the default manager is built
// with, and with the dynamic one (unstructured objects) of a manager built
// without FederatedConfigMaps, which starts it from the FederatedTypeConfig.
//
// KUBEFED_BENCH_PROPAGATED_VERSIONS=1 runs the manager with
// --write-propagated-versions, so that the host writes per object include
// KubeFed's PropagatedVersions.
func BenchmarkPropagation(b *testing.B) {
	opts := manager.Options{ConcurrentSyncs: concurrency, WritePropagatedVersions: os.Getenv("KUBEFED_BENCH_PROPAGATED_VERSIONS") == "1"}
	b.Run("typed", func(b *testing.B) {
		benchmarkPropagation(b, federation.Start(b, opts))
	})
	b.Run("dynamic", func(b *testing.B) {
		f := federation.StartWithTypes(b, opts, federation.WithoutType("configmaps"))
		f.EnableDynamic(b, federation.TypeInfo(b, "configmaps"))
		benchmarkPropagation(b, f)
	})
}

// phases are the three things a user does to federated objects, each with
// what the user writes in the host and what must then hold in every member.
var phases = []struct {
	name string
	// host writes object i as the user would.
	host func(ctx context.Context, c client.Client, ns string, i int, placement fedv1beta1.Placement) error
	// member writes object i straight in a member, for the floors.
	member func(ctx context.Context, c client.Client, ns string, i int) error
	// want is the index value every member object must have after the phase;
	// nil: the members must be empty.
	want func(name string) string
}{
	{
		name: "create",
		host: func(ctx context.Context, c client.Client, ns string, i int, placement fedv1beta1.Placement) error {
			cm := &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Name: cmName(i), Namespace: ns}}
			cm.Spec.Template.Data = map[string]string{"index": fmt.Sprint(i)}
			cm.Spec.Placement = placement
			return c.Create(ctx, cm)
		},
		member: func(ctx context.Context, c client.Client, ns string, i int) error {
			return c.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: cmName(i), Namespace: ns}, Data: map[string]string{"index": fmt.Sprint(i)}})
		},
		want: func(name string) string { return fmt.Sprint(cmIndex(name)) },
	},
	{
		name: "update",
		host: func(ctx context.Context, c client.Client, ns string, i int, _ fedv1beta1.Placement) error {
			patch := []byte(`{"spec":{"template":{"data":{"index":"` + updated(i) + `"}}}}`)
			return c.Patch(ctx, &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Name: cmName(i), Namespace: ns}}, client.RawPatch(types.MergePatchType, patch))
		},
		member: func(ctx context.Context, c client.Client, ns string, i int) error {
			patch := []byte(`{"data":{"index":"` + updated(i) + `"}}`)
			return c.Patch(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: cmName(i), Namespace: ns}}, client.RawPatch(types.MergePatchType, patch))
		},
		want: func(name string) string { return updated(cmIndex(name)) },
	},
	{
		// The first update of a member object hands its fields over from the
		// create to server-side apply (one extra member write); later ones do not.
		name: "update-again",
		host: func(ctx context.Context, c client.Client, ns string, i int, _ fedv1beta1.Placement) error {
			patch := []byte(`{"spec":{"template":{"data":{"index":"` + fmt.Sprint(i) + `-v3"}}}}`)
			return c.Patch(ctx, &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Name: cmName(i), Namespace: ns}}, client.RawPatch(types.MergePatchType, patch))
		},
		member: func(ctx context.Context, c client.Client, ns string, i int) error {
			patch := []byte(`{"data":{"index":"` + fmt.Sprint(i) + `-v3"}}`)
			return c.Patch(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: cmName(i), Namespace: ns}}, client.RawPatch(types.MergePatchType, patch))
		},
		want: func(name string) string { return fmt.Sprint(cmIndex(name)) + "-v3" },
	},
	{
		name: "delete",
		host: func(ctx context.Context, c client.Client, ns string, i int, _ fedv1beta1.Placement) error {
			return c.Delete(ctx, &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Name: cmName(i), Namespace: ns}})
		},
		member: func(ctx context.Context, c client.Client, ns string, i int) error {
			return c.Delete(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: cmName(i), Namespace: ns}})
		},
	},
}

func cmName(i int) string  { return fmt.Sprintf("cm-%04d", i) }
func updated(i int) string { return fmt.Sprint(i) + "-v2" }

// cmIndex is the i of cmName(i); -1 for another name.
func cmIndex(name string) int {
	i, err := strconv.Atoi(strings.TrimPrefix(name, "cm-"))
	if err != nil || !strings.HasPrefix(name, "cm-") {
		return -1
	}
	return i
}

// floors are one phase's floor A and floor B, and the CPU time the clusters'
// processes used during floor B.
type floors struct {
	a, b        time.Duration
	clustersCPU clusterCPU
}

func benchmarkPropagation(b *testing.B, f *federation.Federation) {
	ctx := context.Background()
	members := f.MemberNames()
	for b.Loop() {
		measured := measureFloors(b, f)
		f.FederateNamespace(b, "bench", members...)
		trackers := map[string]*tracker{}
		for _, m := range f.Set.Members {
			trackers[m.Name] = track(b, m.Config, "bench")
		}
		hostObjects := hostTracker(b, f, "bench")

		stopSampling := samplePeakHeap()
		for _, phase := range phases {
			cpu, reconciles, apiCPU := cpuSeconds(), counter(b, "controller_runtime_reconcile_total"), clustersCPU(b, f)
			hostWrites, memberWrites := counter(b, "kubefed_host_writes_total"), counter(b, "kubefed_member_writes_total")
			profiled := profileHost(b, f, phase.name)
			start := time.Now()
			run(b, objects, func(i int) error { return phase.host(ctx, f.Host, "bench", i, federation.PlacementOn(members...)) })
			n := objects
			if phase.want == nil {
				n = 0
			}
			waitFor(b, phase.name+" propagated", 10*time.Minute, allHold(trackers, n, phase.want))
			if phase.want == nil {
				waitFor(b, "federated objects gone", 10*time.Minute, func() error {
					if left := hostObjects(); left > 0 {
						return fmt.Errorf("%d federated objects left", left)
					}
					return nil
				})
			}
			took := time.Since(start)
			profiled()
			fl := measured[phase.name]
			written := counter(b, "kubefed_member_writes_total") - memberWrites
			b.ReportMetric(took.Seconds(), phase.name+"-s")
			b.ReportMetric(took.Seconds()/fl.a.Seconds(), phase.name+"-x-floorA")
			b.ReportMetric(took.Seconds()/fl.b.Seconds(), phase.name+"-x-floorB")
			// The user's own write, and the controller's.
			b.ReportMetric(1+(counter(b, "kubefed_host_writes_total")-hostWrites)/objects, phase.name+"-host-writes/object")
			b.ReportMetric(written/float64(objects*len(members)), phase.name+"-member-writes/member-object")
			b.ReportMetric((counter(b, "controller_runtime_reconcile_total")-reconciles)/objects, phase.name+"-reconciles/object")
			b.ReportMetric((cpuSeconds()-cpu)*1000/max(written, 1), phase.name+"-cpu-ms/member-write")
			// What the API servers and etcds spent, against the same for floor B:
			// on a machine they share with the manager, this bounds the ratio.
			apiUsed := clustersCPU(b, f).since(apiCPU)
			apiUsed.report(b, phase.name)
			b.ReportMetric((apiUsed.host+apiUsed.members)/(fl.clustersCPU.host+fl.clustersCPU.members), phase.name+"-clusters-cpu-x-floorB")
			if phase.name == "create" {
				b.ReportMetric(resyncWrites(b, f), "resync-writes")
			}
		}
		b.ReportMetric(float64(stopSampling())/(1<<20), "peak-heap-MiB")
	}
}

// measureFloors measures floor A and floor B of every phase in namespace
// "floor", with the manager stopped and the admission policy off, so that the
// host writes are plain writes nothing reacts to; the manager is started again
// at the end.
func measureFloors(b *testing.B, f *federation.Federation) map[string]floors {
	ctx := context.Background()
	f.StopManager(b)
	defer f.StartManager(b)
	out := map[string]floors{}
	f.WithoutAdmissionPolicy(b, func() {
		for _, c := range append([]client.Client{f.Host}, slices.Collect(maps.Values(f.Members))...) {
			if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "floor"}}); err != nil {
				b.Fatal(err)
			}
		}
		for _, phase := range phases {
			membersOnly := func(ctx context.Context) {
				var wg sync.WaitGroup
				for _, m := range f.Members {
					wg.Go(func() { run(b, objects, func(i int) error { return phase.member(ctx, m, "floor", i) }) })
				}
				wg.Wait()
			}
			// Floor A first, in its own namespace's objects: then floor B repeats
			// the member writes on a second set (suffix b) with the host's.
			start := time.Now()
			membersOnly(ctx)
			a := time.Since(start)
			start, cpu := time.Now(), clustersCPU(b, f)
			var wg sync.WaitGroup
			placement := federation.PlacementOn(f.MemberNames()...)
			wg.Go(func() { run(b, objects, func(i int) error { return phase.host(ctx, f.Host, "floor", i, placement) }) })
			for _, m := range f.Members {
				wg.Go(func() {
					run(b, objects, func(i int) error { return phase.member(ctx, m, "floor", i+objects) })
				})
			}
			wg.Wait()
			out[phase.name] = floors{a: a, b: time.Since(start), clustersCPU: clustersCPU(b, f).since(cpu)}
			b.ReportMetric(a.Seconds(), phase.name+"-floorA-s")
			b.ReportMetric(out[phase.name].b.Seconds(), phase.name+"-floorB-s")
			out[phase.name].clustersCPU.report(b, phase.name+"-floorB")
		}
	})
	return out
}

// hostTracker returns a function counting the federated ConfigMaps in ns, read
// from a watch of the host.
func hostTracker(b *testing.B, f *federation.Federation, ns string) func() int {
	b.Helper()
	c, err := cache.New(f.Set.Host.Config, cache.Options{Scheme: f.Host.Scheme(), DefaultNamespaces: map[string]cache.Config{ns: {}}})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	go func() { _ = c.Start(ctx) }()
	return func() int {
		var list metav1.PartialObjectMetadataList
		list.SetGroupVersionKind(typesv1beta1.SchemeGroupVersion.WithKind("FederatedConfigMapList"))
		if err := c.List(ctx, &list); err != nil {
			b.Fatal(err)
		}
		return len(list.Items)
	}
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
	waitFor(b, "resync reconciled every object", 5*time.Minute, func() error {
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

// profileHostEnv names a folder: with it, the benchmark saves a CPU profile of
// the host's kube-apiserver over the first profileHostSeconds of each phase
// there, as <phase>.pprof.
const (
	profileHostEnv     = "KUBEFED_BENCH_HOST_PROFILES"
	profileHostSeconds = 6
)

// profileHost starts the host API server's CPU profile of phase if
// profileHostEnv asks for one; the returned function waits until it is saved.
func profileHost(b *testing.B, f *federation.Federation, phase string) (wait func()) {
	dir := os.Getenv(profileHostEnv)
	if dir == "" {
		return func() {}
	}
	cfg := rest.CopyConfig(f.Set.Host.Config)
	cfg.Timeout = 2 * profileHostSeconds * time.Second
	c, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		profile, err := c.CoreV1().RESTClient().Get().AbsPath("/debug/pprof/profile").
			Param("seconds", strconv.Itoa(profileHostSeconds)).DoRaw(context.Background())
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, phase+".pprof"), profile, 0o644)
		}
		done <- err
	}()
	return func() {
		if err := <-done; err != nil {
			b.Fatalf("profile of the host API server: %v", err)
		}
	}
}

// clusterCPU is the CPU time, in seconds, the host's and the members'
// processes (API servers and etcds) have used.
type clusterCPU struct{ host, members float64 }

func clustersCPU(b *testing.B, f *federation.Federation) clusterCPU {
	host, err := f.Set.Host.CPU()
	if err != nil {
		b.Fatal(err)
	}
	members, err := f.Set.MemberCPU()
	if err != nil {
		b.Fatal(err)
	}
	return clusterCPU{host: host.Seconds(), members: members.Seconds()}
}

func (c clusterCPU) since(start clusterCPU) clusterCPU {
	return clusterCPU{host: c.host - start.host, members: c.members - start.members}
}

// report reports c as the host's, the members' and their sum.
func (c clusterCPU) report(b *testing.B, prefix string) {
	b.ReportMetric(c.host, prefix+"-host-cpu-s")
	b.ReportMetric(c.members, prefix+"-members-cpu-s")
	b.ReportMetric(c.host+c.members, prefix+"-clusters-cpu-s")
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
