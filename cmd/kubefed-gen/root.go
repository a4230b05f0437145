package main

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"sort"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	"github.com/kubefed-gen/kubefed/generator"
	"github.com/kubefed-gen/kubefed/generator/discover"
	"github.com/kubefed-gen/kubefed/runtime/version"
)

// generate and verify are what the command runs; tests replace them to see the
// settings.
var (
	generate = generator.Generate
	verify   = generator.Verify
)

func newRootCommand() *cobra.Command {
	var (
		opts       generator.Options
		configFile string
		maxDesc    int
		clients    bool
		verifyOnly bool
	)
	cmd := &cobra.Command{
		Use:   "kubefed-gen",
		Short: "Generate typed Federated<Kind> APIs, CRDs, clients and controllers",
		Long: `kubefed-gen reads the Kubernetes types you want federated and writes, for each,
a Federated<Kind> Go API type (template, placement, overrides, status), its CRD with
the full schema of the template, typed clients, and a sync controller on the shared
kubefed runtime. With --manager it also writes a manager command (cmd/manager), RBAC,
install manifests and a Dockerfile, so the output builds into a federation controller
image. --clients=false leaves out the typed clients.

Types come from any mix of:
  --type        a resource name as kubectl spells it, or a Go type
  --input-pkg   a Go package whose types carry the +kubefed:federate marker
  --config      a YAML file with the same settings (flags add to it)`,
		Example: `  # Federate two built-in types into ./federation
  kubefed-gen --type deployments.apps --type configmaps --output ./federation

  # By Go type, at a chosen version
  kubefed-gen --type k8s.io/api/batch/v1.CronJob --type cronjobs.batch/v1 --output ./fed

  # Your own types, from a go:generate line in your API package's folder
  //go:generate go tool kubefed-gen --input-pkg example.com/widgets/api/v1 --output ../../federation

  # A CRD from its YAML (its storage version becomes Go types under ./fed/targets),
  # healthy in a member when its Ready condition is True
  kubefed-gen --crd config/crd/certificates.yaml --health-condition certificates.cert-manager.io=Ready --output ./fed

  # Everything from a file
  kubefed-gen --config kubefed-gen.yaml

  # Fail, listing them, when generated files differ from what this kubefed-gen
  # writes (for instance after upgrading the kubefed module); nothing is written
  kubefed-gen --config kubefed-gen.yaml --verify`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if configFile != "" {
				fromFile, err := readConfig(configFile)
				if err != nil {
					return err
				}
				opts = merge(fromFile, opts)
			}
			if cmd.Flags().Changed("max-description-length") {
				opts.MaxDescriptionLength = &maxDesc
			}
			if cmd.Flags().Changed("clients") {
				opts.Clients = &clients
			}
			if verifyOnly {
				return runVerify(cmd, opts)
			}
			opts.Log = cmd.ErrOrStderr()
			return generate(opts)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&opts.Types, "type", nil, "type to federate: a resource name (deployments.apps, configmaps, cronjobs.batch/v1, deployments.v1.apps) or a Go type (k8s.io/api/apps/v1.Deployment); repeatable")
	f.StringArrayVar(&opts.InputPackages, "input-pkg", nil, "Go package whose types marked +kubefed:federate are federated (example.com/widgets/api/v1); repeatable")
	f.StringArrayVar(&opts.CRDFiles, "crd", nil, "YAML file of CustomResourceDefinitions to federate (their storage version becomes Go types under <output>/targets); repeatable")
	f.StringToStringVar(&opts.HealthConditions, "health-condition", nil, "RESOURCE=CONDITION: the condition of a federated type's target whose True status means healthy (widgets.example.com=Ready); False is Degraded, Unknown or absent Progressing; repeatable")
	f.StringVar(&configFile, "config", "", "YAML file with the settings below (types, inputPackages, crds, healthConditions, output, goPackage, group, version, clients, manager, managerImage, maxDescriptionLength); paths in it are relative to the file")
	f.StringVarP(&opts.OutputDir, "output", "o", "", "folder to write into, inside a Go module (./federation)")
	f.StringVar(&opts.GoPackage, "go-package", "", "import path of --output; derived from go.mod when empty, checked when set")
	f.StringVar(&opts.Group, "group", "", "API group of the federated types (default types.kubefed.io)")
	f.StringVar(&opts.Version, "version", "", "API version of the federated types (default v1beta1)")
	f.BoolVar(&clients, "clients", true, "write the typed clientset, listers and informers into <output>/client (false removes generated ones)")
	f.BoolVar(&opts.Manager, "manager", false, "also write the manager command (<output>/cmd/manager), RBAC, install manifests and a Dockerfile")
	f.StringVar(&opts.ManagerImage, "manager-image", "", "image the install manifests run (default kubefed-controller-manager:latest)")
	f.IntVar(&maxDesc, "max-description-length", 0, "truncate CRD schema descriptions to this many characters; 0 drops them (default: keep them whole)")
	f.BoolVar(&verifyOnly, "verify", false, "write nothing: generate into a temporary copy of the module and fail, listing them, if generated files differ from what is on disk")
	cmd.AddCommand(newMarkersCommand())
	return cmd
}

// runVerify is --verify: it lists stale files on stdout and fails when there are
// any.
func runVerify(cmd *cobra.Command, opts generator.Options) error {
	stale, err := verify(opts)
	if err != nil {
		return err
	}
	if len(stale) == 0 {
		fmt.Fprintf(cmd.OutOrStdout(), "generated files in %s are up to date (kubefed-gen %s)\n", opts.OutputDir, version.Get())
		return nil
	}
	for _, s := range stale {
		s.Path = filepath.Join(opts.OutputDir, s.Path)
		fmt.Fprintln(cmd.OutOrStdout(), s)
	}
	return fmt.Errorf("%d generated file(s) in %s differ from what kubefed-gen %s writes; run it without --verify (go generate) and commit the result",
		len(stale), opts.OutputDir, version.Get())
}

// readConfig reads a kubefed-gen YAML file strictly, so that a misspelt key is an
// error rather than a silently ignored setting.
func readConfig(path string) (generator.Options, error) {
	var opts generator.Options
	data, err := os.ReadFile(path)
	if err != nil {
		return opts, fmt.Errorf("read --config: %w", err)
	}
	if err := yaml.UnmarshalStrict(data, &opts); err != nil {
		return opts, fmt.Errorf("--config %s: %w", path, err)
	}
	if opts.OutputDir != "" && !filepath.IsAbs(opts.OutputDir) {
		opts.OutputDir = filepath.Join(filepath.Dir(path), opts.OutputDir)
	}
	for i, f := range opts.CRDFiles {
		if !filepath.IsAbs(f) {
			opts.CRDFiles[i] = filepath.Join(filepath.Dir(path), f)
		}
	}
	return opts, nil
}

// merge adds flag settings to file settings: lists add up, single values from flags win.
func merge(file, flags generator.Options) generator.Options {
	out := file
	out.Types = append(out.Types, flags.Types...)
	out.InputPackages = append(out.InputPackages, flags.InputPackages...)
	out.CRDFiles = append(out.CRDFiles, flags.CRDFiles...)
	if len(flags.HealthConditions) > 0 {
		out.HealthConditions = maps.Clone(out.HealthConditions)
		if out.HealthConditions == nil {
			out.HealthConditions = map[string]string{}
		}
		maps.Copy(out.HealthConditions, flags.HealthConditions)
	}
	for _, s := range []struct {
		dst *string
		v   string
	}{
		{&out.OutputDir, flags.OutputDir}, {&out.GoPackage, flags.GoPackage}, {&out.Group, flags.Group},
		{&out.Version, flags.Version}, {&out.ManagerImage, flags.ManagerImage},
	} {
		if s.v != "" {
			*s.dst = s.v
		}
	}
	out.Manager = out.Manager || flags.Manager
	return out
}

func newMarkersCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "markers",
		Short: "Describe the markers kubefed-gen reads in Go source",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			out := cmd.OutOrStdout()
			reg := discover.MarkerRegistry
			for _, def := range reg.AllDefinitions() {
				help := reg.HelpFor(def)
				fmt.Fprintf(out, "+%s: %s\n  %s\n", def.Name, help.Summary, help.Details)
				var names []string
				for name := range help.FieldHelp {
					names = append(names, name)
				}
				sort.Strings(names)
				for _, name := range names {
					fmt.Fprintf(out, "  %s: %s\n", name, help.FieldHelp[name].Summary)
				}
			}
		},
	}
}
