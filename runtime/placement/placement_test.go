package placement

import (
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	fedv1b1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
)

var members = []Cluster{
	{Name: "eu-1", Labels: map[string]string{"region": "eu", "tier": "prod"}},
	{Name: "eu-2", Labels: map[string]string{"region": "eu"}},
	{Name: "us-1", Labels: map[string]string{"region": "us", "tier": "prod"}},
	{Name: "bare"},
}

func refs(names ...string) []fedv1b1.GenericClusterReference {
	out := make([]fedv1b1.GenericClusterReference, 0, len(names))
	for _, n := range names {
		out = append(out, fedv1b1.GenericClusterReference{Name: n})
	}
	return out
}

func TestResolve(t *testing.T) {
	region := func(r string) *metav1.LabelSelector {
		return &metav1.LabelSelector{MatchLabels: map[string]string{"region": r}}
	}
	invalid := &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
		{Key: "region", Operator: "Near", Values: []string{"eu"}},
	}}
	tests := []struct {
		name      string
		placement *fedv1b1.Placement
		want      []string
		wantErr   string
	}{
		{name: "nil placement selects none", placement: nil, want: nil},
		{name: "neither set selects none", placement: &fedv1b1.Placement{}, want: nil},
		{
			name:      "clusters are returned sorted",
			placement: &fedv1b1.Placement{Clusters: refs("us-1", "eu-1")},
			want:      []string{"eu-1", "us-1"},
		},
		{
			name:      "clusters are deduplicated and unknown names kept",
			placement: &fedv1b1.Placement{Clusters: refs("eu-1", "gone", "eu-1")},
			want:      []string{"eu-1", "gone"},
		},
		{
			name:      "empty names in clusters are skipped",
			placement: &fedv1b1.Placement{Clusters: refs("", "eu-2")},
			want:      []string{"eu-2"},
		},
		{
			name:      "clusters win over selector",
			placement: &fedv1b1.Placement{Clusters: refs("us-1"), ClusterSelector: region("eu")},
			want:      []string{"us-1"},
		},
		{
			name:      "selector is not validated when clusters win",
			placement: &fedv1b1.Placement{Clusters: refs("us-1"), ClusterSelector: invalid},
			want:      []string{"us-1"},
		},
		{
			name:      "explicitly empty clusters fall back to selector",
			placement: &fedv1b1.Placement{Clusters: refs(), ClusterSelector: region("eu")},
			want:      []string{"eu-1", "eu-2"},
		},
		{
			name:      "explicitly empty clusters without selector select none",
			placement: &fedv1b1.Placement{Clusters: refs()},
			want:      nil,
		},
		{
			name:      "empty selector selects every cluster",
			placement: &fedv1b1.Placement{ClusterSelector: &metav1.LabelSelector{}},
			want:      []string{"bare", "eu-1", "eu-2", "us-1"},
		},
		{
			name:      "match labels",
			placement: &fedv1b1.Placement{ClusterSelector: region("eu")},
			want:      []string{"eu-1", "eu-2"},
		},
		{
			name: "match labels and expressions are ANDed",
			placement: &fedv1b1.Placement{ClusterSelector: &metav1.LabelSelector{
				MatchLabels: map[string]string{"tier": "prod"},
				MatchExpressions: []metav1.LabelSelectorRequirement{
					{Key: "region", Operator: metav1.LabelSelectorOpNotIn, Values: []string{"us"}},
				},
			}},
			want: []string{"eu-1"},
		},
		{
			name: "does not exist matches clusters without labels",
			placement: &fedv1b1.Placement{ClusterSelector: &metav1.LabelSelector{
				MatchExpressions: []metav1.LabelSelectorRequirement{
					{Key: "tier", Operator: metav1.LabelSelectorOpDoesNotExist},
				},
			}},
			want: []string{"bare", "eu-2"},
		},
		{
			name:      "selector matching nothing selects none",
			placement: &fedv1b1.Placement{ClusterSelector: region("ap")},
			want:      nil,
		},
		{
			name:      "invalid operator",
			placement: &fedv1b1.Placement{ClusterSelector: invalid},
			wantErr:   `invalid cluster selector: "Near" is not a valid label selector operator`,
		},
		{
			name:      "invalid label value",
			placement: &fedv1b1.Placement{ClusterSelector: region("not valid!")},
			wantErr:   "invalid cluster selector: ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Resolve(tt.placement, members)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Resolve() error = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Resolve() unexpected error: %v", err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Resolve() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestIntersect(t *testing.T) {
	tests := []struct {
		name string
		a, b []string
		want []string
	}{
		{name: "overlap is sorted", a: []string{"c", "a", "b"}, b: []string{"b", "c", "d"}, want: []string{"b", "c"}},
		{name: "duplicates collapse", a: []string{"a", "a"}, b: []string{"a"}, want: []string{"a"}},
		{name: "disjoint", a: []string{"a"}, b: []string{"b"}, want: nil},
		{name: "nil side", a: nil, b: []string{"a"}, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Intersect(tt.a, tt.b); !slices.Equal(got, tt.want) {
				t.Errorf("Intersect(%q, %q) = %q, want %q", tt.a, tt.b, got, tt.want)
			}
		})
	}
}
