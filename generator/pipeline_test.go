package generator

import (
	"bytes"
	"os"
	"path"
	"path/filepath"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/controller-tools/pkg/deepcopy"
	"sigs.k8s.io/yaml"

	"github.com/kubefed-gen/kubefed/generator/emit"
	"github.com/kubefed-gen/kubefed/generator/emit/apitypes"
	"github.com/kubefed-gen/kubefed/generator/emit/crd"
	"github.com/kubefed-gen/kubefed/generator/emit/fedtypes"
	"github.com/kubefed-gen/kubefed/generator/emit/manager"
	"github.com/kubefed-gen/kubefed/generator/emit/rbac"
)

// TestPipelineInMemory runs the controller-tools pipeline on a written API package
// with an in-memory output rule: every artefact comes back in memory, nothing but
// the API package is on disk, and a second run renders the same bytes. The set has
// an own cluster-scoped type with a custom plural (Gadget) besides built-ins.
func TestPipelineInMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("loads k8s.io/api from source with gengo and controller-tools; make test runs it")
	}
	if err := os.MkdirAll("testdata", 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := os.MkdirTemp("testdata", "pipeline-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(out) })
	opts := Options{
		Types:         []string{"configmaps", "clusterroles.rbac.authorization.k8s.io"},
		InputPackages: []string{"github.com/kubefed-gen/kubefed/generator/discover/testdata/widgets/v1alpha1"},
		OutputDir:     out,
	}
	ctx, err := newContext(opts)
	if err != nil {
		t.Fatal(err)
	}
	if ctx.Set.Targets, err = discoverTargets(opts, ctx, t.Logf); err != nil {
		t.Fatal(err)
	}
	if err := apitypes.Write(ctx); err != nil {
		t.Fatal(err)
	}
	render := func() emit.InMemory {
		files := emit.InMemory{}
		err := emit.Run(ctx.OutputDir, []string{ctx.APIPackage()}, files,
			deepcopy.Generator{}, crd.Generator{Context: ctx}, fedtypes.Generator{Context: ctx},
			rbac.Generator{Context: ctx}, manager.Generator{Context: ctx})
		if err != nil {
			t.Fatal(err)
		}
		return files
	}
	files := render()

	for _, want := range []string{
		path.Join(ctx.APIPackage(), "zz_generated.deepcopy.go"),
		"config/crd/bases/types.kubefed.io_federatedgadgetry.yaml",
		"config/crd/kustomization.yaml",
		"config/crd/zz_generated.embed.go",
		"fedtypes/zz_generated.fedtypes.go",
		"config/rbac/role.yaml",
		"cmd/manager/zz_generated.main.go",
		"Dockerfile",
	} {
		if _, ok := files[want]; !ok {
			t.Errorf("%s not rendered", want)
		}
	}
	var gadgets apiextensionsv1.CustomResourceDefinition
	if err := yaml.UnmarshalStrict(files["config/crd/bases/types.kubefed.io_federatedgadgetry.yaml"], &gadgets); err != nil {
		t.Fatal(err)
	}
	if gadgets.Spec.Scope != apiextensionsv1.ClusterScoped || gadgets.Spec.Names.Kind != "FederatedGadget" || gadgets.Spec.Names.Plural != "federatedgadgetry" {
		t.Errorf("FederatedGadget CRD: %s %s (%s), want cluster-scoped FederatedGadget (federatedgadgetry)",
			gadgets.Spec.Scope, gadgets.Spec.Names.Kind, gadgets.Spec.Names.Plural)
	}

	var onDisk []string
	err = filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(out, p)
			onDisk = append(onDisk, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range onDisk {
		if path.Dir(f) != "apis/types/v1beta1" || path.Base(f) == "zz_generated.deepcopy.go" {
			t.Errorf("%s is on disk: the in-memory run wrote it", f)
		}
	}

	again := render()
	if len(again) != len(files) {
		t.Errorf("second run rendered %d files, first %d", len(again), len(files))
	}
	for name, data := range files {
		if !bytes.Equal(data, again[name]) {
			t.Errorf("%s differs on the second run", name)
		}
	}
}
