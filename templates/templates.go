package templates

import (
	"bytes"
	"embed"
	"fmt"
	"text/template"
)

// FS holds the templates, each named after the file it renders with .tmpl added
// (Dockerfile.tmpl renders a Dockerfile).
//
//go:embed *.tmpl
var FS embed.FS

// Render executes the template name (a path in FS without .tmpl, such as
// "Dockerfile") with data. A field or map key the data does not have is an error,
// not an empty string.
func Render(name string, data any) ([]byte, error) {
	src, err := FS.ReadFile(name + ".tmpl")
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	t, err := template.New(name).Option("missingkey=error").Parse(string(src))
	if err != nil {
		return nil, fmt.Errorf("parse template %s: %w", name, err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	return buf.Bytes(), nil
}
