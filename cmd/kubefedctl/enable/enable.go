package enable

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/openapi3"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/host"
	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/resolve"
	"github.com/kubefed-gen/kubefed/generator"
	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
)

type options struct {
	emitCode  string
	goPackage string
	output    string
	timeout   time.Duration
}

// NewCommand returns the enable command.
func NewCommand(hostOpts *host.Options) *cobra.Command {
	o := &options{}
	cmd := &cobra.Command{
		Use:   "enable TYPE [--emit-code DIR [--go-package P]] [-o yaml]",
		Short: "Federate a type: install its Federated CRD and FederatedTypeConfig, or emit its Go code",
		Long: `enable resolves TYPE through the host cluster's discovery, as kubectl does (built-in
types and CRDs alike), and installs the Federated<Kind> CRD and a FederatedTypeConfig
with propagation Enabled. No Go toolchain is needed for any type the host serves:

  - a type of the default set (KubeFed's default types) gets the Federated CRD the
    default controller manager was generated with;
  - a CRD gets one whose template schema is the CRD's live schema;
  - any other type the host serves (statefulsets.apps, poddisruptionbudgets.policy,
    cronjobs.batch, an aggregated API's type) gets one whose template schema is
    built from the host's OpenAPI v3 document of the type's group-version
    (/openapi/v3/apis/<group>/<version>), with the choices kubefed-gen makes for
    Go types (the README lists the few differences that remain).

The template schema is complete, so the API server refuses a template with a wrong
field type. Descriptions are kept unless the CRD would be too large for the API
server to store; then the template's are dropped, and a note says so.

A type the default controller manager was not built with propagates through its
dynamic (unstructured) controller. For typed Go code and a custom federation
controller image, --emit-code DIR writes the Go code of the type (for a CRD, from
its live schema) and of a controller manager built with it, ready to compile.
DIR must be inside a Go module.

A TYPE the host does not serve, a subresource (deployments/scale), a type without
an OpenAPI v3 schema, or one whose objects cannot be listed, watched, created,
patched and deleted is refused, and nothing is installed.`,
		Example: `  # A type of the default set
  kubefedctl enable deployments.apps

  # Any other built-in type: the Federated CRD is built from the host's OpenAPI
  kubefedctl enable statefulsets.apps
  kubefedctl enable poddisruptionbudgets.policy

  # Print instead of applying
  kubefedctl enable configmaps -o yaml

  # A CRD: install its Federated CRD, and write the code of a manager for it
  kubefedctl enable certificates.cert-manager.io
  kubefedctl enable certificates.cert-manager.io --emit-code ./federation`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), o.timeout)
			defer cancel()
			return o.run(ctx, hostOpts, cmd.OutOrStdout(), cmd.ErrOrStderr(), args[0])
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.emitCode, "emit-code", "", "write the type's generated Go code and a controller manager into this folder (inside a Go module) instead of installing")
	f.StringVar(&o.goPackage, "go-package", "", "import path of --emit-code's folder (default: derived from go.mod)")
	f.StringVarP(&o.output, "output", "o", "", "print the CRD and FederatedTypeConfig instead of applying them (yaml)")
	f.DurationVar(&o.timeout, "timeout", 2*time.Minute, "give up after this long")
	return cmd
}

func (o *options) run(ctx context.Context, hostOpts *host.Options, out, errOut io.Writer, typeArg string) error {
	if o.output != "" && o.output != "yaml" {
		return fmt.Errorf("unsupported --output %q: only yaml", o.output)
	}
	h, t, err := hostOpts.ConnectAndResolve(ctx, typeArg)
	if err != nil {
		return err
	}
	targetCRD, err := getTargetCRD(ctx, h, t)
	if err != nil {
		return err
	}
	if o.emitCode != "" {
		return o.emit(out, errOut, t, targetCRD)
	}

	crd, inDefaultSet, err := defaultSetCRD(t.Federated.Plural, t.Federated.Group)
	if err != nil {
		return err
	}
	if !inDefaultSet {
		if err := checkVerbs(t); err != nil {
			return err
		}
		if targetCRD != nil {
			crd, err = federatedCRDForCRD(t, targetCRD)
		} else {
			crd, err = federatedCRDForBuiltin(t, openapi3.NewRoot(h.Discovery.OpenAPIV3()))
		}
		if err != nil {
			return err
		}
		_, dropped, err := fitSize(crd)
		if err != nil {
			return err
		}
		if dropped {
			fmt.Fprintf(errOut, "note: the template schema of %s is without descriptions, to fit the size an API server stores in one object\n", crd.Name)
		}
	}
	ftc := t.TypeConfig(h.Namespace, corev1beta1.Enabled)
	ftc.TypeMeta = metav1.TypeMeta{APIVersion: corev1beta1.SchemeGroupVersion.String(), Kind: "FederatedTypeConfig"}
	if o.output == "yaml" {
		for _, obj := range []any{crd, ftc} {
			data, err := yaml.Marshal(obj)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "---\n%s", data)
		}
		return nil
	}
	if err := apply(ctx, h, crd); err != nil {
		return fmt.Errorf("install CRD %s: %w", crd.Name, err)
	}
	if err := waitEstablished(ctx, h, crd.Name); err != nil {
		return err
	}
	fmt.Fprintf(out, "customresourcedefinition/%s applied\n", crd.Name)
	if err := apply(ctx, h, ftc); err != nil {
		return fmt.Errorf("create FederatedTypeConfig %s: %w", ftc.Name, err)
	}
	fmt.Fprintf(out, "federatedtypeconfig/%s applied in %s (propagation Enabled)\n", ftc.Name, h.Namespace)
	if !inDefaultSet {
		fmt.Fprintf(out, "note: %s is not compiled into the default controller manager; it propagates it through its dynamic (unstructured) controller. "+
			"For typed Go code and a custom image use `kubefedctl enable %s --emit-code DIR`\n", t.Name, t.Name)
	}
	return nil
}

// propagationVerbs are what the controller does with objects of a target type in
// member clusters.
var propagationVerbs = []string{"get", "list", "watch", "create", "patch", "delete"}

// checkVerbs refuses a type whose objects the controller could not propagate
// (bindings, tokenreviews: create only).
func checkVerbs(t *resolve.Type) error {
	if len(t.Verbs) == 0 {
		return nil // known only from a FederatedTypeConfig
	}
	var missing []string
	for _, v := range propagationVerbs {
		if !slices.Contains(t.Verbs, v) {
			missing = append(missing, v)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s cannot be federated: the host serves it with the verbs %s, and propagation needs %s (missing: %s); nothing was installed",
			t.Name, strings.Join(t.Verbs, ", "), strings.Join(propagationVerbs, ", "), strings.Join(missing, ", "))
	}
	return nil
}

// emit writes the generated code of the type and of a manager for it.
func (o *options) emit(out, errOut io.Writer, t *resolve.Type, targetCRD *apiextensionsv1.CustomResourceDefinition) error {
	opts := generator.Options{OutputDir: o.emitCode, GoPackage: o.goPackage, Manager: true, ManagerName: managerName(t.Name), Log: errOut}
	if targetCRD == nil {
		opts.Types = []string{fmt.Sprintf("%s/%s", t.Name, t.Target.Version)}
	} else {
		// The generator reads CRDs from files; keep the live one next to the code,
		// so that regenerating later needs no cluster.
		data, err := yaml.Marshal(targetCRD)
		if err != nil {
			return err
		}
		file := filepath.Join(o.emitCode, "crds", targetCRD.Name+".yaml")
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(file, data, 0o644); err != nil {
			return err
		}
		opts.CRDFiles = []string{file}
	}
	if err := generator.Generate(opts); err != nil {
		return err
	}
	fmt.Fprintf(out, `Generated the code of %s and of a controller manager for it in %s.
Next steps:
  go build -o bin/manager ./%s/cmd/manager                       # the manager binary
  kubectl apply --server-side -k %s/config/crd                   # the Federated CRD
  bin/manager --kubeconfig <host kubeconfig> --kubefed-namespace %s
or build the image with %s/Dockerfile (build context: the module root) and install
it with kubectl apply --server-side -k %s/config/default
`, t.Federated.Kind, o.emitCode, filepath.Clean(o.emitCode), o.emitCode, corev1beta1.DefaultNamespace, o.emitCode, o.emitCode)
	return nil
}

// managerName names the manager --emit-code writes for the type name, e.g.
// kubefed-backups-velero-io for backups.velero.io: unlike the default manager's,
// so that both can run in one host (their leader election leases differ).
func managerName(name string) string {
	n := "kubefed-" + strings.ReplaceAll(name, ".", "-")
	if len(n) > validation.DNS1123LabelMaxLength {
		n = n[:validation.DNS1123LabelMaxLength]
	}
	return strings.TrimRight(n, "-")
}

// getTargetCRD returns the CRD that defines t's target type, or nil for a built-in type.
func getTargetCRD(ctx context.Context, h *host.Host, t *resolve.Type) (*apiextensionsv1.CustomResourceDefinition, error) {
	crd := &unstructured.Unstructured{}
	crd.SetGroupVersionKind(apiextensionsv1.SchemeGroupVersion.WithKind("CustomResourceDefinition"))
	err := h.Client.Get(ctx, client.ObjectKey{Name: t.Target.Plural + "." + t.Target.Group}, crd)
	if apierrors.IsNotFound(err) || t.Target.Group == "" {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get the CRD of %s: %w", t.Name, err)
	}
	var typed apiextensionsv1.CustomResourceDefinition
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(crd.Object, &typed); err != nil {
		return nil, err
	}
	typed.ObjectMeta = metav1.ObjectMeta{Name: typed.Name}
	typed.Status = apiextensionsv1.CustomResourceDefinitionStatus{}
	return &typed, nil
}

// apply server-side applies obj to the host as kubefedctl.
func apply(ctx context.Context, h *host.Host, obj client.Object) error {
	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return err
	}
	u := &unstructured.Unstructured{Object: content}
	unstructured.RemoveNestedField(u.Object, "metadata", "creationTimestamp")
	unstructured.RemoveNestedField(u.Object, "status")
	return h.Client.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), client.ForceOwnership, client.FieldOwner("kubefedctl"))
}

// waitEstablished waits until the host serves the CRD name.
func waitEstablished(ctx context.Context, h *host.Host, name string) error {
	return wait.PollUntilContextCancel(ctx, 200*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		crd := &unstructured.Unstructured{}
		crd.SetGroupVersionKind(apiextensionsv1.SchemeGroupVersion.WithKind("CustomResourceDefinition"))
		if err := h.Client.Get(ctx, client.ObjectKey{Name: name}, crd); err != nil {
			return false, nil
		}
		conditions, _, _ := unstructured.NestedSlice(crd.Object, "status", "conditions")
		for _, c := range conditions {
			if m, ok := c.(map[string]any); ok && m["type"] == "Established" && m["status"] == "True" {
				return true, nil
			}
		}
		return false, nil
	})
}
