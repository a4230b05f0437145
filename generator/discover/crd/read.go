package crd

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// ReadFile parses a YAML or JSON file holding one or more CRDs
// (apiextensions.k8s.io/v1; several YAML documents allowed). Any other document is
// an error naming its index, counted from 1 among the file's non-empty documents.
func ReadFile(path string) ([]*apiextensionsv1.CustomResourceDefinition, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var out []*apiextensionsv1.CustomResourceDefinition
	for index := 1; ; {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", path, index, err)
		}
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
		}
		var generic any
		if err := yaml.Unmarshal(doc, &generic); err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", path, index, err)
		}
		if generic == nil {
			continue // only comments or blank lines
		}
		if err := yaml.Unmarshal(doc, &head); err != nil {
			return nil, fmt.Errorf("%s: document %d is not an object: %w", path, index, err)
		}
		if head.APIVersion != apiextensionsv1.SchemeGroupVersion.String() || head.Kind != "CustomResourceDefinition" {
			what := fmt.Sprintf("apiVersion %q, kind %q", head.APIVersion, head.Kind)
			if head.Kind == "CustomResourceDefinition" {
				return nil, fmt.Errorf("%s: document %d is a CustomResourceDefinition of %s; only apiextensions.k8s.io/v1 is supported (convert it, e.g. by applying it and reading it back)", path, index, head.APIVersion)
			}
			return nil, fmt.Errorf("%s: document %d (%s) is not a CustomResourceDefinition", path, index, what)
		}
		c := &apiextensionsv1.CustomResourceDefinition{}
		if err := yaml.UnmarshalStrict(doc, c); err != nil {
			return nil, fmt.Errorf("%s: document %d: CustomResourceDefinition: %w", path, index, err)
		}
		out = append(out, c)
		index++
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no CustomResourceDefinition", path)
	}
	return out, nil
}
