package chart

import (
	"fmt"
	"path"
	"strings"

	"sigs.k8s.io/controller-tools/pkg/genall"
	"sigs.k8s.io/yaml"

	"github.com/kubefed-gen/kubefed/generator/emit"
	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	"github.com/kubefed-gen/kubefed/templates"
)

// writeFromTemplates writes the chart's own files from templates/chart: its
// Chart.yaml, the values.yaml whose defaults are what deployment (the manager's
// Deployment in config/manager) sets, and the KubeFedConfig carrying the
// feature gates.
func (g Generator) writeFromTemplates(gctx *genall.GenerationContext, deployment map[string]any) error {
	spec, _ := deployment["spec"].(map[string]any)
	podSpec, _ := spec["template"].(map[string]any)["spec"].(map[string]any)
	c, _ := podSpec["containers"].([]any)[0].(map[string]any)
	image, _ := c["image"].(string)
	repository, tag, err := splitImage(image)
	if err != nil {
		return err
	}
	resources, err := yaml.Marshal(c["resources"])
	if err != nil {
		return err
	}
	data := map[string]any{
		"Header":     emit.Header,
		"Name":       g.Context.ManagerName,
		"Package":    g.Context.GoPackage,
		"Repository": repository,
		"Tag":        tag,
		"Replicas":   fmt.Sprint(spec["replicas"]),
		"Resources":  indent(string(resources), "  "),
		"ConfigName": corev1beta1.ConfigName,
	}
	for _, f := range []string{"Chart.yaml", "values.yaml", "templates/kubefedconfig.yaml", "templates/NOTES.txt"} {
		out, err := templates.Render(path.Join("chart", f), data)
		if err != nil {
			return err
		}
		if err := emit.Output(gctx, path.Join(Dir, f), out); err != nil {
			return err
		}
	}
	return nil
}

// splitImage splits an image reference into the chart's repository and tag
// values (tag latest when it names none).
func splitImage(image string) (repository, tag string, err error) {
	if strings.Contains(image, "@") {
		return "", "", fmt.Errorf("managerImage %q: the chart's values take a repository and a tag, not a digest", image)
	}
	i := strings.LastIndex(image, ":")
	if i < 0 || strings.Contains(image[i:], "/") {
		return image, "latest", nil
	}
	return image[:i], image[i+1:], nil
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}
