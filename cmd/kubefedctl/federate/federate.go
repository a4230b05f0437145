package federate

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/completion"
	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/host"
	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/resolve"
)

type options struct {
	namespace  string
	contents   bool
	enableType bool
	output     string
	dryRun     bool
	skip       []string
}

// NewCommand returns the federate command.
func NewCommand(hostOpts *host.Options) *cobra.Command {
	o := &options{}
	cmd := &cobra.Command{
		Use:   "federate TYPE NAME [-n NAMESPACE] [--contents] [-o yaml|json] [--dry-run]",
		Short: "Create the federated object of an existing object of the host cluster",
		Long: `federate reads an object of the host cluster and creates its Federated<Kind>, as
KubeFed's kubefedctl federate did: the object (without apiVersion, kind and status,
its metadata reduced to labels and annotations) becomes spec.template, and
spec.placement selects every member cluster (clusterSelector: {matchLabels: {}}).
Edit the placement and add overrides afterwards. Fields that the API server or a
controller fills in and that would be wrong in another cluster are left out of the
template: a Service's cluster IPs and node ports, a Namespace's finalizers, a
ServiceAccount's token secrets, a Job's generated selector and labels, system fields
of pod templates, and the kubectl.kubernetes.io/last-applied-configuration
annotation.

A FederatedNamespace lives in the namespace it federates, so
"federate namespaces NS" creates FederatedNamespace NS/NS. With --contents it then
federates every object in the namespace whose type is federated in the host (has a
Federated<Kind> CRD); other types are reported and skipped, and so are objects that
Kubernetes or a controller created and would create again in every member: objects
with a controlling owner (e.g. a Deployment's ReplicaSets), events, endpoints and
endpoint slices, the kube-root-ca.crt ConfigMap, the default ServiceAccount and
service account token Secrets. With --contents, objects that are already federated
are reported and skipped rather than failing the command.

TYPE is a resource as kubectl names it (deployments.apps, deployments, deploy,
Deployment) or its federated type (FederatedDeployment). The federated type must be
installed in the host (run "kubefedctl enable TYPE" otherwise), except with
--output, which only prints what would be created and touches nothing.`,
		Example: `  # Federate a namespace (placing it on every member cluster), then a ConfigMap in it
  kubefedctl federate namespaces shop
  kubefedctl federate configmaps settings -n shop

  # Federate a namespace and everything in it that can be federated
  kubefedctl federate namespaces shop --contents

  # Print the federated objects instead of creating them
  kubefedctl federate deploy web -n shop -o yaml`,
		Args:              cobra.ExactArgs(2),
		ValidArgsFunction: completion.TypeAndName(hostOpts, false),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch o.output {
			case "", "yaml", "json":
			default:
				return fmt.Errorf("--output %q is not supported: use yaml or json", o.output)
			}
			return o.run(cmd.Context(), hostOpts, cmd.OutOrStdout(), cmd.ErrOrStderr(), args[0], args[1])
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.namespace, "namespace", "n", "", "namespace of the object (default: the namespace of the host context, else default)")
	f.BoolVarP(&o.contents, "contents", "c", false, "with TYPE namespaces: also federate the objects in the namespace")
	f.BoolVarP(&o.enableType, "enable-type", "e", false, "KubeFed's flag to enable the type first; here it only says how: run `kubefedctl enable TYPE`")
	f.StringVarP(&o.output, "output", "o", "", "print the federated objects (yaml or json) instead of creating them")
	f.BoolVar(&o.dryRun, "dry-run", false, "send the objects to the host API server as a server-side dry run: validated, not stored")
	f.StringSliceVarP(&o.skip, "skip-api-resources", "s", nil, "with --contents: resources to skip, by name, short name, kind or group (deploy,secrets,apps)")
	return cmd
}

// federateItem is one federated object to create.
type federateItem struct {
	typ *resolve.Type
	obj *unstructured.Unstructured
}

func (o *options) run(ctx context.Context, hostOpts *host.Options, out, errOut io.Writer, typeArg, name string) error {
	h, t, err := hostOpts.ConnectAndResolve(ctx, typeArg)
	if err != nil {
		return err
	}
	if !t.Installed {
		switch {
		case o.enableType:
			return fmt.Errorf("%w (--enable-type cannot enable types here)", t.NotInstalledError(typeArg))
		case o.output == "":
			return t.NotInstalledError(typeArg)
		}
		fmt.Fprintf(errOut, "note: %s is not installed in the host; printing %s anyway\n", t.FederatedCRDName(), t.Federated.Kind)
	}
	if o.contents && !t.IsNamespace() {
		return fmt.Errorf("--contents applies only to TYPE namespaces, not %s", t.Name)
	}
	namespace := ""
	if t.Target.Namespaced {
		namespace = hostOpts.Namespace(o.namespace)
	}
	obj, err := h.TargetClient(t, namespace).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return fmt.Errorf("%s %s not found in the host cluster: federate federates an existing object", t.Target.Kind, resolve.FormatKey(t.FederatedKey(namespace, name)))
	}
	if err != nil {
		return fmt.Errorf("get %s %s: %w", t.Target.Kind, name, err)
	}
	fed, err := federatedObject(t, obj)
	if err != nil {
		return err
	}
	items := []federateItem{{t, fed}}
	if o.contents {
		contents, skipped, err := namespaceContents(ctx, h, name, o.skip)
		if err != nil {
			return err
		}
		items = append(items, contents...)
		for _, s := range skipped {
			fmt.Fprintf(errOut, "skipped %s\n", s)
		}
	}

	if o.output != "" {
		return printObjects(out, o.output, items)
	}
	created := 0
	for _, item := range items {
		opts := metav1.CreateOptions{FieldManager: "kubefedctl"}
		if o.dryRun {
			opts.DryRun = []string{metav1.DryRunAll}
		}
		what := fmt.Sprintf("%s %s", item.typ.Federated.Kind, resolve.FormatKey(client.ObjectKeyFromObject(item.obj)))
		_, err := h.FederatedClient(item.typ, item.obj.GetNamespace()).Create(ctx, item.obj, opts)
		switch {
		case apierrors.IsAlreadyExists(err) && o.contents:
			fmt.Fprintf(errOut, "skipped %s: already federated\n", what)
			continue
		case apierrors.IsAlreadyExists(err):
			return fmt.Errorf("%s already exists: %s %s is already federated; edit the %s to change it", what, item.typ.Target.Kind, name, item.typ.Federated.Kind)
		case err != nil:
			return fmt.Errorf("create %s: %w", what, err)
		}
		created++
		suffix := ""
		if o.dryRun {
			suffix = " (server dry run)"
		}
		fmt.Fprintf(out, "%s created%s\n", what, suffix)
		if !item.typ.PropagationEnabled() {
			fmt.Fprintf(errOut, "warning: propagation of %s is Disabled by FederatedTypeConfig %s/%s: %s is not propagated until `kubefedctl enable %s`\n",
				item.typ.Name, h.Namespace, item.typ.Config.Name, what, item.typ.Name)
		}
	}
	if !o.contents && t.Target.Namespaced && created > 0 {
		warnNamespaceNotFederated(ctx, h, t, namespace, errOut)
	}
	return nil
}

// warnNamespaceNotFederated says when an object was federated into a namespace
// that has no FederatedNamespace: it is then placed on no cluster.
func warnNamespaceNotFederated(ctx context.Context, h *host.Host, t *resolve.Type, namespace string, errOut io.Writer) {
	gvk := t.Federated.GroupVersion().WithKind("FederatedNamespace")
	m, err := h.Mapper.RESTMapping(gvk.GroupKind())
	if err != nil {
		return // namespaces are not federated in this host: no limit
	}
	_, err = h.Dynamic.Resource(m.Resource).Namespace(namespace).Get(ctx, namespace, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		fmt.Fprintf(errOut, "warning: namespace %s has no FederatedNamespace, so objects in it are placed on no cluster; run `kubefedctl federate namespaces %s`\n", namespace, namespace)
	}
}

// printObjects writes the objects as a YAML stream or, in JSON, as one object or a
// v1 List.
func printObjects(out io.Writer, format string, items []federateItem) error {
	if format == "json" {
		var v any = items[0].obj.Object
		if len(items) > 1 {
			list := []any{}
			for _, item := range items {
				list = append(list, item.obj.Object)
			}
			v = map[string]any{"apiVersion": "v1", "kind": "List", "items": list}
		}
		data, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(out, "%s\n", data)
		return err
	}
	for _, item := range items {
		data, err := yaml.Marshal(item.obj.Object)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(out, "---\n%s", data); err != nil {
			return err
		}
	}
	return nil
}

// Metadata fields of a pod template (and any nested template) that the API server
// sets and that make no sense in a template, as KubeFed removed them.
var systemMetadataFields = []string{"selfLink", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields"}

// Labels the Job controller puts on a Job's selector and pod template.
var jobControllerLabels = []string{"controller-uid", "batch.kubernetes.io/controller-uid", "job-name", "batch.kubernetes.io/job-name"}

const lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

// federatedObject builds the Federated<Kind> of obj: same name and namespace (a
// namespace's FederatedNamespace lives in itself), obj as template, placed on every
// cluster.
func federatedObject(t *resolve.Type, obj *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	template, err := templateOf(t, obj)
	if err != nil {
		return nil, err
	}
	fed := &unstructured.Unstructured{Object: map[string]any{}}
	fed.SetAPIVersion(t.Federated.GroupVersion().String())
	fed.SetKind(t.Federated.Kind)
	key := t.FederatedKey(obj.GetNamespace(), obj.GetName())
	fed.SetName(key.Name)
	fed.SetNamespace(key.Namespace)
	fed.Object["spec"] = map[string]any{
		"template": template,
		// KubeFed's federate placed on every cluster with an empty selector.
		"placement": map[string]any{"clusterSelector": map[string]any{"matchLabels": map[string]any{}}},
	}
	return fed, nil
}

// templateOf is obj as a template: no apiVersion, kind or status, metadata reduced
// to labels and annotations, and fields that only make sense in the cluster that
// filled them in removed.
func templateOf(t *resolve.Type, obj *unstructured.Unstructured) (map[string]any, error) {
	content := obj.DeepCopy().Object
	delete(content, "apiVersion")
	delete(content, "kind")
	delete(content, "status")
	meta := map[string]any{}
	if labels := obj.GetLabels(); len(labels) > 0 {
		meta["labels"] = toAny(labels)
	}
	annotations := obj.GetAnnotations()
	delete(annotations, lastAppliedAnnotation)
	if len(annotations) > 0 {
		meta["annotations"] = toAny(annotations)
	}
	delete(content, "metadata")
	if len(meta) > 0 {
		content["metadata"] = meta
	}
	for _, f := range systemMetadataFields {
		unstructured.RemoveNestedField(content, "spec", "template", "metadata", f)
	}
	gk := t.Target.GroupKind()
	switch gk {
	case schema.GroupKind{Kind: "Namespace"}:
		unstructured.RemoveNestedField(content, "spec", "finalizers")
	case schema.GroupKind{Kind: "ServiceAccount"}:
		// Token secrets are generated per cluster.
		delete(content, "secrets")
	case schema.GroupKind{Kind: "Service"}:
		// Cluster IPs and node ports are allocated per cluster.
		for _, f := range []string{"clusterIP", "clusterIPs", "healthCheckNodePort"} {
			unstructured.RemoveNestedField(content, "spec", f)
		}
		if ports, found, err := unstructured.NestedSlice(content, "spec", "ports"); err != nil {
			return nil, fmt.Errorf("spec.ports: %w", err)
		} else if found {
			for _, p := range ports {
				if port, ok := p.(map[string]any); ok {
					delete(port, "nodePort")
				}
			}
			if err := unstructured.SetNestedSlice(content, ports, "spec", "ports"); err != nil {
				return nil, err
			}
		}
	case schema.GroupKind{Group: "batch", Kind: "Job"}:
		// Unless the user chose the selector, it is generated from the Job's UID,
		// which differs in every cluster; the API server rejects a given one.
		if manual, _, _ := unstructured.NestedBool(content, "spec", "manualSelector"); !manual {
			unstructured.RemoveNestedField(content, "spec", "selector")
			for _, l := range jobControllerLabels {
				unstructured.RemoveNestedField(content, "spec", "template", "metadata", "labels", l)
			}
		}
	}
	for _, path := range [][]string{{"spec"}, {"spec", "template", "metadata", "labels"}, {"spec", "template", "metadata"}} {
		if m, found, _ := unstructured.NestedMap(content, path...); found && len(m) == 0 {
			unstructured.RemoveNestedField(content, path...)
		}
	}
	return content, nil
}

func toAny(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Resources that controllers or the API server create in every namespace, and
// that federating would only duplicate; KubeFed skipped the same (and
// propagatedversions, gone here).
var controllerCreatedResources = []string{
	"endpoints", "events", "events.events.k8s.io", "endpointslices.discovery.k8s.io",
}

// namespaceContents returns the federated objects of every object in namespace
// whose type is federated in the host, and says what it skipped and why.
func namespaceContents(ctx context.Context, h *host.Host, namespace string, skip []string) ([]federateItem, []string, error) {
	var (
		items   []federateItem
		skipped []string
	)
	for _, g := range h.Groups {
		if strings.HasSuffix(g.Group.Name, ".kubefed.io") || g.Group.Name == "extensions" {
			continue // the federation's own types, and KubeFed skipped extensions as outdated
		}
		for _, res := range resolve.PreferredResources(g) {
			res.Group, res.Version = g.Group.Name, g.Group.PreferredVersion.Version
			if !res.Namespaced || !slices.Contains(res.Verbs, "list") || skipResource(res, controllerCreatedResources) || skipResource(res, skip) {
				continue
			}
			t, ok := h.Resolver.ResolveResource(schema.GroupVersionResource{Group: res.Group, Version: res.Version, Resource: res.Name})
			if !ok {
				continue
			}
			list, err := h.TargetClient(t, namespace).List(ctx, metav1.ListOptions{})
			if apierrors.IsNotFound(err) || apierrors.IsMethodNotSupported(err) {
				continue
			}
			if err != nil {
				return nil, nil, fmt.Errorf("list %s in namespace %s: %w", t.Name, namespace, err)
			}
			var objs []*unstructured.Unstructured
			for i := range list.Items {
				obj := &list.Items[i]
				if why := systemObject(obj); why != "" {
					skipped = append(skipped, fmt.Sprintf("%s %s: %s", t.Target.Kind, obj.GetName(), why))
					continue
				}
				objs = append(objs, obj)
			}
			if len(objs) == 0 {
				continue
			}
			if !t.Installed {
				skipped = append(skipped, fmt.Sprintf("%d %s: %s is not federated in the host (run `kubefedctl enable %s`)", len(objs), t.Name, t.Target.Kind, t.Name))
				continue
			}
			for _, obj := range objs {
				fed, err := federatedObject(t, obj)
				if err != nil {
					return nil, nil, fmt.Errorf("%s %s/%s: %w", t.Target.Kind, namespace, obj.GetName(), err)
				}
				items = append(items, federateItem{t, fed})
			}
		}
	}
	sort.SliceStable(items, func(i, j int) bool {
		if items[i].typ.Name != items[j].typ.Name {
			return items[i].typ.Name < items[j].typ.Name
		}
		return items[i].obj.GetName() < items[j].obj.GetName()
	})
	return items, skipped, nil
}

// skipResource says whether res matches one of names: a resource (plural,
// singular, qualified or short name), a kind, or a whole group.
func skipResource(res metav1.APIResource, names []string) bool {
	for _, n := range names {
		n = strings.ToLower(strings.TrimSpace(n))
		switch {
		case n == "":
		case n == res.Group && n != "",
			n == res.Name, n == resolve.QualifiedResource(res.Name, res.Group),
			n == res.SingularName, n == strings.ToLower(res.Kind),
			slices.Contains(res.ShortNames, n):
			return true
		}
	}
	return false
}

// systemObject says why obj is one that Kubernetes or a controller made and would
// make again in every member cluster (so it must not be federated), or "".
func systemObject(obj *unstructured.Unstructured) string {
	if ref := metav1.GetControllerOf(obj); ref != nil {
		return fmt.Sprintf("controlled by %s %s", ref.Kind, ref.Name)
	}
	if obj.GetDeletionTimestamp() != nil {
		return "being deleted"
	}
	gvk := obj.GroupVersionKind()
	switch {
	case gvk.Group == "" && gvk.Kind == "ConfigMap" && (obj.GetName() == "kube-root-ca.crt" || obj.GetName() == "openshift-service-ca.crt"):
		return "published by Kubernetes in every namespace"
	case gvk.Group == "" && gvk.Kind == "ServiceAccount" && obj.GetName() == "default":
		return "created by Kubernetes in every namespace"
	case gvk.Group == "" && gvk.Kind == "Secret":
		if typ, _, _ := unstructured.NestedString(obj.Object, "type"); typ == string(corev1.SecretTypeServiceAccountToken) {
			return "a service account token, issued per cluster"
		}
	}
	return ""
}
