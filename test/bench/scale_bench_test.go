package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	typesv1beta1 "github.com/kubefed-gen/kubefed/cmd/controller-manager/apis/types/v1beta1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/manager"
	"github.com/kubefed-gen/kubefed/test/clusters"
	"github.com/kubefed-gen/kubefed/test/federation"
)

const (
	// scaleMembersEnv lists the member counts BenchmarkScaleMembers runs with,
	// comma-separated.
	scaleMembersEnv     = "KUBEFED_SCALE_MEMBERS"
	scaleDefaultMembers = "2,5,10,20"
	// scaleEtcdEnv set to "each" gives every member an etcd of its own, to
	// compare with the default, one etcd shared by the members.
	scaleEtcdEnv = "KUBEFED_SCALE_ETCD"
	scaleObjects = 500
	// How long every member may take to hold every object.
	scaleTimeout = 15 * time.Minute
)

// BenchmarkScaleMembers federates 500 ConfigMaps placed on every member, for
// each member count in $KUBEFED_SCALE_MEMBERS (2, 5, 10 and 20 by default), the
// members sharing one etcd. It reports the time until every member holds every
// object as a ratio to the floor (the same objects created straight in every
// member, at the same concurrency per member, all members at once), the
// controller's CPU time and peak heap, the peak RSS of this process (the
// manager runs in it), the memory of the member processes, and member writes
// per member object and reconciles per federated object. With
// $KUBEFED_SCALE_ETCD=each, every member has an etcd of its own.
func BenchmarkScaleMembers(b *testing.B) {
	counts, err := memberCounts(os.Getenv(scaleMembersEnv))
	if err != nil {
		b.Fatal(err)
	}
	options := []federation.Option{federation.WithSharedEtcd()}
	switch etcd := os.Getenv(scaleEtcdEnv); etcd {
	case "", "shared":
	case "each":
		options = nil
	default:
		b.Fatalf("%s=%q: want shared or each", scaleEtcdEnv, etcd)
	}
	for _, n := range counts {
		b.Run(fmt.Sprintf("members=%d", n), func(b *testing.B) {
			began := time.Now()
			f := federation.Start(b, manager.Options{ConcurrentSyncs: concurrency}, append(options, federation.WithMembers(n))...)
			benchmarkScale(b, f, time.Since(began))
		})
	}
}

// memberCounts parses a comma-separated list of member counts; empty means the
// default list.
func memberCounts(list string) ([]int, error) {
	if list == "" {
		list = scaleDefaultMembers
	}
	var counts []int
	for _, s := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%s=%q: want member counts of at least 1, comma-separated", scaleMembersEnv, list)
		}
		counts = append(counts, n)
	}
	return counts, nil
}

// benchmarkScale measures f, which took started to start (clusters, joins,
// manager, members ready).
func benchmarkScale(b *testing.B, f *federation.Federation, started time.Duration) {
	ctx := context.Background()
	names := f.MemberNames()
	n := len(names)
	for b.Loop() {
		idle, err := f.Set.MemberMemory()
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("%d members started; load average %s; members' memory before any object: %s", n, loadAverage(), perMember(idle, n))

		floor := scaleFloor(b, f)
		b.Logf("floor: %d ConfigMaps in each of %d members in %s; load average %s", scaleObjects, n, floor.Round(time.Millisecond), loadAverage())
		f.FederateNamespace(b, "bench", names...)

		cpuBefore := cpuSeconds()
		reconcilesBefore := counter(b, "controller_runtime_reconcile_total")
		memberWritesBefore, hostWritesBefore := counter(b, "kubefed_member_writes_total"), counter(b, "kubefed_host_writes_total")
		rssReset := resetPeakRSS()
		stopSampling := samplePeakHeap()
		start := time.Now()
		run(b, scaleObjects, func(i int) error {
			cm := &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("cm-%04d", i), Namespace: "bench"}}
			cm.Spec.Template.Data = map[string]string{"index": fmt.Sprint(i)}
			cm.Spec.Placement = federation.PlacementOn(names...)
			return f.Host.Create(ctx, cm)
		})
		waitEveryMember(b, f, "bench", scaleObjects)
		federated := time.Since(start)
		cpu := cpuSeconds() - cpuBefore
		peakHeap := stopSampling()
		peakRSS := peakRSS(b, rssReset)
		load := loadAverage()

		members, err := f.Set.MemberMemory()
		if err != nil {
			b.Fatal(err)
		}
		memberObjects := float64(scaleObjects * n)
		b.ReportMetric(started.Seconds(), "start-s")
		b.ReportMetric(floor.Seconds(), "floor-s")
		b.ReportMetric(federated.Seconds(), "federated-s")
		b.ReportMetric(federated.Seconds()/floor.Seconds(), "x-floor")
		b.ReportMetric(cpu, "controller-cpu-s")
		b.ReportMetric(cpu*1000/memberObjects, "cpu-ms/member-object")
		b.ReportMetric(float64(peakHeap)/(1<<20), "peak-heap-MiB")
		b.ReportMetric(float64(peakRSS)/(1<<20), "peak-RSS-MiB")
		b.ReportMetric(float64(members.RSS)/float64(n)/(1<<20), "member-RSS-MiB/member")
		b.ReportMetric(float64(members.PSS)/float64(n)/(1<<20), "member-PSS-MiB/member")
		b.ReportMetric((counter(b, "kubefed_member_writes_total")-memberWritesBefore)/memberObjects, "member-writes/member-object")
		b.ReportMetric((counter(b, "kubefed_host_writes_total")-hostWritesBefore)/scaleObjects, "controller-host-writes/object")
		b.ReportMetric((counter(b, "controller_runtime_reconcile_total")-reconcilesBefore)/scaleObjects, "reconciles/object")
		b.Logf("federated: %d FederatedConfigMaps on %d members in %s (%.1fx the floor); load average %s; members' memory: %s",
			scaleObjects, n, federated.Round(time.Millisecond), federated.Seconds()/floor.Seconds(), load, perMember(members, n))
	}
}

// scaleFloor creates scaleObjects ConfigMaps straight in every member, all
// members at once, each at the same concurrency as the controller has.
func scaleFloor(b *testing.B, f *federation.Federation) time.Duration {
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
			run(b, scaleObjects, func(i int) error {
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

// waitEveryMember waits until every member holds want objects managed by the
// federation in namespace ns. It lists only the metadata, every half second, of
// the members not yet complete, so that waiting costs this process (whose CPU
// is measured) little.
func waitEveryMember(b *testing.B, f *federation.Federation, ns string, want int) {
	left := map[string]client.Client{}
	for name, m := range f.Members {
		left[name] = m
	}
	counts := map[string]int{}
	err := wait.PollUntilContextTimeout(context.Background(), 500*time.Millisecond, scaleTimeout, true, func(ctx context.Context) (bool, error) {
		for name, m := range left {
			list := &metav1.PartialObjectMetadataList{}
			list.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("ConfigMapList"))
			if err := m.List(ctx, list, client.InNamespace(ns), client.MatchingLabels{fedv1beta1.ManagedLabel: "true"}); err != nil {
				continue // asked again next time
			}
			counts[name] = len(list.Items)
			if len(list.Items) >= want {
				delete(left, name)
			}
		}
		return len(left) == 0, nil
	})
	if err != nil {
		b.Fatalf("members holding fewer than %d objects after %s: %v", want, scaleTimeout, counts)
	}
}

// perMember describes the memory of n members' processes, per member.
func perMember(m clusters.Memory, n int) string {
	return fmt.Sprintf("%.0f MiB RSS, %.0f MiB PSS per member", float64(m.RSS)/float64(n)/(1<<20), float64(m.PSS)/float64(n)/(1<<20))
}

// loadAverage is the machine's 1, 5 and 15 minute load averages: the
// benchmark's figures are only comparable between runs at similar loads.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(data))[:3], " ")
}

// resetPeakRSS resets the peak RSS the kernel keeps for this process (Linux:
// /proc/self/clear_refs), and says whether it could.
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// peakRSS is the peak RSS of this process since it was reset (VmHWM), or, if it
// could not be reset, its RSS now.
func peakRSS(b *testing.B, wasReset bool) uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	field := "VmHWM:"
	if !wasReset {
		field = "VmRSS:"
	}
	for line := range bytes.Lines(data) {
		fields := bytes.Fields(line)
		if len(fields) == 3 && string(fields[0]) == field {
			kb, err := strconv.ParseUint(string(fields[1]), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb << 10
		}
	}
	b.Fatalf("no %s in /proc/self/status", field)
	return 0
}
