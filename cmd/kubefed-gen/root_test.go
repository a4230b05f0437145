package main

import (
	"maps"
	"os"
	"path/filepath"
	"testing"

	"github.com/kubefed-gen/kubefed/generator"
)

// TestClientsSetting: clients are on unless the config file or the flag turns them
// off, and the flag wins over the file.
func TestClientsSetting(t *testing.T) {
	var got generator.Options
	generate = func(opts generator.Options) error { got = opts; return nil }
	t.Cleanup(func() { generate = generator.Generate })
	off, on := false, true
	for _, tc := range []struct {
		name, config string
		args         []string
		want         *bool
	}{
		{"default", "types: [configmaps]\n", nil, nil},
		{"off in the file", "types: [configmaps]\nclients: false\n", nil, &off},
		{"off by flag", "types: [configmaps]\n", []string{"--clients=false"}, &off},
		{"flag over file", "types: [configmaps]\nclients: false\n", []string{"--clients"}, &on},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "kubefed-gen.yaml")
			if err := os.WriteFile(file, []byte(tc.config), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := newRootCommand()
			cmd.SetArgs(append([]string{"--config", file}, tc.args...))
			if err := cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			switch {
			case tc.want == nil && got.Clients != nil:
				t.Errorf("clients = %v, want unset (on)", *got.Clients)
			case tc.want != nil && (got.Clients == nil || *got.Clients != *tc.want):
				t.Errorf("clients = %v, want %v", got.Clients, *tc.want)
			}
		})
	}
}

// TestHealthConditionsSetting: health conditions come from the file's
// healthConditions map and --health-condition flags, a flag winning for its type.
func TestHealthConditionsSetting(t *testing.T) {
	var got generator.Options
	generate = func(opts generator.Options) error { got = opts; return nil }
	t.Cleanup(func() { generate = generator.Generate })
	file := filepath.Join(t.TempDir(), "kubefed-gen.yaml")
	config := "crds: [widgets.yaml]\nhealthConditions:\n  widgets.example.com: Ready\n  gadgets.example.com: Available\n"
	if err := os.WriteFile(file, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := newRootCommand()
	cmd.SetArgs([]string{"--config", file, "--health-condition", "widgets.example.com=Serving", "--health-condition", "gizmos.example.com=Synced"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"widgets.example.com": "Serving", "gadgets.example.com": "Available", "gizmos.example.com": "Synced"}
	if !maps.Equal(got.HealthConditions, want) {
		t.Errorf("health conditions %v, want %v", got.HealthConditions, want)
	}
}
