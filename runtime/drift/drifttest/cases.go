// Package drifttest holds the table of drift cases that every test deciding or
// explaining drift runs: the sync controller's write decision and kubefedctl
// status are checked against the same cases, so they cannot disagree.
package drifttest

import (
	_ "embed"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/drift"
)

// Cluster is the member cluster every case is about.
const Cluster = "c1"

//go:embed cases.yaml
var casesYAML []byte

// Case is one drift case.
type Case struct {
	Name string `json:"name"`
	// Target is the object the template describes, before overrides.
	Target map[string]any `json:"target"`
	// Overrides are Cluster's overrides.
	Overrides []fedv1beta1.ClusterOverride `json:"overrides"`
	// Member is what the member cluster holds.
	Member map[string]any `json:"member"`
	// Diff are the JSON pointers where the member differs; none means in sync.
	Diff []string `json:"diff"`
}

// TargetObject returns a copy of Target.
func (c Case) TargetObject() *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: runtimeCopy(c.Target)}
}

// MemberObject returns a copy of Member.
func (c Case) MemberObject() *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: runtimeCopy(c.Member)}
}

// OverrideItems returns Overrides as a federated object's spec.overrides.
func (c Case) OverrideItems() []fedv1beta1.GenericOverrideItem {
	if len(c.Overrides) == 0 {
		return nil
	}
	return []fedv1beta1.GenericOverrideItem{{ClusterName: Cluster, ClusterOverrides: c.Overrides}}
}

// Cases returns the table.
func Cases(t testing.TB) []Case {
	t.Helper()
	var cases []Case
	if err := yaml.UnmarshalStrict(casesYAML, &cases); err != nil {
		t.Fatalf("drift cases: %v", err)
	}
	return cases
}

// Typed converts u to its built-in Go type.
func Typed(t testing.TB, u *unstructured.Unstructured) client.Object {
	t.Helper()
	obj, err := clientgoscheme.Scheme.New(u.GroupVersionKind())
	if err != nil {
		t.Fatal(err)
	}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, obj); err != nil {
		t.Fatal(err)
	}
	return obj.(client.Object)
}

// Paths are the paths of diffs, to compare with Case.Diff.
func Paths(diffs []drift.Difference) []string {
	var out []string
	for _, d := range diffs {
		out = append(out, d.Path)
	}
	return out
}

func runtimeCopy(m map[string]any) map[string]any {
	return (&unstructured.Unstructured{Object: m}).DeepCopy().Object
}
