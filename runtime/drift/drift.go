package drift

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// Difference is one place where the member does not hold the desired value.
type Difference struct {
	// Path is a JSON pointer (RFC 6901) into the object, e.g. /spec/replicas.
	Path string `json:"path"`
	// Desired is the value the federated object wants there.
	Desired any `json:"desired"`
	// Actual is the member's value, nil when Missing.
	Actual any `json:"actual,omitempty"`
	// Missing says the member has no value at Path at all.
	Missing bool `json:"missing,omitempty"`
}

// Diff lists where actual does not hold desired, sorted by path; none means in
// sync. desired is a typed object or an *unstructured.Unstructured; actual is
// what the member cluster returned, of either kind.
func Diff(desired, actual runtime.Object) ([]Difference, error) {
	want, err := setFields(desired)
	if err != nil {
		return nil, fmt.Errorf("desired object: %w", err)
	}
	have, err := content(actual)
	if err != nil {
		return nil, fmt.Errorf("member object: %w", err)
	}
	var out []Difference
	compare("", onlyPropagated(want), onlyPropagated(have), true, &out)
	slices.SortStableFunc(out, func(a, b Difference) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}

// InSync says whether actual holds everything desired sets.
func InSync(desired, actual runtime.Object) (bool, error) {
	diffs, err := Diff(desired, actual)
	return len(diffs) == 0, err
}

func content(obj runtime.Object) (map[string]any, error) {
	if u, ok := obj.(*unstructured.Unstructured); ok {
		return u.Object, nil
	}
	return runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
}

// onlyPropagated keeps what propagation writes: everything but the type, the
// status and metadata other than labels and annotations.
func onlyPropagated(obj map[string]any) map[string]any {
	out := make(map[string]any, len(obj))
	for k, v := range obj {
		switch k {
		case "apiVersion", "kind", "status":
		case "metadata":
			md, _ := v.(map[string]any)
			kept := map[string]any{}
			for _, f := range []string{"labels", "annotations"} {
				if v, ok := md[f]; ok {
					kept[f] = v
				}
			}
			out[k] = kept
		default:
			out[k] = v
		}
	}
	return out
}

func compare(path string, want, have any, present bool, out *[]Difference) {
	if isEmpty(want) {
		return
	}
	if !present || have == nil {
		if !isZeroScalar(want) {
			*out = append(*out, Difference{Path: orRoot(path), Desired: want, Missing: true})
		}
		return
	}
	switch w := want.(type) {
	case map[string]any:
		h, ok := have.(map[string]any)
		if !ok {
			*out = append(*out, Difference{Path: orRoot(path), Desired: want, Actual: have})
			return
		}
		for k, v := range w {
			hv, ok := h[k]
			compare(path+"/"+escape(k), v, hv, ok, out)
		}
	case []any:
		h, ok := have.([]any)
		if !ok {
			*out = append(*out, Difference{Path: orRoot(path), Desired: want, Actual: have})
			return
		}
		for i, v := range w {
			item := path + "/" + strconv.Itoa(i)
			if i >= len(h) {
				*out = append(*out, Difference{Path: item, Desired: v, Missing: true})
				continue
			}
			compare(item, v, h[i], true, out)
		}
	default:
		if !scalarEqual(want, have) {
			*out = append(*out, Difference{Path: orRoot(path), Desired: want, Actual: have})
		}
	}
}

// isEmpty is a value the template leaves empty: never compared.
func isEmpty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case map[string]any:
		return len(v) == 0
	case []any:
		return len(v) == 0
	}
	return false
}

func isZeroScalar(v any) bool {
	if b, ok := v.(bool); ok {
		return !b
	}
	f, ok := number(v)
	return ok && f == 0
}

func scalarEqual(want, have any) bool {
	if reflect.DeepEqual(want, have) {
		return true
	}
	if wf, ok := number(want); ok {
		hf, ok := number(have)
		return ok && wf == hf
	}
	hs, ok := have.(string)
	if !ok {
		return false
	}
	switch w := want.(type) {
	case resource.Quantity:
		hq, err := resource.ParseQuantity(hs)
		return err == nil && w.Cmp(hq) == 0
	case string:
		// The API server stores quantities canonically (1000m comes back as 1);
		// a string is taken for a quantity only when the member holds exactly
		// its canonical form.
		wq, err := resource.ParseQuantity(w)
		return err == nil && wq.String() == hs
	}
	return false
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case float32:
		return float64(n), true
	case float64:
		return n, true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

func orRoot(path string) string {
	if path == "" {
		return "/"
	}
	return path
}

// escape escapes a key for a JSON pointer (RFC 6901).
func escape(k string) string {
	return strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
}
