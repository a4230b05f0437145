package cluster

import (
	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
)

var (
	clusterReady = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "kubefed_cluster_ready",
		Help: "Whether a member cluster is ready (1) or not (0), as its KubeFedCluster's Ready condition says.",
	}, []string{"cluster"})
	healthCheckSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "kubefed_cluster_health_check_duration_seconds",
		Help:    "Duration of one /healthz probe of a member cluster, failed ones included.",
		Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
	}, []string{"cluster"})
)

func init() {
	metrics.Registry.MustRegister(clusterReady, healthCheckSeconds)
}
