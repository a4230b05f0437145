package version

import (
	"runtime/debug"
	"slices"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	dep := func(v string, replace *debug.Module) []*debug.Module {
		return []*debug.Module{{Path: "golang.org/x/mod", Version: "v0.30.0"}, {Path: Module, Version: v, Replace: replace}}
	}
	for _, tc := range []struct {
		name string
		info debug.BuildInfo
		want string
	}{
		{"go install module@version", debug.BuildInfo{Main: debug.Module{Path: Module, Version: "v0.4.0"}}, "v0.4.0"},
		{"checkout without VCS stamp", debug.BuildInfo{Main: debug.Module{Path: Module, Version: Devel}}, Devel},
		{"checkout with VCS stamp", debug.BuildInfo{
			Main:     debug.Module{Path: Module, Version: "v0.4.1-0.20261203101010-abcdefabcdef+dirty"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abcdef"}},
		}, Devel},
		{"go tool", debug.BuildInfo{Main: debug.Module{Path: Module, Version: "v0.4.0"}}, "v0.4.0"},
		{"go tool, the module replaced by a folder", debug.BuildInfo{Main: debug.Module{
			Path: Module, Version: "v0.0.0-00010101000000-000000000000", Replace: &debug.Module{Path: "/src/kubefed"},
		}}, Devel},
		{"go run from a dependent module", debug.BuildInfo{Main: debug.Module{Path: "example.com/shop", Version: Devel}, Deps: dep("v0.4.0", nil)}, "v0.4.0"},
		{"replaced by a folder", debug.BuildInfo{Main: debug.Module{Path: "example.com/shop"}, Deps: dep("v0.4.0", &debug.Module{Path: "../kubefed"})}, Devel},
		{"replaced by another version", debug.BuildInfo{Main: debug.Module{Path: "example.com/shop"}, Deps: dep("v0.4.0", &debug.Module{Path: Module, Version: "v0.4.2"})}, "v0.4.2"},
		{"not built with the module", debug.BuildInfo{Main: debug.Module{Path: "example.com/other"}}, Devel},
	} {
		if got := fromBuildInfo(&tc.info); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestAPIVersions(t *testing.T) {
	got := APIVersions()
	want := []string{"core.kubefed.io/v1alpha1", "core.kubefed.io/v1beta1", "externaldns.k8s.io/v1alpha1", "multiclusterdns.kubefed.io/v1alpha1", "scheduling.kubefed.io/v1alpha1"}
	if !slices.Equal(got, want) {
		t.Errorf("APIVersions() = %v, want %v", got, want)
	}
}
