package enable

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
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
with propagation Enabled.

Propagation needs a controller compiled for the type. The default controller manager
has KubeFed's default types; for a type it does not have (a CRD, or another built-in
type), --emit-code DIR writes the Go code of the type (for a CRD, from its live
schema) and of a controller manager built with it, ready to compile into a custom
federation controller image. DIR must be inside a Go module.

For a CRD the Federated CRD is installed from the CRD's live schema; for a built-in
type outside the default set use --emit-code and install the CRD it writes.`,
		Example: `  # A type of the default set
  kubefedctl enable deployments.apps

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
	switch {
	case err != nil:
		return err
	case !inDefaultSet && targetCRD == nil:
		return fmt.Errorf("%s is a built-in type outside the default controller manager's types, so kubefedctl has no Federated CRD for it; "+
			"generate one and a controller for it with `kubefedctl enable %s --emit-code DIR`", t.Name, typeArg)
	case !inDefaultSet:
		if crd, err = federatedCRDForCRD(t, targetCRD); err != nil {
			return err
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
		fmt.Fprintf(out, "note: the default controller manager does not propagate %s; build one that does with `kubefedctl enable %s --emit-code DIR`\n", t.Name, typeArg)
	}
	return nil
}

// emit writes the generated code of the type and of a manager for it.
func (o *options) emit(out, errOut io.Writer, t *resolve.Type, targetCRD *apiextensionsv1.CustomResourceDefinition) error {
	opts := generator.Options{OutputDir: o.emitCode, GoPackage: o.goPackage, Manager: true, Log: errOut}
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
