package status

import (
	"bytes"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/fedtype"
)

func TestHealthSection(t *testing.T) {
	three, one := int32(3), int32(1)
	fed, err := fedtype.NewUnstructured(&unstructured.Unstructured{Object: map[string]any{}})
	if err != nil {
		t.Fatal(err)
	}
	observed := metav1.Unix(1700000000, 0)
	entries := []fedv1beta1.GenericClusterStatus{
		{Name: "member1", Health: fedv1beta1.HealthProgressing, LastObservedTime: &observed,
			RemoteStatus: &runtime.RawExtension{Raw: []byte(`{"replicas":3,"readyReplicas":1,"observedGeneration":2,"conditions":[{"type":"Available","status":"False","reason":"MinimumReplicasUnavailable"}]}`)}},
		{Name: "member2", Status: fedv1beta1.ClusterNotReady, Health: fedv1beta1.HealthUnknown, Stale: true, LastObservedTime: &observed},
	}
	st := fed.FederatedStatus()
	st.Clusters, st.PlacedClusters, st.Replicas, st.ReadyReplicas = entries, 2, &three, &one
	r := &statusReport{fed: fed, statuses: map[string]fedv1beta1.GenericClusterStatus{}, Clusters: []clusterReport{{Name: "member1"}, {Name: "member2"}},
		healthCondition: "Serving"}
	for _, e := range entries {
		r.statuses[e.Name] = e
	}
	r.readHealth()
	var out bytes.Buffer
	if err := r.writeHealth(&out); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{
		"0 of 2 placed cluster(s) ready; replicas 1/3 ready (healthy: condition Serving True)",
		"Progressing", "readyReplicas=1 replicas=3 Available=False(MinimumReplicasUnavailable)",
		"Unknown (stale: member unreachable)", "2023-11-14T22:13:20Z",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("health section lacks %q:\n%s", want, text)
		}
	}
}

// The member object read now is judged as the controller judges it: by the
// condition the type names, when it names one.
func TestLiveHealthByCondition(t *testing.T) {
	actual := &unstructured.Unstructured{Object: map[string]any{"status": map[string]any{"conditions": []any{
		map[string]any{"type": "Ready", "status": "True"}, map[string]any{"type": "Serving", "status": "False"},
	}}}}
	var byKind, byCondition clusterReport
	byKind.setLiveHealth(actual, "")
	byCondition.setLiveHealth(actual, "Serving")
	if byKind.Health.Now != "Ready" || byCondition.Health.Now != "Degraded" {
		t.Errorf("by the kind's rule %s, by Serving %s; want Ready, Degraded", byKind.Health.Now, byCondition.Health.Now)
	}
}
