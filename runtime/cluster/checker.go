package cluster

import (
	"context"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
)

// Node labels giving a member's zones and region; the deprecated beta labels
// KubeFed read are still honoured.
var (
	zoneLabels   = []string{corev1.LabelTopologyZone, corev1.LabelFailureDomainBetaZone}
	regionLabels = []string{corev1.LabelTopologyRegion, corev1.LabelFailureDomainBetaRegion}
)

// runHealthChecks probes every member each period until the manager stops, then
// stops every member cache.
func (r *Registry) runHealthChecks(ctx context.Context) error {
	defer r.cancel()
	t := time.NewTicker(r.opts.HealthCheck.Period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			for _, m := range r.Members() {
				// Concurrently, each bounded by the timeout: one member that does not
				// answer delays no other.
				go r.check(m)
			}
		}
	}
}

// check probes m once and publishes the outcome: readiness, metrics, status.
func (r *Registry) check(m *Member) {
	s := m.state
	if s.configErr != nil || !s.checking.TryLock() {
		return
	}
	defer s.checking.Unlock()
	if r.ctx.Err() != nil {
		return
	}
	log := r.log.WithValues("cluster", m.Name)

	start := time.Now()
	p := probeMember(r.ctx, m, r.opts.HealthCheck.Timeout)
	healthCheckSeconds.WithLabelValues(m.Name).Observe(time.Since(start).Seconds())
	resumed := false
	switch p.health {
	case healthy:
		// The member answers again: requests to it are sent again, and the
		// objects that were skipped meanwhile are reconciled (below).
		resumed = s.breaker.reset()
		r.readZones(m)
		r.readVersion(m)
		r.renewToken(m)
		go r.ensureWatches(m)
	case unreachable:
		// Not yet enough failures to make it not ready, but no reason to let the
		// next requests wait for their own timeouts either.
		s.breaker.trip("health check: " + p.message)
	}

	s.mu.Lock()
	applied, changed := s.tracker.observe(p, r.opts.HealthCheck)
	s.mu.Unlock()
	if !r.isCurrent(m) {
		return // rebuilt or removed meanwhile: its successor reports
	}
	if resumed && !changed {
		// A change of readiness (below) notifies anyway.
		log.Info("member cluster answers again; requests to it resume")
		r.notify(m.Name)
	}
	if changed {
		ready := applied.health == healthy
		log.Info("member cluster health changed", "ready", ready, "reason", applied.conditions(0)[0].Reason, "detail", applied.message)
		clusterReady.WithLabelValues(m.Name).Set(gaugeValue(ready))
		if s.ready.Swap(ready) != ready {
			r.notify(m.Name)
		}
	}
	s.probed.Store(true)
	// Compared with the status every time, written only on a difference, so a
	// lost write is repaired and a steady state writes nothing.
	if err := r.writeStatus(r.ctx, m.Name, applied, s); err != nil && r.ctx.Err() == nil {
		log.Error(err, "update KubeFedCluster status")
	}
}

func gaugeValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func (r *Registry) isCurrent(m *Member) bool {
	cur, ok := r.Member(m.Name)
	return ok && cur.state == m.state
}

// readZones records the zones and region of m's nodes. Failures (e.g. a token not
// allowed to list nodes) keep what was known: zones are informative only.
func (r *Registry) readZones(m *Member) {
	ctx, cancel := context.WithTimeout(r.ctx, r.opts.HealthCheck.Timeout)
	defer cancel()
	// ResourceVersion 0 is served from the API server's watch cache, not etcd.
	nodes, err := m.state.kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{ResourceVersion: "0"})
	if err != nil {
		r.log.V(1).Info("cannot list nodes for zones", "cluster", m.Name, "error", err.Error())
		return
	}
	var zones []string
	var region *string
	for _, n := range nodes.Items {
		if z := firstLabel(n.Labels, zoneLabels); z != "" && !slices.Contains(zones, z) {
			zones = append(zones, z)
		}
		if reg := firstLabel(n.Labels, regionLabels); reg != "" && region == nil {
			region = &reg
		}
	}
	slices.Sort(zones)
	m.state.mu.Lock()
	m.state.zones, m.state.region, m.state.zonesKnown = zones, region, true
	m.state.mu.Unlock()
}

func firstLabel(l map[string]string, keys []string) string {
	for _, k := range keys {
		if v := l[k]; v != "" {
			return v
		}
	}
	return ""
}

// writeStatus makes the KubeFedCluster's status say p (and s's zones), writing
// only when that changes it.
func (r *Registry) writeStatus(ctx context.Context, name string, p probe, s *memberState) error {
	kfc := &corev1beta1.KubeFedCluster{}
	if err := r.hostCache.Get(ctx, types.NamespacedName{Namespace: r.opts.Namespace, Name: name}, kfc); err != nil {
		return client.IgnoreNotFound(err)
	}
	orig := kfc.DeepCopy()
	for _, c := range p.conditions(kfc.Generation) {
		meta.SetStatusCondition(&kfc.Status.Conditions, c)
	}
	if c, due := s.forbidden.condition(kfc.Generation); due {
		meta.SetStatusCondition(&kfc.Status.Conditions, c)
	}
	s.mu.Lock()
	if s.zonesKnown {
		kfc.Status.Zones, kfc.Status.Region = slices.Clone(s.zones), s.region
	}
	s.mu.Unlock()
	if v := r.kubernetesVersion(name, s); v != "" {
		kfc.Status.KubernetesVersion = v
	}
	if equality.Semantic.DeepEqual(orig.Status, kfc.Status) {
		return nil
	}
	return client.IgnoreNotFound(r.host.Status().Patch(ctx, kfc, client.MergeFrom(orig)))
}
