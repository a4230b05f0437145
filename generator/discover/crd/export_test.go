package crd

import (
	"errors"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	"github.com/kubefed-gen/kubefed/generator/emit"
)

// ConvertedTypes returns the types.go that WriteGoTypes writes for c as package
// goPackage, and its warnings, without writing files or loading Go packages.
func ConvertedTypes(c *apiextensionsv1.CustomResourceDefinition, goPackage string) ([]byte, []string, error) {
	res, files, err := convert(c, goPackage)
	if err != nil {
		return nil, nil, err
	}
	for _, f := range files {
		if f.name == "types.go" {
			out, err := emit.RenderGo(f.file, f.name)
			return out, res.Warnings, err
		}
	}
	return nil, nil, errors.New("convert wrote no types.go")
}
