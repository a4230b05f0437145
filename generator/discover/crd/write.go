package crd

import (
	"bytes"
	"errors"
	"fmt"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/dave/jennifer/jen"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/controller-tools/pkg/deepcopy"

	"github.com/kubefed-gen/kubefed/generator/emit"
)

// Options of one conversion.
type Options struct {
	// OutputDir is the folder to write the Go API package of the CRD's types into,
	// e.g. <out>/targets/<group-first-label>/<version>. It must be inside a Go module.
	OutputDir string
	// GoPackage is the import path of OutputDir.
	GoPackage string
}

// Result locates what was written.
type Result struct {
	// GoPackage is Options.GoPackage.
	GoPackage string
	// Kind is the CRD's kind; the Go type is named after it.
	Kind string
	// Group, Version (the storage version) and Plural of the CRD.
	Group, Version, Plural string
	Namespaced             bool
	ShortNames             []string
	// Warnings say what the Go types do not reproduce exactly, and which version was used.
	Warnings []string
}

// files are the files WriteGoTypes owns in OutputDir; they are removed first, so
// that a stale file from an earlier run cannot break the new package.
var files = []string{"doc.go", "types.go", "register.go", "zz_generated.deepcopy.go"}

// WriteGoTypes writes a Go API package for the storage version of a CRD: doc.go
// (+groupName, +kubebuilder:object:generate), types.go (the root type <Kind>, its
// list and one declaration per nested object, with the markers that make
// controller-tools write the CRD's schema again), register.go and
// zz_generated.deepcopy.go. The package is named after the version, which is where
// kubefed-gen's Go type loader reads a type's API version from.
func WriteGoTypes(c *apiextensionsv1.CustomResourceDefinition, opts Options) (*Result, error) {
	if opts.OutputDir == "" || opts.GoPackage == "" {
		return nil, errors.New("crd.WriteGoTypes: OutputDir and GoPackage are both required")
	}
	g, err := convert(c)
	if err != nil {
		return nil, err
	}
	if err := checkOwnFolder(c, opts.OutputDir); err != nil {
		return nil, err
	}
	for _, f := range files {
		if err := os.Remove(filepath.Join(opts.OutputDir, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	if err := emit.WriteGo(docFile(c, g.version, opts.GoPackage), filepath.Join(opts.OutputDir, "doc.go")); err != nil {
		return nil, err
	}
	if err := emit.WriteGo(typesFile(g.decls, g.kind, g.version, opts.GoPackage), filepath.Join(opts.OutputDir, "types.go")); err != nil {
		return nil, err
	}
	if err := emit.WriteGo(registerFile(c.Spec.Group, g.version, g.kind, opts.GoPackage), filepath.Join(opts.OutputDir, "register.go")); err != nil {
		return nil, err
	}
	if err := emit.Run(opts.OutputDir, []string{opts.GoPackage}, emit.ToDirectory(opts.OutputDir), deepcopy.Generator{}); err != nil {
		return nil, fmt.Errorf("CRD %s: %w", c.Name, err)
	}
	return &Result{
		GoPackage: opts.GoPackage, Kind: g.kind, Group: c.Spec.Group, Version: g.version,
		Plural: c.Spec.Names.Plural, Namespaced: c.Spec.Scope != apiextensionsv1.ClusterScoped,
		ShortNames: c.Spec.Names.ShortNames, Warnings: g.warnings,
	}, nil
}

// goTypes is a CRD's storage version converted to Go declarations, before
// anything is written.
type goTypes struct {
	kind, version string
	decls         []*decl
	warnings      []string
}

// convert checks that a CRD can become a Go API package and converts the schema of
// its storage version. It reads and writes no files, so the conversion rules can be
// tested without loading Go packages.
func convert(c *apiextensionsv1.CustomResourceDefinition) (*goTypes, error) {
	version, warnings, err := storageVersion(c)
	if err != nil {
		return nil, err
	}
	kind := c.Spec.Names.Kind
	if !token.IsExported(kind) || !token.IsIdentifier(kind) {
		return nil, fmt.Errorf("CRD %s: kind %q is not an exported Go identifier, which the Go type named after it must be", c.Name, kind)
	}
	if !token.IsIdentifier(version.Name) || strings.ToLower(version.Name) != version.Name {
		return nil, fmt.Errorf("CRD %s: version %q cannot be a Go package name; kubefed-gen takes a Go type's API version from its package name", c.Name, version.Name)
	}
	conv := &converter{crd: c.Name, types: newNamer(kind, kind+"List", "SchemeGroupVersion", "SchemeBuilder", "AddToScheme", "Resource")}
	if slices.Contains([]string{"SchemeGroupVersion", "SchemeBuilder", "AddToScheme", "Resource"}, kind) {
		return nil, fmt.Errorf("CRD %s: kind %s clashes with a name the generated package declares", c.Name, kind)
	}
	if version.Schema == nil || version.Schema.OpenAPIV3Schema == nil {
		return nil, fmt.Errorf("CRD %s: version %s has no schema", c.Name, version.Name)
	}
	root, err := conv.convertRoot(kind, version.Schema.OpenAPIV3Schema)
	if err != nil {
		return nil, err
	}
	root.markers = append(rootMarkers(c, version), root.markers...)
	return &goTypes{kind: kind, version: version.Name, decls: conv.decls, warnings: append(warnings, conv.warnings...)}, nil
}

// PackageDir is where, below a parent folder, the Go package of a CRD belongs:
// <group>/<plural>/<storage version>. It is unique per CRD (one package holds one
// CRD's types) and ends in the version, which names the package.
func PackageDir(c *apiextensionsv1.CustomResourceDefinition) (string, error) {
	v, _, err := storageVersion(c)
	if err != nil {
		return "", err
	}
	return path.Join(c.Spec.Group, c.Spec.Names.Plural, v.Name), nil
}

// checkOwnFolder refuses to overwrite a package written for another CRD or by hand:
// each CRD needs a folder of its own.
func checkOwnFolder(c *apiextensionsv1.CustomResourceDefinition, dir string) error {
	doc, err := os.ReadFile(filepath.Join(dir, "doc.go"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !bytes.Contains(doc, []byte(docMention(c))) {
		return fmt.Errorf("CRD %s: %s holds a Go package that was not written for this CRD; give each CRD a folder of its own (see crd.PackageDir)", c.Name, dir)
	}
	return nil
}

// docMention is how doc.go names its CRD, which checkOwnFolder looks for.
func docMention(c *apiextensionsv1.CustomResourceDefinition) string {
	return "the CustomResourceDefinition " + c.Name + " ("
}

// storageVersion is the version the API server stores, the one every client can read.
func storageVersion(c *apiextensionsv1.CustomResourceDefinition) (*apiextensionsv1.CustomResourceDefinitionVersion, []string, error) {
	var names []string
	var storage *apiextensionsv1.CustomResourceDefinitionVersion
	for i := range c.Spec.Versions {
		v := &c.Spec.Versions[i]
		names = append(names, v.Name)
		if v.Storage {
			storage = v
		}
	}
	switch {
	case storage == nil && len(c.Spec.Versions) == 1:
		storage = &c.Spec.Versions[0]
	case storage == nil:
		return nil, nil, fmt.Errorf("CRD %s: none of its versions (%s) is the storage version", c.Name, strings.Join(names, ", "))
	}
	var warnings []string
	if len(names) > 1 {
		warnings = append(warnings, fmt.Sprintf("CRD has versions %s; using storage version %s", strings.Join(names, ", "), storage.Name))
	}
	if c.Spec.PreserveUnknownFields {
		warnings = append(warnings, "spec.preserveUnknownFields is set; the Go types keep only what the schema lists")
	}
	return storage, warnings, nil
}

// rootMarkers say what the CRD says besides the schema: client generation, names,
// scope, subresources and printer columns, in controller-tools' and kubefed-gen's
// markers, so that the package describes the whole CRD.
func rootMarkers(c *apiextensionsv1.CustomResourceDefinition, v *apiextensionsv1.CustomResourceDefinitionVersion) []string {
	names := c.Spec.Names
	clusterScoped := c.Spec.Scope == apiextensionsv1.ClusterScoped
	out := []string{markerGenClient}
	if clusterScoped {
		out = append(out, markerNonNamespaced)
	}
	out = append(out, markerRoot)

	scope := "Namespaced"
	if clusterScoped {
		scope = "Cluster"
	}
	resource := []string{"path=" + strconv.Quote(names.Plural), "scope=" + strconv.Quote(scope)}
	if names.Singular != "" {
		resource = append(resource, "singular="+strconv.Quote(names.Singular))
	}
	if len(names.ShortNames) > 0 {
		resource = append(resource, "shortName="+quotedList(names.ShortNames))
	}
	if len(names.Categories) > 0 {
		resource = append(resource, "categories="+quotedList(names.Categories))
	}
	out = append(out, "+kubebuilder:resource:"+strings.Join(resource, ","))

	federate := []string{"plural=" + strconv.Quote(names.Plural), "scope=" + strconv.Quote(scope)}
	if len(names.ShortNames) > 0 {
		federate = append(federate, "shortName="+quotedList(names.ShortNames))
	}
	out = append(out, "+kubefed:federate:"+strings.Join(federate, ","))

	if sub := v.Subresources; sub != nil {
		if sub.Status != nil {
			out = append(out, markerStatus)
		}
		if sc := sub.Scale; sc != nil {
			args := []string{"specpath=" + strconv.Quote(sc.SpecReplicasPath), "statuspath=" + strconv.Quote(sc.StatusReplicasPath)}
			if sc.LabelSelectorPath != nil {
				args = append(args, "selectorpath="+strconv.Quote(*sc.LabelSelectorPath))
			}
			out = append(out, "+kubebuilder:subresource:scale:"+strings.Join(args, ","))
		}
	}
	for _, col := range v.AdditionalPrinterColumns {
		args := []string{"name=" + strconv.Quote(col.Name), "type=" + strconv.Quote(col.Type), "JSONPath=" + strconv.Quote(col.JSONPath)}
		if col.Description != "" {
			args = append(args, "description="+strconv.Quote(col.Description))
		}
		if col.Format != "" {
			args = append(args, "format="+strconv.Quote(col.Format))
		}
		if col.Priority != 0 {
			args = append(args, fmt.Sprintf("priority=%d", col.Priority))
		}
		out = append(out, "+kubebuilder:printcolumn:"+strings.Join(args, ","))
	}
	for _, f := range v.SelectableFields {
		out = append(out, "+kubebuilder:selectablefield:JSONPath="+strconv.Quote(f.JSONPath))
	}
	return out
}

func quotedList(items []string) string {
	var q []string
	for _, i := range items {
		q = append(q, strconv.Quote(i))
	}
	return "{" + strings.Join(q, ",") + "}"
}

func docFile(c *apiextensionsv1.CustomResourceDefinition, version, goPackage string) *jen.File {
	f := jen.NewFilePathName(goPackage, version)
	f.HeaderComment(emit.Header)
	f.PackageComment(fmt.Sprintf("Package %s holds the Go types of %s%s/%s),", version, docMention(c), c.Spec.Group, version))
	f.PackageComment("written from its schema by kubefed-gen.")
	f.PackageComment("")
	f.PackageComment(markerObjectGenerate)
	f.PackageComment("+groupName=" + c.Spec.Group)
	return f
}

func newFile(goPackage, version string) *jen.File {
	f := emit.NewGoFile(goPackage, version)
	f.ImportAlias(apiextensionsPkg, "apiextensionsv1")
	return f
}

func typesFile(decls []*decl, kind, version, goPackage string) *jen.File {
	f := newFile(goPackage, version)
	var number *decl
	for i, d := range decls {
		if d.number {
			number = d
			continue
		}
		f.Line()
		writeDecl(f, d)
		if i == 0 {
			f.Line()
			listDecl(f, kind)
		}
	}
	if number != nil {
		f.Line()
		numberDecl(f, number)
	}
	return f
}

func comments(lines, markers []string) []jen.Code {
	var out []jen.Code
	for _, l := range lines {
		out = append(out, jen.Comment(l))
	}
	if len(lines) > 0 && len(markers) > 0 {
		out = append(out, jen.Comment(""))
	}
	for _, m := range markers {
		out = append(out, jen.Comment(m))
	}
	return out
}

func writeDecl(f *jen.File, d *decl) {
	for _, c := range comments(d.doc, d.markers) {
		f.Add(c)
	}
	if !d.isStruct {
		f.Type().Id(d.name).Add(d.underlying)
		if d.delegate != nil {
			delegateMethods(f, d)
		}
		return
	}
	var fields []jen.Code
	if d.root {
		metaTag := "metadata,omitempty"
		if d.metadataRequired {
			metaTag = "metadata"
		}
		fields = append(fields,
			jen.Qual(metav1Pkg, "TypeMeta").Tag(map[string]string{"json": ",inline"}),
			jen.Qual(metav1Pkg, "ObjectMeta").Tag(map[string]string{"json": metaTag}),
		)
		if len(d.fields) > 0 {
			fields = append(fields, jen.Line())
		}
	}
	if d.embed != nil {
		fields = append(fields, jen.Add(d.embed).Tag(map[string]string{"json": ",inline"}))
	}
	for _, fd := range d.fields {
		fields = append(fields, comments(fd.doc, fd.markers)...)
		fields = append(fields, jen.Id(fd.name).Add(fd.typ).Tag(map[string]string{"json": fd.tag}))
	}
	f.Type().Id(d.name).Struct(fields...)
}

func listDecl(f *jen.File, kind string) {
	f.Comment(fmt.Sprintf("%sList is a list of %s.", kind, kind))
	f.Comment("")
	f.Comment(markerRoot)
	f.Type().Id(kind+"List").Struct(
		jen.Qual(metav1Pkg, "TypeMeta").Tag(map[string]string{"json": ",inline"}),
		jen.Qual(metav1Pkg, "ListMeta").Tag(map[string]string{"json": "metadata,omitempty"}),
		jen.Id("Items").Index().Id(kind).Tag(map[string]string{"json": "items"}),
	)
}

// delegateMethods forwards JSON encoding of a wrapper to the type it wraps.
func delegateMethods(f *jen.File, d *decl) {
	f.Line()
	f.Comment(fmt.Sprintf("MarshalJSON encodes %s as the type it wraps.", d.name))
	f.Func().Params(jen.Id("in").Id(d.name)).Id("MarshalJSON").Params().Params(jen.Index().Byte(), jen.Error()).Block(
		jen.Return(jen.Parens(jen.Add(d.delegate)).Call(jen.Id("in")).Dot("MarshalJSON").Call()),
	)
	f.Line()
	f.Comment(fmt.Sprintf("UnmarshalJSON decodes %s as the type it wraps.", d.name))
	f.Func().Params(jen.Id("in").Op("*").Id(d.name)).Id("UnmarshalJSON").Params(jen.Id("data").Index().Byte()).Error().Block(
		jen.Return(jen.Parens(jen.Op("*").Add(d.delegate)).Call(jen.Id("in")).Dot("UnmarshalJSON").Call(jen.Id("data"))),
	)
}

// numberDecl writes Number and the methods that keep it a JSON number.
func numberDecl(f *jen.File, d *decl) {
	for _, c := range comments(d.doc, d.markers) {
		f.Add(c)
	}
	n := d.name
	f.Type().Id(n).String()
	f.Line()
	f.Comment("MarshalJSON writes the number as it was read; the zero value is 0.")
	f.Func().Params(jen.Id("in").Id(n)).Id("MarshalJSON").Params().Params(jen.Index().Byte(), jen.Error()).Block(
		jen.If(jen.Id("in").Op("==").Lit("")).Block(jen.Return(jen.Index().Byte().Call(jen.Lit("0")), jen.Nil())),
		jen.Return(jen.Index().Byte().Call(jen.Id("in")), jen.Nil()),
	)
	f.Line()
	f.Comment("UnmarshalJSON accepts a JSON number, and null as the zero value.")
	f.Func().Params(jen.Id("in").Op("*").Id(n)).Id("UnmarshalJSON").Params(jen.Id("data").Index().Byte()).Error().Block(
		jen.Id("data").Op("=").Qual("bytes", "TrimSpace").Call(jen.Id("data")),
		jen.If(jen.String().Call(jen.Id("data")).Op("==").Lit("null")).Block(jen.Return(jen.Nil())),
		jen.Var().Id("num").Qual("encoding/json", "Number"),
		jen.If(jen.Len(jen.Id("data")).Op("==").Lit(0).Op("||").Id("data").Index(jen.Lit(0)).Op("==").LitRune('"').Op("||").
			Qual("encoding/json", "Unmarshal").Call(jen.Id("data"), jen.Op("&").Id("num")).Op("!=").Nil()).Block(
			jen.Return(jen.Qual("fmt", "Errorf").Call(jen.Lit("cannot unmarshal %s into a "+n+": not a JSON number"), jen.Id("data"))),
		),
		jen.Op("*").Id("in").Op("=").Id(n).Call(jen.Id("num")),
		jen.Return(jen.Nil()),
	)
	f.Line()
	f.Comment("Float64 returns the number as a float64.")
	f.Func().Params(jen.Id("in").Id(n)).Id("Float64").Params().Params(jen.Float64(), jen.Error()).Block(
		jen.Return(jen.Qual("strconv", "ParseFloat").Call(jen.String().Call(jen.Id("in")), jen.Lit(64))),
	)
	f.Line()
	f.Comment("Int64 returns the number as an int64; it fails for fractions.")
	f.Func().Params(jen.Id("in").Id(n)).Id("Int64").Params().Params(jen.Int64(), jen.Error()).Block(
		jen.Return(jen.Qual("strconv", "ParseInt").Call(jen.String().Call(jen.Id("in")), jen.Lit(10), jen.Lit(64))),
	)
}

func registerFile(group, version, kind, goPackage string) *jen.File {
	f := newFile(goPackage, version)
	emit.AddRegistration(f, group, version, []string{kind})
	return f
}
