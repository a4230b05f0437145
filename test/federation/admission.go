package federation

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/fedtype"
)

// installAdmission installs the default manager's generated admission policy
// (config/admission), which puts the sync finalizer on new federated objects, as
// it would be generated for types: the policy of a manager built with them. It
// returns once the API server applies it.
func installAdmission(t testing.TB, host client.Client, types []fedtype.Descriptor) {
	t.Helper()
	var plurals []string
	var probe fedtype.Info
	for _, typ := range types {
		info := typ.TypeInfo()
		plurals = append(plurals, info.Federated.Plural)
		if info.Target.Namespaced && probe.Federated.Plural == "" {
			probe = info
		}
	}
	if len(plurals) == 0 {
		return
	}
	files, err := filepath.Glob(filepath.Join("..", "..", "cmd", "controller-manager", "config", "admission", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, file := range files {
		obj := readManifest(t, file)
		if obj == nil {
			continue
		}
		if obj.GetKind() == "MutatingAdmissionPolicy" {
			rules, _, _ := unstructured.NestedSlice(obj.Object, "spec", "matchConstraints", "resourceRules")
			if len(rules) != 1 {
				t.Fatalf("%s: %d resource rules, want 1", file, len(rules))
			}
			if err := unstructured.SetNestedStringSlice(rules[0].(map[string]any), plurals, "resources"); err != nil {
				t.Fatal(err)
			}
			if err := unstructured.SetNestedSlice(obj.Object, rules, "spec", "matchConstraints", "resourceRules"); err != nil {
				t.Fatal(err)
			}
		}
		if err := host.Create(ctx, obj); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
	}
	if probe.Federated.Plural == "" {
		return
	}
	// The API server loads policies asynchronously; a dry run shows when it
	// applies this one.
	fed := &unstructured.Unstructured{}
	fed.SetGroupVersionKind(probe.Federated.GroupVersionKind)
	eventually(t, "admission policy in effect", func(ctx context.Context) error {
		obj := fed.DeepCopy()
		obj.SetNamespace(KubefedNamespace)
		obj.SetName("admission-probe")
		if err := host.Create(ctx, obj, client.DryRunAll); err != nil {
			return err
		}
		if !slices.Contains(obj.GetFinalizers(), fedv1beta1.SyncFinalizer) {
			return fmt.Errorf("a new %s has finalizers %v", probe.Federated.Kind, obj.GetFinalizers())
		}
		return nil
	})
}
