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
	tokenExpiration = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "kubefed_cluster_token_expiration_timestamp_seconds",
		Help: "When the token a member cluster's Secret holds expires, in seconds since the epoch; absent for tokens without expiry.",
	}, []string{"cluster"})
	tokenRenewals = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kubefed_cluster_token_renewals_total",
		Help: "Renewals of member cluster tokens, by result (ok, error).",
	}, []string{"cluster", "result"})
)

func init() {
	metrics.Registry.MustRegister(clusterReady, healthCheckSeconds, tokenExpiration, tokenRenewals)
}
