package main

import (
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"strings"
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

// TestVerifyFlag: --verify writes nothing, lists the stale files the generator
// finds with the version their header names, and fails when there are any.
func TestVerifyFlag(t *testing.T) {
	generate = func(generator.Options) error { t.Error("--verify generated"); return nil }
	t.Cleanup(func() { generate, verify = generator.Generate, generator.Verify })
	var stale []generator.Stale
	verify = func(generator.Options) ([]generator.Stale, error) { return stale, nil }

	run := func() (string, error) {
		cmd := newRootCommand()
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetArgs([]string{"--type", "configmaps", "--output", "fed", "--verify"})
		err := cmd.Execute()
		return out.String(), err
	}
	if out, err := run(); err != nil || out != "generated files in fed are up to date (kubefed-gen (devel))\n" {
		t.Errorf("nothing stale: printed %q, error %v", out, err)
	}

	stale = []generator.Stale{
		{Path: "apis/types/v1beta1/zz_generated.federatedconfigmap.go", Problem: generator.OutOfDate, HeaderVersion: "v0.3.0"},
		{Path: "config/crd/kustomization.yaml", Problem: generator.OutOfDate},
		{Path: "fedtypes/zz_generated.fedtypes.go", Problem: generator.Missing},
		{Path: "apis/types/v1beta1/zz_generated.federatedsecret.go", Problem: generator.NoLongerGenerated, HeaderVersion: "v0.3.0"},
	}
	out, err := run()
	want := "fed/apis/types/v1beta1/zz_generated.federatedconfigmap.go: out of date (written by kubefed-gen v0.3.0; this is kubefed-gen (devel))\n" +
		"fed/config/crd/kustomization.yaml: out of date (its header names no kubefed-gen version; this is kubefed-gen (devel))\n" +
		"fed/fedtypes/zz_generated.fedtypes.go: missing\n" +
		"fed/apis/types/v1beta1/zz_generated.federatedsecret.go: no longer generated (written by kubefed-gen v0.3.0; this is kubefed-gen (devel))\n"
	if out != want {
		t.Errorf("printed\n%s\nwant\n%s", out, want)
	}
	if err == nil || !strings.Contains(err.Error(), "4 generated file(s) in fed differ from what kubefed-gen (devel) writes") {
		t.Errorf("error %v, want one counting the 4 stale files", err)
	}
}
