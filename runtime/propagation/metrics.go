package propagation

import (
	"github.com/prometheus/client_golang/prometheus"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
)

var (
	memberWrites = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kubefed_member_writes_total",
		Help: "Writes sent to member clusters, by cluster, verb (create, update, adopt, delete, orphan) and result.",
	}, []string{"cluster", "verb", "result"})
	memberWriteSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "kubefed_member_write_duration_seconds",
		Help:    "Latency of writes to member clusters.",
		Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
	}, []string{"cluster", "verb"})
	hostWrites = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kubefed_host_writes_total",
		Help: "Writes the sync controllers send to federated objects in the host, by type, write (finalizer, status, propagatedversion) and result (ok, conflict, error).",
	}, []string{"type", "write", "result"})
	propagationSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "kubefed_propagation_duration_seconds",
		Help:    "Time from a federated object's spec change (its generation) to all of its placed clusters holding it.",
		Buckets: prometheus.ExponentialBuckets(0.01, 2, 14),
	}, []string{"type"})
)

func init() {
	metrics.Registry.MustRegister(memberWrites, memberWriteSeconds, hostWrites, propagationSeconds)
}

func observeHostWrite(typ, write string, err error) {
	result := "ok"
	switch {
	case apierrors.IsConflict(err):
		result = "conflict"
	case err != nil:
		result = "error"
	}
	hostWrites.WithLabelValues(typ, write, result).Inc()
}
