package templates

import (
	"bytes"
	"embed"
	"fmt"
	"regexp"
	"strconv"
	"text/template"
)

// FS holds the templates, each named after the file it renders with .tmpl added
// (rbac/role.yaml.tmpl renders a role.yaml).
//
//go:embed *.tmpl rbac/*.tmpl manager/*.tmpl
var FS embed.FS

// funcs are the helpers templates may call besides text/template's own.
var funcs = template.FuncMap{"yamlString": yamlString}

// plain matches strings YAML reads back as the same string without quotes.
var plain = regexp.MustCompile(`^[a-z][a-z0-9.-]*$`)

// yamlString renders s as a YAML string scalar: plain when that reads back as s,
// else double-quoted (Go's escapes are a subset of YAML's), so that an empty API
// group is "" and an image with a port or a word like "no" stays a string.
func yamlString(s string) string {
	switch s {
	case "y", "n", "yes", "no", "on", "off", "true", "false", "null":
		return strconv.Quote(s)
	}
	if plain.MatchString(s) {
		return s
	}
	return strconv.Quote(s)
}

// Render executes the template name (a path in FS without .tmpl, such as
// "rbac/role.yaml") with data. A field or map key the data does not have is an
// error, not an empty string.
func Render(name string, data any) ([]byte, error) {
	src, err := FS.ReadFile(name + ".tmpl")
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	t, err := template.New(name).Funcs(funcs).Option("missingkey=error").Parse(string(src))
	if err != nil {
		return nil, fmt.Errorf("parse template %s: %w", name, err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	return buf.Bytes(), nil
}
