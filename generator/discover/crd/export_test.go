package crd

import (
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	"github.com/kubefed-gen/kubefed/generator/emit"
)

// ConvertedTypes returns the types.go that WriteGoTypes writes for c as package
// goPackage, and its warnings, without writing files or loading Go packages.
func ConvertedTypes(c *apiextensionsv1.CustomResourceDefinition, goPackage string) ([]byte, []string, error) {
	g, err := convert(c)
	if err != nil {
		return nil, nil, err
	}
	out, err := emit.RenderGo(typesFile(g.decls, g.kind, g.version, goPackage), "types.go")
	return out, g.warnings, err
}
