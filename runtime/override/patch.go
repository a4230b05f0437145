package override

import (
	"fmt"
	"slices"

	fedv1b1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
)

// operation is one override ready to apply to an unstructured document.
type operation struct {
	op     fedv1b1.OverrideOp // never empty: Apply turns "" into replace
	tokens []string
	value  any
}

// applyAt applies o to node, the value at o.tokens[:depth], and returns node as
// changed. Maps change in place; an array may be reallocated, so the caller stores
// the returned value in the parent.
func (o operation) applyAt(node any, depth int) (any, error) {
	key, last := o.tokens[depth], depth == len(o.tokens)-1
	switch n := node.(type) {
	case map[string]any:
		child, exists := n[key]
		if last {
			if o.op == fedv1b1.OverrideRemove {
				if !exists {
					return nil, fmt.Errorf("%s does not exist", pointer(o.tokens))
				}
				delete(n, key)
				return n, nil
			}
			// Unlike RFC 6902, replace sets a missing key: KubeFed users replace
			// optional fields (e.g. /spec/replicas) that the template leaves out.
			n[key] = o.value
			return n, nil
		}
		if child == nil { // missing, or null as the converter writes unset pointers
			if o.op != fedv1b1.OverrideAdd {
				return nil, fmt.Errorf("%s does not exist", pointer(o.tokens[:depth+1]))
			}
			child = newContainer(o.tokens[depth+1])
		}
		changed, err := o.applyAt(child, depth+1)
		if err != nil {
			return nil, err
		}
		n[key] = changed
		return n, nil
	case []any:
		i, err := arrayIndex(key, len(n), o.op == fedv1b1.OverrideAdd && last)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", pointer(o.tokens[:depth+1]), err)
		}
		if !last {
			changed, err := o.applyAt(n[i], depth+1)
			if err != nil {
				return nil, err
			}
			n[i] = changed
			return n, nil
		}
		switch o.op {
		case fedv1b1.OverrideAdd:
			return slices.Insert(n, i, o.value), nil
		case fedv1b1.OverrideRemove:
			return slices.Delete(n, i, i+1), nil
		default:
			n[i] = o.value
			return n, nil
		}
	default:
		return nil, fmt.Errorf("%s is %s, which has no fields or items", pointer(o.tokens[:depth]), describe(node))
	}
}

// newContainer is what add creates for a missing intermediate: an array when the
// next token appends ("-"), so that adding to an absent list (for example a
// container's args) works; otherwise an object.
func newContainer(next string) any {
	if next == "-" {
		return []any{}
	}
	return map[string]any{}
}

func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	default:
		return "a number"
	}
}
