package override

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	fedv1b1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
)

// FuzzApply applies up to two fuzzed overrides (op, path, JSON value; an empty value
// means none; all three empty means no override) to a typed Deployment and to the same Deployment as unstructured content.
// Whatever the input, Apply must not panic and must return either an error, leaving
// the object as it was, or a result that keeps the object's identity; the same
// overrides on an equal object give the same outcome, and the overrides themselves
// are never changed. The seed corpus is in testdata/fuzz/FuzzApply.
func FuzzApply(f *testing.F) {
	f.Fuzz(func(t *testing.T, op1, path1, value1, op2, path2, value2 string) {
		var overrides []fedv1b1.ClusterOverride
		for _, o := range [][3]string{{op1, path1, value1}, {op2, path2, value2}} {
			if o != [3]string{} { // all empty: no override, so one override is tried too
				overrides = append(overrides, fuzzOverride(o[0], o[1], o[2]))
			}
		}
		kept := deepCopyOverrides(overrides)

		typedErr := checkApply(t, func() runtime.Object { return deployment() }, overrides)
		unstructuredErr := checkApply(t, unstructuredDeployment, overrides)
		if !reflect.DeepEqual(overrides, kept) {
			t.Fatalf("Apply changed its overrides: %+v, were %+v", overrides, kept)
		}
		// The typed object is the stricter one: what it accepts, unstructured content
		// of the same kind accepts too.
		if typedErr == nil && unstructuredErr != nil {
			t.Fatalf("accepted for the typed Deployment, refused for the unstructured one: %v", unstructuredErr)
		}
	})
}

// checkApply applies overrides to two equal objects from fresh, checks the
// properties above and returns Apply's error.
func checkApply(t *testing.T, fresh func() runtime.Object, overrides []fedv1b1.ClusterOverride) error {
	t.Helper()
	first, second := fresh(), fresh()
	err := Apply(first, overrides)
	err2 := Apply(second, overrides)
	if fmt.Sprint(err) != fmt.Sprint(err2) {
		t.Fatalf("%T: the same overrides failed differently: %v, then %v", first, err, err2)
	}
	if !reflect.DeepEqual(first, second) {
		t.Fatalf("%T: the same overrides gave different results:\n%s\n%s", first, jsonOf(t, first), jsonOf(t, second))
	}
	if err != nil {
		if err.Error() == "" {
			t.Fatalf("%T: empty error", first)
		}
		if want := fresh(); !reflect.DeepEqual(first, want) {
			t.Fatalf("%T: failed (%v) but changed the object:\n%s\nwas\n%s", first, err, jsonOf(t, first), jsonOf(t, want))
		}
		return err
	}
	// Name, namespace and type stay those of the federated object.
	meta, want := first.(interface {
		GetName() string
		GetNamespace() string
	}), deployment()
	if meta.GetName() != want.Name || meta.GetNamespace() != want.Namespace {
		t.Fatalf("%T: overrides changed the object's identity to %s/%s", first, meta.GetNamespace(), meta.GetName())
	}
	if gvk := first.GetObjectKind().GroupVersionKind(); gvk != want.GroupVersionKind() {
		t.Fatalf("%T: overrides changed the object's kind to %v", first, gvk)
	}
	jsonOf(t, first) // the result encodes
	return nil
}

func fuzzOverride(op, path, value string) fedv1b1.ClusterOverride {
	o := fedv1b1.ClusterOverride{Op: fedv1b1.OverrideOp(op), Path: path}
	if value != "" {
		o.Value = &apiextensionsv1.JSON{Raw: []byte(value)}
	}
	return o
}

func deepCopyOverrides(in []fedv1b1.ClusterOverride) []fedv1b1.ClusterOverride {
	out := make([]fedv1b1.ClusterOverride, len(in))
	for i := range in {
		in[i].DeepCopyInto(&out[i])
	}
	return out
}

// unstructuredDeployment is deployment() as unstructured content, as the runtime
// holds types it was not compiled with.
func unstructuredDeployment() runtime.Object {
	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(deployment())
	if err != nil {
		panic(err)
	}
	return &unstructured.Unstructured{Object: content}
}

func jsonOf(t *testing.T, obj runtime.Object) []byte {
	t.Helper()
	data, err := json.Marshal(obj)
	if err != nil {
		t.Fatalf("%T does not encode: %v", obj, err)
	}
	return bytes.TrimSpace(data)
}
