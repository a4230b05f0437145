package apitypes

import (
	"fmt"

	"github.com/dave/jennifer/jen"
	"k8s.io/gengo/v2/types"
)

// typeCode renders a gengo type as a Go type expression: named types by their
// package-qualified name, composite types element by element.
func typeCode(t *types.Type) (jen.Code, error) {
	if t.Name.Package != "" {
		return jen.Qual(t.Name.Package, t.Name.Name), nil
	}
	switch t.Kind {
	case types.Builtin:
		return jen.Id(t.Name.Name), nil
	case types.Pointer:
		elem, err := typeCode(t.Elem)
		return jen.Op("*").Add(elem), err
	case types.Slice:
		elem, err := typeCode(t.Elem)
		return jen.Index().Add(elem), err
	case types.Array:
		elem, err := typeCode(t.Elem)
		return jen.Index(jen.Lit(int(t.Len))).Add(elem), err
	case types.Map:
		key, err := typeCode(t.Key)
		if err != nil {
			return nil, err
		}
		elem, err := typeCode(t.Elem)
		return jen.Map(key).Add(elem), err
	}
	return nil, fmt.Errorf("type %s (a %s) cannot be used in a template; give it a name in its own package", t.Name, t.Kind)
}
