package override

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	fedv1b1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
)

// ov builds an override; an empty value means none.
func ov(op fedv1b1.OverrideOp, path, value string) fedv1b1.ClusterOverride {
	o := fedv1b1.ClusterOverride{Op: op, Path: path}
	if value != "" {
		o.Value = &apiextensionsv1.JSON{Raw: []byte(value)}
	}
	return o
}

func replicas(n int32) *int32 { return &n }

// deployment is a typical template; each change adjusts a copy of it.
func deployment(changes ...func(*appsv1.Deployment)) *appsv1.Deployment {
	d := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "demo", Labels: map[string]string{"app": "web"}},
		Spec: appsv1.DeploymentSpec{
			Replicas: replicas(2),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}},
				Spec: corev1.PodSpec{Containers: []corev1.Container{
					{Name: "web", Image: "nginx:1.0", Args: []string{"--port=80"}},
				}},
			},
		},
	}
	for _, change := range changes {
		change(d)
	}
	return d
}

func configMap(data map[string]string) *corev1.ConfigMap {
	// No TypeMeta, as typed clients usually return: errors then name the Go type.
	return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cfg", Namespace: "demo"}, Data: data}
}

func TestApply(t *testing.T) {
	const (
		add     = fedv1b1.OverrideAdd
		remove  = fedv1b1.OverrideRemove
		replace = fedv1b1.OverrideReplace
	)
	tests := []struct {
		name      string
		obj       runtime.Object
		overrides []fedv1b1.ClusterOverride
		want      runtime.Object // obj afterwards, when no error is expected
		wantErr   string         // a part of the expected error
	}{
		{
			name:      "no overrides leave the object alone",
			obj:       deployment(),
			overrides: nil,
			want:      deployment(),
		},
		{
			name:      "replace set replicas",
			obj:       deployment(),
			overrides: []fedv1b1.ClusterOverride{ov(replace, "/spec/replicas", "5")},
			want:      deployment(func(d *appsv1.Deployment) { d.Spec.Replicas = replicas(5) }),
		},
		{
			name:      "replace replicas left out of the template sets them",
			obj:       deployment(func(d *appsv1.Deployment) { d.Spec.Replicas = nil }),
			overrides: []fedv1b1.ClusterOverride{ov(replace, "/spec/replicas", "3")},
			want:      deployment(func(d *appsv1.Deployment) { d.Spec.Replicas = replicas(3) }),
		},
		{
			name:      "empty op is replace",
			obj:       deployment(),
			overrides: []fedv1b1.ClusterOverride{ov("", "/spec/replicas", "7")},
			want:      deployment(func(d *appsv1.Deployment) { d.Spec.Replicas = replicas(7) }),
		},
		{
			name:      "a whole float fits an integer field",
			obj:       deployment(),
			overrides: []fedv1b1.ClusterOverride{ov(replace, "/spec/replicas", "4.0")},
			want:      deployment(func(d *appsv1.Deployment) { d.Spec.Replicas = replicas(4) }),
		},
		{
			name:      "replace container image",
			obj:       deployment(),
			overrides: []fedv1b1.ClusterOverride{ov(replace, "/spec/template/spec/containers/0/image", `"nginx:2.0"`)},
			want: deployment(func(d *appsv1.Deployment) {
				d.Spec.Template.Spec.Containers[0].Image = "nginx:2.0"
			}),
		},
		{
			name:      "add annotation when there are none",
			obj:       deployment(),
			overrides: []fedv1b1.ClusterOverride{ov(add, "/metadata/annotations/foo", `"bar"`)},
			want: deployment(func(d *appsv1.Deployment) {
				d.Annotations = map[string]string{"foo": "bar"}
			}),
		},
		{
			name: "remove annotation",
			obj: deployment(func(d *appsv1.Deployment) {
				d.Annotations = map[string]string{"foo": "bar", "keep": "me"}
			}),
			overrides: []fedv1b1.ClusterOverride{ov(remove, "/metadata/annotations/foo", "")},
			want: deployment(func(d *appsv1.Deployment) {
				d.Annotations = map[string]string{"keep": "me"}
			}),
		},
		{
			name:      "add label",
			obj:       deployment(),
			overrides: []fedv1b1.ClusterOverride{ov(add, "/metadata/labels/tier", `"edge"`)},
			want: deployment(func(d *appsv1.Deployment) {
				d.Labels = map[string]string{"app": "web", "tier": "edge"}
			}),
		},
		{
			name:      "replace all labels",
			obj:       deployment(),
			overrides: []fedv1b1.ClusterOverride{ov(replace, "/metadata/labels", `{"team":"a"}`)},
			want: deployment(func(d *appsv1.Deployment) {
				d.Labels = map[string]string{"team": "a"}
			}),
		},
		{
			name:      "~1 escapes a slash in an annotation key",
			obj:       deployment(),
			overrides: []fedv1b1.ClusterOverride{ov(add, "/metadata/annotations/example.com~1team", `"blue"`)},
			want: deployment(func(d *appsv1.Deployment) {
				d.Annotations = map[string]string{"example.com/team": "blue"}
			}),
		},
		{
			name:      "~0 escapes a tilde and is decoded after ~1",
			obj:       deployment(),
			overrides: []fedv1b1.ClusterOverride{ov(add, "/metadata/annotations/a~01", `"x"`)},
			want: deployment(func(d *appsv1.Deployment) {
				d.Annotations = map[string]string{"a~1": "x"}
			}),
		},
		{
			name:      "add with - appends to args",
			obj:       deployment(),
			overrides: []fedv1b1.ClusterOverride{ov(add, "/spec/template/spec/containers/0/args/-", `"--debug"`)},
			want: deployment(func(d *appsv1.Deployment) {
				d.Spec.Template.Spec.Containers[0].Args = []string{"--port=80", "--debug"}
			}),
		},
		{
			name:      "add at an index inserts",
			obj:       deployment(),
			overrides: []fedv1b1.ClusterOverride{ov(add, "/spec/template/spec/containers/0/args/0", `"--first"`)},
			want: deployment(func(d *appsv1.Deployment) {
				d.Spec.Template.Spec.Containers[0].Args = []string{"--first", "--port=80"}
			}),
		},
		{
			name:      "add with - creates a missing list",
			obj:       deployment(),
			overrides: []fedv1b1.ClusterOverride{ov(add, "/spec/template/spec/containers/0/env/-", `{"name":"MODE","value":"edge"}`)},
			want: deployment(func(d *appsv1.Deployment) {
				d.Spec.Template.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "MODE", Value: "edge"}}
			}),
		},
		{
			name:      "add creates a missing intermediate object",
			obj:       deployment(),
			overrides: []fedv1b1.ClusterOverride{ov(add, "/spec/template/spec/nodeSelector/zone", `"a"`)},
			want: deployment(func(d *appsv1.Deployment) {
				d.Spec.Template.Spec.NodeSelector = map[string]string{"zone": "a"}
			}),
		},
		{
			name:      "remove an array item",
			obj:       deployment(),
			overrides: []fedv1b1.ClusterOverride{ov(remove, "/spec/template/spec/containers/0/args/0", "")},
			want: deployment(func(d *appsv1.Deployment) {
				d.Spec.Template.Spec.Containers[0].Args = []string{}
			}),
		},
		{
			name: "overrides apply in order",
			obj:  deployment(),
			overrides: []fedv1b1.ClusterOverride{
				ov(add, "/metadata/annotations/a", `"1"`),
				ov(replace, "/metadata/annotations/a", `"2"`),
				ov(add, "/metadata/annotations/b", `"3"`),
				ov(remove, "/metadata/annotations/b", ""),
			},
			want: deployment(func(d *appsv1.Deployment) {
				d.Annotations = map[string]string{"a": "2"}
			}),
		},
		{
			name:      "config map data key",
			obj:       configMap(map[string]string{"key": "old"}),
			overrides: []fedv1b1.ClusterOverride{ov(replace, "/data/key", `"new"`)},
			want:      configMap(map[string]string{"key": "new"}),
		},
		{
			name:      "config map without data",
			obj:       configMap(nil),
			overrides: []fedv1b1.ClusterOverride{ov(add, "/data/key", `"v"`)},
			want:      configMap(map[string]string{"key": "v"}),
		},

		// Errors.
		{
			name:      "unknown field",
			obj:       deployment(),
			overrides: []fedv1b1.ClusterOverride{ov(replace, "/spec/replicas", "1"), ov(add, "/metadata/labels/x", `"y"`), ov(replace, "/spec/replicass", "3")},
			wantErr:   `override 2 (replace /spec/replicass): result is not a valid apps/v1 Deployment: unknown field "spec.replicass"`,
		},
		{
			name:      "unknown field deep in a value",
			obj:       deployment(),
			overrides: []fedv1b1.ClusterOverride{ov(add, "/spec/template/spec/containers/-", `{"name":"b","imagee":"x"}`)},
			wantErr:   `unknown field "spec.template.spec.containers[1].imagee"`,
		},
		{
			name:      "unknown field names the Go type without TypeMeta",
			obj:       configMap(nil),
			overrides: []fedv1b1.ClusterOverride{ov(add, "/datas/key", `"v"`)},
			wantErr:   `override 0 (add /datas/key): result is not a valid k8s.io/api/core/v1.ConfigMap: unknown field "datas"`,
		},
		{
			name:      "wrong type for replicas",
			obj:       deployment(),
			overrides: []fedv1b1.ClusterOverride{ov(replace, "/spec/replicas", `"three"`)},
			wantErr:   "override 0 (replace /spec/replicas): result is not a valid apps/v1 Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32",
		},
		{
			name:      "fraction for replicas",
			obj:       deployment(),
			overrides: []fedv1b1.ClusterOverride{ov(replace, "/spec/replicas", "2.5")},
			wantErr:   "cannot unmarshal number 2.5 into Go struct field DeploymentSpec.spec.replicas of type int32",
		},
		{
			name:      "wrong type for a label",
			obj:       deployment(),
			overrides: []fedv1b1.ClusterOverride{ov(add, "/metadata/labels/n", "5")},
			wantErr:   "cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string",
		},
		{
			name:      "path without leading slash",
			obj:       deployment(),
			overrides: []fedv1b1.ClusterOverride{ov(replace, "spec/replicas", "1")},
			wantErr:   "override 0 (replace spec/replicas): path must start with /",
		},
		{
			name:      "empty path",
			obj:       deployment(),
			overrides: []fedv1b1.ClusterOverride{ov(replace, "", "{}")},
			wantErr:   "override 0 (replace ): path is empty",
		},
		{
			name:      "bad escape",
			obj:       deployment(),
			overrides: []fedv1b1.ClusterOverride{ov(add, "/metadata/annotations/a~2b", `"x"`)},
			wantErr:   `"a~2b" has a ~ that is not ~0 or ~1`,
		},
		{
			name:      "index that is not a number",
			obj:       deployment(),
			overrides: []fedv1b1.ClusterOverride{ov(replace, "/spec/template/spec/containers/first/image", `"x"`)},
			wantErr:   `/spec/template/spec/containers/first: "first" is not an array index`,
		},
		{
			name:      "index with a leading zero",
			obj:       deployment(),
			overrides: []fedv1b1.ClusterOverride{ov(replace, "/spec/template/spec/containers/00/image", `"x"`)},
			wantErr:   `"00" is not an array index`,
		},
		{
			name:      "index out of range",
			obj:       deployment(),
			overrides: []fedv1b1.ClusterOverride{ov(replace, "/spec/template/spec/containers/1/image", `"x"`)},
			wantErr:   "/spec/template/spec/containers/1: index 1 is out of range: the array has 1 items",
		},
		{
			name:      "add past the end",
			obj:       deployment(),
			overrides: []fedv1b1.ClusterOverride{ov(add, "/spec/template/spec/containers/0/args/2", `"x"`)},
			wantErr:   "index 2 is out of range",
		},
		{
			name:      "- with replace",
			obj:       deployment(),
			overrides: []fedv1b1.ClusterOverride{ov(replace, "/spec/template/spec/containers/0/args/-", `"x"`)},
			wantErr:   `"-" (past the end of the array) is only valid for add`,
		},
		{
			name:      "bad op",
			obj:       deployment(),
			overrides: []fedv1b1.ClusterOverride{ov("move", "/spec/replicas", "1")},
			wantErr:   `override 0 (move /spec/replicas): op "move" is not supported`,
		},
		{
			name:      "missing value",
			obj:       deployment(),
			overrides: []fedv1b1.ClusterOverride{ov(add, "/spec/replicas", "")},
			wantErr:   "a value is required",
		},
		{
			name:      "value that is not JSON",
			obj:       deployment(),
			overrides: []fedv1b1.ClusterOverride{ov(add, "/spec/replicas", "{")},
			wantErr:   "value is not valid JSON",
		},
		{
			name:      "remove a missing annotation",
			obj:       deployment(func(d *appsv1.Deployment) { d.Annotations = map[string]string{"a": "b"} }),
			overrides: []fedv1b1.ClusterOverride{ov(remove, "/metadata/annotations/foo", "")},
			wantErr:   "override 0 (remove /metadata/annotations/foo): /metadata/annotations/foo does not exist",
		},
		{
			name:      "remove under a missing object",
			obj:       deployment(),
			overrides: []fedv1b1.ClusterOverride{ov(remove, "/metadata/annotations/foo", "")},
			wantErr:   "/metadata/annotations does not exist",
		},
		{
			name:      "replace under a missing object",
			obj:       deployment(),
			overrides: []fedv1b1.ClusterOverride{ov(replace, "/spec/template/spec/nodeSelector/zone", `"a"`)},
			wantErr:   "/spec/template/spec/nodeSelector does not exist",
		},
		{
			name:      "path through a scalar",
			obj:       deployment(),
			overrides: []fedv1b1.ClusterOverride{ov(add, "/spec/replicas/value", "1")},
			wantErr:   "/spec/replicas is a number, which has no fields or items",
		},
		{
			name:      "metadata name is forbidden",
			obj:       deployment(),
			overrides: []fedv1b1.ClusterOverride{ov(replace, "/metadata/name", `"other"`)},
			wantErr:   "override 0 (replace /metadata/name): only labels and annotations can be overridden under /metadata",
		},
		{
			name:      "metadata namespace is forbidden",
			obj:       deployment(),
			overrides: []fedv1b1.ClusterOverride{ov(replace, "/metadata/namespace", `"other"`)},
			wantErr:   "only labels and annotations can be overridden under /metadata",
		},
		{
			name:      "whole metadata is forbidden",
			obj:       deployment(),
			overrides: []fedv1b1.ClusterOverride{ov(replace, "/metadata", `{}`)},
			wantErr:   "only labels and annotations can be overridden under /metadata",
		},
		{
			name:      "apiVersion is forbidden",
			obj:       deployment(),
			overrides: []fedv1b1.ClusterOverride{ov(replace, "/apiVersion", `"apps/v2"`)},
			wantErr:   "override 0 (replace /apiVersion): apiVersion cannot be overridden",
		},
		{
			name:      "kind is forbidden",
			obj:       deployment(),
			overrides: []fedv1b1.ClusterOverride{ov(replace, "/kind", `"StatefulSet"`)},
			wantErr:   "kind cannot be overridden",
		},
		{
			name: "a later failure discards earlier overrides",
			obj:  deployment(),
			overrides: []fedv1b1.ClusterOverride{
				ov(replace, "/spec/replicas", "9"),
				ov(remove, "/spec/paused", ""),
			},
			wantErr: "override 1 (remove /spec/paused): /spec/paused does not exist",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.obj.DeepCopyObject()
			err := Apply(tt.obj, tt.overrides)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Apply() error = %v\nwant it to contain %q", err, tt.wantErr)
				}
				if !reflect.DeepEqual(tt.obj, before) {
					t.Errorf("Apply() changed the object on error:\n got %s\nwant %s", toJSON(tt.obj), toJSON(before))
				}
				return
			}
			if err != nil {
				t.Fatalf("Apply() unexpected error: %v", err)
			}
			if !reflect.DeepEqual(tt.obj, tt.want) {
				t.Errorf("Apply() result:\n got %s\nwant %s", toJSON(tt.obj), toJSON(tt.want))
			}
		})
	}
}

func TestApplyRejectsNonPointer(t *testing.T) {
	var d *appsv1.Deployment
	err := Apply(d, []fedv1b1.ClusterOverride{ov(fedv1b1.OverrideReplace, "/spec/replicas", "1")})
	if err == nil || !strings.Contains(err.Error(), "non-nil pointer") {
		t.Fatalf("Apply(nil) error = %v, want a non-nil pointer error", err)
	}
}

func TestFor(t *testing.T) {
	a := []fedv1b1.ClusterOverride{ov(fedv1b1.OverrideReplace, "/spec/replicas", "1")}
	b := []fedv1b1.ClusterOverride{ov(fedv1b1.OverrideAdd, "/metadata/labels/x", `"y"`)}
	items := []fedv1b1.GenericOverrideItem{
		{ClusterName: "one", ClusterOverrides: a},
		{ClusterName: "two", ClusterOverrides: b},
		{ClusterName: "twice", ClusterOverrides: a},
		{ClusterName: "twice", ClusterOverrides: b},
	}
	tests := []struct {
		name    string
		items   []fedv1b1.GenericOverrideItem
		cluster string
		want    []fedv1b1.ClusterOverride
	}{
		{name: "no items", items: nil, cluster: "one", want: nil},
		{name: "cluster without overrides", items: items, cluster: "three", want: nil},
		{name: "one entry", items: items, cluster: "two", want: b},
		{name: "entries for the same cluster join in order", items: items, cluster: "twice", want: append(append([]fedv1b1.ClusterOverride{}, a...), b...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := For(tt.items, tt.cluster); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("For(%q) = %v, want %v", tt.cluster, got, tt.want)
			}
		})
	}
	if len(a) != 1 || len(items[2].ClusterOverrides) != 1 {
		t.Errorf("For changed its input")
	}
}

func toJSON(obj runtime.Object) string {
	data, err := json.Marshal(obj)
	if err != nil {
		return err.Error()
	}
	return string(data)
}

// The unstructured converter returns an unstructured object's own map; a failing
// override used to change it anyway (found by FuzzApply).
func TestApplyLeavesUnstructuredUnchangedOnError(t *testing.T) {
	// With a Go int, as hand-built content holds, which Unstructured.DeepCopy refuses.
	content := func() map[string]any {
		return map[string]any{
			"apiVersion": "apps/v1", "kind": "Deployment",
			"metadata": map[string]any{"name": "web", "namespace": "demo"},
			"spec":     map[string]any{"replicas": 2},
		}
	}
	obj, before := &unstructured.Unstructured{Object: content()}, &unstructured.Unstructured{Object: content()}
	err := Apply(obj, []fedv1b1.ClusterOverride{
		ov(fedv1b1.OverrideReplace, "/spec/replicas", "5"),
		ov(fedv1b1.OverrideRemove, "/spec/paused", ""),
	})
	if err == nil || !strings.Contains(err.Error(), "override 1 (remove /spec/paused): /spec/paused does not exist") {
		t.Fatalf("got error %v", err)
	}
	if !reflect.DeepEqual(obj, before) {
		t.Errorf("a failed Apply changed the object to %v", obj.Object)
	}
	if err := Apply(obj, []fedv1b1.ClusterOverride{ov(fedv1b1.OverrideReplace, "/spec/replicas", "5")}); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := unstructured.NestedInt64(obj.Object, "spec", "replicas"); got != 5 {
		t.Errorf("replicas = %d, want 5", got)
	}
}
