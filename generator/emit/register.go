package emit

import "github.com/dave/jennifer/jen"

const (
	runtimePkg = "k8s.io/apimachinery/pkg/runtime"
	schemaPkg  = "k8s.io/apimachinery/pkg/runtime/schema"
	metav1Pkg  = "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// AddRegistration adds to f what an API package exports for clients and schemes:
// SchemeGroupVersion, SchemeBuilder, AddToScheme and Resource, registering each
// kind and its <kind>List (the names client-gen's output and listers call).
func AddRegistration(f *jen.File, group, version string, kinds []string) {
	f.Comment("SchemeGroupVersion is the group and version of every type in this package.")
	f.Var().Id("SchemeGroupVersion").Op("=").Qual(schemaPkg, "GroupVersion").Values(jen.Dict{
		jen.Id("Group"): jen.Lit(group), jen.Id("Version"): jen.Lit(version),
	})
	f.Var().Defs(
		jen.Comment("SchemeBuilder registers this package's types."),
		jen.Id("SchemeBuilder").Op("=").Qual(runtimePkg, "NewSchemeBuilder").Call(jen.Id("addKnownTypes")),
		jen.Comment("AddToScheme adds this package's types to a scheme."),
		jen.Id("AddToScheme").Op("=").Id("SchemeBuilder").Dot("AddToScheme"),
	)
	f.Comment("Resource returns a group-qualified resource of this package.")
	f.Func().Id("Resource").Params(jen.Id("resource").String()).Qual(schemaPkg, "GroupResource").Block(
		jen.Return(jen.Id("SchemeGroupVersion").Dot("WithResource").Call(jen.Id("resource")).Dot("GroupResource").Call()),
	)
	objs := []jen.Code{jen.Id("SchemeGroupVersion")}
	for _, k := range kinds {
		objs = append(objs, jen.Op("&").Id(k).Values(), jen.Op("&").Id(k+"List").Values())
	}
	f.Func().Id("addKnownTypes").Params(jen.Id("scheme").Op("*").Qual(runtimePkg, "Scheme")).Error().Block(
		jen.Id("scheme").Dot("AddKnownTypes").Call(objs...),
		jen.Qual(metav1Pkg, "AddToGroupVersion").Call(jen.Id("scheme"), jen.Id("SchemeGroupVersion")),
		jen.Return(jen.Nil()),
	)
}
