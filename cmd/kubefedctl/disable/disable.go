package disable

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/completion"
	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/host"
	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/resolve"
	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/propagation"
)

var crdResource = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

type options struct {
	deleteCRD bool
	force     bool
	timeout   time.Duration
}

// NewCommand returns the disable command.
func NewCommand(hostOpts *host.Options) *cobra.Command {
	o := &options{}
	cmd := &cobra.Command{
		Use:   "disable TYPE [--delete-crd [--force]]",
		Short: "Stop propagating a federated type",
		Long: `disable sets spec.propagation of the type's FederatedTypeConfig (in the KubeFed
namespace, named after the target type, e.g. deployments.apps) to Disabled, creating
it when missing. The controller then leaves objects of the type alone: changes to
Federated<Kind> objects are not propagated, drift in member clusters is not
corrected, and objects already propagated stay in the member clusters as they are.
"kubefedctl enable TYPE" turns propagation on again.

Unlike KubeFed's disable, the FederatedTypeConfig is kept: a type compiled into the
controller manager propagates when it has no FederatedTypeConfig, so deleting it
would turn propagation back on.

--delete-crd also deletes the Federated<Kind> CRD (and then the FederatedTypeConfig).
Deleting a CRD deletes every object of it, so it is refused while Federated<Kind>
objects exist (the error lists how many, per namespace), and nothing is changed.
Delete them first (their member objects are deleted with them, or kept with
"kubefedctl orphaning enable"), or pass --force: propagation is disabled first, the
controller's finalizer (kubefed.io/sync-controller) is removed from every
Federated<Kind>, then the CRD is deleted with its objects. Member objects are NOT
deleted then: they stay in the member clusters exactly as they are, still labelled
kubefed.io/managed=true, and a new Federated<Kind> of the same name (once the type is
enabled again) takes them over.
A controller manager compiled with the type keeps trying to watch it until it is
rebuilt without it.`,
		Example: `  # Pause propagation of Deployments
  kubefedctl disable deployments.apps

  # Remove the FederatedConfigMap type once no FederatedConfigMap is left
  kubefedctl disable configmaps --delete-crd

  # Remove it now, leaving every propagated ConfigMap in the member clusters
  kubefedctl disable configmaps --delete-crd --force`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completion.Types(hostOpts),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.force && !o.deleteCRD {
				return fmt.Errorf("--force applies only with --delete-crd")
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), o.timeout)
			defer cancel()
			return o.run(ctx, hostOpts, cmd.OutOrStdout(), args[0])
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.deleteCRD, "delete-crd", false, "also delete the Federated<Kind> CRD and the FederatedTypeConfig; refused while federated objects exist unless --force")
	f.BoolVar(&o.force, "force", false, "with --delete-crd: delete the CRD and its objects even if some exist, leaving their member objects in place")
	f.DurationVar(&o.timeout, "timeout", 2*time.Minute, "give up after this long")
	return cmd
}

func (o *options) run(ctx context.Context, hostOpts *host.Options, out io.Writer, typeArg string) error {
	h, err := hostOpts.Connect(ctx)
	if err != nil {
		return err
	}
	t, err := h.Resolver.Resolve(typeArg)
	if err != nil {
		// The target type may be gone from the host while its config remains.
		c := h.Resolver.Config(typeArg)
		if c == nil {
			return err
		}
		t = h.Resolver.FromConfig(c)
	}
	var existing []unstructured.Unstructured
	if o.deleteCRD && t.Installed {
		// Check before changing anything, so that a refusal leaves all as it was.
		list, err := h.FederatedClient(t, "").List(ctx, metav1.ListOptions{})
		if err != nil {
			return fmt.Errorf("list %s objects: %w", t.Federated.Kind, err)
		}
		existing = list.Items
		if len(existing) > 0 && !o.force {
			return fmt.Errorf("refusing to delete CRD %s: %s; nothing was changed. Delete them first (with propagation enabled, so that their member objects are deleted too, or kept with `kubefedctl orphaning enable`), or use --force to delete them with the CRD and leave their member objects in place",
				t.FederatedCRDName(), countObjects(t.Federated.Kind, existing))
		}
	}

	if err := disablePropagation(ctx, h, t, out); err != nil {
		return err
	}
	if !o.deleteCRD {
		_, err := fmt.Fprintf(out, "%s objects are no longer propagated; objects in member clusters stay as they are. `kubefedctl enable %s` resumes propagation.\n", t.Federated.Kind, t.Name)
		return err
	}

	if t.Installed {
		if len(existing) > 0 {
			n, err := removeFinalizers(ctx, h, t)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "removed finalizer %s from %d %s object(s); their member objects are left in place, as they are\n", propagation.Finalizer, n, t.Federated.Kind)
		}
		if err := deleteCRD(ctx, h, t, len(existing) > 0, out); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(out, "CustomResourceDefinition %s does not exist\n", t.FederatedCRDName())
	}
	ftc := &corev1beta1.FederatedTypeConfig{ObjectMeta: metav1.ObjectMeta{Namespace: h.Namespace, Name: t.Name}}
	if err := h.Client.Delete(ctx, ftc); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("delete FederatedTypeConfig %s/%s: %w", h.Namespace, t.Name, err)
	}
	_, err = fmt.Fprintf(out, "FederatedTypeConfig %s/%s deleted\n", h.Namespace, t.Name)
	return err
}

// disablePropagation sets the FederatedTypeConfig's propagation to Disabled with a
// merge patch, or creates the FederatedTypeConfig so.
func disablePropagation(ctx context.Context, h *host.Host, t *resolve.Type, out io.Writer) error {
	name := h.Namespace + "/" + t.Name
	if t.Config != nil {
		if t.Config.Spec.Propagation == corev1beta1.Disabled {
			_, err := fmt.Fprintf(out, "propagation of %s is already disabled (FederatedTypeConfig %s)\n", t.Name, name)
			return err
		}
		patch := fmt.Appendf(nil, `{"spec":{"propagation":%q}}`, corev1beta1.Disabled)
		if err := h.Client.Patch(ctx, t.Config, client.RawPatch(types.MergePatchType, patch)); err != nil {
			return fmt.Errorf("disable propagation in FederatedTypeConfig %s: %w", name, err)
		}
		_, err := fmt.Fprintf(out, "propagation of %s disabled (FederatedTypeConfig %s)\n", t.Name, name)
		return err
	}
	ftc := t.TypeConfig(h.Namespace, corev1beta1.Disabled)
	if err := h.Client.Create(ctx, ftc); err != nil {
		if meta.IsNoMatchError(err) {
			return fmt.Errorf("the host cluster has no FederatedTypeConfig CRD (core.kubefed.io): install the federation's core CRDs first")
		}
		return fmt.Errorf("create FederatedTypeConfig %s: %w", name, err)
	}
	t.Config = ftc
	_, err := fmt.Fprintf(out, "propagation of %s disabled (FederatedTypeConfig %s created)\n", t.Name, name)
	return err
}

// countObjects says how many objects there are, per namespace.
func countObjects(kind string, items []unstructured.Unstructured) string {
	perNamespace := map[string]int{}
	for _, item := range items {
		perNamespace[item.GetNamespace()]++
	}
	var parts []string
	for ns, n := range perNamespace {
		if ns == "" {
			parts = append(parts, fmt.Sprintf("%d cluster-scoped", n))
		} else {
			parts = append(parts, fmt.Sprintf("%s: %d", ns, n))
		}
	}
	sort.Strings(parts)
	return fmt.Sprintf("%d %s object(s) exist (%s)", len(items), kind, strings.Join(parts, ", "))
}

// removeFinalizers removes the sync controller's finalizer from every object of
// the type, with a JSON patch that tests the list first, so that a concurrent
// change of the finalizers is never overwritten.
func removeFinalizers(ctx context.Context, h *host.Host, t *resolve.Type) (int, error) {
	list, err := h.FederatedClient(t, "").List(ctx, metav1.ListOptions{})
	if err != nil {
		return 0, fmt.Errorf("list %s objects: %w", t.Federated.Kind, err)
	}
	removed := 0
	for i := range list.Items {
		obj := &list.Items[i]
		for attempt := 1; ; attempt++ {
			done, err := removeFinalizer(ctx, h, t, obj)
			if err == nil && done {
				removed++
			}
			if err == nil || apierrors.IsNotFound(err) {
				break
			}
			if attempt == 5 || !patchRejected(err) {
				return removed, fmt.Errorf("remove finalizer %s from %s %s: %w", propagation.Finalizer, t.Federated.Kind, resolve.FormatKey(client.ObjectKeyFromObject(obj)), err)
			}
			// The finalizers changed under us: read them again.
			if obj, err = h.FederatedClient(t, obj.GetNamespace()).Get(ctx, obj.GetName(), metav1.GetOptions{}); err != nil {
				if apierrors.IsNotFound(err) {
					break
				}
				return removed, fmt.Errorf("get %s %s: %w", t.Federated.Kind, resolve.FormatKey(client.ObjectKeyFromObject(&list.Items[i])), err)
			}
		}
	}
	return removed, nil
}

// patchRejected says whether the API server refused a patch because the object
// changed since it was read (a failed test operation or a conflict).
func patchRejected(err error) bool {
	var status apierrors.APIStatus
	if !errors.As(err, &status) {
		return false
	}
	switch status.Status().Code {
	case http.StatusConflict, http.StatusUnprocessableEntity, http.StatusBadRequest:
		return true
	}
	return false
}

func removeFinalizer(ctx context.Context, h *host.Host, t *resolve.Type, obj *unstructured.Unstructured) (bool, error) {
	i := slices.Index(obj.GetFinalizers(), propagation.Finalizer)
	if i < 0 {
		return false, nil
	}
	path := fmt.Sprintf("/metadata/finalizers/%d", i)
	patch, err := json.Marshal([]map[string]any{
		{"op": "test", "path": path, "value": propagation.Finalizer},
		{"op": "remove", "path": path},
	})
	if err != nil {
		return false, err
	}
	_, err = h.FederatedClient(t, obj.GetNamespace()).Patch(ctx, obj.GetName(), types.JSONPatchType, patch, metav1.PatchOptions{FieldManager: "kubefedctl"})
	return err == nil, err
}

// deleteCRD deletes the federated CRD and waits until it is gone. Until then,
// finalizers that a controller still running with propagation enabled might add
// again are removed again, so that deletion cannot hang, or run the finalizer.
func deleteCRD(ctx context.Context, h *host.Host, t *resolve.Type, force bool, out io.Writer) error {
	name := t.FederatedCRDName()
	crds := h.Dynamic.Resource(crdResource)
	if err := crds.Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
		if apierrors.IsNotFound(err) {
			_, err := fmt.Fprintf(out, "CustomResourceDefinition %s does not exist\n", name)
			return err
		}
		return fmt.Errorf("delete CustomResourceDefinition %s: %w", name, err)
	}
	err := wait.PollUntilContextCancel(ctx, 200*time.Millisecond, false, func(ctx context.Context) (bool, error) {
		_, err := crds.Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		if force {
			if _, err := removeFinalizers(ctx, h, t); err != nil && !apierrors.IsNotFound(err) {
				return false, nil // the type may be going away under us; try again
			}
		}
		return false, nil
	})
	if err != nil {
		return fmt.Errorf("wait for CustomResourceDefinition %s to be deleted: %w", name, err)
	}
	_, err = fmt.Fprintf(out, "CustomResourceDefinition %s deleted\n", name)
	return err
}
