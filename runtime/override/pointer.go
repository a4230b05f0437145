package override

import (
	"fmt"
	"strconv"
	"strings"
)

// parsePointer splits an RFC 6901 JSON pointer into its unescaped reference tokens.
func parsePointer(p string) ([]string, error) {
	if p == "" {
		return nil, fmt.Errorf("path is empty: overriding the whole object is not allowed")
	}
	if p[0] != '/' {
		return nil, fmt.Errorf("path must start with /")
	}
	tokens := strings.Split(p[1:], "/")
	for i, t := range tokens {
		if err := checkEscapes(t); err != nil {
			return nil, err
		}
		// ~1 first, as RFC 6901 section 4 says, so that "~01" becomes "~1" and not "/".
		tokens[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return tokens, nil
}

// checkEscapes rejects a ~ not followed by 0 or 1: silently keeping it would make a
// typo address a different field than the user meant.
func checkEscapes(token string) error {
	for i := 0; i < len(token); i++ {
		if token[i] != '~' {
			continue
		}
		if i+1 == len(token) || (token[i+1] != '0' && token[i+1] != '1') {
			return fmt.Errorf("%q has a ~ that is not ~0 or ~1", token)
		}
	}
	return nil
}

// pointer renders tokens back as a JSON pointer, for error messages.
func pointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

// arrayIndex parses token as an index into an array of length n. add may address one
// past the end (n, or "-") to append; other ops need an existing element.
func arrayIndex(token string, n int, forAdd bool) (int, error) {
	if token == "-" {
		if !forAdd {
			return 0, fmt.Errorf(`"-" (past the end of the array) is only valid for add`)
		}
		return n, nil
	}
	// RFC 6901 allows no sign and no leading zero.
	if token == "" || (len(token) > 1 && token[0] == '0') || strings.TrimLeft(token, "0123456789") != "" {
		return 0, fmt.Errorf("%q is not an array index", token)
	}
	i, err := strconv.Atoi(token)
	last := n - 1
	if forAdd {
		last = n
	}
	if err != nil || i > last {
		return 0, fmt.Errorf("index %s is out of range: the array has %d items", token, n)
	}
	return i, nil
}
