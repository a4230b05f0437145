package dnsrecord

import (
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/cluster"
)

// TestTopology: the zones and region the controllers use are those given at
// join (annotations), each else the status the nodes fill.
func TestTopology(t *testing.T) {
	status := corev1beta1.KubeFedClusterStatus{Zones: []string{"b", "a"}, Region: new("from-nodes")}
	for _, tc := range []struct {
		name        string
		annotations map[string]string
		zones       []string
		region      string
	}{
		{"status only", nil, []string{"a", "b"}, "from-nodes"},
		{"both given at join", map[string]string{cluster.ZonesAnnotation: "z2, z1,z2", cluster.RegionAnnotation: "given"}, []string{"z1", "z2"}, "given"},
		{"only the region given", map[string]string{cluster.RegionAnnotation: "given"}, []string{"a", "b"}, "given"},
		{"only zones given", map[string]string{cluster.ZonesAnnotation: "z1"}, []string{"z1"}, "from-nodes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kfc := &corev1beta1.KubeFedCluster{ObjectMeta: metav1.ObjectMeta{Annotations: tc.annotations}, Status: *status.DeepCopy()}
			zones, region := cluster.Topology(kfc)
			if !slices.Equal(zones, tc.zones) || region != tc.region {
				t.Errorf("zones %v, region %q; want %v, %q", zones, region, tc.zones, tc.region)
			}
		})
	}
	if zones, region := cluster.Topology(&corev1beta1.KubeFedCluster{}); zones != nil || region != "" {
		t.Errorf("nothing known: %v, %q", zones, region)
	}
}
