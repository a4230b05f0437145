package placement_test

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	fedv1b1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/placement"
)

func ExampleResolve() {
	clusters := []placement.Cluster{
		{Name: "eu-1", Labels: map[string]string{"region": "eu"}},
		{Name: "eu-2", Labels: map[string]string{"region": "eu"}},
		{Name: "us-1", Labels: map[string]string{"region": "us"}},
	}
	bySelector := &fedv1b1.Placement{
		ClusterSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"region": "eu"}},
	}
	byName := &fedv1b1.Placement{
		Clusters:        []fedv1b1.GenericClusterReference{{Name: "us-1"}, {Name: "ap-9"}},
		ClusterSelector: bySelector.ClusterSelector, // ignored: clusters win
	}
	for _, p := range []*fedv1b1.Placement{bySelector, byName} {
		names, err := placement.Resolve(p, clusters)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(names)
	}

	// The namespace of a namespaced object is placed too; the object goes only where
	// both are.
	fmt.Println(placement.Intersect([]string{"eu-1", "us-1"}, []string{"eu-1", "eu-2"}))
	// Output:
	// [eu-1 eu-2]
	// [ap-9 us-1]
	// [eu-1]
}
