package discover

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"unicode"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/gengo/v2"
	"k8s.io/gengo/v2/parser"
	"k8s.io/gengo/v2/types"

	"github.com/kubefed-gen/kubefed/generator/model"
)

const (
	metav1Pkg = "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Loader reads Go packages with gengo into one universe, so that each package is
// parsed once per run however many targets it holds.
type Loader struct {
	parser   *parser.Parser
	universe types.Universe
	// loaded are the packages asked for, with every type. The universe also holds
	// the packages they import, but only with the types they use.
	loaded map[string]*types.Package
}

// NewLoader returns a Loader that resolves packages from the current directory's
// module, as go build would.
func NewLoader() *Loader {
	return &Loader{parser: parser.New(), universe: types.Universe{}, loaded: map[string]*types.Package{}}
}

// Load reads Go packages in one go/packages pass. Packages of one run share most
// of their imports (k8s.io/api/core/v1, apimachinery, the standard library), which
// a pass per package would parse and type-check again each time; call Load with
// every package first and the targets' own loads find them done. If the pass
// fails, those loads still work one package at a time and name the one that fails.
func (l *Loader) Load(pkgPaths ...string) error {
	if len(pkgPaths) == 0 {
		return nil
	}
	pkgs, err := l.parser.LoadPackagesTo(&l.universe, pkgPaths...)
	if err != nil {
		return fmt.Errorf("load Go packages %s: %w", strings.Join(pkgPaths, ", "), err)
	}
	for _, p := range pkgs {
		l.loaded[p.Path] = p
	}
	return nil
}

func (l *Loader) load(pkgPath string) (*types.Package, error) {
	pkg, ok := l.loaded[pkgPath]
	if !ok {
		pkgs, err := l.parser.LoadPackagesTo(&l.universe, pkgPath)
		if err != nil {
			return nil, fmt.Errorf("load Go package %s: %w", pkgPath, err)
		}
		if len(pkgs) > 0 {
			pkg = pkgs[0]
			l.loaded[pkgPath] = pkg
		}
	}
	if pkg == nil || len(pkg.Types) == 0 {
		return nil, fmt.Errorf("Go package %s has no types; is it in this module's dependencies (go get it)?", pkgPath)
	}
	return pkg, nil
}

// Builtin returns the target for a kubectl-style resource name of a built-in type.
func (l *Loader) Builtin(name string) (*model.Target, error) {
	b, err := ResolveBuiltin(name)
	if err != nil {
		return nil, err
	}
	return l.builtinTarget(b, fmt.Sprintf("--type %s", name))
}

func (l *Loader) builtinTarget(b builtin, source string) (*model.Target, error) {
	pkg, err := l.load(b.goPkg)
	if err != nil {
		return nil, err
	}
	t := pkg.Types[b.goName]
	if t == nil {
		return nil, fmt.Errorf("%s: type %s not found in %s", source, b.goName, b.goPkg)
	}
	tags := gengo.ExtractCommentTags("+", typeComments(t))
	_, clusterScoped := tags["genclient:nonNamespaced"]
	key := b.plural
	if b.gvk.Group != "" {
		key += "." + b.gvk.Group
	}
	return newTarget(t, b.gvk, b.plural, !clusterScoped, shortNames[key], source)
}

// GoType returns the target for a Go type named "import/path.Name". Built-in types of
// k8s.io/api keep their API group and version; other types need +groupName= in their
// package's doc.go.
func (l *Loader) GoType(ref string) (*model.Target, error) {
	i := strings.LastIndex(ref, ".")
	if i <= 0 || !strings.Contains(ref[:i], "/") {
		return nil, fmt.Errorf("go type %q: want import/path.TypeName, e.g. k8s.io/api/apps/v1.Deployment", ref)
	}
	pkgPath, name := ref[:i], ref[i+1:]
	if b, ok := builtinByGoType(pkgPath, name); ok {
		return l.builtinTarget(b, "--type "+ref)
	}
	pkg, err := l.load(pkgPath)
	if err != nil {
		return nil, err
	}
	t := pkg.Types[name]
	if t == nil {
		return nil, fmt.Errorf("go type %q: package %s has no type %s", ref, pkgPath, name)
	}
	marker, err := federateMarker(typeComments(t))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ref, err)
	}
	if marker == nil {
		marker = &Federate{}
	}
	return l.userTarget(pkg, t, marker, "--type "+ref)
}

// Package returns a target for every type in a Go package that carries the
// +kubefed:federate marker, sorted by name.
func (l *Loader) Package(pkgPath string) ([]*model.Target, error) {
	pkg, err := l.load(pkgPath)
	if err != nil {
		return nil, err
	}
	var out []*model.Target
	for _, name := range sortedKeys(pkg.Types) {
		t := pkg.Types[name]
		marker, err := federateMarker(typeComments(t))
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", pkgPath, name, err)
		}
		if marker == nil {
			continue
		}
		target, err := l.userTarget(pkg, t, marker, "--input-pkg "+pkgPath)
		if err != nil {
			return nil, err
		}
		out = append(out, target)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--input-pkg %s: no type carries the +%s marker", pkgPath, FederateMarker.Name)
	}
	return out, nil
}

func (l *Loader) userTarget(pkg *types.Package, t *types.Type, marker *Federate, source string) (*model.Target, error) {
	group, ok := gengo.ExtractCommentTags("+", pkg.Comments)["groupName"]
	if !ok || len(group) == 0 || group[0] == "" {
		return nil, fmt.Errorf("%s: package %s has no +groupName=<api group> comment in its doc.go; add one so the type's API group is known", source, pkg.Path)
	}
	gvk := schema.GroupVersionKind{Group: group[0], Version: pkg.Name, Kind: t.Name.Name}
	plural := marker.Plural
	if plural == "" {
		guessed, _ := meta.UnsafeGuessKindToResource(gvk)
		plural = guessed.Resource
	}
	tags := gengo.ExtractCommentTags("+", typeComments(t))
	_, nonNamespaced := tags["genclient:nonNamespaced"]
	namespaced := marker.Scope != "Cluster" && !nonNamespaced
	return newTarget(t, gvk, plural, namespaced, marker.ShortName, source)
}

// newTarget checks that t is a Kubernetes object and reads its template fields.
func newTarget(t *types.Type, gvk schema.GroupVersionKind, plural string, namespaced bool, shorts []string, source string) (*model.Target, error) {
	where := fmt.Sprintf("%s (Go type %s)", source, t.Name)
	if t.Kind != types.Struct {
		return nil, fmt.Errorf("%s: is a %s, not a struct; only struct types that embed metav1.ObjectMeta can be federated", where, t.Kind)
	}
	target := &model.Target{
		GroupVersionKind: gvk, Plural: plural, ShortNames: shorts, Namespaced: namespaced,
		GoPackage: t.Name.Package, GoName: t.Name.Name, Source: source,
	}
	hasObjectMeta := false
	for _, m := range t.Members {
		jsonName := strings.Split(reflectTag(m.Tags, "json"), ",")[0]
		switch {
		case m.Embedded && m.Type.Name == (types.Name{Package: metav1Pkg, Name: "ObjectMeta"}):
			hasObjectMeta = true
			continue
		case m.Embedded && m.Type.Name == (types.Name{Package: metav1Pkg, Name: "TypeMeta"}):
			continue
		case jsonName == "-" || !isExported(m.Name):
			continue // never serialised, so never part of the object
		case m.Name == "Status" || jsonName == "status":
			// Member clusters own status; it comes back typed as remote status.
			target.Status = statusType(m.Type, m.Name)
			continue
		}
		if err := checkFieldType(m.Type, m.Name, map[*types.Type]bool{}); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		f := model.Field{Type: m.Type, Comments: m.CommentLines}
		if !m.Embedded {
			f.Name = m.Name
		}
		if tag := reflectTag(m.Tags, "json"); tag != "" {
			f.Tag = tag
		}
		target.Fields = append(target.Fields, f)
		if m.Name == "Spec" {
			target.Scalable = hasReplicas(m.Type)
		}
	}
	if !hasObjectMeta {
		return nil, fmt.Errorf("%s: has no embedded metav1.ObjectMeta, so it is not a Kubernetes object and cannot be federated", where)
	}
	return target, nil
}

// checkFieldType rejects field types that have no JSON form and so no schema:
// channels, functions and interfaces, anywhere inside the field's type.
func checkFieldType(t *types.Type, path string, seen map[*types.Type]bool) error {
	if seen[t] {
		return nil
	}
	seen[t] = true
	switch t.Kind {
	case types.Chan, types.Func, types.Interface:
		return fmt.Errorf("field %s has type %s (a %s), which has no JSON form; federated fields must be data (structs, maps, slices, scalars)", path, t.Name, strings.ToLower(string(t.Kind)))
	case types.Pointer, types.Slice, types.Array:
		return checkFieldType(t.Elem, path, seen)
	case types.Map:
		return checkFieldType(t.Elem, path+"[]", seen)
	case types.Alias:
		return checkFieldType(t.Underlying, path, seen)
	case types.Struct:
		if t.Name.Name != "" && !isExported(t.Name.Name) {
			return fmt.Errorf("field %s has unexported type %s, which generated code in another package cannot name", path, t.Name)
		}
		for _, m := range t.Members {
			jsonName := strings.Split(reflectTag(m.Tags, "json"), ",")[0]
			if jsonName == "-" || !isExported(m.Name) {
				continue
			}
			if err := checkFieldType(m.Type, path+"."+m.Name, seen); err != nil {
				return err
			}
		}
	}
	return nil
}

// statusType is the type of a target's status field when generated code and
// schemas can name it: a named, exported struct (or a pointer to one) with a
// JSON form. Otherwise nil, and the status is collected untyped.
func statusType(t *types.Type, field string) *types.Type {
	if t.Kind == types.Pointer {
		t = t.Elem
	}
	if t.Kind != types.Struct || t.Name.Package == "" || !isExported(t.Name.Name) {
		return nil
	}
	if checkFieldType(t, field, map[*types.Type]bool{}) != nil {
		return nil
	}
	return t
}

func hasReplicas(spec *types.Type) bool {
	for spec.Kind == types.Pointer {
		spec = spec.Elem
	}
	for _, m := range spec.Members {
		if m.Name == "Replicas" {
			t := m.Type
			if t.Kind == types.Pointer {
				t = t.Elem
			}
			return t.Name.Name == "int32" || t.Name.Name == "int64" || t.Name.Name == "int"
		}
	}
	return false
}

// typeComments returns both comment blocks above a type: Kubernetes puts markers in
// a block of their own, separated from the doc comment by a blank line.
func typeComments(t *types.Type) []string {
	return append(slices.Clone(t.SecondClosestCommentLines), t.CommentLines...)
}

func isExported(name string) bool {
	return name != "" && unicode.IsUpper([]rune(name)[0])
}

// reflectTag returns the value of key in a struct tag string.
func reflectTag(tags, key string) string { return reflect.StructTag(tags).Get(key) }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
