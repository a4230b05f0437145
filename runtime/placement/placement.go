package placement

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/sets"

	fedv1b1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
)

// Cluster is what placement needs to know of a member cluster.
type Cluster struct {
	Name   string
	Labels map[string]string
}

// Resolve returns the names of the clusters the placement selects, sorted.
//
// As in KubeFed, a non-empty Clusters wins and ClusterSelector is then ignored (not
// even validated). Only the length of Clusters counts: an explicitly empty list
// (`clusters: []`) next to a selector means the selector is used, because KubeFed
// tested len(clusters) > 0 and manifests written for it rely on that. An empty
// (non-nil) selector selects every cluster; a nil placement, or one with neither
// field set, selects none.
//
// Names in Clusters that are not among clusters are still returned, deduplicated,
// so the caller can report them as unknown; KubeFed dropped them silently. Empty
// names are skipped: they cannot name a cluster. An invalid selector returns an
// error that says what is wrong with it.
func Resolve(p *fedv1b1.Placement, clusters []Cluster) ([]string, error) {
	if p == nil {
		return nil, nil
	}
	if len(p.Clusters) > 0 {
		names := sets.New[string]()
		for _, c := range p.Clusters {
			if c.Name != "" {
				names.Insert(c.Name)
			}
		}
		return sets.List(names), nil
	}
	if p.ClusterSelector == nil {
		return nil, nil
	}
	selector, err := metav1.LabelSelectorAsSelector(p.ClusterSelector)
	if err != nil {
		return nil, fmt.Errorf("invalid cluster selector: %w", err)
	}
	names := sets.New[string]()
	for _, c := range clusters {
		if selector.Matches(labels.Set(c.Labels)) {
			names.Insert(c.Name)
		}
	}
	return sets.List(names), nil
}

// Intersect returns the names present in both (sorted): a namespaced object goes only to
// clusters where its namespace is placed too.
func Intersect(a, b []string) []string {
	return sets.List(sets.New(a...).Intersection(sets.New(b...)))
}
