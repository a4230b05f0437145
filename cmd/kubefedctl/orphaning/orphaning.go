package orphaning

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/completion"
	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/host"
	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/resolve"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
)

// Values printed by orphaning status, as KubeFed printed them.
const (
	Enabled  = "Enabled"
	Disabled = "Disabled"
)

// NewCommand returns the orphaning command and its verbs.
func NewCommand(hostOpts *host.Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "orphaning",
		Aliases: []string{"orphaning-deletion"},
		Short:   "Keep or delete the member objects when a federated object is deleted",
		Long: `orphaning manages the annotation kubefed.io/orphan: "true" of a federated object.
With it, deleting the federated object leaves its objects in the member clusters in
place, without the kubefed.io/managed label, so federation never touches them again.
Without it (the default), deleting the federated object deletes them.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(
		newVerb(hostOpts, "enable", "Keep the member objects when the federated object is deleted",
			`  kubefedctl orphaning enable deployments.apps web -n shop
  kubefedctl orphaning enable FederatedConfigMap settings -n shop`,
			func(ctx context.Context, h *host.Host, t *resolve.Type, key client.ObjectKey, out io.Writer) error {
				return setOrphaning(ctx, h, t, key, true, out)
			}),
		newVerb(hostOpts, "disable", "Delete the member objects with the federated object (the default)",
			"  kubefedctl orphaning disable deployments.apps web -n shop",
			func(ctx context.Context, h *host.Host, t *resolve.Type, key client.ObjectKey, out io.Writer) error {
				return setOrphaning(ctx, h, t, key, false, out)
			}),
		newVerb(hostOpts, "status", "Print Enabled when the member objects are kept on deletion, else Disabled",
			"  kubefedctl orphaning status deployments.apps web -n shop",
			func(ctx context.Context, h *host.Host, t *resolve.Type, key client.ObjectKey, out io.Writer) error {
				obj, err := h.GetFederated(ctx, t, key.Namespace, key.Name)
				if err != nil {
					return err
				}
				_, err = fmt.Fprintln(out, State(obj.GetAnnotations()))
				return err
			}),
	)
	return cmd
}

func newVerb(hostOpts *host.Options, verb, short, example string, run func(context.Context, *host.Host, *resolve.Type, client.ObjectKey, io.Writer) error) *cobra.Command {
	var namespace string
	cmd := &cobra.Command{
		Use:   verb + " TYPE NAME [-n NAMESPACE]",
		Short: short,
		Long: short + `.

TYPE is the target type as kubectl names it (deployments.apps, deploy, configmaps)
or the federated type (FederatedDeployment); NAME is the object's name. For TYPE
namespaces, NAME is the namespace (its FederatedNamespace lives in it).`,
		Example:           example,
		Args:              cobra.ExactArgs(2),
		ValidArgsFunction: completion.TypeAndName(hostOpts, true),
		RunE: func(cmd *cobra.Command, args []string) error {
			h, t, ns, err := hostOpts.ConnectForObject(cmd.Context(), args[0], namespace)
			if err != nil {
				return err
			}
			return run(cmd.Context(), h, t, client.ObjectKey{Namespace: ns, Name: args[1]}, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVarP(&namespace, "namespace", "n", "", "namespace of the object (default: the namespace of the host context, else default)")
	return cmd
}

// State is Enabled when annotations (of a federated object) ask to keep its
// member objects on deletion, else Disabled.
func State(annotations map[string]string) string {
	if enabled(annotations) {
		return Enabled
	}
	return Disabled
}

func enabled(annotations map[string]string) bool {
	return annotations[fedv1beta1.OrphanAnnotation] == "true"
}

// setOrphaning adds or removes the orphan annotation with a merge patch, so that
// nothing else of the object is written.
func setOrphaning(ctx context.Context, h *host.Host, t *resolve.Type, key client.ObjectKey, enable bool, out io.Writer) error {
	obj, err := h.GetFederated(ctx, t, key.Namespace, key.Name)
	if err != nil {
		return err
	}
	what := fmt.Sprintf("%s %s", t.Federated.Kind, resolve.FormatKey(client.ObjectKeyFromObject(obj)))
	if enabled(obj.GetAnnotations()) == enable {
		_, err := fmt.Fprintf(out, "orphaning of %s is already %s\n", what, State(obj.GetAnnotations()))
		return err
	}
	value := "null"
	if enable {
		value = `"true"`
	}
	patch := fmt.Appendf(nil, `{"metadata":{"annotations":{%q:%s}}}`, fedv1beta1.OrphanAnnotation, value)
	if _, err := h.FederatedClient(t, obj.GetNamespace()).Patch(ctx, obj.GetName(), types.MergePatchType, patch, metav1.PatchOptions{FieldManager: "kubefedctl"}); err != nil {
		return fmt.Errorf("patch %s: %w", what, err)
	}
	if enable {
		_, err = fmt.Fprintf(out, "orphaning of %s enabled: deleting it leaves its member objects in place, unmanaged\n", what)
	} else {
		_, err = fmt.Fprintf(out, "orphaning of %s disabled: deleting it deletes its member objects\n", what)
	}
	return err
}
