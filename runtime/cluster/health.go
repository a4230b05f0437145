package cluster

import (
	"context"
	"errors"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
)

// HealthCheck says how members are probed, and how long a request to one may go
// unanswered before the member counts as not answering; zero fields take
// KubeFed's defaults.
type HealthCheck struct {
	// Period between probes of a member; default 10s.
	Period time.Duration
	// Timeout of one probe; default 3s.
	Timeout time.Duration
	// FailureThreshold is how many failed probes in a row make a ready member not
	// ready; default 3.
	FailureThreshold int
	// SuccessThreshold is how many passed probes in a row make a not ready member
	// ready; default 1.
	SuccessThreshold int
	// RequestTimeout bounds every request to a member other than probes and
	// watches. A request that gets no answer within it makes further requests to
	// the member fail fast until its next passing probe (see Member.Unresponsive).
	// Default 15s: longer than the 10s an API server gives an admission webhook
	// by default, so that a member that is only slow is not taken for a hung one.
	RequestTimeout time.Duration
}

func (h HealthCheck) withDefaults() HealthCheck {
	if h.Period <= 0 {
		h.Period = 10 * time.Second
	}
	if h.Timeout <= 0 {
		h.Timeout = 3 * time.Second
	}
	if h.FailureThreshold <= 0 {
		h.FailureThreshold = 3
	}
	if h.SuccessThreshold <= 0 {
		h.SuccessThreshold = 1
	}
	if h.RequestTimeout <= 0 {
		h.RequestTimeout = 15 * time.Second
	}
	return h
}

// Reasons of the Ready and Offline conditions of a KubeFedCluster, KubeFed's.
const (
	ReasonClusterReady           = "ClusterReady"
	ReasonClusterNotReady        = "ClusterNotReady"
	ReasonClusterNotReachable    = "ClusterNotReachable"
	ReasonClusterReachable       = "ClusterReachable"
	ReasonClusterConfigMalformed = "ClusterConfigMalformed"
)

// health is the outcome of one probe.
type health int

const (
	healthy     health = iota + 1 // /healthz answered ok
	unhealthy                     // /healthz answered something else
	unreachable                   // no answer
	malformed                     // the KubeFedCluster or its Secret is unusable
)

func (h health) String() string {
	switch h {
	case healthy:
		return "healthy"
	case unhealthy:
		return "unhealthy"
	case unreachable:
		return "unreachable"
	case malformed:
		return "malformed"
	}
	return "unknown"
}

type probe struct {
	health  health
	message string
}

// tracker applies KubeFed's thresholds: the first probe is taken as it is; after
// that readiness flips only when enough probes in a row disagree with it.
type tracker struct {
	applied  *probe
	disagree int
}

// observe records p and returns the probe now in force, and whether it changed.
func (t *tracker) observe(p probe, hc HealthCheck) (probe, bool) {
	if t.applied == nil {
		t.applied = &p
		return p, true
	}
	if (p.health == healthy) == (t.applied.health == healthy) {
		t.disagree = 0
		// A reachable-but-failing member that stops answering changes its
		// reason, not its readiness: no threshold applies.
		if p.health != t.applied.health {
			t.applied = &p
			return p, true
		}
		return *t.applied, false
	}
	t.disagree++
	threshold := hc.FailureThreshold
	if p.health == healthy {
		threshold = hc.SuccessThreshold
	}
	if t.disagree < threshold {
		return *t.applied, false
	}
	t.applied, t.disagree = &p, 0
	return p, true
}

// conditions are the Ready and Offline conditions saying p.
func (p probe) conditions(generation int64) []metav1.Condition {
	ready := metav1.Condition{Type: corev1beta1.ClusterReady, Status: metav1.ConditionFalse}
	offline := metav1.Condition{Type: corev1beta1.ClusterOffline, Status: metav1.ConditionFalse,
		Reason: ReasonClusterReachable, Message: "cluster is reachable"}
	switch p.health {
	case healthy:
		ready.Status, ready.Reason, ready.Message = metav1.ConditionTrue, ReasonClusterReady, "/healthz responded with ok"
	case unhealthy:
		ready.Reason, ready.Message = ReasonClusterNotReady, "/healthz responded without ok: "+p.message
	case unreachable:
		ready.Reason, ready.Message = ReasonClusterNotReachable, "cluster is not reachable: "+p.message
		offline.Status, offline.Reason, offline.Message = metav1.ConditionTrue, ReasonClusterNotReachable, ready.Message
	case malformed:
		ready.Reason, ready.Message = ReasonClusterConfigMalformed, "cluster's configuration may be malformed: "+p.message
		offline.Status, offline.Reason, offline.Message = metav1.ConditionUnknown, ReasonClusterConfigMalformed, "not probed: "+p.message
	}
	ready.ObservedGeneration, offline.ObservedGeneration = generation, generation
	return []metav1.Condition{ready, offline}
}

// probeMember asks the member's /healthz, as KubeFed does.
func probeMember(ctx context.Context, m *Member, timeout time.Duration) probe {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	body, err := m.state.kube.Discovery().RESTClient().Get().AbsPath("/healthz").DoRaw(ctx)
	var answered apierrors.APIStatus
	switch {
	case errors.As(err, &answered):
		// The API server answered, with an error status (failing checks, or
		// credentials it no longer accepts).
		return probe{unhealthy, err.Error()}
	case err != nil:
		return probe{unreachable, err.Error()}
	case !strings.EqualFold(strings.TrimSpace(string(body)), "ok"):
		return probe{unhealthy, truncate(string(body), 200)}
	}
	return probe{healthy, ""}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
