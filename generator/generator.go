package generator

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"golang.org/x/mod/modfile"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/controller-tools/pkg/deepcopy"
	"sigs.k8s.io/controller-tools/pkg/genall"

	"github.com/kubefed-gen/kubefed/generator/discover"
	crdtarget "github.com/kubefed-gen/kubefed/generator/discover/crd"
	"github.com/kubefed-gen/kubefed/generator/emit"
	"github.com/kubefed-gen/kubefed/generator/emit/admission"
	"github.com/kubefed-gen/kubefed/generator/emit/apitypes"
	"github.com/kubefed-gen/kubefed/generator/emit/chart"
	"github.com/kubefed-gen/kubefed/generator/emit/clients"
	"github.com/kubefed-gen/kubefed/generator/emit/crd"
	"github.com/kubefed-gen/kubefed/generator/emit/fedtypes"
	"github.com/kubefed-gen/kubefed/generator/emit/manager"
	"github.com/kubefed-gen/kubefed/generator/emit/rbac"
	"github.com/kubefed-gen/kubefed/generator/model"
)

// Options is one run of the generator.
type Options struct {
	// Types are resource names as kubectl spells them (deployments.apps) or Go types
	// (k8s.io/api/apps/v1.Deployment).
	Types []string `json:"types,omitempty"`
	// InputPackages are Go packages whose types carry +kubefed:federate.
	InputPackages []string `json:"inputPackages,omitempty"`
	// CRDFiles are YAML files of CustomResourceDefinitions; each CRD's storage
	// version becomes Go types under <output>/targets, then a target like any other.
	CRDFiles []string `json:"crds,omitempty"`
	// OutputDir is the folder to write into; it must be inside a Go module.
	OutputDir string `json:"output,omitempty"`
	// GoPackage is the import path of OutputDir; derived from go.mod when empty.
	GoPackage string `json:"goPackage,omitempty"`
	// Group and Version of the federated types (default types.kubefed.io/v1beta1).
	Group   string `json:"group,omitempty"`
	Version string `json:"version,omitempty"`
	// Clients, when false, leaves out the typed clientset, listers and informers
	// (and removes those an earlier run wrote); nil means true.
	Clients *bool `json:"clients,omitempty"`
	// Manager also emits the manager's package main (in cmd/manager), RBAC, install
	// manifests and a Dockerfile.
	Manager bool `json:"manager,omitempty"`
	// ManagerImage is the image the install manifests run.
	ManagerImage string `json:"managerImage,omitempty"`
	// ManagerName names the manager's Deployment, ServiceAccount, roles and leader
	// election lease (default kubefed-controller-manager), so that several
	// generated managers can share a host; it also marks the FederatedTypeConfigs
	// of the types it is built with as its own.
	ManagerName string `json:"managerName,omitempty"`
	// MaxDescriptionLength truncates CRD schema descriptions; nil keeps them whole.
	MaxDescriptionLength *int `json:"maxDescriptionLength,omitempty"`
	// HealthConditions name, by the resource name of a target from any of the
	// sources above (widgets.example.com, as its FederatedTypeConfig is
	// named), the condition of the target whose True status means that a
	// member object is healthy: False is Degraded, Unknown or absent
	// Progressing. The generated descriptor carries it to the runtime, and the
	// Federated CRD records it (fedv1beta1.HealthConditionAnnotation). Types
	// not named are judged by their kind's rule.
	HealthConditions map[string]string `json:"healthConditions,omitempty"`
	// Log receives progress lines; nil discards them.
	Log io.Writer `json:"-"`
}

// Generate discovers the requested types and writes every artefact for them.
func Generate(opts Options) error {
	if len(opts.Types) == 0 && len(opts.InputPackages) == 0 && len(opts.CRDFiles) == 0 {
		return errors.New("nothing to federate: name types with --type, packages with --input-pkg, CRD files with --crd, or any of them in --config")
	}
	if opts.OutputDir == "" {
		return errors.New("no output folder: set --output")
	}
	ctx, err := newContext(opts)
	if err != nil {
		return err
	}
	logf := func(format string, args ...any) {
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, format+"\n", args...)
		}
	}
	if ctx.Set.Targets, err = discoverTargets(opts, ctx, logf); err != nil {
		return err
	}
	if err := setHealthConditions(ctx.Set.Targets, opts.HealthConditions); err != nil {
		return err
	}
	for _, t := range ctx.Set.Targets {
		logf("federating %s (%s) as %s", t.Resource(), t.APIVersion(), t.FederatedKind())
	}

	// The API package is written first: everything else is generated from it.
	if err := apitypes.Write(ctx); err != nil {
		return fmt.Errorf("emit API types: %w", err)
	}
	gens := []genall.Generator{
		deepcopy.Generator{},
		crd.Generator{Context: ctx, MaxDescriptionLength: opts.MaxDescriptionLength, Report: func(l string) { logf("%s", l) }},
		fedtypes.Generator{Context: ctx},
	}
	// The chart is made from the manifests written before it in the same run.
	out := emit.NewRecorder(emit.ToDirectory(ctx.OutputDir))
	if opts.Manager {
		gens = append(gens, rbac.Generator{Context: ctx}, admission.Generator{Context: ctx}, manager.Generator{Context: ctx},
			chart.Generator{Context: ctx, Manifests: out.Files})
	}
	if err := emit.Run(ctx.OutputDir, []string{ctx.APIPackage()}, out, gens...); err != nil {
		return err
	}
	if err := writeClients(ctx, opts.Clients == nil || *opts.Clients); err != nil {
		return fmt.Errorf("emit clients: %w", err)
	}
	logf("wrote %d federated type(s) to %s (package %s)", len(ctx.Set.Targets), opts.OutputDir, ctx.GoPackage)
	return nil
}

func discoverTargets(opts Options, ctx *emit.Context, logf func(string, ...any)) ([]*model.Target, error) {
	crds, err := writeCRDTypes(opts.CRDFiles, ctx, logf)
	if err != nil {
		return nil, err
	}
	pkgs, err := goPackages(opts.Types, opts.InputPackages, crds)
	if err != nil {
		return nil, err
	}
	loader := discover.NewLoader()
	// Not fatal: the loads per target below fall back to one package at a time and
	// name the package that fails.
	_ = loader.Load(pkgs...)

	var targets []*model.Target
	for _, c := range crds {
		t, err := loader.GoType(c.GoPackage + "." + c.Kind)
		if err != nil {
			return nil, fmt.Errorf("--crd %s: CRD %s: %w", c.file, c.name, err)
		}
		// The CRD's own names and scope win over what its Go types imply.
		t.Plural, t.ShortNames, t.Namespaced, t.Source = c.Plural, c.ShortNames, c.Namespaced, "--crd "+c.file
		targets = append(targets, t)
	}
	for _, name := range opts.Types {
		var t *model.Target
		var err error
		if isGoTypeRef(name) {
			t, err = loader.GoType(name)
		} else {
			t, err = loader.Builtin(name)
		}
		if err != nil {
			return nil, err
		}
		targets = append(targets, t)
	}
	for _, pkg := range opts.InputPackages {
		ts, err := loader.Package(pkg)
		if err != nil {
			return nil, err
		}
		targets = append(targets, ts...)
	}
	sort.Slice(targets, func(i, j int) bool { return targets[i].Kind < targets[j].Kind })
	for i := 1; i < len(targets); i++ {
		if targets[i].Kind == targets[i-1].Kind {
			return nil, fmt.Errorf("%s and %s both have kind %s; federated types are named after the kind, so federate only one of them per output package",
				targets[i-1].Source, targets[i].Source, targets[i].Kind)
		}
	}
	return targets, nil
}

// conditionType is what metav1.Condition accepts as a type.
var conditionType = regexp.MustCompile(`^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$`)

// setHealthConditions gives the targets the health conditions byResource
// names, and fails on a name that is no target's, so that a misspelt entry is
// not silently ignored.
func setHealthConditions(targets []*model.Target, byResource map[string]string) error {
	byName := map[string]*model.Target{}
	var names []string
	for _, t := range targets {
		byName[t.Resource()] = t
		names = append(names, t.Resource())
	}
	for _, resource := range slices.Sorted(maps.Keys(byResource)) {
		condition := byResource[resource]
		t, ok := byName[resource]
		if !ok {
			return fmt.Errorf("healthConditions: %s is not a type of this set (%s); name a type by its resource, e.g. widgets.example.com",
				resource, strings.Join(names, ", "))
		}
		if len(condition) > 316 || !conditionType.MatchString(condition) {
			return fmt.Errorf("healthConditions: %s: %q is not a condition type (such as Ready or Available)", resource, condition)
		}
		t.HealthCondition = condition
	}
	return nil
}

// goPackages lists the Go packages the targets live in, sorted, so that one
// Loader.Load reads them all. An unknown resource name fails here, before any load.
func goPackages(names, inputPkgs []string, crds []crdTypes) ([]string, error) {
	pkgs := slices.Clone(inputPkgs)
	for _, c := range crds {
		pkgs = append(pkgs, c.GoPackage)
	}
	for _, name := range names {
		if isGoTypeRef(name) {
			pkgs = append(pkgs, name[:strings.LastIndex(name, ".")])
			continue
		}
		b, err := discover.ResolveBuiltin(name)
		if err != nil {
			return nil, err
		}
		pkgs = append(pkgs, b.GoPackage())
	}
	slices.Sort(pkgs)
	return slices.Compact(pkgs), nil
}

// isGoTypeRef tells an import path with a type name (k8s.io/api/apps/v1.Deployment)
// from a resource name with a version (cronjobs.batch/v1): only the former has a
// capitalised name after the last dot.
func isGoTypeRef(s string) bool {
	i := strings.LastIndex(s, ".")
	return i > 0 && strings.Contains(s[:i], "/") && i+1 < len(s) && s[i+1] >= 'A' && s[i+1] <= 'Z'
}

func newContext(opts Options) (*emit.Context, error) {
	dir, err := filepath.Abs(opts.OutputDir)
	if err != nil {
		return nil, err
	}
	pkg, err := packageOf(dir)
	if err != nil {
		return nil, err
	}
	if opts.GoPackage != "" && opts.GoPackage != pkg {
		return nil, fmt.Errorf("--go-package %s does not match the output folder %s, which is package %s of its module; leave --go-package out or fix it", opts.GoPackage, opts.OutputDir, pkg)
	}
	set := &model.Set{Group: opts.Group, Version: opts.Version}
	if set.Group == "" {
		set.Group = model.DefaultGroup
	}
	if set.Version == "" {
		set.Version = model.DefaultVersion
	}
	image := opts.ManagerImage
	if image == "" {
		image = "kubefed-controller-manager:latest"
	}
	name := opts.ManagerName
	if name == "" {
		name = emit.DefaultManagerName
	}
	if errs := validation.IsDNS1123Label(name); len(errs) > 0 {
		return nil, fmt.Errorf("managerName %q: %s", name, strings.Join(errs, "; "))
	}
	return &emit.Context{Set: set, OutputDir: dir, GoPackage: pkg, ManagerImage: image, ManagerName: name}, nil
}

// packageOf returns the import path of dir from the go.mod above it; generated code
// must live inside a module to compile against its dependencies.
func packageOf(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		data, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil {
			mod := modfile.ModulePath(data)
			if mod == "" {
				return "", fmt.Errorf("%s has no module line", filepath.Join(d, "go.mod"))
			}
			rel, err := filepath.Rel(d, dir)
			if err != nil {
				return "", err
			}
			return path.Join(mod, filepath.ToSlash(rel)), nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("output folder %s is outside any Go module: generated code must be compiled with its dependencies, so choose a folder inside your module (or run go mod init first)", dir)
		}
	}
}

// writeClients writes the typed clientset, listers and informers into client/, or
// removes those an earlier run wrote when the set wants none.
func writeClients(ctx *emit.Context, want bool) error {
	dir := filepath.Join(ctx.OutputDir, "client")
	if !want {
		return clients.Remove(dir)
	}
	return clients.Generate(clients.Options{
		APIPackage:    ctx.APIPackage(),
		Group:         ctx.Set.Group,
		Version:       ctx.Set.Version,
		OutputDir:     dir,
		OutputPackage: path.Join(ctx.GoPackage, "client"),
	})
}

// crdTypes is the Go package written for one CRD of a --crd file.
type crdTypes struct {
	file, name string
	*crdtarget.Result
}

// writeCRDTypes writes Go types for every CRD in files below <output>/targets.
func writeCRDTypes(files []string, ctx *emit.Context, logf func(string, ...any)) ([]crdTypes, error) {
	var out []crdTypes
	for _, file := range files {
		crds, err := crdtarget.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("--crd %s: %w", file, err)
		}
		for _, c := range crds {
			rel, err := crdtarget.PackageDir(c)
			if err != nil {
				return nil, fmt.Errorf("--crd %s: %w", file, err)
			}
			res, err := crdtarget.WriteGoTypes(c, crdtarget.Options{
				OutputDir: filepath.Join(ctx.OutputDir, "targets", filepath.FromSlash(rel)),
				GoPackage: path.Join(ctx.GoPackage, "targets", rel),
			})
			if err != nil {
				return nil, fmt.Errorf("--crd %s: %w", file, err)
			}
			for _, w := range res.Warnings {
				logf("CRD %s: %s", c.Name, w)
			}
			out = append(out, crdTypes{file: file, name: c.Name, Result: res})
		}
	}
	return out, nil
}
