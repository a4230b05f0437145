package crd

import (
	"go/token"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// initialisms are spelled in capitals in Go names, as golint and Kubernetes' own
// types do (tlsConfig → TLSConfig, caBundle → CABundle).
var initialisms = map[string]bool{
	"acl": true, "api": true, "ascii": true, "ca": true, "cidr": true, "cpu": true, "css": true,
	"dns": true, "eof": true, "gid": true, "grpc": true, "guid": true, "html": true, "http": true,
	"https": true, "id": true, "ip": true, "json": true, "jwt": true, "oidc": true, "qps": true,
	"ram": true, "rpc": true, "sla": true, "smtp": true, "sql": true, "ssh": true, "tcp": true,
	"tls": true, "ttl": true, "udp": true, "ui": true, "uid": true, "uri": true, "url": true,
	"uuid": true, "vm": true, "xml": true, "yaml": true,
}

// goName turns a JSON property name into an exported Go identifier: words split at
// anything that is not a letter or digit and at camelCase humps are capitalised and
// joined (service-account → ServiceAccount, tlsConfig → TLSConfig), and a name that
// would not start with an upper-case letter (3des, _x, 名前) gets an X in front.
// Go keywords need no care: they are lower-case, exported names never are.
func goName(jsonName string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(jsonName, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		for _, word := range camelWords(part) {
			if initialisms[strings.ToLower(word)] {
				b.WriteString(strings.ToUpper(word))
				continue
			}
			r := []rune(word)
			b.WriteString(string(unicode.ToUpper(r[0])) + string(r[1:]))
		}
	}
	name := b.String()
	if name == "" {
		return "Field"
	}
	if !token.IsExported(name) {
		name = "X" + name
	}
	return name
}

// camelWords splits lowerCamel or UpperCamel text into its words; a run of capitals
// is one word (HTTPHeaders → HTTP, Headers) and digits stay with the word before.
func camelWords(s string) []string {
	r := []rune(s)
	var words []string
	start := 0
	for i := 1; i < len(r); i++ {
		lowerToUpper := unicode.IsLower(r[i-1]) && unicode.IsUpper(r[i])
		digitToUpper := unicode.IsDigit(r[i-1]) && unicode.IsUpper(r[i])
		acronymEnd := unicode.IsUpper(r[i-1]) && unicode.IsUpper(r[i]) && i+1 < len(r) && unicode.IsLower(r[i+1])
		if lowerToUpper || digitToUpper || acronymEnd {
			words = append(words, string(r[start:i]))
			start = i
		}
	}
	return append(words, string(r[start:]))
}

// isPlainName is true for a JSON name that is already an identifier; such names get
// first pick of Go names, so that fooBar keeps FooBar when foo-bar also wants it.
func isPlainName(jsonName string) bool {
	return token.IsIdentifier(jsonName)
}

// namer hands out unique names in one scope (a package's types, or a struct's fields).
type namer struct {
	taken map[string]bool
}

func newNamer(reserved ...string) *namer {
	n := &namer{taken: map[string]bool{}}
	for _, r := range reserved {
		n.taken[r] = true
	}
	return n
}

// name returns want, or want with the smallest number ≥ 2 appended that is free.
func (n *namer) name(want string) string {
	got := want
	for i := 2; n.taken[got]; i++ {
		got = want + strconv.Itoa(i)
	}
	n.taken[got] = true
	return got
}

// fieldNames gives each JSON property of one struct its Go field name. Plain names
// choose first, then the rest, each group in sorted order, so the result does not
// depend on map order and a colliding name gets a numeric suffix.
func fieldNames(props []string, reserved []string) map[string]string {
	sorted := append([]string(nil), props...)
	sort.SliceStable(sorted, func(i, j int) bool {
		pi, pj := isPlainName(sorted[i]), isPlainName(sorted[j])
		if pi != pj {
			return pi
		}
		return sorted[i] < sorted[j]
	})
	n := newNamer(reserved...)
	out := map[string]string{}
	for _, p := range sorted {
		out[p] = n.name(goName(p))
	}
	return out
}

// structReserved are names no field of a generated struct may take: the deepcopy
// methods every generated struct gets.
var structReserved = []string{"DeepCopy", "DeepCopyInto"}

// rootReserved are names no field of the root type may take: its embedded TypeMeta
// and ObjectMeta and everything they promote (a field Name would hide
// ObjectMeta.Name, a field GetName would stop the type being a metav1.Object).
var rootReserved = func() []string {
	out := append([]string{"TypeMeta", "ObjectMeta", "DeepCopyObject"}, structReserved...)
	for _, v := range []any{&metav1.TypeMeta{}, &metav1.ObjectMeta{}} {
		t := reflect.TypeOf(v)
		for i := range t.NumMethod() {
			out = append(out, t.Method(i).Name)
		}
		for i := range t.Elem().NumField() {
			out = append(out, t.Elem().Field(i).Name)
		}
	}
	return out
}()
