package crd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// The markers written into the Go types, as controller-tools reads them. Marker
// arguments are always quoted Go strings or JSON, never bare words, so that any
// pattern, rule or enum value survives the marker parser unchanged.
const (
	markerRequired       = "+kubebuilder:validation:Required"
	markerOptional       = "+optional"
	markerNullable       = "+nullable"
	markerSchemaless     = "+kubebuilder:validation:Schemaless"
	markerPreserve       = "+kubebuilder:pruning:PreserveUnknownFields"
	markerEmbedded       = "+kubebuilder:validation:XEmbeddedResource"
	markerIntOrString    = "+kubebuilder:validation:XIntOrString"
	markerRoot           = "+kubebuilder:object:root=true"
	markerGenClient      = "+genclient"
	markerNonNamespaced  = "+genclient:nonNamespaced"
	markerStatus         = "+kubebuilder:subresource:status"
	markerObjectGenerate = "+kubebuilder:object:generate=true"
)

func markerType(t string) string { return "+kubebuilder:validation:Type=" + t }

func markerFormat(f string) string { return "+kubebuilder:validation:Format=" + strconv.Quote(f) }

// markers is what one schema node needs said about it, split by where controller-tools
// accepts each marker: typeLevel ones may sit on a field or on a named type,
// fieldOnly ones only on a struct field.
type markers struct {
	typeLevel []string
	fieldOnly []string
	// dropped names what only a field could carry, for a warning when the node is
	// not a field.
	dropped []string
}

func (m *markers) add(s ...string)      { m.typeLevel = append(m.typeLevel, s...) }
func (m *markers) addField(s ...string) { m.fieldOnly = append(m.fieldOnly, s...) }
func (m *markers) empty() bool          { return len(m.typeLevel) == 0 && len(m.fieldOnly) == 0 }
func (m *markers) prepend(s ...string)  { m.typeLevel = append(s, m.typeLevel...) }
func (m *markers) dropNote(what string) { m.dropped = append(m.dropped, what) }
func (m *markers) all() []string {
	return append(append([]string(nil), m.typeLevel...), m.fieldOnly...)
}
func (m *markers) hasFieldOnly() bool  { return len(m.fieldOnly) > 0 }
func (m *markers) droppedList() string { return strings.Join(m.dropped, ", ") }

// formatFloat writes a number the way strconv.ParseFloat (the marker parser) reads it back.
func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// markerLiteral writes a JSON value in the syntax of controller-tools' "any" marker
// arguments (+kubebuilder:example, enum values): strings quoted, objects as
// {"key": value}, arrays as {a, b}. It fails for null, which that syntax lacks.
func markerLiteral(raw []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", err
	}
	var b strings.Builder
	if err := writeLiteral(&b, v); err != nil {
		return "", err
	}
	return b.String(), nil
}

func writeLiteral(b *strings.Builder, v any) error {
	switch v := v.(type) {
	case nil:
		return fmt.Errorf("null cannot be written as a marker value")
	case string:
		b.WriteString(strconv.Quote(v))
	case json.Number:
		b.WriteString(v.String())
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case []any:
		if len(v) == 0 {
			return fmt.Errorf("an empty array cannot be told from an empty object in a marker value")
		}
		b.WriteString("{")
		for i, e := range v {
			if i > 0 {
				b.WriteString(", ")
			}
			if err := writeLiteral(b, e); err != nil {
				return err
			}
		}
		b.WriteString("}")
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString("{")
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strconv.Quote(k) + ": ")
			if err := writeLiteral(b, v[k]); err != nil {
				return err
			}
		}
		b.WriteString("}")
	default:
		return fmt.Errorf("unexpected JSON value %T", v)
	}
	return nil
}

// compactJSON is raw JSON on one line, for the +default marker, which takes JSON.
func compactJSON(raw []byte) (string, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return "", err
	}
	return buf.String(), nil
}
