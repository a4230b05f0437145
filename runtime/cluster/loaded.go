package cluster

import (
	"context"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
)

// loadPoll is how often WaitLoaded looks again; loading takes one reconcile
// and one health probe per member.
const loadPoll = 20 * time.Millisecond

// WaitLoaded blocks until the registry knows every member cluster: each
// KubeFedCluster in the host is a member whose first health check has set its
// readiness (or whose configuration is unusable), or is refused as a duplicate.
// Controllers call it before acting on Members, since a partial view right after
// the manager starts is dangerous: a deletion would let its federated object go
// while a member not loaded yet still holds its object, leaking it for ever, and
// a scheduler would move replicas off clusters it does not know of yet.
//
// Once loaded, the registry stays loaded: clusters joined later are ordinary
// changes, announced through OnChange.
func (r *Registry) WaitLoaded(ctx context.Context) error {
	if r.loaded.Load() {
		return nil
	}
	start := time.Now()
	logged := false
	err := wait.PollUntilContextCancel(ctx, loadPoll, true, func(ctx context.Context) (bool, error) {
		pending, err := r.unsettled(ctx)
		if err != nil || len(pending) > 0 {
			if !logged && time.Since(start) > 10*time.Second {
				logged = true
				r.log.Info("controllers wait for member clusters to be loaded", "pending", pending, "error", err)
			}
			return false, nil
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	r.loaded.Store(true)
	return nil
}

// unsettled lists the KubeFedClusters the registry has not settled yet.
func (r *Registry) unsettled(ctx context.Context) ([]string, error) {
	var list corev1beta1.KubeFedClusterList
	if err := r.hostCache.List(ctx, &list, client.InNamespace(r.opts.Namespace)); err != nil {
		return nil, err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	var pending []string
	for _, kfc := range list.Items {
		if !kfc.DeletionTimestamp.IsZero() || r.refused[kfc.Name] {
			continue
		}
		m, ok := r.members[kfc.Name]
		if !ok || (m.state.configErr == nil && !m.state.probed.Load()) {
			pending = append(pending, kfc.Name)
		}
	}
	return pending, nil
}
