package templates

import (
	"bytes"
	"embed"
	"fmt"
	"strings"
	"text/template"
)

// FS holds the templates, each named after the file it renders with .tmpl added
// (Dockerfile.tmpl renders a Dockerfile, chart/values.yaml.tmpl a chart's
// values.yaml).
//
//go:embed *.tmpl chart
var FS embed.FS

// Render executes the template name (a path in FS without .tmpl, such as
// "Dockerfile") with data. A field or map key the data does not have is an error,
// not an empty string. Templates below chart/ write Helm templates, whose own
// actions are {{ }}: theirs are [[ ]].
func Render(name string, data any) ([]byte, error) {
	src, err := FS.ReadFile(name + ".tmpl")
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	t := template.New(name).Option("missingkey=error")
	if strings.HasPrefix(name, "chart/") {
		t = t.Delims("[[", "]]")
	}
	if t, err = t.Parse(string(src)); err != nil {
		return nil, fmt.Errorf("parse template %s: %w", name, err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	return buf.Bytes(), nil
}
