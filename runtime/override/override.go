package override

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	kjson "sigs.k8s.io/json"

	fedv1b1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
)

// For returns the overrides of one cluster from the federated object's overrides (nil if none).
// KubeFed rejected an object naming a cluster twice; with no error to return, For
// returns the overrides of every entry for the cluster, in order, rather than
// silently dropping some. The result may share memory with items.
func For(items []fedv1b1.GenericOverrideItem, cluster string) []fedv1b1.ClusterOverride {
	var out []fedv1b1.ClusterOverride
	for _, item := range items {
		if item.ClusterName != cluster {
			continue
		}
		if out == nil {
			out = item.ClusterOverrides
			continue
		}
		out = slices.Concat(out, item.ClusterOverrides) // a new slice: items stay untouched
	}
	return out
}

// Apply applies the overrides in order to obj, a pointer to a typed object such as
// *appsv1.Deployment, in place.
//
// Paths are RFC 6901 JSON pointers and ops work as in RFC 6902 JSON patch (add,
// remove, replace; an empty op is replace; "-" appends on add), except, as in KubeFed,
// that replace sets a missing key and add creates missing intermediate objects (an
// array when the next token is "-", so appending to an absent list works).
// Removing what does not exist is an error. Under /metadata only labels and
// annotations may be overridden: name, namespace, apiVersion and kind must stay those
// of the federated object.
//
// Each override must leave an object that decodes strictly into obj's type (no
// unknown fields, no wrong types), so that the error names the override at fault. On
// error obj is unchanged and the error reads "override <index> (<op> <path>): <why>",
// with the index counted from 0 as in spec.overrides[].clusterOverrides[].
func Apply(obj runtime.Object, overrides []fedv1b1.ClusterOverride) error {
	if len(overrides) == 0 {
		return nil
	}
	target := reflect.ValueOf(obj)
	if target.Kind() != reflect.Pointer || target.IsNil() || target.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("apply overrides: want a non-nil pointer to a struct, got %T", obj)
	}
	doc, err := document(obj)
	if err != nil {
		return fmt.Errorf("apply overrides: convert %s: %w", kindOf(obj), err)
	}
	var result reflect.Value
	for i, o := range overrides {
		op := o.Op
		if op == "" {
			op = fedv1b1.OverrideReplace
		}
		if result, err = applyOne(doc, op, o.Path, o.Value, obj); err != nil {
			return fmt.Errorf("override %d (%s %s): %w", i, op, o.Path, err)
		}
	}
	target.Elem().Set(result.Elem())
	return nil
}

// document returns obj as a JSON document of its own, which the overrides change in
// place. The unstructured converter hands out an unstructured object's own content
// rather than a copy, so that is copied here: a failing override must leave obj
// unchanged. A JSON round trip copies any content that encodes (runtime.DeepCopyJSON
// would panic on a Go int, which hand-built content often holds).
func document(obj runtime.Object) (map[string]any, error) {
	u, ok := obj.(runtime.Unstructured)
	if !ok {
		return runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	}
	data, err := json.Marshal(u.UnstructuredContent())
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := utiljson.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc == nil {
		doc = map[string]any{}
	}
	return doc, nil
}

// applyOne changes doc by one override and returns doc decoded into a new object of
// obj's type.
func applyOne(doc map[string]any, op fedv1b1.OverrideOp, path string, value *apiextensionsv1.JSON, obj runtime.Object) (reflect.Value, error) {
	var none reflect.Value
	switch op {
	case fedv1b1.OverrideAdd, fedv1b1.OverrideReplace, fedv1b1.OverrideRemove:
	default:
		return none, fmt.Errorf("op %q is not supported: use add, remove or replace", op)
	}
	tokens, err := parsePointer(path)
	if err != nil {
		return none, err
	}
	if err := checkAllowed(tokens); err != nil {
		return none, err
	}
	o := operation{op: op, tokens: tokens}
	if op != fedv1b1.OverrideRemove {
		if o.value, err = decodeValue(value); err != nil {
			return none, err
		}
	}
	if _, err := o.applyAt(doc, 0); err != nil {
		return none, err
	}
	return decodeStrict(doc, obj)
}

// checkAllowed refuses paths that change what the object is rather than how it is
// configured: every member cluster must get the federated object's own name,
// namespace and type, or the controller would lose track of what it created.
func checkAllowed(tokens []string) error {
	switch tokens[0] {
	case "apiVersion", "kind":
		return fmt.Errorf("%s cannot be overridden", tokens[0])
	case "metadata":
		if len(tokens) > 1 && (tokens[1] == "labels" || tokens[1] == "annotations") {
			return nil
		}
		return fmt.Errorf("only labels and annotations can be overridden under /metadata")
	}
	return nil
}

// decodeValue decodes an override's value the way Kubernetes decodes unstructured
// objects: integers as int64, so that e.g. replicas stays an integer.
func decodeValue(v *apiextensionsv1.JSON) (any, error) {
	if v == nil || len(v.Raw) == 0 {
		return nil, fmt.Errorf("a value is required")
	}
	var out any
	if err := utiljson.Unmarshal(v.Raw, &out); err != nil {
		return nil, fmt.Errorf("value is not valid JSON: %w", err)
	}
	return out, nil
}

// decodeStrict decodes doc into a new object of obj's type with the same strict JSON
// decoder the API server uses, whose errors name the offending field path (the
// unstructured converter's type errors do not).
func decodeStrict(doc map[string]any, obj runtime.Object) (reflect.Value, error) {
	fresh := reflect.New(reflect.TypeOf(obj).Elem())
	data, err := json.Marshal(doc)
	if err != nil {
		return reflect.Value{}, err
	}
	strictErrs, err := kjson.UnmarshalStrict(data, fresh.Interface(), kjson.DisallowUnknownFields)
	if err == nil && len(strictErrs) > 0 {
		msgs := make([]string, len(strictErrs))
		for i, e := range strictErrs {
			msgs[i] = e.Error()
		}
		err = errors.New(strings.Join(msgs, ", "))
	}
	if err != nil {
		return reflect.Value{}, fmt.Errorf("result is not a valid %s: %w", kindOf(obj), err)
	}
	return fresh, nil
}

// kindOf names obj's type for errors: its API version and kind when set (typed
// objects often leave TypeMeta empty), else its Go type.
func kindOf(obj runtime.Object) string {
	if gvk := obj.GetObjectKind().GroupVersionKind(); gvk.Kind != "" {
		return gvk.GroupVersion().String() + " " + gvk.Kind
	}
	t := reflect.TypeOf(obj).Elem()
	return t.PkgPath() + "." + t.Name()
}
