package desired_test

import (
	"slices"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/desired"
	"github.com/kubefed-gen/kubefed/runtime/drift"
	"github.com/kubefed-gen/kubefed/runtime/drift/drifttest"
)

// TestObjectAndDrift runs the shared drift table through Object and drift.Diff,
// with the target typed (as a compiled sync controller has it) and unstructured
// (as kubefedctl and types enabled at run time have it): both must give the
// paths of the table.
func TestObjectAndDrift(t *testing.T) {
	for _, tc := range drifttest.Cases(t) {
		t.Run(tc.Name, func(t *testing.T) {
			for _, target := range []client.Object{drifttest.Typed(t, tc.TargetObject()), tc.TargetObject()} {
				want, err := desired.Object(target, tc.OverrideItems(), drifttest.Cluster)
				if err != nil {
					t.Fatalf("%T: %v", target, err)
				}
				for _, member := range []client.Object{drifttest.Typed(t, tc.MemberObject()), tc.MemberObject()} {
					diffs, err := drift.Diff(want, member)
					if err != nil {
						t.Fatal(err)
					}
					if !slices.Equal(drifttest.Paths(diffs), tc.Diff) {
						t.Errorf("desired %T, member %T: diff %v, want paths %v", target, member, diffs, tc.Diff)
					}
				}
			}
		})
	}
}

func TestObjectOverrideError(t *testing.T) {
	tc := drifttest.Cases(t)[0]
	tc.Overrides = []fedv1beta1.ClusterOverride{{Path: "/data/k", Value: &apiextensionsv1.JSON{Raw: []byte(`3`)}}}
	if _, err := desired.Object(drifttest.Typed(t, tc.TargetObject()), tc.OverrideItems(), drifttest.Cluster); err == nil {
		t.Error("want an error for a number where a ConfigMap holds strings")
	}
}
