package generator

import (
	"strings"
	"testing"
)

func TestGenerateRejectsBadOptions(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"nothing to do", Options{OutputDir: "out"}, "nothing to federate"},
		{"no output", Options{Types: []string{"configmaps"}}, "no output folder"},
		{"outside module", Options{Types: []string{"configmaps"}, OutputDir: t.TempDir()}, "is outside any Go module"},
		{"wrong go package", Options{Types: []string{"configmaps"}, OutputDir: "testdata/x", GoPackage: "example.com/x"}, "does not match the output folder"},
		{"unknown type", Options{Types: []string{"deploymnets"}, OutputDir: "testdata/x"}, "did you mean deployments.apps"},
		{"same kind twice", Options{Types: []string{"deployments.apps", "k8s.io/api/apps/v1.Deployment"}, OutputDir: "testdata/x"}, "both have kind Deployment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Generate(tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}
