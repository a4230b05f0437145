package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/yaml"

	"github.com/kubefed-gen/kubefed/generator"
	"github.com/kubefed-gen/kubefed/test/clusters"
	"github.com/kubefed-gen/kubefed/test/gomodule"
)

// realCRDs are CRDs of well-known operators (see generator/discover/crd/testdata),
// each with the smallest valid spec of a template of it.
var realCRDs = []struct {
	file, federatedPlural string
	namespaced            bool
	templateSpec          string
}{
	{"cert-manager.io_certificates.yaml", "federatedcertificates", true,
		`{secretName: web-tls, dnsNames: [web.example.com], issuerRef: {name: ca, kind: ClusterIssuer}}`},
	{"monitoring.coreos.com_servicemonitors.yaml", "federatedservicemonitors", true,
		`{selector: {matchLabels: {app: web}}, endpoints: [{port: metrics, interval: 30s}]}`},
	{"velero.io_backups.yaml", "federatedbackups", true,
		`{includedNamespaces: [shop], ttl: 72h0m0s}`},
	{"kyverno.io_clustercleanuppolicies.yaml", "federatedclustercleanuppolicies", false,
		`{schedule: "*/5 * * * *", match: {any: [{resources: {kinds: [Pod]}}]}}`},
}

// TestCRDTargets federates real operators' CRDs: it generates the federated types
// from the CRD YAML into a throwaway module, builds the result, installs the
// Federated CRDs into a real API server and creates a valid object of each, whose
// template must come back unpruned.
func TestCRDTargets(t *testing.T) {
	// Start the API server first: it finds its binaries from this module's folder.
	set, err := clusters.Start(clusters.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = set.Stop() })
	crdDir := filepath.Join(gomodule.Root(t), "generator", "discover", "crd", "testdata")
	mod := gomodule.New(t, "example.com/crdfed")
	t.Chdir(mod) // the generator resolves Go packages from the working directory's module
	opts := generator.Options{OutputDir: filepath.Join(mod, "federation"), Manager: true}
	for _, c := range realCRDs {
		opts.CRDFiles = append(opts.CRDFiles, filepath.Join(crdDir, c.file))
	}
	if err = generator.Generate(opts); err != nil {
		t.Fatal(err)
	}
	gomodule.Go(t, mod, "build", "./...")

	ctx := context.Background()
	ext := apiextensionsclient.NewForConfigOrDie(set.Host.Config)
	dyn := dynamic.NewForConfigOrDie(set.Host.Config)
	for _, c := range realCRDs {
		t.Run(c.federatedPlural, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(opts.OutputDir, "config", "crd", "bases", "types.kubefed.io_"+c.federatedPlural+".yaml"))
			if err != nil {
				t.Fatal(err)
			}
			var crd apiextensionsv1.CustomResourceDefinition
			if err := yaml.Unmarshal(data, &crd); err != nil {
				t.Fatal(err)
			}
			if _, err := ext.ApiextensionsV1().CustomResourceDefinitions().Create(ctx, &crd, metav1.CreateOptions{}); err != nil {
				t.Fatalf("the API server refused the Federated CRD: %v", err)
			}
			waitEstablished(t, ext, crd.Name)

			var spec map[string]any
			if err := yaml.Unmarshal([]byte(c.templateSpec), &spec); err != nil {
				t.Fatal(err)
			}
			obj := &unstructured.Unstructured{Object: map[string]any{
				"apiVersion": "types.kubefed.io/v1beta1", "kind": crd.Spec.Names.Kind,
				"metadata": map[string]any{"name": "sample"},
				"spec": map[string]any{
					"template":  map[string]any{"metadata": map[string]any{"labels": map[string]any{"app": "web"}}, "spec": spec},
					"placement": map[string]any{"clusters": []any{map[string]any{"name": "member1"}}},
				},
			}}
			gvr := schema.GroupVersionResource{Group: "types.kubefed.io", Version: "v1beta1", Resource: c.federatedPlural}
			var res dynamic.ResourceInterface = dyn.Resource(gvr)
			if c.namespaced {
				res = dyn.Resource(gvr).Namespace("default")
			}
			created, err := res.Create(ctx, obj, metav1.CreateOptions{FieldValidation: "Strict"})
			if err != nil {
				t.Fatalf("create a valid %s: %v", crd.Spec.Names.Kind, err)
			}
			got, _, _ := unstructured.NestedMap(created.Object, "spec", "template", "spec")
			for k := range spec {
				if _, ok := got[k]; !ok {
					t.Errorf("template field spec.%s was pruned; the Federated CRD lost part of the target's schema (got %v)", k, got)
				}
			}
			if !strings.HasPrefix(crd.Spec.Names.Kind, "Federated") || (crd.Spec.Scope == apiextensionsv1.NamespaceScoped) != c.namespaced {
				t.Errorf("kind %s scope %s, want Federated<Kind> namespaced=%v", crd.Spec.Names.Kind, crd.Spec.Scope, c.namespaced)
			}
		})
	}
}

func waitEstablished(t *testing.T, ext apiextensionsclient.Interface, name string) {
	t.Helper()
	err := wait.PollUntilContextTimeout(context.Background(), 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		crd, err := ext.ApiextensionsV1().CustomResourceDefinitions().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		for _, c := range crd.Status.Conditions {
			if c.Type == apiextensionsv1.Established && c.Status == apiextensionsv1.ConditionTrue {
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("CRD %s not established: %v", name, err)
	}
}
