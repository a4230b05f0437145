package v1beta1

import "testing"

func TestFeatureEnabled(t *testing.T) {
	listed := KubeFedConfigSpec{FeatureGates: []FeatureGatesConfig{
		{Name: FeaturePushReconciler, Configuration: Disabled},
		{Name: FeatureRawResourceStatusCollection, Configuration: Enabled},
	}}
	for _, tc := range []struct {
		spec    KubeFedConfigSpec
		feature string
		want    bool
	}{
		// Without an entry, KubeFed's defaults.
		{KubeFedConfigSpec{}, FeaturePushReconciler, true},
		{KubeFedConfigSpec{}, FeatureSchedulerPreferences, true},
		{KubeFedConfigSpec{}, FeatureRawResourceStatusCollection, false},
		{KubeFedConfigSpec{}, FeatureCrossClusterServiceDiscovery, false},
		{KubeFedConfigSpec{}, FeatureFederatedIngress, false},
		// A name that is not a gate is off, listed Enabled or not.
		{KubeFedConfigSpec{}, "NoSuchGate", false},
		{KubeFedConfigSpec{FeatureGates: []FeatureGatesConfig{{Name: "NoSuchGate", Configuration: Enabled}}}, "NoSuchGate", false},
		// An entry wins; a feature missing from a list keeps its default.
		{listed, FeaturePushReconciler, false},
		{listed, FeatureRawResourceStatusCollection, true},
		{listed, FeatureSchedulerPreferences, true},
		{KubeFedConfigSpec{FeatureGates: []FeatureGatesConfig{{Name: FeatureFederatedIngress, Configuration: Enabled}}}, FeatureFederatedIngress, true},
	} {
		if got := tc.spec.FeatureEnabled(tc.feature); got != tc.want {
			t.Errorf("%s with gates %v: %v, want %v", tc.feature, tc.spec.FeatureGates, got, tc.want)
		}
	}
}
