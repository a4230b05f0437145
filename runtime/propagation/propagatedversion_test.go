package propagation

import (
	"crypto/md5" //nolint:gosec // KubeFed's version format
	"encoding/hex"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
)

// KubeFed hashed the JSON of an unstructured object as json.Encoder writes it,
// keys sorted and a newline at the end.
func sum(json string) string {
	s := md5.Sum([]byte(json + "\n")) //nolint:gosec // see the import
	return hex.EncodeToString(s[:])
}

func TestTemplateVersion(t *testing.T) {
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedConfigMap",
		"metadata": map[string]any{"name": "settings", "namespace": "shop"},
		"spec": map[string]any{
			"template":  map[string]any{"data": map[string]any{"color": "blue", "a": "1"}, "metadata": map[string]any{"labels": map[string]any{"app": "shop"}}},
			"placement": map[string]any{"clusters": []any{map[string]any{"name": "member1"}}},
		},
	}}
	got, err := TemplateVersion(obj)
	if want := sum(`{"data":{"a":"1","color":"blue"},"metadata":{"labels":{"app":"shop"}}}`); err != nil || got != want {
		t.Errorf("template version %q, %v; want %q", got, err, want)
	}
	unstructured.RemoveNestedField(obj.Object, "spec", "template")
	if got, err := TemplateVersion(obj); err != nil || got != "" {
		t.Errorf("without a template: %q, %v; want empty", got, err)
	}
}

func TestOverrideVersion(t *testing.T) {
	overrides := []fedv1beta1.GenericOverrideItem{{ClusterName: "member1", ClusterOverrides: []fedv1beta1.ClusterOverride{
		{Path: "/data/color", Value: &apiextensionsv1.JSON{Raw: []byte(`"red"`)}},
		{Op: fedv1beta1.OverrideRemove, Path: "/data/a"},
		{Path: "/spec/replicas", Value: &apiextensionsv1.JSON{Raw: []byte(`{"b": 2, "a": 1}`)}},
	}}}
	for _, tc := range []struct {
		name      string
		overrides []fedv1beta1.GenericOverrideItem
		want      string
	}{
		// KubeFed's GenericOverrideItem: op left out when empty, values re-encoded.
		{"overrides", overrides, sum(`{"overrides":[{"clusterName":"member1","clusterOverrides":[{"path":"/data/color","value":"red"},{"op":"remove","path":"/data/a"},{"path":"/spec/replicas","value":{"a":1,"b":2}}]}]}`)},
		{"none", nil, sum(`{"overrides":null}`)},
		{"an empty list", []fedv1beta1.GenericOverrideItem{}, sum(`{"overrides":[]}`)},
	} {
		if got, err := OverrideVersion(tc.overrides); err != nil || got != tc.want {
			t.Errorf("%s: %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
}
