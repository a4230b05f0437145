// Package controllers emits the typed sync controllers: one short file that
// instantiates the shared runtime's generics (fedtype.For) for every federated type,
// so that the runtime's reconcilers run on typed objects.
package controllers

import (
	"path"
	"path/filepath"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/kubefed-gen/kubefed/generator/emit"
	"github.com/kubefed-gen/kubefed/generator/model"
)

const fedtype = emit.RuntimeModule + "/fedtype"

// Emitter writes controllers/zz_generated.controllers.go.
type Emitter struct{}

func (Emitter) Name() string { return "controllers" }

// Package is the import path of the generated controllers package.
func Package(ctx *emit.Context) string { return path.Join(ctx.GoPackage, "controllers") }

func (Emitter) Emit(ctx *emit.Context) error {
	f := emit.NewGoFile(Package(ctx), "controllers")
	f.ImportAlias(ctx.APIPackage(), ctx.Set.GroupPackage()+ctx.Set.Version)
	f.PackageComment("Package controllers lists the federated types this manager propagates, typed, for the kubefed runtime.")
	var items []jen.Code
	for _, t := range ctx.Set.Targets {
		f.ImportAlias(t.GoPackage, emit.ImportAlias(t.GoPackage))
		items = append(items, jen.Line().Qual(fedtype, "For").Types(
			jen.Qual(ctx.APIPackage(), t.FederatedKind()), jen.Qual(t.GoPackage, t.GoName),
		).Call(info(ctx, t)))
	}
	f.Comment("FederatedTypes describes every federated type of this package to the sync runtime,")
	f.Comment("which propagates each Federated<Kind> to its target kind in member clusters.")
	f.Var().Id("FederatedTypes").Op("=").Index().Qual(fedtype, "Descriptor").Values(append(items, jen.Line())...)
	return emit.WriteGo(f, filepath.Join(ctx.OutputDir, "controllers", "zz_generated.controllers.go"))
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
	return jen.Qual(fedtype, "Info").Values(jen.Dict{
		jen.Id("Name"):      jen.Lit(strings.TrimSuffix(t.Resource(), ".")),
		jen.Id("Target"):    resource(t.Group, t.Version, t.Kind, t.Plural, t.Namespaced),
		jen.Id("Federated"): resource(ctx.Set.Group, ctx.Set.Version, t.FederatedKind(), t.FederatedPlural(), t.FederatedNamespaced()),
	})
}
