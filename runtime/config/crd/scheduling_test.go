package corecrds_test

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	schedulingv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/scheduling/v1alpha1"
	"github.com/kubefed-gen/kubefed/test/clusters"
)

// TestReplicaSchedulingPreferenceCRD installs this folder's CRDs into a real API
// server: a ReplicaSchedulingPreference as KubeFed's example writes it is stored
// and has a status, and negative numbers or a minimum above the maximum are refused
// with a message naming the field.
func TestReplicaSchedulingPreferenceCRD(t *testing.T) {
	set, err := clusters.Start(clusters.Options{HostCRDDirs: []string{"."}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := set.Stop(); err != nil {
			t.Error(err)
		}
	})
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, schedulingv1alpha1.AddToScheme} {
		if err := add(scheme); err != nil {
			t.Fatal(err)
		}
	}
	c, err := client.New(set.Host.Config, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const ns = "test-namespace"
	if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
		t.Fatal(err)
	}

	// The RESTMapper learns the kind from discovery: the CRD is installed.
	mapping, err := c.RESTMapper().RESTMapping(schedulingv1alpha1.SchemeGroupVersion.WithKind("ReplicaSchedulingPreference").GroupKind())
	if err != nil {
		t.Fatal(err)
	}
	if mapping.Resource.Resource != "replicaschedulingpreferences" || mapping.Scope.Name() != meta.RESTScopeNameNamespace {
		t.Errorf("mapping %+v: want namespaced replicaschedulingpreferences", mapping)
	}

	// KubeFed's example/scheduling/federateddeployment-rsp.yaml.
	rsp := &schedulingv1alpha1.ReplicaSchedulingPreference{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "test-deployment"},
		Spec: schedulingv1alpha1.ReplicaSchedulingPreferenceSpec{
			TargetKind:    "FederatedDeployment",
			TotalReplicas: 10,
			Rebalance:     true,
			Clusters: map[string]schedulingv1alpha1.ClusterPreferences{
				"cluster1": {Weight: 2},
				"cluster2": {Weight: 3, MinReplicas: 1, MaxReplicas: ptr.To[int64](1)},
			},
		},
	}
	if err := c.Create(ctx, rsp); err != nil {
		t.Fatalf("create a valid preference: %v", err)
	}
	rsp.Status.Clusters = []schedulingv1alpha1.ClusterReplicas{{Name: "cluster1", PlannedReplicas: 9, CurrentReplicas: ptr.To[int64](4)}}
	if err := c.Status().Update(ctx, rsp); err != nil {
		t.Fatalf("update status: %v", err)
	}
	var got schedulingv1alpha1.ReplicaSchedulingPreference
	if err := c.Get(ctx, client.ObjectKeyFromObject(rsp), &got); err != nil {
		t.Fatal(err)
	}
	if got.Spec.Clusters["cluster2"].Weight != 3 || len(got.Status.Clusters) != 1 || got.Status.Clusters[0].PlannedReplicas != 9 {
		t.Errorf("read back spec %+v status %+v", got.Spec, got.Status)
	}

	for _, tc := range []struct {
		name    string
		mutate  func(*schedulingv1alpha1.ReplicaSchedulingPreferenceSpec)
		message string
	}{
		{"negative weight", func(s *schedulingv1alpha1.ReplicaSchedulingPreferenceSpec) {
			s.Clusters["cluster1"] = schedulingv1alpha1.ClusterPreferences{Weight: -1}
		}, "spec.clusters.cluster1.weight: Invalid value: -1: spec.clusters.cluster1.weight in body should be greater than or equal to 0"},
		{"negative minimum", func(s *schedulingv1alpha1.ReplicaSchedulingPreferenceSpec) {
			s.Clusters["*"] = schedulingv1alpha1.ClusterPreferences{MinReplicas: -2}
		}, "minReplicas in body should be greater than or equal to 0"},
		{"negative maximum", func(s *schedulingv1alpha1.ReplicaSchedulingPreferenceSpec) {
			s.Clusters["cluster1"] = schedulingv1alpha1.ClusterPreferences{MaxReplicas: ptr.To[int64](-1)}
		}, "maxReplicas in body should be greater than or equal to 0"},
		{"negative total", func(s *schedulingv1alpha1.ReplicaSchedulingPreferenceSpec) {
			s.TotalReplicas = -1
		}, "spec.totalReplicas in body should be greater than or equal to 0"},
		{"minimum above maximum", func(s *schedulingv1alpha1.ReplicaSchedulingPreferenceSpec) {
			s.Clusters["cluster1"] = schedulingv1alpha1.ClusterPreferences{MinReplicas: 3, MaxReplicas: ptr.To[int64](2)}
		}, "minReplicas must not be greater than maxReplicas"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := &schedulingv1alpha1.ReplicaSchedulingPreference{
				ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "bad"},
				Spec: schedulingv1alpha1.ReplicaSchedulingPreferenceSpec{
					TargetKind: "FederatedDeployment", TotalReplicas: 3,
					Clusters: map[string]schedulingv1alpha1.ClusterPreferences{"cluster1": {Weight: 1}},
				},
			}
			tc.mutate(&bad.Spec)
			err := c.Create(ctx, bad)
			if !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), tc.message) {
				t.Errorf("create: got error %v, want Invalid with %q", err, tc.message)
			}
		})
	}
}
