package manager

import (
	"fmt"
	"io"
	"slices"
	"strings"

	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/kubefed-gen/kubefed/runtime/fedtype"
	"github.com/kubefed-gen/kubefed/runtime/version"
)

// printVersion is --version: the kubefed module version the manager was built
// from and the API versions it reads and writes.
func printVersion(w io.Writer, name string, types []fedtype.Descriptor) {
	fmt.Fprintf(w, "%s %s\nKubeFed APIs: %s\nFederated types: %s\n", name, version.Get(),
		strings.Join(version.APIVersions(), ", "), strings.Join(federatedAPIVersions(types), ", "))
}

// logVersion logs the same at start, so that a log tells which build wrote it.
func logVersion(name string, types []fedtype.Descriptor) {
	ctrl.Log.WithName("manager").Info("starting", "name", name, "version", version.Get(),
		"kubefedAPIs", version.APIVersions(), "federatedAPIs", federatedAPIVersions(types))
}

// federatedAPIVersions are the group versions of types' Federated<Kind>s, sorted.
func federatedAPIVersions(types []fedtype.Descriptor) []string {
	var out []string
	for _, t := range types {
		out = append(out, t.TypeInfo().Federated.GroupVersion().String())
	}
	slices.Sort(out)
	return slices.Compact(out)
}
