package propagation

import (
	"github.com/prometheus/client_golang/prometheus"
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
	propagationSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "kubefed_propagation_duration_seconds",
		Help:    "Time from a federated object's spec change (its generation) to all of its placed clusters holding it.",
		Buckets: prometheus.ExponentialBuckets(0.01, 2, 14),
	}, []string{"type"})
)

func init() {
	metrics.Registry.MustRegister(memberWrites, memberWriteSeconds, propagationSeconds)
}
