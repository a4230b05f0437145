package cluster

import (
	"testing"
)

func TestTrackerThresholds(t *testing.T) {
	hc := HealthCheck{FailureThreshold: 3, SuccessThreshold: 2}.withDefaults()
	const (
		ok   = healthy
		bad  = unhealthy
		gone = unreachable
	)
	for _, tc := range []struct {
		name   string
		probes []health
		want   []health // state in force after each probe
	}{
		{"first probe is taken as it is", []health{gone}, []health{gone}},
		{"steady", []health{ok, ok, ok}, []health{ok, ok, ok}},
		{"failures below the threshold keep ready", []health{ok, bad, bad, ok, bad}, []health{ok, ok, ok, ok, ok}},
		{"threshold of failures makes not ready", []health{ok, gone, gone, gone}, []health{ok, ok, ok, gone}},
		{"mixed failures count together", []health{ok, bad, gone, bad}, []health{ok, ok, ok, bad}},
		{"success threshold", []health{gone, ok, gone, ok, ok}, []health{gone, gone, gone, gone, ok}},
		{"reason changes without threshold", []health{bad, gone, bad}, []health{bad, gone, bad}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var tr tracker
			for i, p := range tc.probes {
				got, _ := tr.observe(probe{health: p}, hc)
				if got.health != tc.want[i] {
					t.Fatalf("after probe %d (%v): state %v, want %v", i, tc.probes[:i+1], got.health, tc.want[i])
				}
			}
		})
	}
}

func TestConditions(t *testing.T) {
	for _, tc := range []struct {
		p                      probe
		ready, offline         string
		readyReason, offReason string
	}{
		{probe{healthy, ""}, "True", "False", ReasonClusterReady, ReasonClusterReachable},
		{probe{unhealthy, "x"}, "False", "False", ReasonClusterNotReady, ReasonClusterReachable},
		{probe{unreachable, "x"}, "False", "True", ReasonClusterNotReachable, ReasonClusterNotReachable},
		{probe{malformed, "x"}, "False", "Unknown", ReasonClusterConfigMalformed, ReasonClusterConfigMalformed},
	} {
		c := tc.p.conditions(7)
		if string(c[0].Status) != tc.ready || c[0].Reason != tc.readyReason || string(c[1].Status) != tc.offline || c[1].Reason != tc.offReason {
			t.Errorf("probe %v: conditions %+v", tc.p, c)
		}
		if c[0].ObservedGeneration != 7 {
			t.Errorf("observedGeneration %d, want 7", c[0].ObservedGeneration)
		}
	}
}
