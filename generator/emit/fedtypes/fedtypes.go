// Package fedtypes emits the package that lists the set's federated types for the
// runtime: one short file that instantiates the shared runtime's generics
// (fedtype.For) for every federated type, so that the runtime's sync controllers run
// on typed objects.
package fedtypes

import (
	"path"
	"strings"

	"github.com/dave/jennifer/jen"
	"sigs.k8s.io/controller-tools/pkg/genall"
	"sigs.k8s.io/controller-tools/pkg/markers"

	"github.com/kubefed-gen/kubefed/generator/emit"
	"github.com/kubefed-gen/kubefed/generator/model"
)

const fedtype = emit.RuntimeModule + "/fedtype"

const (
	// Name is the generated package's name and folder below the output folder.
	Name = "fedtypes"
	// Var is the generated list of descriptors.
	Var = "Descriptors"
)

// Generator writes fedtypes/zz_generated.fedtypes.go.
type Generator struct{ Context *emit.Context }

// RegisterMarkers registers nothing: the list is made from the model.
func (Generator) RegisterMarkers(*markers.Registry) error { return nil }

// Package is the import path of the generated package.
func Package(ctx *emit.Context) string { return path.Join(ctx.GoPackage, Name) }

// Generate writes the list.
func (g Generator) Generate(gctx *genall.GenerationContext) error {
	ctx := g.Context
	f := emit.NewGoFile(Package(ctx), Name)
	f.ImportAlias(ctx.APIPackage(), ctx.Set.GroupPackage()+ctx.Set.Version)
	f.PackageComment("Package fedtypes lists the federated types this set propagates, typed, for the kubefed runtime.")
	var items []jen.Code
	for _, t := range ctx.Set.Targets {
		f.ImportAlias(t.GoPackage, emit.ImportAlias(t.GoPackage))
		items = append(items, jen.Line().Qual(fedtype, "For").Types(
			jen.Qual(ctx.APIPackage(), t.FederatedKind()), jen.Qual(t.GoPackage, t.GoName),
		).Call(info(ctx, t)))
	}
	f.Comment(Var + " describes every federated type of the set to the sync runtime, which")
	f.Comment("propagates each Federated<Kind> to its target kind in member clusters.")
	f.Var().Id(Var).Op("=").Index().Qual(fedtype, "Descriptor").Values(append(items, jen.Line())...)
	return emit.OutputGo(gctx, path.Join(Name, "zz_generated."+Name+".go"), f)
}

func info(ctx *emit.Context, t *model.Target) jen.Code {
	resource := func(group, version, kind, plural string, namespaced bool) jen.Code {
		return jen.Qual(fedtype, "Resource").Values(jen.Dict{
			jen.Id("GroupVersionKind"): jen.Qual("k8s.io/apimachinery/pkg/runtime/schema", "GroupVersionKind").Values(jen.Dict{
				jen.Id("Group"): jen.Lit(group), jen.Id("Version"): jen.Lit(version), jen.Id("Kind"): jen.Lit(kind),
			}),
			jen.Id("Plural"):     jen.Lit(plural),
			jen.Id("Namespaced"): jen.Lit(namespaced),
		})
	}
	fields := jen.Dict{
		jen.Id("Name"):      jen.Lit(strings.TrimSuffix(t.Resource(), ".")),
		jen.Id("Target"):    resource(t.Group, t.Version, t.Kind, t.Plural, t.Namespaced),
		jen.Id("Federated"): resource(ctx.Set.Group, ctx.Set.Version, t.FederatedKind(), t.FederatedPlural(), t.FederatedNamespaced()),
	}
	if t.Scalable {
		// Replica scheduling applies (ReplicaSchedulingPreference).
		fields[jen.Id("Scalable")] = jen.True()
	}
	if t.HealthCondition != "" {
		fields[jen.Id("HealthCondition")] = jen.Lit(t.HealthCondition)
	}
	return jen.Qual(fedtype, "Info").Values(fields)
}
