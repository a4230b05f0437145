package bench

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/rest"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// tracker watches the ConfigMaps of one namespace in one cluster and records
// when each was first seen with each value of its "index" key, so that a
// benchmark learns when objects arrive without listing them again and again
// (which would load the API servers it measures).
type tracker struct {
	mu      sync.Mutex
	current map[string]string               // name -> index value now
	first   map[string]map[string]time.Time // name -> index value -> first seen
}

// track starts a tracker of namespace ns in the cluster cfg reaches, until the
// benchmark ends.
func track(b *testing.B, cfg *rest.Config, ns string) *tracker {
	b.Helper()
	c, err := cache.New(cfg, cache.Options{DefaultNamespaces: map[string]cache.Config{ns: {}}})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	informer, err := c.GetInformer(ctx, &corev1.ConfigMap{}, cache.BlockUntilSynced(false))
	if err != nil {
		b.Fatal(err)
	}
	t := &tracker{current: map[string]string{}, first: map[string]map[string]time.Time{}}
	if _, err := informer.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { t.observe(obj, false) },
		UpdateFunc: func(_, obj any) { t.observe(obj, false) },
		DeleteFunc: func(obj any) { t.observe(obj, true) },
	}); err != nil {
		b.Fatal(err)
	}
	go func() { _ = c.Start(ctx) }()
	if !c.WaitForCacheSync(ctx) {
		b.Fatal("tracker cache did not sync")
	}
	return t
}

func (t *tracker) observe(obj any, deleted bool) {
	now := time.Now()
	if d, ok := obj.(toolscache.DeletedFinalStateUnknown); ok {
		obj = d.Obj
	}
	cm, ok := obj.(client.Object)
	if !ok {
		return
	}
	if cmIndex(cm.GetName()) < 0 {
		return // not the benchmark's (e.g. kube-root-ca.crt)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if deleted {
		delete(t.current, cm.GetName())
		return
	}
	value := ""
	if c, ok := cm.(*corev1.ConfigMap); ok {
		value = c.Data["index"]
	}
	t.current[cm.GetName()] = value
	if t.first[cm.GetName()] == nil {
		t.first[cm.GetName()] = map[string]time.Time{}
	}
	if _, seen := t.first[cm.GetName()][value]; !seen {
		t.first[cm.GetName()][value] = now
	}
}

// count is how many objects there are now, and how many of them have the value
// want gives for their name.
func (t *tracker) count(want func(name string) string) (all, matching int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for name, v := range t.current {
		if want != nil && v == want(name) {
			matching++
		}
	}
	return len(t.current), matching
}

// firstSeen is when name was first seen with value; false if never.
func (t *tracker) firstSeen(name, value string) (time.Time, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	at, ok := t.first[name][value]
	return at, ok
}

// waitFor polls done, which reads trackers only, every 10ms until it returns
// nil, failing the benchmark with its last error after timeout.
func waitFor(b *testing.B, what string, timeout time.Duration, done func() error) {
	b.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := done()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("%s after %v: %v", what, timeout, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// allHold is a waitFor check: every tracker holds n objects, each with the
// value want gives (or any value, for a nil want); n 0 means empty.
func allHold(trackers map[string]*tracker, n int, want func(name string) string) func() error {
	return func() error {
		for name, t := range trackers {
			all, matching := t.count(want)
			if want == nil {
				matching = all
			}
			if all != n || matching != n {
				return fmt.Errorf("%s holds %d objects, %d as wanted, of %d", name, all, matching, n)
			}
		}
		return nil
	}
}
