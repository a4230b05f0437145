package version

import (
	"runtime/debug"
	"slices"

	corev1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1alpha1"
	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	extdnsv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/externaldns/v1alpha1"
	mcdnsv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/multiclusterdns/v1alpha1"
	schedulingv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/scheduling/v1alpha1"
)

// Module is the path of the module whose version is told.
const Module = "github.com/kubefed-gen/kubefed"

// Devel is the version of a build from a checkout or a local replace: code that
// no published version of the module pins down.
const Devel = "(devel)"

// version is set at build time with
// -ldflags "-X github.com/kubefed-gen/kubefed/runtime/version.version=v1.2.3";
// without it the version comes from the build information.
var version = ""

// Get is the version of the kubefed module this binary was built from.
func Get() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return Devel
	}
	return fromBuildInfo(info)
}

// fromBuildInfo finds the module's version whether it is the main module (go
// install module@version, go tool, or a build in a checkout) or a dependency
// (go run from another module). A build in a checkout is Devel even when the go
// command stamped it with a VCS-derived version, so that what it generates does
// not change with every commit.
func fromBuildInfo(info *debug.BuildInfo) string {
	if info.Main.Path == Module {
		if vcsStamped(info) {
			return Devel
		}
		return moduleVersion(&info.Main)
	}
	for _, dep := range info.Deps {
		if dep.Path == Module {
			return moduleVersion(dep)
		}
	}
	return Devel
}

// moduleVersion is m's version, or its replacement's: Devel for a folder.
func moduleVersion(m *debug.Module) string {
	if r := m.Replace; r != nil {
		m = r
	}
	if m.Version == "" {
		return Devel
	}
	return m.Version
}

func vcsStamped(info *debug.BuildInfo) bool {
	return slices.ContainsFunc(info.Settings, func(s debug.BuildSetting) bool { return s.Key == "vcs.revision" })
}

// FederatedAPIVersion is where kubefed-gen puts the Federated<Kind> types unless
// told otherwise (--group, --version), as KubeFed did.
const FederatedAPIVersion = "types.kubefed.io/v1beta1"

// APIVersions are the group versions of KubeFed's own APIs that this module's
// runtime serves or reads, as apiVersion spells them, sorted.
func APIVersions() []string {
	var out []string
	for _, gv := range []interface{ String() string }{
		corev1alpha1.SchemeGroupVersion, corev1beta1.SchemeGroupVersion, extdnsv1alpha1.SchemeGroupVersion,
		mcdnsv1alpha1.SchemeGroupVersion, schedulingv1alpha1.SchemeGroupVersion,
	} {
		out = append(out, gv.String())
	}
	slices.Sort(out)
	return out
}
