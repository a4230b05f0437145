package drift

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

var (
	marshaler = reflect.TypeFor[json.Marshaler]()
	quantity  = reflect.TypeFor[resource.Quantity]()
)

// setFields returns the fields obj sets, as JSON values. For an unstructured
// object that is its content. For a typed one a field is set when it is a
// non-nil pointer, or a value other than its type's zero value: the JSON form of
// a typed object cannot tell a replicas pointer set to 0 from an unset int.
// Quantities stay resource.Quantity so that they are compared as quantities.
func setFields(obj runtime.Object) (map[string]any, error) {
	if u, ok := obj.(*unstructured.Unstructured); ok {
		return u.Object, nil
	}
	v, err := setValue(reflect.ValueOf(obj), false)
	if err != nil {
		return nil, err
	}
	m, _ := v.(map[string]any)
	return m, nil
}

// setValue converts v; pointed says v was reached through a non-nil pointer, so
// its zero value counts as set.
func setValue(v reflect.Value, pointed bool) (any, error) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil, nil
		}
		v, pointed = v.Elem(), true
	}
	if !pointed && v.IsZero() {
		return nil, nil
	}
	switch {
	case v.Type() == quantity:
		return v.Interface(), nil
	case v.Type().Implements(marshaler) || reflect.PointerTo(v.Type()).Implements(marshaler):
		return viaJSON(v)
	}
	switch v.Kind() {
	case reflect.Struct:
		out := map[string]any{}
		if err := setStruct(v, out); err != nil {
			return nil, err
		}
		return out, nil
	case reflect.Map:
		out := make(map[string]any, v.Len())
		for it := v.MapRange(); it.Next(); {
			item, err := setValue(it.Value(), true)
			if err != nil {
				return nil, err
			}
			out[fmt.Sprint(it.Key().Interface())] = item
		}
		return out, nil
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return viaJSON(v) // []byte is base64 in JSON
		}
		out := make([]any, v.Len())
		for i := range v.Len() {
			item, err := setValue(v.Index(i), true)
			if err != nil {
				return nil, err
			}
			out[i] = item
		}
		return out, nil
	case reflect.Bool:
		return v.Bool(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return int64(v.Uint()), nil
	case reflect.Float32, reflect.Float64:
		return v.Float(), nil
	case reflect.String:
		return v.String(), nil
	}
	return viaJSON(v)
}

// setStruct adds the set fields of struct v to out under their JSON names;
// inlined and embedded structs add theirs to out itself.
func setStruct(v reflect.Value, out map[string]any) error {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		fv := v.Field(i)
		if (f.Anonymous && name == "") || strings.Contains(opts, "inline") {
			for fv.Kind() == reflect.Pointer {
				if fv.IsNil() {
					break
				}
				fv = fv.Elem()
			}
			if fv.Kind() == reflect.Struct {
				if err := setStruct(fv, out); err != nil {
					return err
				}
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		item, err := setValue(fv, false)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if item != nil {
			out[name] = item
		}
	}
	return nil
}

func viaJSON(v reflect.Value) (any, error) {
	data, err := json.Marshal(v.Interface())
	if err != nil {
		return nil, err
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, err
	}
	return out, nil
}
