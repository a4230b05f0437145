// Package crd emits the CustomResourceDefinition of every Federated<Kind>, with the
// full structural schema of its template, using controller-tools' CRD parser on the
// package the shared controller-tools runtime loaded. It states each CRD's size and refuses one the API server could not store.
package crd

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"golang.org/x/tools/go/packages"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-tools/pkg/crd"
	crdmarkers "sigs.k8s.io/controller-tools/pkg/crd/markers"
	"sigs.k8s.io/controller-tools/pkg/genall"
	"sigs.k8s.io/controller-tools/pkg/loader"
	"sigs.k8s.io/controller-tools/pkg/markers"

	"github.com/dave/jennifer/jen"

	"github.com/kubefed-gen/kubefed/generator/emit"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
)

const (
	// MaxObjectBytes is what etcd accepts in one request by default (--max-request-bytes);
	// a larger CRD cannot be stored.
	MaxObjectBytes = 1536 * 1024
	// MaxClientSideApplyBytes is the API server's limit on all annotations of an
	// object; kubectl's client-side apply copies the whole CRD into one.
	MaxClientSideApplyBytes = 256 * 1024
)

// Generator writes one CRD file per target into config/crd/bases, a kustomization
// listing them and a Go file embedding them. It is a controller-tools generator: it
// reads the API package the runtime loaded, with the markers apitypes wrote.
type Generator struct {
	Context *emit.Context
	// MaxDescriptionLength truncates schema descriptions; nil keeps them whole, 0 drops them.
	MaxDescriptionLength *int
	// Report receives one line per CRD with its size; nil discards.
	Report func(line string)
}

// Dir is where CRDs are written below the output folder.
const Dir = "config/crd"

// RegisterMarkers registers the kubebuilder CRD markers.
func (Generator) RegisterMarkers(into *markers.Registry) error { return crdmarkers.Register(into) }

// CheckFilter type-checks what controller-tools' CRD generator does.
func (Generator) CheckFilter() loader.NodeFilter { return crd.Generator{}.CheckFilter() }

// Generate writes the CRDs.
func (g Generator) Generate(gctx *genall.GenerationContext) error {
	crds, err := g.build(gctx)
	if err != nil {
		return fmt.Errorf("CRDs: %w", err)
	}
	var files []string
	for _, c := range crds {
		data, err := emit.MarshalYAML(nil, c)
		if err != nil {
			return err
		}
		if err := checkSize(c.Name, len(data), g.Report); err != nil {
			return err
		}
		name := fmt.Sprintf("bases/%s_%s.yaml", c.Spec.Group, c.Spec.Names.Plural)
		if err := emit.Output(gctx, path.Join(Dir, name), data); err != nil {
			return err
		}
		files = append(files, name)
	}
	if err := emit.OutputGo(gctx, path.Join(Dir, "zz_generated.embed.go"), embedFile(g.Context)); err != nil {
		return err
	}
	return emit.OutputKustomization(gctx, Dir, nil, "", files...)
}

func (g Generator) build(gctx *genall.GenerationContext) ([]apiextensionsv1.CustomResourceDefinition, error) {
	ctx := g.Context
	parser := &crd.Parser{
		Collector: gctx.Collector,
		Checker:   gctx.Checker,
		// Templates embed object metadata (a Deployment's pod template labels); without
		// its schema the API server would prune those fields.
		GenerateEmbeddedObjectMeta: true,
	}
	crd.AddKnownTypes(parser)
	for _, root := range gctx.Roots {
		parser.NeedPackage(root)
	}
	var out []apiextensionsv1.CustomResourceDefinition
	for _, t := range ctx.Set.Targets {
		gk := schema.GroupKind{Group: ctx.Set.Group, Kind: t.FederatedKind()}
		parser.NeedCRDFor(gk, g.MaxDescriptionLength)
		c, ok := parser.CustomResourceDefinitions[gk]
		if !ok {
			return nil, fmt.Errorf("no CRD was generated for %s: %w", gk, packageErrors(gctx.Roots))
		}
		crd.FixTopLevelMetadata(c)
		var remote *apiextensionsv1.JSONSchemaProps
		if t.Status != nil {
			var err error
			if remote, err = g.statusSchema(parser, gctx.Roots, t.Status.Name.Package, t.Status.Name.Name); err != nil {
				return nil, fmt.Errorf("%s: %w", gk, err)
			}
		}
		for i := range c.Spec.Versions {
			if v := c.Spec.Versions[i].Schema; v != nil {
				RelaxListMapKeys(v.OpenAPIV3Schema)
				if remote != nil {
					setRemoteStatusSchema(v.OpenAPIV3Schema, remote)
				}
			}
		}
		if t.HealthCondition != "" {
			if c.Annotations == nil {
				c.Annotations = map[string]string{}
			}
			c.Annotations[fedv1beta1.HealthConditionAnnotation] = t.HealthCondition
		}
		c.APIVersion, c.Kind = apiextensionsv1.SchemeGroupVersion.String(), "CustomResourceDefinition"
		out = append(out, c)
	}
	if err := packageErrors(gctx.Roots); err != nil {
		return nil, fmt.Errorf("CRD schema for %s: %w", ctx.APIPackage(), err)
	}
	return out, nil
}

// statusSchema is the schema of a target's status type, pkgPath.name, as the
// Federated CRD's remoteStatus holds it: structure only (see RemoteStatusSchema).
func (g Generator) statusSchema(parser *crd.Parser, roots []*loader.Package, pkgPath, name string) (*apiextensionsv1.JSONSchemaProps, error) {
	pkg := findPackage(roots, pkgPath)
	if pkg == nil {
		return nil, fmt.Errorf("the status type %s.%s is in a package the API package does not import", pkgPath, name)
	}
	ident := crd.TypeIdent{Package: pkg, Name: name}
	parser.NeedFlattenedSchemaFor(ident)
	flat, ok := parser.FlattenedSchemata[ident]
	if !ok {
		return nil, fmt.Errorf("no schema for the status type %s.%s", pkgPath, name)
	}
	out := flat.DeepCopy()
	if g.MaxDescriptionLength != nil {
		crd.TruncateDescription(out, *g.MaxDescriptionLength)
	}
	RemoteStatusSchema(out)
	return out, nil
}

// findPackage finds the package of import path among roots and what they import.
func findPackage(roots []*loader.Package, path string) *loader.Package {
	seen := map[*loader.Package]bool{}
	var find func(p *loader.Package) *loader.Package
	find = func(p *loader.Package) *loader.Package {
		if seen[p] {
			return nil
		}
		seen[p] = true
		if p.PkgPath == path {
			return p
		}
		for _, imp := range p.Imports() {
			if found := find(imp); found != nil {
				return found
			}
		}
		return nil
	}
	for _, r := range roots {
		if p := find(r); p != nil {
			return p
		}
	}
	return nil
}

// setRemoteStatusSchema makes remote the schema of status.clusters[].remoteStatus
// in a Federated CRD's schema, in place of the shared, preserve-unknown-fields
// one; the field's description stays.
func setRemoteStatusSchema(root *apiextensionsv1.JSONSchemaProps, remote *apiextensionsv1.JSONSchemaProps) {
	status, ok := root.Properties["status"]
	if !ok {
		return
	}
	clusters, ok := status.Properties["clusters"]
	if !ok || clusters.Items == nil || clusters.Items.Schema == nil {
		return
	}
	entry := clusters.Items.Schema
	typed := *remote.DeepCopy()
	typed.Description = entry.Properties["remoteStatus"].Description
	entry.Properties["remoteStatus"] = typed
	status.Properties["clusters"] = clusters
	root.Properties["status"] = status
}

// RemoteStatusSchema strips a target's status schema down to its structure:
// the types and properties the API server prunes by, and the markers of
// embedded objects, int-or-string and preserved fields, without what would
// validate or default values. The host records what a member's controller
// wrote, which its own API server already accepted; a rule of the host's
// schema failing on it (an enum value, a required field or a pattern of
// another version, a list key repeated) would refuse the whole status write,
// and a default would add what the member never said.
func RemoteStatusSchema(s *apiextensionsv1.JSONSchemaProps) {
	if s == nil {
		return
	}
	*s = apiextensionsv1.JSONSchemaProps{
		Description:            s.Description,
		Type:                   s.Type,
		Nullable:               s.Nullable,
		Properties:             s.Properties,
		Items:                  s.Items,
		AdditionalProperties:   s.AdditionalProperties,
		XPreserveUnknownFields: s.XPreserveUnknownFields,
		XEmbeddedResource:      s.XEmbeddedResource,
		XIntOrString:           s.XIntOrString,
	}
	for k, p := range s.Properties {
		RemoteStatusSchema(&p)
		s.Properties[k] = p
	}
	if s.Items != nil {
		RemoteStatusSchema(s.Items.Schema)
		for i := range s.Items.JSONSchemas {
			RemoteStatusSchema(&s.Items.JSONSchemas[i])
		}
	}
	if s.AdditionalProperties != nil {
		RemoteStatusSchema(s.AdditionalProperties.Schema)
	}
}

// packageErrors collects what the parser reported on the packages it walked. Type
// errors are left out: controller-tools type-checks only what it needs.
func packageErrors(roots []*loader.Package) error {
	var errs []error
	seen := map[*loader.Package]bool{}
	var visit func(p *loader.Package)
	visit = func(p *loader.Package) {
		if seen[p] {
			return
		}
		seen[p] = true
		for _, err := range p.Errors {
			var typeErr packages.Error
			if errors.As(err, &typeErr) && typeErr.Kind == packages.TypeError {
				continue
			}
			errs = append(errs, err)
		}
		for _, imp := range p.Imports() {
			visit(imp)
		}
	}
	for _, r := range roots {
		visit(r)
	}
	return errors.Join(errs...)
}

// checkSize reports a CRD's size and fails when the API server could not store it.
func checkSize(name string, size int, report func(string)) error {
	kib := float64(size) / 1024
	if size > MaxObjectBytes {
		return fmt.Errorf("CRD %s is %.0f KiB, more than the %d KiB an API server stores in one object; "+
			"shorten schema descriptions with --max-description-length (0 drops them)", name, kib, MaxObjectBytes/1024)
	}
	if report == nil {
		return nil
	}
	line := fmt.Sprintf("CRD %s: %.0f KiB", name, kib)
	if size > MaxClientSideApplyBytes {
		line += " (over 256 KiB: install it with 'kubectl apply --server-side'; client-side apply cannot store it)"
	}
	report(strings.TrimSpace(line))
	return nil
}

// RelaxListMapKeys makes a map-type list atomic when one of its keys is neither
// required nor defaulted. Built-in types have such lists (ServiceAccount.secrets
// keyed by an optional name); the API server accepts them from its own Go types but
// refuses them in a CRD. Atomic only changes how server-side apply merges the list
// inside the template, and keeps every value.
func RelaxListMapKeys(s *apiextensionsv1.JSONSchemaProps) {
	if s == nil {
		return
	}
	if s.XListType != nil && *s.XListType == "map" && s.Items != nil && s.Items.Schema != nil {
		item := s.Items.Schema
		for _, key := range s.XListMapKeys {
			prop, ok := item.Properties[key]
			if !ok || prop.Default != nil || slices.Contains(item.Required, key) {
				continue
			}
			atomic := "atomic"
			s.XListType, s.XListMapKeys = &atomic, nil
			break
		}
	}
	for k, p := range s.Properties {
		RelaxListMapKeys(&p)
		s.Properties[k] = p
	}
	if s.Items != nil {
		RelaxListMapKeys(s.Items.Schema)
		for i := range s.Items.JSONSchemas {
			RelaxListMapKeys(&s.Items.JSONSchemas[i])
		}
	}
	if s.AdditionalProperties != nil {
		RelaxListMapKeys(s.AdditionalProperties.Schema)
	}
}

// embedFile makes the CRDs importable, so that tools (kubefedctl enable) can install
// them without reading files next to the binary.
func embedFile(ctx *emit.Context) *jen.File {
	f := jen.NewFilePathName(path.Join(ctx.GoPackage, Dir), "crd")
	f.HeaderComment(emit.Header)
	f.PackageComment("Package crd holds the CRDs of the federated types, one file each in bases/.")
	f.Anon("embed")
	f.Comment("Bases holds bases/<group>_<plural>.yaml for every federated type.")
	f.Comment("")
	f.Comment("//go:embed bases/*.yaml")
	f.Var().Id("Bases").Qual("embed", "FS")
	return f
}
