package generator

import (
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"

	crdtarget "github.com/kubefed-gen/kubefed/generator/discover/crd"
	"github.com/kubefed-gen/kubefed/generator/model"
)

func TestGenerateRejectsBadOptions(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string
		// loads is set when Generate gets as far as loading Go packages.
		loads bool
	}{
		{"nothing to do", Options{OutputDir: "out"}, "nothing to federate", false},
		{"no output", Options{Types: []string{"configmaps"}}, "no output folder", false},
		{"outside module", Options{Types: []string{"configmaps"}, OutputDir: t.TempDir()}, "is outside any Go module", false},
		{"wrong go package", Options{Types: []string{"configmaps"}, OutputDir: "testdata/x", GoPackage: "example.com/x"}, "does not match the output folder", false},
		{"unknown type", Options{Types: []string{"deploymnets"}, OutputDir: "testdata/x"}, "did you mean deployments.apps", false},
		{"same kind twice", Options{Types: []string{"deployments.apps", "k8s.io/api/apps/v1.Deployment"}, OutputDir: "testdata/x"}, "both have kind Deployment", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.loads && testing.Short() {
				t.Skip("loads k8s.io/api/apps/v1 from source with go/packages; make test runs it")
			}
			err := Generate(tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestGoPackages(t *testing.T) {
	crds := []crdTypes{{file: "widgets.yaml", name: "widgets.example.com", Result: &crdtarget.Result{GoPackage: "example.com/m/targets/widgets/v1", Kind: "Widget"}}}
	got, err := goPackages(
		[]string{"deployments.apps", "k8s.io/api/apps/v1.DaemonSet", "configmaps", "cronjobs.batch/v1", "example.com/m/apis/v1.Gadget"},
		[]string{"example.com/m/apis/v1"}, crds)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"example.com/m/apis/v1", "example.com/m/targets/widgets/v1", "k8s.io/api/apps/v1", "k8s.io/api/batch/v1", "k8s.io/api/core/v1"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if _, err := goPackages([]string{"configmaps", "deploymnets"}, nil, nil); err == nil || !strings.Contains(err.Error(), "did you mean deployments.apps") {
		t.Errorf("an unknown name gives %v, want a suggestion", err)
	}
}

func TestSetHealthConditions(t *testing.T) {
	targets := func() []*model.Target {
		return []*model.Target{
			{GroupVersionKind: schema.GroupVersionKind{Group: "example.com", Version: "v1", Kind: "Widget"}, Plural: "widgets"},
			{GroupVersionKind: schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}, Plural: "configmaps"},
		}
	}
	ts := targets()
	if err := setHealthConditions(ts, map[string]string{"widgets.example.com": "Serving"}); err != nil {
		t.Fatal(err)
	}
	if ts[0].HealthCondition != "Serving" || ts[1].HealthCondition != "" {
		t.Errorf("health conditions %q, %q", ts[0].HealthCondition, ts[1].HealthCondition)
	}
	for _, tc := range []struct {
		byResource map[string]string
		want       string
	}{
		{map[string]string{"widgets": "Ready"}, "widgets is not a type of this set (widgets.example.com, configmaps)"},
		{map[string]string{"configmaps": "not ready"}, `"not ready" is not a condition type`},
		{map[string]string{"configmaps": ""}, `"" is not a condition type`},
	} {
		if err := setHealthConditions(targets(), tc.byResource); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.byResource, err, tc.want)
		}
	}
}
