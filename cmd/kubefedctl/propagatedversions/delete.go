package propagatedversions

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/host"
	corev1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1alpha1"
)

// Dry-run strategies, as kubectl names them.
const (
	DryRunNone   = "none"
	DryRunClient = "client"
	DryRunServer = "server"
)

// Options choose which PropagatedVersions Delete deletes.
type Options struct {
	// Namespace holds the PropagatedVersions to delete, unless AllNamespaces.
	Namespace string
	// AllNamespaces deletes the PropagatedVersions of every namespace and every
	// ClusterPropagatedVersion.
	AllNamespaces bool
	// DryRun is DryRunNone, DryRunClient (print only) or DryRunServer (the API
	// server checks the deletes and keeps the objects).
	DryRun string
}

// NewCommand returns the delete-propagated-versions command.
func NewCommand(hostOpts *host.Options) *cobra.Command {
	o := Options{}
	cmd := &cobra.Command{
		Use:   "delete-propagated-versions [-n NAMESPACE | -A] [--dry-run=none|client|server]",
		Short: "Delete the PropagatedVersion objects KubeFed left in the host cluster",
		Long: `delete-propagated-versions deletes the PropagatedVersion objects of a namespace
(core.kubefed.io/v1alpha1), or with -A those of every namespace and every
ClusterPropagatedVersion. KubeFed wrote one for each federated object it propagated;
this control plane keeps the same facts in memory and in the kubefed.io/desired-hash
annotation of member objects, so it never reads them. Stop KubeFed's controller
manager first: while it runs, it writes them again.`,
		Example: `  kubefedctl delete-propagated-versions -A --dry-run=client
  kubefedctl delete-propagated-versions -n shop`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch o.DryRun {
			case DryRunNone, DryRunClient, DryRunServer:
			default:
				return fmt.Errorf("invalid --dry-run %q: must be %q, %q or %q", o.DryRun, DryRunNone, DryRunClient, DryRunServer)
			}
			if o.AllNamespaces && o.Namespace != "" {
				return fmt.Errorf("--namespace and --all-namespaces cannot be used together")
			}
			if !o.AllNamespaces {
				o.Namespace = hostOpts.Namespace(o.Namespace)
			}
			c, err := hostClient(hostOpts)
			if err != nil {
				return err
			}
			return Delete(cmd.Context(), c, o, cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Namespace, "namespace", "n", "", "namespace whose PropagatedVersions to delete (default: the namespace of the host context, else default)")
	f.BoolVarP(&o.AllNamespaces, "all-namespaces", "A", false, "delete the PropagatedVersions of every namespace and every ClusterPropagatedVersion")
	f.StringVar(&o.DryRun, "dry-run", DryRunNone, `"none", "client" (print what would be deleted) or "server" (the API server checks the deletes and keeps the objects)`)
	f.Lookup("dry-run").NoOptDefVal = DryRunClient
	return cmd
}

func hostClient(hostOpts *host.Options) (client.Client, error) {
	cfg, err := hostOpts.RESTConfig(hostOpts.HostContext)
	if err != nil {
		return nil, err
	}
	cfg = rest.CopyConfig(cfg)
	cfg.UserAgent = "kubefedctl"
	scheme := runtime.NewScheme()
	if err := corev1alpha1.AddToScheme(scheme); err != nil {
		return nil, err
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return nil, fmt.Errorf("host cluster: %w", err)
	}
	return c, nil
}

// Delete deletes the PropagatedVersions o chooses, printing a kubectl-style line
// for each. Objects already gone are not an error; anything else stops it.
func Delete(ctx context.Context, c client.Client, o Options, out io.Writer) error {
	var namespaced corev1alpha1.PropagatedVersionList
	listOpts := []client.ListOption{}
	if !o.AllNamespaces {
		listOpts = append(listOpts, client.InNamespace(o.Namespace))
	}
	if err := c.List(ctx, &namespaced, listOpts...); err != nil {
		return listError("PropagatedVersions", err)
	}
	objs := make([]client.Object, 0, len(namespaced.Items))
	for i := range namespaced.Items {
		objs = append(objs, &namespaced.Items[i])
	}
	if o.AllNamespaces {
		var clustered corev1alpha1.ClusterPropagatedVersionList
		if err := c.List(ctx, &clustered); err != nil {
			return listError("ClusterPropagatedVersions", err)
		}
		for i := range clustered.Items {
			objs = append(objs, &clustered.Items[i])
		}
	}
	if len(objs) == 0 {
		where := "in namespace " + o.Namespace
		if o.AllNamespaces {
			where = "in any namespace, and no ClusterPropagatedVersions"
		}
		_, err := fmt.Fprintf(out, "No PropagatedVersions found %s.\n", where)
		return err
	}
	suffix := ""
	switch o.DryRun {
	case DryRunClient:
		suffix = " (dry run)"
	case DryRunServer:
		suffix = " (server dry run)"
	}
	for _, obj := range objs {
		name, err := displayName(c, obj)
		if err != nil {
			return err
		}
		if o.DryRun != DryRunClient {
			uid := obj.GetUID()
			opts := []client.DeleteOption{client.Preconditions{UID: &uid}}
			if o.DryRun == DryRunServer {
				opts = append(opts, client.DryRunAll)
			}
			if err := c.Delete(ctx, obj, opts...); err != nil && !apierrors.IsNotFound(err) {
				return fmt.Errorf("delete %s: %w", name, err)
			}
		}
		from := ""
		if ns := obj.GetNamespace(); ns != "" {
			from = " from " + ns + " namespace"
		}
		if _, err := fmt.Fprintf(out, "%s deleted%s%s\n", name, from, suffix); err != nil {
			return err
		}
	}
	return nil
}

// listError says what to do when the CRDs are missing: then there is nothing to delete.
func listError(what string, err error) error {
	if meta.IsNoMatchError(err) {
		return fmt.Errorf("list %s: the host serves no core.kubefed.io/v1alpha1 %s (is this the host cluster?): %w", what, what, err)
	}
	return fmt.Errorf("list %s: %w", what, err)
}

// displayName names obj as kubectl's delete does: propagatedversion.core.kubefed.io "name".
func displayName(c client.Client, obj client.Object) (string, error) {
	gvk, err := c.GroupVersionKindFor(obj)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s.%s %q", strings.ToLower(gvk.Kind), gvk.Group, obj.GetName()), nil
}
