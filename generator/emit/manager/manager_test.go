package manager_test

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/kubefed-gen/kubefed/generator/emit"
	"github.com/kubefed-gen/kubefed/generator/emit/manager"
	"github.com/kubefed-gen/kubefed/generator/model"
	corecrds "github.com/kubefed-gen/kubefed/runtime/config/crd"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

const (
	modulePath = "example.com/shop"
	image      = "registry.example.com/shop/federation:v0.1.0"
)

func configMap() *model.Target {
	return &model.Target{GroupVersionKind: schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}, Plural: "configmaps",
		Namespaced: true, GoPackage: "k8s.io/api/core/v1", GoName: "ConfigMap"}
}

func namespace() *model.Target {
	return &model.Target{GroupVersionKind: schema.GroupVersionKind{Version: "v1", Kind: "Namespace"}, Plural: "namespaces",
		GoPackage: "k8s.io/api/core/v1", GoName: "Namespace"}
}

func clusterRole() *model.Target {
	return &model.Target{GroupVersionKind: schema.GroupVersionKind{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRole"},
		Plural: "clusterroles", GoPackage: "k8s.io/api/rbac/v1", GoName: "ClusterRole"}
}

func storefront() *model.Target {
	return &model.Target{GroupVersionKind: schema.GroupVersionKind{Group: "shop.example.com", Version: "v1alpha1", Kind: "Storefront"},
		Plural: "storefronts", Namespaced: true, GoPackage: modulePath + "/api/v1alpha1", GoName: "Storefront"}
}

func gadget() *model.Target {
	return &model.Target{GroupVersionKind: schema.GroupVersionKind{Group: "gadgets.example.com", Version: "v1", Kind: "Gadget"},
		Plural: "gadgets", GoPackage: "example.com/gadgets/api/v1", GoName: "Gadget"}
}

// golden is the set the golden files are made of: a namespaced built-in, Namespace
// (cluster-scoped, federated as namespaced) and a cluster-scoped built-in.
func golden() []*model.Target { return []*model.Target{clusterRole(), configMap(), namespace()} }

// emitInto writes a module with go.mod into a temporary folder and runs the emitter
// for targets into its federation/ folder (rel, when given, instead), after a CRD
// kustomization as the CRD emitter leaves it. It returns the output folder.
func emitInto(t *testing.T, rel string, targets ...*model.Target) string {
	t.Helper()
	mod := t.TempDir()
	writeFile(t, filepath.Join(mod, "go.mod"), "module "+modulePath+"\n\ngo 1.26.0\n")
	if rel == "" {
		rel = "federation"
	}
	out := filepath.Join(mod, filepath.FromSlash(rel))
	writeFile(t, filepath.Join(out, "config", "crd", "kustomization.yaml"), "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n")
	if err := run(mod, out, true, targets...); err != nil {
		t.Fatal(err)
	}
	return out
}

// run emits into out, a folder of the module modulePath whose go.mod is in root.
func run(root, out string, withManager bool, targets ...*model.Target) error {
	rel, err := filepath.Rel(root, out)
	if err != nil {
		return err
	}
	ctx := &emit.Context{
		Set:          &model.Set{Group: model.DefaultGroup, Version: model.DefaultVersion, Targets: targets},
		OutputDir:    out,
		GoPackage:    path.Join(modulePath, filepath.ToSlash(rel)),
		Manager:      withManager,
		ManagerImage: image,
	}
	return manager.Emitter{}.Emit(ctx)
}

// generated lists the files below out the emitter wrote, relative and slash-separated.
func generated(t *testing.T, out string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(out, p)
		rel = filepath.ToSlash(rel)
		if rel != "config/crd/kustomization.yaml" && rel != "go.mod" {
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func writeFile(t *testing.T, file, data string) {
	t.Helper()
	if err := emit.WriteFile(file, []byte(data)); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, file string) []byte {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestGolden compares the output for the golden set with testdata/golden; the core
// CRDs are copies of runtime/config/crd, compared there instead.
func TestGolden(t *testing.T) {
	out := emitInto(t, "", golden()...)
	dir := filepath.Join("testdata", "golden")
	if *update {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
	}
	var compared []string
	for _, rel := range generated(t, out) {
		if strings.HasPrefix(rel, "config/core/core.kubefed.io_") {
			continue
		}
		got := read(t, filepath.Join(out, rel))
		want := filepath.Join(dir, filepath.FromSlash(rel))
		if *update {
			if err := emit.WriteFile(want, got); err != nil {
				t.Fatal(err)
			}
			continue
		}
		compared = append(compared, rel)
		wantData, err := os.ReadFile(want)
		if err != nil {
			t.Errorf("%s: not in golden files (run go test ./generator/emit/manager -run TestGolden -update): %v", rel, err)
			continue
		}
		if !bytes.Equal(wantData, got) {
			t.Errorf("%s differs from %s; run go test ./generator/emit/manager -run TestGolden -update and review the diff", rel, want)
		}
	}
	if *update {
		return
	}
	// A golden file the emitter no longer writes is stale.
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if !slices.Contains(compared, filepath.ToSlash(rel)) {
			t.Errorf("golden file %s is no longer generated; run the test with -update", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(compared) < 12 {
		t.Errorf("compared only %d files: %v", len(compared), compared)
	}
}

// TestDeterministic: the order targets come in does not matter, and a second run
// writes the same bytes.
func TestDeterministic(t *testing.T) {
	a := emitInto(t, "", golden()...)
	reversed := golden()
	slices.Reverse(reversed)
	b := emitInto(t, "", reversed...)
	if err := run(filepath.Dir(b), b, true, reversed...); err != nil {
		t.Fatal(err)
	}
	files := generated(t, a)
	if !slices.Equal(files, generated(t, b)) {
		t.Fatalf("different files: %v and %v", files, generated(t, b))
	}
	for _, rel := range files {
		if !bytes.Equal(read(t, filepath.Join(a, rel)), read(t, filepath.Join(b, rel))) {
			t.Errorf("%s depends on the order of targets", rel)
		}
	}
}

func TestEveryFileSaysGenerated(t *testing.T) {
	out := emitInto(t, "", golden()...)
	files := generated(t, out)
	for _, want := range []string{"zz_generated.main.go", "Dockerfile", "config/default/kustomization.yaml",
		"config/manager/manager.yaml", "config/rbac/role.yaml", "config/core/kustomization.yaml"} {
		if !slices.Contains(files, want) {
			t.Errorf("%s not written; got %v", want, files)
		}
	}
	for _, rel := range files {
		header := "# " + emit.Header + "\n"
		if strings.HasSuffix(rel, ".go") {
			header = "// " + emit.Header + "\n"
		}
		if !bytes.HasPrefix(read(t, filepath.Join(out, rel)), []byte(header)) {
			t.Errorf("%s does not start with %q", rel, header)
		}
	}
}

func TestNothingWithoutManager(t *testing.T) {
	root := t.TempDir()
	out := filepath.Join(root, "federation")
	if err := run(root, out, false, golden()...); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("wrote into %s without Manager: %v", out, err)
	}
}

func TestMainGo(t *testing.T) {
	for _, tc := range []struct {
		name    string
		targets []*model.Target
		// imports of the call's arguments after controllers.FederatedTypes, in order
		schemes []string
	}{
		{"built-ins only", golden(), []string{modulePath + "/federation/apis/types/v1beta1"}},
		{"own types", append(golden(), storefront(), gadget()), []string{
			modulePath + "/federation/apis/types/v1beta1", "example.com/gadgets/api/v1", modulePath + "/api/v1alpha1",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := emitInto(t, "", tc.targets...)
			src := read(t, filepath.Join(out, "zz_generated.main.go"))
			if formatted, err := format.Source(src); err != nil || !bytes.Equal(formatted, src) {
				t.Errorf("main.go is not gofmt'd (%v):\n%s", err, src)
			}
			file, err := parser.ParseFile(token.NewFileSet(), "main.go", src, parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			if file.Name.Name != "main" {
				t.Errorf("package %s, want main", file.Name.Name)
			}
			imports := map[string]string{} // name -> path
			for _, imp := range file.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				name := filepath.Base(p)
				if imp.Name != nil {
					name = imp.Name.Name
				}
				imports[name] = p
			}
			call := mainCall(t, file)
			fun := call.Fun.(*ast.SelectorExpr)
			if got := imports[fun.X.(*ast.Ident).Name] + "." + fun.Sel.Name; got != emit.RuntimeModule+"/manager.Main" {
				t.Errorf("main calls %s, want manager.Main", got)
			}
			var args []string
			for _, a := range call.Args {
				sel := a.(*ast.SelectorExpr)
				args = append(args, imports[sel.X.(*ast.Ident).Name]+"."+sel.Sel.Name)
			}
			want := []string{modulePath + "/federation/controllers.FederatedTypes"}
			for _, s := range tc.schemes {
				want = append(want, s+".AddToScheme")
			}
			if !slices.Equal(args, want) {
				t.Errorf("manager.Main arguments:\n got %v\nwant %v", args, want)
			}
			for _, tg := range tc.targets {
				if !strings.Contains(file.Doc.Text(), tg.FederatedKind()+" ("+tg.APIVersion()+" "+tg.Kind+")") {
					t.Errorf("package doc does not name %s:\n%s", tg.FederatedKind(), file.Doc.Text())
				}
			}
		})
	}
}

func mainCall(t *testing.T, file *ast.File) *ast.CallExpr {
	t.Helper()
	for _, d := range file.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok && fn.Name.Name == "main" {
			if len(fn.Body.List) != 1 {
				t.Fatalf("main has %d statements, want 1", len(fn.Body.List))
			}
			return fn.Body.List[0].(*ast.ExprStmt).X.(*ast.CallExpr)
		}
	}
	t.Fatal("no func main")
	return nil
}

// TestMainBesideOtherPackage: main.go cannot join a folder of another package.
func TestMainBesideOtherPackage(t *testing.T) {
	root := t.TempDir()
	out := filepath.Join(root, "federation")
	writeFile(t, filepath.Join(root, "go.mod"), "module "+modulePath+"\n")
	writeFile(t, filepath.Join(out, "generate.go"), "// Package federation is generated.\npackage federation\n")
	err := run(root, out, true, golden()...)
	if err == nil || !strings.Contains(err.Error(), "generate.go is package federation") {
		t.Fatalf("want an error naming generate.go, got %v", err)
	}
	writeFile(t, filepath.Join(out, "generate.go"), "package main\n\n//go:generate true\n")
	if err := run(root, out, true, golden()...); err != nil {
		t.Fatalf("beside package main: %v", err)
	}
}

// documents splits a YAML file into its documents.
func documents(t *testing.T, file string) [][]byte {
	t.Helper()
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(read(t, file))))
	var docs [][]byte
	for {
		doc, err := r.Read()
		if err == io.EOF {
			return docs
		}
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if len(bytes.TrimSpace(stripComments(doc))) > 0 {
			docs = append(docs, doc)
		}
	}
}

func stripComments(doc []byte) []byte {
	var out []byte
	for _, line := range bytes.SplitAfter(doc, []byte("\n")) {
		if !bytes.HasPrefix(bytes.TrimSpace(line), []byte("#")) {
			out = append(out, line...)
		}
	}
	return out
}

// decode reads the only document of file into obj, refusing unknown fields.
func decode(t *testing.T, file string, obj any) {
	t.Helper()
	docs := documents(t, file)
	if len(docs) != 1 {
		t.Fatalf("%s has %d documents, want 1", file, len(docs))
	}
	if err := yaml.UnmarshalStrict(docs[0], obj); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

// grants flattens rules into group/resource:verb lines.
func grants(rules []rbacv1.PolicyRule) []string {
	var out []string
	for _, r := range rules {
		for _, g := range r.APIGroups {
			for _, res := range r.Resources {
				for _, v := range r.Verbs {
					out = append(out, g+"/"+res+":"+v)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

func expand(group string, resources []string, verbs ...string) []string {
	var out []string
	for _, r := range resources {
		for _, v := range verbs {
			out = append(out, group+"/"+r+":"+v)
		}
	}
	return out
}

func TestRBAC(t *testing.T) {
	const fed = model.DefaultGroup
	federated := func(plurals ...string) []string {
		g := expand(fed, plurals, "get", "list", "watch", "update", "patch")
		for _, p := range plurals {
			g = append(g, expand(fed, []string{p + "/status"}, "get", "update", "patch")...)
			g = append(g, fed+"/"+p+"/finalizers:update")
		}
		return g
	}
	always := slices.Concat(
		expand("core.kubefed.io", []string{"kubefedconfigs", "federatedtypeconfigs"}, "get", "list", "watch"),
		expand("core.kubefed.io", []string{"federatedtypeconfigs/status"}, "get", "update", "patch"),
		expand("", []string{"events"}, "create", "patch"),
		expand("events.k8s.io", []string{"events"}, "create", "patch"),
	)
	readNamespaces := expand(fed, []string{"federatednamespaces"}, "get", "list", "watch")
	for _, tc := range []struct {
		name    string
		targets []*model.Target
		want    []string
		// the ClusterRole explains why it reads FederatedNamespaces
		explains bool
	}{
		{"golden set", golden(), slices.Concat(federated("federatedclusterroles", "federatedconfigmaps", "federatednamespaces"), always), false},
		{"namespaced without namespaces", []*model.Target{configMap()}, slices.Concat(federated("federatedconfigmaps"), readNamespaces, always), true},
		{"cluster-scoped only", []*model.Target{clusterRole()}, slices.Concat(federated("federatedclusterroles"), always), false},
		{"namespaces only", []*model.Target{namespace()}, slices.Concat(federated("federatednamespaces"), always), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rbac := filepath.Join(emitInto(t, "", tc.targets...), "config", "rbac")
			var cr rbacv1.ClusterRole
			decode(t, filepath.Join(rbac, "role.yaml"), &cr)
			sort.Strings(tc.want)
			if got := grants(cr.Rules); !slices.Equal(got, tc.want) {
				t.Errorf("ClusterRole grants\n got %v\nwant %v", got, tc.want)
			}
			if got := bytes.Contains(read(t, filepath.Join(rbac, "role.yaml")), []byte("# FederatedNamespace is placed on.")); got != tc.explains {
				t.Errorf("ClusterRole explains FederatedNamespace: %v, want %v", got, tc.explains)
			}

			var role rbacv1.Role
			decode(t, filepath.Join(rbac, "namespace_role.yaml"), &role)
			wantRole := slices.Concat(
				expand("core.kubefed.io", []string{"kubefedclusters"}, "get", "list", "watch"),
				expand("core.kubefed.io", []string{"kubefedclusters/status"}, "get", "update", "patch"),
				expand("", []string{"secrets"}, "get", "list", "watch"),
				expand("coordination.k8s.io", []string{"leases"}, "get", "list", "watch", "create", "update", "patch", "delete"))
			sort.Strings(wantRole)
			if got := grants(role.Rules); !slices.Equal(got, wantRole) || role.Namespace != corev1beta1.DefaultNamespace {
				t.Errorf("Role in %q grants\n got %v\nwant %v in %s", role.Namespace, got, wantRole, corev1beta1.DefaultNamespace)
			}

			var sa corev1.ServiceAccount
			decode(t, filepath.Join(rbac, "service_account.yaml"), &sa)
			subject := rbacv1.Subject{Kind: "ServiceAccount", Name: sa.Name, Namespace: sa.Namespace}
			var crb rbacv1.ClusterRoleBinding
			decode(t, filepath.Join(rbac, "role_binding.yaml"), &crb)
			if crb.RoleRef != (rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: cr.Name}) || !slices.Equal(crb.Subjects, []rbacv1.Subject{subject}) {
				t.Errorf("ClusterRoleBinding %+v does not bind %s to %+v", crb, cr.Name, subject)
			}
			var rb rbacv1.RoleBinding
			decode(t, filepath.Join(rbac, "namespace_role_binding.yaml"), &rb)
			if rb.Namespace != role.Namespace || rb.RoleRef != (rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: role.Name}) || !slices.Equal(rb.Subjects, []rbacv1.Subject{subject}) {
				t.Errorf("RoleBinding %+v does not bind %s to %+v in %s", rb, role.Name, subject, role.Namespace)
			}
		})
	}
}

func TestDeployment(t *testing.T) {
	out := emitInto(t, "", golden()...)
	docs := documents(t, filepath.Join(out, "config", "manager", "manager.yaml"))
	if len(docs) != 2 {
		t.Fatalf("manager.yaml has %d documents, want a Namespace and a Deployment", len(docs))
	}
	var ns corev1.Namespace
	var d appsv1.Deployment
	if err := yaml.UnmarshalStrict(docs[0], &ns); err != nil || ns.Kind != "Namespace" || ns.Name != "kube-federation-system" {
		t.Errorf("first document: want Namespace kube-federation-system, got %s %s (%v)", ns.Kind, ns.Name, err)
	}
	if err := yaml.UnmarshalStrict(docs[1], &d); err != nil || d.Kind != "Deployment" {
		t.Fatalf("second document: want a Deployment, got %s (%v)", d.Kind, err)
	}
	var sa corev1.ServiceAccount
	decode(t, filepath.Join(out, "config", "rbac", "service_account.yaml"), &sa)
	spec := d.Spec.Template.Spec
	if d.Namespace != ns.Name || spec.ServiceAccountName != sa.Name || sa.Namespace != ns.Name {
		t.Errorf("Deployment in %q runs as %q; want %s/%s", d.Namespace, spec.ServiceAccountName, ns.Name, sa.Name)
	}
	for k, v := range d.Spec.Selector.MatchLabels {
		if d.Spec.Template.Labels[k] != v {
			t.Errorf("selector %s=%s does not select the pod template", k, v)
		}
	}
	if len(spec.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(spec.Containers))
	}
	c := spec.Containers[0]
	if c.Image != image {
		t.Errorf("image %q, want %q", c.Image, image)
	}
	wantArgs := []string{"--kubefed-namespace=kube-federation-system", "--leader-elect", "--metrics-bind-address=:8080", "--health-probe-bind-address=:8081"}
	if !slices.Equal(c.Args, wantArgs) {
		t.Errorf("args %v, want %v", c.Args, wantArgs)
	}
	for _, p := range []struct {
		probe *corev1.Probe
		path  string
	}{{c.LivenessProbe, "/healthz"}, {c.ReadinessProbe, "/readyz"}} {
		if p.probe == nil || p.probe.HTTPGet == nil || p.probe.HTTPGet.Path != p.path || p.probe.HTTPGet.Port.IntValue() != 8081 {
			t.Errorf("want a probe of %s on 8081, got %+v", p.path, p.probe)
		}
	}
	sc := c.SecurityContext
	if sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
		sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation || sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) {
		t.Errorf("container security context %+v is not locked down", sc)
	}
	if psc := spec.SecurityContext; psc == nil || psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("pod security context %+v: want seccomp RuntimeDefault", psc)
	}
	if c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
		t.Errorf("resources %+v: want requests and a memory limit", c.Resources)
	}
}

// TestCoreCRDs: config/core holds every embedded core.kubefed.io CRD unchanged.
func TestCoreCRDs(t *testing.T) {
	out := emitInto(t, "", golden()...)
	names, err := fs.Glob(corecrds.FS, "*.yaml")
	if err != nil || len(names) != 3 {
		t.Fatalf("embedded core CRDs: %v (%v)", names, err)
	}
	for _, name := range names {
		file := filepath.Join(out, "config", "core", name)
		var crd apiextensionsv1.CustomResourceDefinition
		decode(t, file, &crd)
		if crd.Kind != "CustomResourceDefinition" || crd.Spec.Group != "core.kubefed.io" {
			t.Errorf("%s: %s of group %s", name, crd.Kind, crd.Spec.Group)
		}
		embedded, _ := corecrds.FS.ReadFile(name)
		if !bytes.HasSuffix(read(t, file), embedded) {
			t.Errorf("%s differs from runtime/config/crd", name)
		}
	}
}

// TestKustomizations: every kustomization references what exists, and every
// manifest is in its folder's kustomization.
func TestKustomizations(t *testing.T) {
	out := emitInto(t, "", golden()...)
	type kustomization struct {
		APIVersion string   `json:"apiVersion"`
		Kind       string   `json:"kind"`
		Namespace  string   `json:"namespace,omitempty"`
		Resources  []string `json:"resources"`
	}
	config := filepath.Join(out, "config")
	for _, sub := range []string{"core", "rbac", "manager", "default"} {
		dir := filepath.Join(config, sub)
		var k kustomization
		decode(t, filepath.Join(dir, "kustomization.yaml"), &k)
		if k.Kind != "Kustomization" || k.APIVersion != "kustomize.config.k8s.io/v1beta1" {
			t.Errorf("%s/kustomization.yaml is a %s %s", sub, k.APIVersion, k.Kind)
		}
		for _, r := range k.Resources {
			p := filepath.Join(dir, filepath.FromSlash(r))
			if info, err := os.Stat(p); err != nil {
				t.Errorf("%s/kustomization.yaml: %s: %v", sub, r, err)
			} else if info.IsDir() {
				if _, err := os.Stat(filepath.Join(p, "kustomization.yaml")); err != nil {
					t.Errorf("%s/kustomization.yaml: %s has no kustomization", sub, r)
				}
			}
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if e.Name() != "kustomization.yaml" && !slices.Contains(k.Resources, e.Name()) {
				t.Errorf("%s/%s is in no kustomization", sub, e.Name())
			}
		}
		if sub == "default" {
			if k.Namespace != "kube-federation-system" || !slices.Equal(k.Resources, []string{"../core", "../crd", "../rbac", "../manager"}) {
				t.Errorf("default kustomization: namespace %q, resources %v", k.Namespace, k.Resources)
			}
		}
	}
}

// TestKustomizeBuild renders config/default with kubectl's kustomize, when the test
// binaries are built (make test-binaries).
func TestKustomizeBuild(t *testing.T) {
	kubectl := filepath.Join(os.Getenv("KUBEFED_TEST_BIN"), "kubectl")
	if os.Getenv("KUBEFED_TEST_BIN") == "" {
		kubectl, _ = filepath.Abs(filepath.Join("..", "..", "..", "bin", "k8s", "kubectl"))
	}
	if _, err := os.Stat(kubectl); err != nil {
		t.Skipf("no kubectl (make test-binaries): %v", err)
	}
	out := emitInto(t, "", golden()...)
	built, err := exec.Command(kubectl, "kustomize", filepath.Join(out, "config", "default")).CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl kustomize: %v\n%s", err, built)
	}
	var kinds []string
	for _, doc := range bytes.Split(built, []byte("\n---\n")) {
		var obj struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Namespace string `json:"namespace"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal(doc, &obj); err != nil {
			t.Fatal(err)
		}
		kinds = append(kinds, obj.Kind)
		if ns := obj.Metadata.Namespace; ns != "" && ns != corev1beta1.DefaultNamespace {
			t.Errorf("%s in namespace %s", obj.Kind, ns)
		}
	}
	sort.Strings(kinds)
	want := []string{"ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "CustomResourceDefinition", "CustomResourceDefinition",
		"Deployment", "Namespace", "Role", "RoleBinding", "ServiceAccount"}
	if !slices.Equal(kinds, want) {
		t.Errorf("kustomize built %v, want %v", kinds, want)
	}
}

func TestDockerfile(t *testing.T) {
	for _, tc := range []struct {
		rel, build, file string
	}{
		{"federation", "./federation", "federation/Dockerfile"},
		{"deploy/federation", "./deploy/federation", "deploy/federation/Dockerfile"},
	} {
		out := emitInto(t, tc.rel, golden()...)
		df := string(read(t, filepath.Join(out, "Dockerfile")))
		for _, want := range []string{
			"\nFROM golang:1.26 AS build\n",
			"\nWORKDIR /src\n",
			"\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\n",
			"\nRUN CGO_ENABLED=0 go build -trimpath -o /manager " + tc.build + "\n",
			"\nFROM gcr.io/distroless/static:nonroot\nCOPY --from=build /manager /manager\nUSER 65532:65532\nENTRYPOINT [\"/manager\"]\n",
			"docker build -f " + tc.file + " -t " + image + " .\n",
		} {
			if !strings.Contains(df, want) {
				t.Errorf("%s: Dockerfile lacks %q:\n%s", tc.rel, want, df)
			}
		}
	}
}

// TestOutputAtModuleRoot: the manager may be the module's root package.
func TestOutputAtModuleRoot(t *testing.T) {
	out := t.TempDir()
	writeFile(t, filepath.Join(out, "go.mod"), "module "+modulePath+"\n\ngo 1.27.1\n")
	if err := run(out, out, true, golden()...); err != nil {
		t.Fatal(err)
	}
	df := string(read(t, filepath.Join(out, "Dockerfile")))
	for _, want := range []string{"FROM golang:1.27 AS build", "-o /manager .\n", "docker build -f Dockerfile "} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q:\n%s", want, df)
		}
	}
}

func TestOutsideModule(t *testing.T) {
	root := t.TempDir()
	err := run(root, filepath.Join(root, "federation"), true, golden()...)
	if err == nil || !strings.Contains(err.Error(), "outside any Go module") {
		t.Fatalf("want an error about the missing module, got %v", err)
	}
}
