package chart

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// templater puts Helm actions into YAML that sigs.k8s.io/yaml writes: a field
// is set to a placeholder, a plain scalar the YAML writer leaves as it is, and
// expand replaces each placeholder's line with the action.
type templater struct{ actions []action }

type action struct {
	kind actionKind
	text string // the action, or for when its condition
	item string // for when: the list item kept when the condition holds
}

type actionKind int

const (
	// inline replaces the placeholder with text: key: {{ ... }}.
	inline actionKind = iota
	// block makes the value of the placeholder's key text's output, as YAML
	// indented below the key: key:\n  {{- text | nindent N }}.
	block
	// when keeps a list item only while a condition holds.
	when
)

const placeholderPrefix = "kubefed-chart-action-"

var placeholder = regexp.MustCompile(placeholderPrefix + `(\d+)`)

func (t *templater) add(a action) string {
	t.actions = append(t.actions, a)
	return placeholderPrefix + strconv.Itoa(len(t.actions)-1)
}

func (t *templater) inline(text string) string { return t.add(action{kind: inline, text: text}) }
func (t *templater) block(text string) string  { return t.add(action{kind: block, text: text}) }
func (t *templater) when(condition, item string) string {
	return t.add(action{kind: when, text: condition, item: item})
}

// expand replaces every placeholder in data with its action.
func (t *templater) expand(data []byte) ([]byte, error) {
	lines := strings.Split(string(data), "\n")
	for i, line := range lines {
		m := placeholder.FindStringSubmatchIndex(line)
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(line[m[2]:m[3]])
		a := t.actions[n]
		indent := line[:len(line)-len(strings.TrimLeft(line, " "))]
		before, after := line[:m[0]], line[m[1]:]
		switch a.kind {
		case inline:
			lines[i] = before + a.text + after
		case block:
			if !strings.HasSuffix(before, ": ") || after != "" {
				return nil, fmt.Errorf("a block value must be a whole field: %q", line)
			}
			lines[i] = strings.TrimSuffix(before, " ") + "\n" + indent + "  {{- " + a.text + " | nindent " + strconv.Itoa(len(indent)+2) + " }}"
		case when:
			if strings.TrimSpace(before) != "-" || after != "" {
				return nil, fmt.Errorf("a conditional value must be a whole list item: %q", line)
			}
			lines[i] = indent + "{{- if " + a.text + " }}\n" + before + a.item + "\n" + indent + "{{- end }}"
		}
		if placeholder.MatchString(lines[i]) {
			return nil, fmt.Errorf("two values to template on one line: %q", line)
		}
	}
	return []byte(strings.Join(lines, "\n")), nil
}
