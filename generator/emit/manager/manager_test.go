package manager_test

import (
	"bytes"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
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

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-tools/pkg/genall"
	"sigs.k8s.io/yaml"

	"github.com/kubefed-gen/kubefed/generator/emit"
	"github.com/kubefed-gen/kubefed/generator/emit/admission"
	"github.com/kubefed-gen/kubefed/generator/emit/manager"
	"github.com/kubefed-gen/kubefed/generator/emit/rbac"
	"github.com/kubefed-gen/kubefed/generator/model"
	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	corecrds "github.com/kubefed-gen/kubefed/runtime/config/crd"
)

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

// builtins are a namespaced built-in, Namespace (cluster-scoped, federated as
// namespaced) and a cluster-scoped built-in.
func builtins() []*model.Target { return []*model.Target{clusterRole(), configMap(), namespace()} }

// render runs the manager and RBAC generators in memory for targets, with the
// output folder at rel (default federation) of a new module.
func render(t *testing.T, rel string, targets ...*model.Target) emit.InMemory {
	t.Helper()
	mod := t.TempDir()
	writeFile(t, filepath.Join(mod, "go.mod"), "module "+modulePath+"\n\ngo 1.26.0\n")
	if rel == "" {
		rel = "federation"
	}
	files, err := run(mod, filepath.Join(mod, filepath.FromSlash(rel)), targets...)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// run renders into memory for out, a folder of the module modulePath whose go.mod is in root.
func run(root, out string, targets ...*model.Target) (emit.InMemory, error) {
	rel, err := filepath.Rel(root, out)
	if err != nil {
		return nil, err
	}
	ctx := &emit.Context{
		Set:          &model.Set{Group: model.DefaultGroup, Version: model.DefaultVersion, Targets: targets},
		OutputDir:    out,
		GoPackage:    path.Join(modulePath, filepath.ToSlash(rel)),
		ManagerImage: image,
		ManagerName:  emit.DefaultManagerName,
	}
	files := emit.InMemory{}
	gctx := &genall.GenerationContext{OutputRule: files}
	if err := (rbac.Generator{Context: ctx}).Generate(gctx); err != nil {
		return nil, err
	}
	if err := (admission.Generator{Context: ctx}).Generate(gctx); err != nil {
		return nil, err
	}
	return files, manager.Generator{Context: ctx}.Generate(gctx)
}

func writeFile(t *testing.T, file, data string) {
	t.Helper()
	if err := emit.WriteFile(file, []byte(data)); err != nil {
		t.Fatal(err)
	}
}

// documents splits a YAML file into its documents, dropping the header.
func documents(t *testing.T, data []byte) [][]byte {
	t.Helper()
	var docs [][]byte
	for _, doc := range bytes.Split(data, []byte("\n---\n")) {
		var obj map[string]any
		if err := yaml.Unmarshal(doc, &obj); err != nil {
			t.Fatalf("not YAML: %v\n%s", err, doc)
		}
		if obj != nil {
			docs = append(docs, doc)
		}
	}
	return docs
}

// decode reads the only document of a file into obj, refusing unknown fields.
func decode(t *testing.T, files emit.InMemory, name string, obj any) {
	t.Helper()
	docs := documents(t, files[name])
	if len(docs) != 1 {
		t.Fatalf("%s has %d documents, want 1", name, len(docs))
	}
	if err := yaml.UnmarshalStrict(docs[0], obj); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// TestDeterministic: the order targets come in does not matter.
func TestDeterministic(t *testing.T) {
	a := render(t, "", builtins()...)
	reversed := builtins()
	slices.Reverse(reversed)
	b := render(t, "", reversed...)
	if len(a) != len(b) {
		t.Fatalf("%d and %d files", len(a), len(b))
	}
	for name, data := range a {
		if !bytes.Equal(data, b[name]) {
			t.Errorf("%s depends on the order of targets", name)
		}
	}
}

func TestEveryFileSaysGenerated(t *testing.T) {
	files := render(t, "", builtins()...)
	for _, want := range []string{"cmd/manager/zz_generated.main.go", "Dockerfile", "config/default/kustomization.yaml",
		"config/manager/manager.yaml", "config/rbac/role.yaml", "config/core/kustomization.yaml"} {
		if _, ok := files[want]; !ok {
			t.Errorf("%s not written", want)
		}
	}
	for name, data := range files {
		header := "# " + emit.Header + "\n"
		if strings.HasSuffix(name, ".go") {
			header = "// " + emit.Header + "\n"
		}
		if !bytes.HasPrefix(data, []byte(header)) {
			t.Errorf("%s does not start with %q", name, header)
		}
	}
}

func TestMainGo(t *testing.T) {
	for _, tc := range []struct {
		name    string
		targets []*model.Target
		// imports of the call's arguments after fedtypes.Descriptors, in order
		schemes []string
	}{
		{"built-ins only", builtins(), []string{modulePath + "/federation/apis/types/v1beta1"}},
		{"own types", append(builtins(), storefront(), gadget()), []string{
			modulePath + "/federation/apis/types/v1beta1", "example.com/gadgets/api/v1", modulePath + "/api/v1alpha1",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := render(t, "", tc.targets...)["cmd/manager/zz_generated.main.go"]
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
			if name, ok := call.Args[0].(*ast.BasicLit); !ok || name.Value != strconv.Quote(emit.DefaultManagerName) {
				t.Errorf("manager.Main's first argument %#v, want the manager's name %q", call.Args[0], emit.DefaultManagerName)
			}
			var args []string
			for _, a := range call.Args[1:] {
				sel := a.(*ast.SelectorExpr)
				args = append(args, imports[sel.X.(*ast.Ident).Name]+"."+sel.Sel.Name)
			}
			want := []string{modulePath + "/federation/fedtypes.Descriptors"}
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

func TestDeployment(t *testing.T) {
	files := render(t, "", builtins()...)
	docs := documents(t, files["config/manager/manager.yaml"])
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
	decode(t, files, "config/rbac/service_account.yaml", &sa)
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

// TestCoreCRDs: config/core holds every embedded CRD of KubeFed's own API unchanged.
func TestCoreCRDs(t *testing.T) {
	files := render(t, "", builtins()...)
	names, err := fs.Glob(corecrds.FS, "*.yaml")
	if err != nil || len(names) != 12 {
		t.Fatalf("embedded core CRDs: %v (%v)", names, err)
	}
	for _, name := range names {
		file := "config/core/" + name
		var crd apiextensionsv1.CustomResourceDefinition
		decode(t, files, file, &crd)
		if group := crd.Spec.Group; crd.Kind != "CustomResourceDefinition" || !slices.Contains([]string{"core.kubefed.io", "scheduling.kubefed.io", "multiclusterdns.kubefed.io", "externaldns.k8s.io"}, group) {
			t.Errorf("%s: %s of group %s", name, crd.Kind, crd.Spec.Group)
		}
		embedded, _ := corecrds.FS.ReadFile(name)
		if !bytes.HasSuffix(files[file], embedded) {
			t.Errorf("%s differs from runtime/config/crd", name)
		}
	}
}

// writeTree writes files below a new folder, with a CRD kustomization as the CRD
// generator leaves it, and returns the folder.
func writeTree(t *testing.T, files emit.InMemory) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "config", "crd", "kustomization.yaml"), "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n")
	for name, data := range files {
		writeFile(t, filepath.Join(dir, filepath.FromSlash(name)), string(data))
	}
	return dir
}

// TestKustomizations: every kustomization references what exists, and every
// manifest is in its folder's kustomization.
func TestKustomizations(t *testing.T) {
	out := writeTree(t, render(t, "", builtins()...))
	config := filepath.Join(out, "config")
	for _, sub := range []string{"core", "rbac", "admission", "manager", "default"} {
		dir := filepath.Join(config, sub)
		var k emit.Kustomization
		data, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if err := yaml.UnmarshalStrict(data, &k); err != nil {
			t.Fatalf("%s/kustomization.yaml: %v", sub, err)
		}
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
			if k.Namespace != "kube-federation-system" || !slices.Equal(k.Resources, []string{"../core", "../crd", "../rbac", "../admission", "../manager"}) {
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
	out := writeTree(t, render(t, "", builtins()...))
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
	// The CRDs: KubeFed's own API's 12 (core, scheduling, multicluster DNS and
	// external-dns's DNSEndpoint).
	want := slices.Concat([]string{"ClusterRole", "ClusterRole", "ClusterRoleBinding", "ClusterRoleBinding"},
		slices.Repeat([]string{"CustomResourceDefinition"}, 12),
		[]string{"Deployment", "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding", "Namespace", "Role", "RoleBinding", "ServiceAccount"},
		// KubeFed's webhook rules, one policy per kind it validated.
		slices.Repeat([]string{"ValidatingAdmissionPolicy"}, 3), slices.Repeat([]string{"ValidatingAdmissionPolicyBinding"}, 3))
	if !slices.Equal(kinds, want) {
		t.Errorf("kustomize built %v, want %v", kinds, want)
	}
}

func TestDockerfile(t *testing.T) {
	for _, tc := range []struct {
		rel, build, file string
	}{
		{"federation", "./federation/cmd/manager", "federation/Dockerfile"},
		{"deploy/federation", "./deploy/federation/cmd/manager", "deploy/federation/Dockerfile"},
	} {
		df := string(render(t, tc.rel, builtins()...)["Dockerfile"])
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

// TestOutputAtModuleRoot: the output folder may be the module's root.
func TestOutputAtModuleRoot(t *testing.T) {
	out := t.TempDir()
	writeFile(t, filepath.Join(out, "go.mod"), "module "+modulePath+"\n\ngo 1.27.1\n")
	files, err := run(out, out, builtins()...)
	if err != nil {
		t.Fatal(err)
	}
	df := string(files["Dockerfile"])
	for _, want := range []string{"FROM golang:1.27 AS build", "-o /manager ./cmd/manager\n", "docker build -f Dockerfile "} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q:\n%s", want, df)
		}
	}
}

func TestOutsideModule(t *testing.T) {
	root := t.TempDir()
	_, err := run(root, filepath.Join(root, "federation"), builtins()...)
	if err == nil || !strings.Contains(err.Error(), "outside any Go module") {
		t.Fatalf("want an error about the missing module, got %v", err)
	}
}
