package crd

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubefed-gen/kubefed/generator/emit"
)

const fuzzCRDName = "widgets.example.com"

// FuzzConvert turns a fuzzed OpenAPI schema (see schemaFrom) into the Go types of a
// CRD. Whatever the schema, conversion must not panic and must either fail with an
// error that names the CRD, or give files that emit.WriteGo formats and go/parser
// reads, that declare each name once, give each struct field and method a name of
// its own and refer only to types they declare or import. The seed corpus in
// testdata/fuzz/FuzzConvert holds the schemas of the small CRDs in testdata (the
// large real-world ones would slow fuzzing down; TestRoundTripRealCRDs covers them),
// schemas with text that Go source cannot hold as it is, and what fuzzing found.
func FuzzConvert(f *testing.F) {
	f.Fuzz(func(t *testing.T, schema []byte) {
		_, files, err := convert(fuzzCRD(schemaFrom(schema)), "example.com/fuzz/api/v1")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "CRD "+fuzzCRDName+": ") {
				t.Fatalf("the error does not name the CRD: %v", err)
			}
			return
		}
		dir := t.TempDir()
		fset := token.NewFileSet()
		var parsed []*ast.File
		for _, gf := range files {
			path := filepath.Join(dir, gf.name)
			if err := emit.WriteGo(gf.file, path); err != nil {
				t.Fatalf("%s cannot be written: %v", gf.name, err)
			}
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			file, err := parser.ParseFile(fset, gf.name, src, parser.ParseComments)
			if err != nil {
				t.Fatalf("%s does not parse: %v\n%s", gf.name, err, src)
			}
			parsed = append(parsed, file)
		}
		if err := checkDeclarations(parsed); err != nil {
			t.Fatal(err)
		}
	})
}

// schemaFrom reads a schema from fuzz input: the input itself when it is a JSON
// object, else a schema built by schemaGrammar from the input as a stream of
// choices. Mutated JSON is mostly not JSON; this way every input is a schema, and
// the JSON seeds still steer the fuzzer towards real-world shapes.
func schemaFrom(data []byte) *apiextensionsv1.JSONSchemaProps {
	if len(data) > 0 && data[0] == '{' {
		var s apiextensionsv1.JSONSchemaProps
		if json.Unmarshal(data, &s) == nil {
			return &s
		}
	}
	g := &schemaGrammar{data: data}
	s := g.node(0)
	if g.choose(8) != 0 {
		s.Type = "object" // the root must be an object; mostly give it one
	}
	return s
}

// schemaGrammar builds a schema from bytes, each choice taking one or a few; when
// the bytes run out every choice is the first (zero) one, so any input is a finite
// schema. Text is mostly picked from samples that are known to be awkward in
// generated Go (comment and marker syntax, characters Go source cannot hold).
type schemaGrammar struct{ data []byte }

func (g *schemaGrammar) byte() byte {
	if len(g.data) == 0 {
		return 0
	}
	b := g.data[0]
	g.data = g.data[1:]
	return b
}

func (g *schemaGrammar) choose(n int) int { return int(g.byte()) % n }

// rare is true for one byte value in 16: for what makes conversion fail, so that
// most schemas get past it.
func (g *schemaGrammar) rare() bool { return g.choose(16) == 0 }

// text is one of samples, or up to 15 bytes of input (as valid UTF-8, which every
// YAML or JSON reader gives).
func (g *schemaGrammar) text(samples ...string) string {
	if i := g.choose(len(samples) + 1); i < len(samples) {
		return samples[i]
	}
	n := g.choose(16)
	if n > len(g.data) {
		n = len(g.data)
	}
	t := string(g.data[:n])
	g.data = g.data[n:]
	return strings.ToValidUTF8(t, "\uFFFD")
}

var (
	sampleNames = []string{"a", "b", "spec", "status", "metadata", "kind", "apiVersion", "name", "Name", "a-b", "aB",
		"deepCopy", "DeepCopy", "3d", "_x", "-", "", "Number", "x,y", "x y", "é", "GetName", "items", "a\"b", "a`b", "a\u00e9\u20ac"}
	sampleTexts = []string{"text", "+optional", "+kubebuilder:validation:Required", "/* open", "// two", "*/", "a\nb",
		"a\n\n\nb\n", " +x", "TODO: x", "---", "a\rb", "a\r\nb", "a\x00b", "\ufeffa", "a\u2028b", "\"quoted\"", "`tick`", "\\"}
	sampleJSON  = []string{`"a"`, `1`, `-1.5e3`, `true`, `null`, `{}`, `[]`, `{"a":[1,"b"]}`, `[1,"x",null]`, `"\u0000"`, `12345678901234567890`}
	sampleTypes = []string{"object", "array", "string", "integer", "number", "boolean", ""}
)

func (g *schemaGrammar) json() *apiextensionsv1.JSON {
	if i := g.choose(len(sampleJSON) + 1); i < len(sampleJSON) {
		return &apiextensionsv1.JSON{Raw: []byte(sampleJSON[i])}
	}
	raw, _ := json.Marshal(g.text(sampleTexts...))
	return &apiextensionsv1.JSON{Raw: raw}
}

func (g *schemaGrammar) number() *float64 {
	f := []float64{0, 1, -1, 0.5, 1e300, 3}[g.choose(6)]
	return &f
}

func (g *schemaGrammar) count() *int64 {
	n := int64(g.choose(4))
	return &n
}

func (g *schemaGrammar) node(depth int) *apiextensionsv1.JSONSchemaProps {
	s := &apiextensionsv1.JSONSchemaProps{}
	s.Type = sampleTypes[g.choose(len(sampleTypes))]
	if g.rare() {
		s.Type = g.text("str\ning", "*/", "int")
	}
	if depth >= 4 && (s.Type == "object" || s.Type == "array") {
		s.Type = "string"
	}
	flags := g.byte()
	if flags&1 != 0 {
		preserve := flags&2 != 0
		s.XPreserveUnknownFields = &preserve
	}
	s.XEmbeddedResource = flags&4 != 0
	s.XIntOrString = flags&8 != 0
	s.Nullable = flags&16 != 0
	if flags&32 != 0 {
		s.Description = g.text(sampleTexts...)
	}
	if flags&64 != 0 {
		g.validations(s)
	}
	if flags&128 != 0 && g.choose(4) == 0 {
		g.junctors(s, depth)
	}
	switch s.Type {
	case "object":
		for range g.choose(5) {
			if s.Properties == nil {
				s.Properties = map[string]apiextensionsv1.JSONSchemaProps{}
			}
			name := g.text(sampleNames...)
			s.Properties[name] = *g.node(depth + 1)
			if g.choose(2) == 1 {
				s.Required = append(s.Required, name)
			}
		}
		switch g.choose(4) {
		case 1:
			s.AdditionalProperties = &apiextensionsv1.JSONSchemaPropsOrBool{Allows: g.choose(2) == 1}
		case 2:
			s.AdditionalProperties = &apiextensionsv1.JSONSchemaPropsOrBool{Allows: true, Schema: g.node(depth + 1)}
		}
	case "array":
		switch g.choose(4) {
		case 1, 2:
			s.Items = &apiextensionsv1.JSONSchemaPropsOrArray{Schema: g.node(depth + 1)}
		}
		if g.rare() {
			s.Items = &apiextensionsv1.JSONSchemaPropsOrArray{JSONSchemas: []apiextensionsv1.JSONSchemaProps{*g.node(depth + 1)}}
		}
	}
	return s
}

func (g *schemaGrammar) validations(s *apiextensionsv1.JSONSchemaProps) {
	bits := int(g.byte())<<8 | int(g.byte())
	has := func(i int) bool { return bits&(1<<i) != 0 }
	if has(0) {
		for range 1 + g.choose(3) {
			s.Enum = append(s.Enum, *g.json())
		}
	}
	if has(1) {
		s.Default = g.json()
	}
	if has(2) {
		s.Example = g.json()
	}
	if has(3) {
		s.Pattern = g.text(quantityPattern, "^a$", `\d+`, "*/")
	}
	if has(4) {
		s.Format = g.text("date-time", "int32", "int64", "byte", "double", "*/\n")
	}
	if has(5) {
		s.Minimum, s.Maximum, s.MultipleOf = g.number(), g.number(), g.number()
		s.ExclusiveMinimum, s.ExclusiveMaximum = g.choose(2) == 1, g.choose(2) == 1
	}
	if has(6) {
		s.MinLength, s.MaxLength, s.MinItems, s.MaxItems, s.MinProperties, s.MaxProperties = g.count(), g.count(), g.count(), g.count(), g.count(), g.count()
	}
	if has(7) {
		s.UniqueItems = true
	}
	if has(8) {
		t := g.text("atomic", "set", "map", "granular", "x\n*/ y")
		s.XListType = &t
	}
	if has(9) {
		s.XListMapKeys = append(s.XListMapKeys, g.text(sampleNames...))
	}
	if has(10) {
		t := g.text("atomic", "granular", "x\n*/ y")
		s.XMapType = &t
	}
	if has(11) {
		reason := apiextensionsv1.FieldValueErrorReason(g.text("FieldValueInvalid", "*/"))
		s.XValidations = append(s.XValidations, apiextensionsv1.ValidationRule{
			Rule: g.text("self.a > 0", "*/\n"), Message: g.text(sampleTexts...), Reason: &reason, FieldPath: g.text(".a", ""),
		})
	}
	if has(12) {
		s.Title = g.text(sampleTexts...)
	}
	if has(13) {
		s.ExternalDocs = &apiextensionsv1.ExternalDocumentation{URL: g.text("https://x", "*/"), Description: g.text(sampleTexts...)}
	}
	if has(14) && g.rare() {
		ref := g.text("#/definitions/x")
		s.Ref = &ref
	}
	if has(15) {
		s.ID, s.Schema = g.text(sampleTexts...), apiextensionsv1.JSONSchemaURL(g.text(sampleTexts...))
	}
}

func (g *schemaGrammar) junctors(s *apiextensionsv1.JSONSchemaProps, depth int) {
	branches := func() []apiextensionsv1.JSONSchemaProps {
		var out []apiextensionsv1.JSONSchemaProps
		for range 1 + g.choose(2) {
			out = append(out, g.branch(depth+1))
		}
		return out
	}
	switch g.choose(5) {
	case 0:
		s.AllOf = branches()
	case 1:
		s.OneOf = branches()
	case 2:
		s.AnyOf = branches()
	case 3:
		s.Not = &branches()[0]
	case 4:
		s.AnyOf = []apiextensionsv1.JSONSchemaProps{{Type: "integer"}, {Type: "string"}}
	}
}

// branch is one branch of a junctor: mostly one that only validates, as in real CRDs.
func (g *schemaGrammar) branch(depth int) apiextensionsv1.JSONSchemaProps {
	if g.rare() {
		return *g.node(depth)
	}
	var b apiextensionsv1.JSONSchemaProps
	switch g.choose(4) {
	case 0:
		b.Required = []string{g.text(sampleNames...)}
	case 1:
		b.Pattern = g.text("^a$", "*/")
	case 2:
		b.Properties = map[string]apiextensionsv1.JSONSchemaProps{g.text(sampleNames...): {Enum: []apiextensionsv1.JSON{*g.json()}}}
	case 3:
		b.Minimum = g.number()
	}
	if g.choose(4) == 0 {
		b.Description = g.text(sampleTexts...)
	}
	return b
}

// fuzzCRD is a CRD with one version whose schema is s.
func fuzzCRD(s *apiextensionsv1.JSONSchemaProps) *apiextensionsv1.CustomResourceDefinition {
	return &apiextensionsv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: fuzzCRDName},
		Spec: apiextensionsv1.CustomResourceDefinitionSpec{
			Group: "example.com",
			Names: apiextensionsv1.CustomResourceDefinitionNames{Kind: "Widget", ListKind: "WidgetList", Plural: "widgets", Singular: "widget"},
			Scope: apiextensionsv1.NamespaceScoped,
			Versions: []apiextensionsv1.CustomResourceDefinitionVersion{{
				Name: "v1", Served: true, Storage: true,
				Schema:       &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: s},
				Subresources: &apiextensionsv1.CustomResourceSubresources{Status: &apiextensionsv1.CustomResourceSubresourceStatus{}},
			}},
		},
	}
}

// predeclared are the Go types the written files may name without declaring them.
var predeclared = map[string]bool{"bool": true, "byte": true, "error": true, "float64": true, "int": true, "int32": true, "int64": true, "string": true}

// checkDeclarations finds what would stop one package of files from compiling for
// reasons of naming: a name declared twice, two fields or methods of one type with
// one name, a type used but not declared, a struct tag encoding/json cannot read.
func checkDeclarations(files []*ast.File) error {
	declared := map[string]bool{}
	methods := map[string]bool{}
	var used []*ast.Ident
	var problems []string
	for _, file := range files {
		for _, d := range file.Decls {
			switch d := d.(type) {
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					var names []*ast.Ident
					switch spec := spec.(type) {
					case *ast.TypeSpec:
						names = []*ast.Ident{spec.Name}
						used = append(used, typeIdents(spec.Type)...)
						if st, ok := spec.Type.(*ast.StructType); ok {
							problems = append(problems, checkStruct(spec.Name.Name, st)...)
						}
					case *ast.ValueSpec:
						names = spec.Names
					}
					for _, n := range names {
						if n.Name != "_" && declared[n.Name] {
							problems = append(problems, n.Name+" is declared twice")
						}
						declared[n.Name] = true
					}
				}
			case *ast.FuncDecl:
				key := d.Name.Name
				if d.Recv != nil {
					key = receiverName(d.Recv.List[0].Type) + "." + key
				} else if d.Name.Name == "init" {
					continue
				}
				if methods[key] {
					problems = append(problems, key+" is declared twice")
				}
				methods[key] = true
			}
		}
	}
	for key := range methods {
		typ, name, isMethod := strings.Cut(key, ".")
		if !isMethod {
			if declared[key] {
				problems = append(problems, key+" is declared twice")
			}
			continue
		}
		if !declared[typ] {
			problems = append(problems, "method "+key+" of an undeclared type")
		}
		if fieldOf(files, typ, name) {
			problems = append(problems, typ+" has a field and a method "+name)
		}
	}
	for _, id := range used {
		if !declared[id.Name] && !predeclared[id.Name] {
			problems = append(problems, "type "+id.Name+" is used but not declared")
		}
	}
	if len(problems) > 0 {
		return &declarationError{problems}
	}
	return nil
}

type declarationError struct{ problems []string }

func (e *declarationError) Error() string { return strings.Join(e.problems, "; ") }

// typeIdents are the unqualified type names a type expression refers to.
func typeIdents(expr ast.Expr) []*ast.Ident {
	switch e := expr.(type) {
	case *ast.Ident:
		return []*ast.Ident{e}
	case *ast.StarExpr:
		return typeIdents(e.X)
	case *ast.ParenExpr:
		return typeIdents(e.X)
	case *ast.ArrayType:
		return typeIdents(e.Elt)
	case *ast.MapType:
		return append(typeIdents(e.Key), typeIdents(e.Value)...)
	case *ast.StructType:
		var out []*ast.Ident
		for _, f := range e.Fields.List {
			out = append(out, typeIdents(f.Type)...)
		}
		return out
	}
	return nil // pkg.Name: an import
}

// checkStruct reports fields of one struct that share a name and tags encoding/json
// would not read.
func checkStruct(typ string, st *ast.StructType) []string {
	var problems []string
	seen := map[string]bool{}
	for _, f := range st.Fields.List {
		name := ""
		switch {
		case len(f.Names) > 0:
			name = f.Names[0].Name
		default: // embedded: named after its type
			if sel, ok := f.Type.(*ast.SelectorExpr); ok {
				name = sel.Sel.Name
			} else if id, ok := f.Type.(*ast.Ident); ok {
				name = id.Name
			}
		}
		if seen[name] {
			problems = append(problems, typ+" has two fields "+name)
		}
		seen[name] = true
		if f.Tag == nil {
			problems = append(problems, typ+"."+name+" has no struct tag")
			continue
		}
		tag, err := strconv.Unquote(f.Tag.Value)
		if err != nil {
			problems = append(problems, typ+"."+name+": "+err.Error())
			continue
		}
		jsonTag, ok := reflect.StructTag(tag).Lookup("json")
		if !ok {
			problems = append(problems, typ+"."+name+" has a tag without json: "+tag)
			continue
		}
		if jsonName, _, _ := strings.Cut(jsonTag, ","); jsonName != "" && !validJSONTagName(jsonName) {
			problems = append(problems, typ+"."+name+" has a JSON name that encoding/json ignores: "+strconv.Quote(jsonName))
		}
	}
	return problems
}

// validJSONTagName is encoding/json's isValidTag: a name it reads from a tag rather
// than falling back to the field's Go name.
func validJSONTagName(name string) bool {
	for _, c := range name {
		if !strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c) && !unicode.IsLetter(c) && !unicode.IsDigit(c) {
			return false
		}
	}
	return true
}

// fieldOf is true when struct typ of files has a field named name.
func fieldOf(files []*ast.File, typ, name string) bool {
	found := false
	for _, file := range files {
		ast.Inspect(file, func(n ast.Node) bool {
			spec, ok := n.(*ast.TypeSpec)
			if !ok || spec.Name.Name != typ {
				return !found
			}
			if st, ok := spec.Type.(*ast.StructType); ok {
				for _, f := range st.Fields.List {
					for _, id := range f.Names {
						found = found || id.Name == name
					}
				}
			}
			return false
		})
	}
	return found
}

// receiverName is the type name of a method's receiver (T or *T).
func receiverName(expr ast.Expr) string {
	if star, ok := expr.(*ast.StarExpr); ok {
		expr = star.X
	}
	if id, ok := expr.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}
