package discover

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/version"
	"k8s.io/client-go/kubernetes/scheme"
)

// builtin is one resource of the Kubernetes API that k8s.io/api has a Go type for.
type builtin struct {
	gvk    schema.GroupVersionKind
	plural string
	goPkg  string
	goName string
}

// GoPackage is the import path of the package of the built-in type, for Loader.Load.
func (b builtin) GoPackage() string { return b.goPkg }

// builtins lists every object kind registered in client-go's scheme: everything
// k8s.io/api defines, in every served version.
func builtins() []builtin {
	objectMeta := reflect.TypeFor[metav1.ObjectMeta]()
	var out []builtin
	for gvk, typ := range scheme.Scheme.AllKnownTypes() {
		if strings.HasSuffix(gvk.Kind, "List") {
			continue
		}
		if f, ok := typ.FieldByName("ObjectMeta"); !ok || f.Type != objectMeta {
			continue // options and events of the API machinery, not objects
		}
		plural, _ := meta.UnsafeGuessKindToResource(gvk)
		out = append(out, builtin{gvk: gvk, plural: plural.Resource, goPkg: typ.PkgPath(), goName: typ.Name()})
	}
	return out
}

var versionRE = regexp.MustCompile(`^v[0-9]+((alpha|beta)[0-9]+)?$`)

// resourceArg is a resource name as kubectl accepts it, split up.
type resourceArg struct {
	name, group, version string
	groupGiven           bool
}

// parseResourceArg reads "deployments", "deployments.apps", "deployments.v1.apps",
// "cronjobs.batch/v1" and "Deployment.apps".
func parseResourceArg(s string) resourceArg {
	var arg resourceArg
	if i := strings.LastIndex(s, "/"); i >= 0 {
		s, arg.version = s[:i], s[i+1:]
	}
	// kubectl's own reading: resource.group, or resource.version.group when the
	// second part is a version.
	full, gr := schema.ParseResourceArg(s)
	arg.name, arg.group, arg.groupGiven = gr.Resource, gr.Group, strings.Contains(s, ".")
	if full != nil && versionRE.MatchString(full.Version) && arg.version == "" {
		arg.name, arg.version, arg.group = full.Resource, full.Version, full.Group
	}
	if arg.groupGiven && (arg.group == "core" || arg.group == "") {
		arg.group = "" // "configmaps.core" is kubectl's way to name the core group
	}
	return arg
}

// ResolveBuiltin finds the built-in type a kubectl-style resource name refers to.
// Without a version it picks the most stable, newest version (v2 over v1 over
// v1beta1). Unknown names get an error suggesting close matches.
func ResolveBuiltin(name string) (builtin, error) {
	arg := parseResourceArg(name)
	all := builtins()
	var matches []builtin
	for _, b := range all {
		if arg.groupGiven && b.gvk.Group != arg.group {
			continue
		}
		if arg.version != "" && b.gvk.Version != arg.version {
			continue
		}
		if arg.name == b.plural || strings.EqualFold(arg.name, b.gvk.Kind) {
			matches = append(matches, b)
		}
	}
	if len(matches) == 0 {
		return builtin{}, fmt.Errorf("unknown resource %q%s; name it as kubectl does (deployments.apps, configmaps, cronjobs.batch/v1) or by Go type (k8s.io/api/apps/v1.Deployment)", name, suggest(arg.name, all))
	}
	groups := sets.New[string]()
	for _, m := range matches {
		groups.Insert(m.gvk.Group)
	}
	if groups.Len() > 1 {
		if !groups.Has("") {
			return builtin{}, fmt.Errorf("resource %q is ambiguous: it exists in groups %s; add the group, e.g. %s.%s", name, strings.Join(sets.List(groups), ", "), arg.name, sets.List(groups)[0])
		}
		// kubectl resolves a bare name to the core group first; do the same.
		matches = filterGroup(matches, "")
	}
	sort.Slice(matches, func(i, j int) bool {
		return version.CompareKubeAwareVersionStrings(matches[i].gvk.Version, matches[j].gvk.Version) > 0
	})
	return matches[0], nil
}

func filterGroup(in []builtin, group string) []builtin {
	var out []builtin
	for _, b := range in {
		if b.gvk.Group == group {
			out = append(out, b)
		}
	}
	return out
}

// builtinByGoType finds the group and version of a k8s.io/api Go type, if it is one.
func builtinByGoType(pkg, name string) (builtin, bool) {
	for _, b := range builtins() {
		if b.goPkg == pkg && b.goName == name {
			return b, true
		}
	}
	return builtin{}, false
}

// suggest returns ", did you mean ...?" naming built-in resources close to name,
// or nothing.
func suggest(name string, all []builtin) string {
	aliases := map[string][]string{}
	for _, b := range all {
		full := b.plural
		if b.gvk.Group != "" {
			full += "." + b.gvk.Group
		}
		aliases[full] = append(aliases[full], b.plural, b.gvk.Kind)
	}
	if matches := CloseMatches(name, aliases); len(matches) > 0 {
		return fmt.Sprintf(" (did you mean %s?)", strings.Join(matches, ", "))
	}
	return ""
}

// shortNames are the short names the Kubernetes API server gives built-in
// resources; discovery cannot read them without a live cluster.
var shortNames = map[string][]string{
	"configmaps": {"cm"}, "endpoints": {"ep"}, "events": {"ev"}, "limitranges": {"limits"},
	"namespaces": {"ns"}, "nodes": {"no"}, "persistentvolumeclaims": {"pvc"},
	"persistentvolumes": {"pv"}, "pods": {"po"}, "replicationcontrollers": {"rc"},
	"resourcequotas": {"quota"}, "serviceaccounts": {"sa"}, "services": {"svc"},
	"daemonsets.apps": {"ds"}, "deployments.apps": {"deploy"}, "replicasets.apps": {"rs"},
	"statefulsets.apps": {"sts"}, "horizontalpodautoscalers.autoscaling": {"hpa"},
	"cronjobs.batch": {"cj"}, "certificatesigningrequests.certificates.k8s.io": {"csr"},
	"ingresses.networking.k8s.io": {"ing"}, "networkpolicies.networking.k8s.io": {"netpol"},
	"poddisruptionbudgets.policy": {"pdb"}, "priorityclasses.scheduling.k8s.io": {"pc"},
	"storageclasses.storage.k8s.io": {"sc"},
}
