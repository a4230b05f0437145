package emit

import (
	"bytes"
	"encoding/json"
	"path"
	"strings"

	"sigs.k8s.io/controller-tools/pkg/genall"
	"sigs.k8s.io/yaml"
)

// YAMLHeader is the generated-file header of a YAML file followed by comment, one
// "# " line per entry (an empty entry is a bare "#").
func YAMLHeader(comment ...string) string {
	var b strings.Builder
	b.WriteString("# " + Header + "\n")
	for _, c := range comment {
		b.WriteString(strings.TrimRight("# "+c, " ") + "\n")
	}
	return b.String()
}

// MarshalYAML renders Kubernetes objects as controller-tools' WriteYAML does: the
// header and comment, then each object as a document starting with "---", without
// what the API server fills in (status, metadata.creationTimestamp) and without
// empty top-level fields such as a Namespace's spec.
func MarshalYAML(comment []string, objs ...any) ([]byte, error) {
	var out bytes.Buffer
	out.WriteString(YAMLHeader(comment...))
	for _, obj := range objs {
		raw, err := json.Marshal(obj)
		if err != nil {
			return nil, err
		}
		var fields map[string]any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber() // keep integers exact
		if err := dec.Decode(&fields); err != nil {
			return nil, err
		}
		if err := genall.TransformRemoveCreationTimestamp(fields); err != nil {
			return nil, err
		}
		delete(fields, "status")
		for k, v := range fields {
			if m, ok := v.(map[string]any); ok && len(m) == 0 {
				delete(fields, k)
			}
		}
		data, err := yaml.Marshal(fields)
		if err != nil {
			return nil, err
		}
		out.WriteString("---\n")
		out.Write(data)
	}
	return out.Bytes(), nil
}

// OutputYAML writes objs as itemPath with MarshalYAML.
func OutputYAML(ctx *genall.GenerationContext, itemPath string, comment []string, objs ...any) error {
	data, err := MarshalYAML(comment, objs...)
	if err != nil {
		return err
	}
	return Output(ctx, itemPath, data)
}

// Kustomization is what the generator sets of a kustomize Kustomization.
type Kustomization struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Namespace  string   `json:"namespace,omitempty"`
	Resources  []string `json:"resources"`
}

// OutputKustomization writes dir/kustomization.yaml listing resources (files or
// folders relative to dir), setting namespace when it is not empty.
func OutputKustomization(ctx *genall.GenerationContext, dir string, comment []string, namespace string, resources ...string) error {
	data, err := yaml.Marshal(Kustomization{
		APIVersion: "kustomize.config.k8s.io/v1beta1", Kind: "Kustomization",
		Namespace: namespace, Resources: resources,
	})
	if err != nil {
		return err
	}
	return Output(ctx, path.Join(dir, "kustomization.yaml"), append([]byte(YAMLHeader(comment...)), data...))
}
