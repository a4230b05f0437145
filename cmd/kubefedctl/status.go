package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/dynamic"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/cluster"
	"github.com/kubefed-gen/kubefed/runtime/override"
	"github.com/kubefed-gen/kubefed/runtime/placement"
)

// maxDiffs is how many differing fields are listed per cluster.
const maxDiffs = 10

// Why a cluster is not placed.
const (
	notInPlacement        = "NotInPlacement"
	namespaceNotFederated = "NamespaceNotFederated"
	namespaceNotPlaced    = "NamespaceNotPlaced"
)

// What is known of the object in a member cluster.
const (
	presentYes         = "Yes"
	presentNo          = "No"
	presentUnreachable = "Unreachable"
	presentUnknown     = "Unknown"
)

// statusReport explains where a federated object is propagated and why; it is
// what `kubefedctl status -o yaml|json` prints.
type statusReport struct {
	Kind       string `json:"kind"`
	APIVersion string `json:"apiVersion"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
	// Type is the federated type's name (its FederatedTypeConfig name).
	Type string `json:"type"`
	// TypePropagation is Enabled or Disabled, from the FederatedTypeConfig.
	TypePropagation string `json:"typePropagation"`
	TypeConfig      string `json:"typeConfig,omitempty"`
	Generation      int64  `json:"generation"`
	// ObservedGeneration is the generation the status describes; below Generation
	// the status is stale.
	ObservedGeneration int64             `json:"observedGeneration"`
	StatusStale        bool              `json:"statusStale"`
	Deleting           bool              `json:"deleting,omitempty"`
	Orphaning          string            `json:"orphaning"`
	Placement          string            `json:"placement"`
	NamespacePlacement string            `json:"namespacePlacement,omitempty"`
	Propagation        *metav1.Condition `json:"propagation,omitempty"`
	PlacementError     string            `json:"placementError,omitempty"`
	Clusters           []clusterReport   `json:"clusters"`

	// What explain works from; not printed.
	placementSpec      fedv1beta1.Placement
	overrides          []fedv1beta1.GenericOverrideItem
	fed                *unstructured.Unstructured
	typ                *federatedType
	kfcs               map[string]*corev1beta1.KubeFedCluster
	statuses           map[string]fedv1beta1.GenericClusterStatus
	namespaceLimit     []string // nil: no limit
	namespaceFederated bool
	kubefedNamespace   string
}

// clusterReport is the state of the object in one cluster.
type clusterReport struct {
	Name   string `json:"name"`
	Joined bool   `json:"joined"`
	// Ready is the KubeFedCluster's Ready condition: True, False or Unknown.
	Ready        string `json:"ready,omitempty"`
	ReadyMessage string `json:"readyMessage,omitempty"`
	Placed       bool   `json:"placed"`
	// NotPlacedReason is NotInPlacement, NamespaceNotFederated or NamespaceNotPlaced.
	NotPlacedReason string `json:"notPlacedReason,omitempty"`
	// Status and Message are the cluster's entry in the federated object's status.
	Status  string `json:"status,omitempty"`
	Message string `json:"message,omitempty"`
	// Present is Yes, No, Unreachable or Unknown.
	Present     string `json:"present"`
	Managed     *bool  `json:"managed,omitempty"`
	MemberError string `json:"memberError,omitempty"`
	// DesiredError is why the desired object could not be computed (overrides).
	DesiredError string `json:"desiredError,omitempty"`
	// InSync says whether the member object holds every desired field.
	InSync          *bool       `json:"inSync,omitempty"`
	Differences     []fieldDiff `json:"differences,omitempty"`
	MoreDifferences int         `json:"moreDifferences,omitempty"`
	Explanation     []string    `json:"explanation,omitempty"`
}

// fieldDiff is one field where the member object differs from the desired object;
// Path is a JSON pointer, as override paths are.
type fieldDiff struct {
	Path    string `json:"path"`
	Desired any    `json:"desired,omitempty"`
	Actual  any    `json:"actual,omitempty"`
	// Missing: the member object lacks the field. Extra: the member's list has an
	// item the desired list has not.
	Missing bool `json:"missing,omitempty"`
	Extra   bool `json:"extra,omitempty"`
}

func (d fieldDiff) String() string {
	switch {
	case d.Missing:
		return fmt.Sprintf("%s: desired %s, missing in the member", d.Path, short(d.Desired))
	case d.Extra:
		return fmt.Sprintf("%s: not desired, the member has %s", d.Path, short(d.Actual))
	}
	return fmt.Sprintf("%s: desired %s, the member has %s", d.Path, short(d.Desired), short(d.Actual))
}

func short(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if s := string(data); len(s) <= 80 {
		return s
	}
	return string(data[:77]) + "..."
}

func newStatusCommand(g *globalOptions) *cobra.Command {
	var (
		namespace string
		output    string
		timeout   time.Duration
	)
	cmd := &cobra.Command{
		Use:   "status TYPE NAME [-n NAMESPACE] [-o yaml|json]",
		Short: "Explain where a federated object is propagated, and why not elsewhere",
		Long: `status explains the propagation of one federated object. For every joined member
cluster (and every cluster its placement names) it shows:

  READY    the cluster's Ready condition (KubeFedCluster status)
  PLACED   yes; or no, with why: not in the object's placement, or (for a
           namespaced object) its namespace has no FederatedNamespace or that
           does not place it on the cluster
  STATUS   the cluster's entry in the federated object's status (OK,
           CreationFailed, ApplyOverridesFailed, AlreadyExists, ClusterNotReady...)
  PRESENT  whether the object exists in the member, read with the credentials the
           controller uses; "yes, unmanaged" when it lacks kubefed.io/managed
  DIFF     whether the member object holds the desired object: the template with
           the cluster's overrides applied, compared field by field (fields the
           member adds, such as defaults, are not differences)

followed, per cluster, by what is wrong and the differing fields (JSON pointers,
desired against actual). It also shows the Propagation condition, whether the
status is stale (observed generation behind the object's generation), whether
propagation of the type is disabled, and orphaning. -o yaml or json prints the
same data structured.

TYPE is the target type as kubectl names it (deployments.apps, deploy, configmaps)
or the federated type (FederatedDeployment); NAME is the object's name.`,
		Example: `  kubefedctl status configmaps settings -n shop
  kubefedctl status deploy web -n shop -o yaml
  kubefedctl status namespaces shop`,
		Args:              cobra.ExactArgs(2),
		ValidArgsFunction: g.completeTypeAndName(true),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch output {
			case "", "yaml", "json":
			default:
				return fmt.Errorf("--output %q is not supported: use yaml or json", output)
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			h, t, ns, err := g.federatedObjectArgs(ctx, args[0], namespace)
			if err != nil {
				return err
			}
			report, err := explain(ctx, h, t, ns, args[1])
			if err != nil {
				return err
			}
			return report.write(cmd.OutOrStdout(), output)
		},
	}
	cmd.Flags().StringVarP(&namespace, "namespace", "n", "", "namespace of the object (default: the namespace of the host context, else default)")
	cmd.Flags().StringVarP(&output, "output", "o", "", "print the report as yaml or json")
	cmd.Flags().DurationVar(&timeout, "timeout", 30*time.Second, "give up after this long (member clusters get at most 10s each)")
	return cmd
}

// explain gathers everything about the federated object of the target object
// namespace/name.
func explain(ctx context.Context, h *host, t *federatedType, namespace, name string) (*statusReport, error) {
	fed, err := h.getFederated(ctx, t, namespace, name)
	if err != nil {
		return nil, err
	}
	r := &statusReport{
		Kind: t.Federated.Kind, APIVersion: t.Federated.GroupVersion().String(),
		Namespace: fed.GetNamespace(), Name: fed.GetName(), Type: t.Name,
		Generation: fed.GetGeneration(), Deleting: fed.GetDeletionTimestamp() != nil,
		Orphaning: orphaningDisabled, TypePropagation: string(corev1beta1.Enabled),
		fed: fed, typ: t, kubefedNamespace: h.namespace, kfcs: map[string]*corev1beta1.KubeFedCluster{}, statuses: map[string]fedv1beta1.GenericClusterStatus{},
	}
	if orphaningOn(fed.GetAnnotations()) {
		r.Orphaning = orphaningEnabled
	}
	if t.Config != nil {
		r.TypeConfig = h.namespace + "/" + t.Config.Name
		if !t.PropagationEnabled() {
			r.TypePropagation = string(corev1beta1.Disabled)
		}
	}
	if err := r.readSpecAndStatus(); err != nil {
		return nil, err
	}

	var kfcs corev1beta1.KubeFedClusterList
	if err := h.client.List(ctx, &kfcs, client.InNamespace(h.namespace)); err != nil {
		return nil, fmt.Errorf("list KubeFedClusters in %s: %w", h.namespace, err)
	}
	candidates := make([]placement.Cluster, 0, len(kfcs.Items))
	for i := range kfcs.Items {
		kfc := &kfcs.Items[i]
		r.kfcs[kfc.Name] = kfc
		candidates = append(candidates, placement.Cluster{Name: kfc.Name, Labels: kfc.Labels})
	}
	placed, err := placement.Resolve(&r.placementSpec, candidates)
	if err != nil {
		r.PlacementError = err.Error()
	}
	r.Placement = describePlacement(&r.placementSpec)
	if t.Target.Namespaced {
		if err := r.readNamespacePlacement(ctx, h, candidates); err != nil {
			return nil, err
		}
	}

	names := slices.Clone(placed)
	for n := range r.kfcs {
		names = append(names, n)
	}
	sort.Strings(names)
	names = slices.Compact(names)
	r.Clusters = make([]clusterReport, len(names))
	var wg sync.WaitGroup
	for i, n := range names {
		c := &r.Clusters[i]
		c.Name = n
		r.placeCluster(c, slices.Contains(placed, n))
		wg.Go(func() { r.inspectMember(ctx, h, c) })
	}
	wg.Wait()
	for i := range r.Clusters {
		r.Clusters[i].Explanation = r.explainCluster(&r.Clusters[i])
	}
	return r, nil
}

func (r *statusReport) readSpecAndStatus() error {
	if raw, found, _ := unstructured.NestedMap(r.fed.Object, "spec", "placement"); found {
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(raw, &r.placementSpec); err != nil {
			return fmt.Errorf("read spec.placement: %w", err)
		}
	}
	if raw, found, _ := unstructured.NestedSlice(r.fed.Object, "spec", "overrides"); found {
		if err := fromUnstructuredJSON(raw, &r.overrides); err != nil {
			return fmt.Errorf("read spec.overrides: %w", err)
		}
	}
	var st fedv1beta1.GenericFederatedStatus
	if raw, found, _ := unstructured.NestedMap(r.fed.Object, "status"); found {
		if err := fromUnstructuredJSON(raw, &st); err != nil {
			return fmt.Errorf("read status: %w", err)
		}
	}
	r.ObservedGeneration = st.ObservedGeneration
	r.StatusStale = st.ObservedGeneration < r.Generation
	r.Propagation = meta.FindStatusCondition(st.Conditions, fedv1beta1.ConditionPropagation)
	for _, c := range st.Clusters {
		r.statuses[c.Name] = c
	}
	return nil
}

// fromUnstructuredJSON decodes v through JSON, since the unstructured converter
// does not decode into apiextensions JSON values.
func fromUnstructuredJSON(v any, out any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, out)
}

// readNamespacePlacement limits placement to the clusters the object's
// FederatedNamespace places its namespace on, as the controller does.
func (r *statusReport) readNamespacePlacement(ctx context.Context, h *host, candidates []placement.Cluster) error {
	ns := r.fed.GetNamespace()
	m, err := h.mapper.RESTMapping(r.typ.Federated.GroupVersion().WithKind("FederatedNamespace").GroupKind())
	if err != nil {
		r.NamespacePlacement = "namespaces are not federated in this host: no limit"
		return nil
	}
	fns, err := h.dynamic.Resource(m.Resource).Namespace(ns).Get(ctx, ns, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		r.namespaceLimit = []string{}
		r.NamespacePlacement = fmt.Sprintf("namespace %s has no FederatedNamespace: placed on no cluster (run `kubefedctl federate namespaces %s`)", ns, ns)
		return nil
	case err != nil:
		return fmt.Errorf("get FederatedNamespace %s: %w", ns, err)
	}
	r.namespaceFederated = true
	var p fedv1beta1.Placement
	if raw, found, _ := unstructured.NestedMap(fns.Object, "spec", "placement"); found {
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(raw, &p); err != nil {
			return fmt.Errorf("placement of FederatedNamespace %s: %w", ns, err)
		}
	}
	placed, err := placement.Resolve(&p, candidates)
	if err != nil {
		r.namespaceLimit = []string{}
		r.NamespacePlacement = fmt.Sprintf("FederatedNamespace %s has an invalid placement: %v", ns, err)
		return nil
	}
	r.namespaceLimit = placed
	where := "no cluster"
	if len(placed) > 0 {
		where = strings.Join(placed, ", ")
	}
	r.NamespacePlacement = fmt.Sprintf("FederatedNamespace %s places namespace %s on %s", ns, ns, where)
	return nil
}

func describePlacement(p *fedv1beta1.Placement) string {
	switch {
	case len(p.Clusters) > 0:
		var names []string
		for _, c := range p.Clusters {
			names = append(names, c.Name)
		}
		return "clusters " + strings.Join(names, ", ")
	case p.ClusterSelector == nil:
		return "none: neither clusters nor clusterSelector is set, so no cluster is selected"
	case len(p.ClusterSelector.MatchLabels) == 0 && len(p.ClusterSelector.MatchExpressions) == 0:
		return "clusterSelector {} (every cluster)"
	}
	return "clusterSelector " + metav1.FormatLabelSelector(p.ClusterSelector)
}

// placeCluster fills what the host knows of cluster c.
func (r *statusReport) placeCluster(c *clusterReport, inPlacement bool) {
	if kfc, ok := r.kfcs[c.Name]; ok {
		c.Joined = true
		c.Ready = string(metav1.ConditionUnknown)
		if cond := meta.FindStatusCondition(kfc.Status.Conditions, corev1beta1.ClusterReady); cond != nil {
			c.Ready, c.ReadyMessage = string(cond.Status), cond.Message
		}
	}
	switch {
	case !inPlacement:
		c.NotPlacedReason = notInPlacement
	case r.namespaceLimit != nil && !r.namespaceFederated:
		c.NotPlacedReason = namespaceNotFederated
	case r.namespaceLimit != nil && !slices.Contains(r.namespaceLimit, c.Name):
		c.NotPlacedReason = namespaceNotPlaced
	default:
		c.Placed = true
	}
	if st, ok := r.statuses[c.Name]; ok {
		c.Status, c.Message = string(st.Status), st.Message
	}
}

// inspectMember reads the object from the member with the controller's
// credentials and compares it with the desired object.
func (r *statusReport) inspectMember(ctx context.Context, h *host, c *clusterReport) {
	c.Present = presentUnknown
	var desired *unstructured.Unstructured
	if c.Placed {
		var err error
		if desired, err = desiredObject(r.fed, r.typ, r.overrides, c.Name); err != nil {
			c.DesiredError = err.Error()
		}
	}
	kfc, ok := r.kfcs[c.Name]
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cfg, err := cluster.MemberConfig(ctx, h.client, kfc)
	if err != nil {
		c.MemberError = err.Error()
		return
	}
	cfg.UserAgent, cfg.Timeout = "kubefedctl", 5*time.Second
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		c.MemberError = err.Error()
		return
	}
	key := r.memberKey()
	res := dyn.Resource(r.typ.Target.GroupVersionResource())
	var rc dynamic.ResourceInterface = res
	if r.typ.Target.Namespaced {
		rc = res.Namespace(key.Namespace)
	}
	actual, err := rc.Get(ctx, key.Name, metav1.GetOptions{})
	var status apierrors.APIStatus
	switch {
	case apierrors.IsNotFound(err):
		c.Present = presentNo
		return
	case err != nil && !errors.As(err, &status):
		c.Present, c.MemberError = presentUnreachable, err.Error()
		return
	case err != nil:
		c.MemberError = err.Error()
		return
	}
	c.Present = presentYes
	managed := actual.GetLabels()[fedv1beta1.ManagedLabel] == "true"
	c.Managed = &managed
	if desired == nil {
		return
	}
	diffs := subsetDiff(desired.Object, actual.Object)
	inSync := len(diffs) == 0
	c.InSync = &inSync
	if len(diffs) > maxDiffs {
		c.MoreDifferences = len(diffs) - maxDiffs
		diffs = diffs[:maxDiffs]
	}
	c.Differences = diffs
}

// memberKey is the target object's key in member clusters.
func (r *statusReport) memberKey() client.ObjectKey {
	if r.typ.Target.Namespaced {
		return client.ObjectKey{Namespace: r.fed.GetNamespace(), Name: r.fed.GetName()}
	}
	return client.ObjectKey{Name: r.fed.GetName()}
}

// explainCluster says, in words, what is wrong in cluster c and what to do.
func (r *statusReport) explainCluster(c *clusterReport) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if !c.Joined {
		add("the placement names cluster %s, but it is not joined (no KubeFedCluster %s in %s)", c.Name, c.Name, r.kubefedNamespace)
		return out
	}
	if c.Ready != string(metav1.ConditionTrue) {
		add("the cluster is not ready (%s): the object is not updated there until it is", orDash(c.ReadyMessage))
	}
	if !c.Placed {
		switch c.NotPlacedReason {
		case namespaceNotFederated:
			add("not placed: namespace %s has no FederatedNamespace", r.Namespace)
		case namespaceNotPlaced:
			add("not placed: the FederatedNamespace of %s does not place it on this cluster", r.Namespace)
		}
		if c.Present == presentYes {
			if *c.Managed {
				add("a managed copy is still there: the controller deletes it from clusters the object is no longer placed on")
			} else {
				add("an object of the same name exists there, not managed by federation: it is left alone")
			}
		}
		return out
	}
	if c.Status != "" && c.Status != string(fedv1beta1.ClusterPropagationOK) {
		add("%s: %s", c.Status, orDash(c.Message))
	}
	if c.DesiredError != "" && c.Status != string(fedv1beta1.ApplyOverridesFailed) {
		add("the overrides for this cluster cannot be applied: %s", c.DesiredError)
	}
	switch {
	case c.Status != "" || r.Deleting:
	case r.TypePropagation == string(corev1beta1.Disabled):
		add("the status has no entry for this cluster: propagation of %s is Disabled", r.Type)
	default:
		add("the status has no entry for this cluster: the controller has not propagated the object yet (is a controller manager with this type running?)")
	}
	switch c.Present {
	case presentNo:
		if c.Status == string(fedv1beta1.ClusterPropagationOK) {
			add("the status says OK, but the object is missing in the member: it was deleted there; the controller creates it again")
		} else {
			add("the object does not exist in the member")
		}
	case presentUnreachable:
		add("the member cannot be reached with the joined credentials: %s", c.MemberError)
	case presentUnknown:
		if c.MemberError != "" {
			add("the object cannot be read in the member: %s", c.MemberError)
		}
	case presentYes:
		if !*c.Managed {
			add("the object in the member lacks the label %s=true: federation does not manage it (see adoptResources in the KubeFedConfig)", fedv1beta1.ManagedLabel)
		}
		if c.InSync != nil && !*c.InSync {
			n := len(c.Differences) + c.MoreDifferences
			add("the member object differs from the desired object in %d field(s):", n)
			for _, d := range c.Differences {
				add("  %s", d)
			}
			if c.MoreDifferences > 0 {
				add("  ... and %d more", c.MoreDifferences)
			}
			switch {
			case r.TypePropagation == string(corev1beta1.Disabled):
				add("propagation of %s is Disabled, so the difference is not corrected", r.Type)
			case r.StatusStale:
				add("the controller has not processed the latest change yet")
			default:
				add("the controller corrects drift on its next sync of the object")
			}
		}
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "no message"
	}
	return s
}

// desiredObject is what the controller propagates to cluster: the template with
// the federated object's name and namespace and the cluster's overrides applied.
func desiredObject(fed *unstructured.Unstructured, t *federatedType, items []fedv1beta1.GenericOverrideItem, clusterName string) (*unstructured.Unstructured, error) {
	template, _, err := unstructured.NestedMap(fed.Object, "spec", "template")
	if err != nil {
		return nil, fmt.Errorf("spec.template: %w", err)
	}
	if template == nil {
		template = map[string]any{}
	}
	obj := &unstructured.Unstructured{Object: template}
	labels, annotations := obj.GetLabels(), obj.GetAnnotations()
	delete(template, "metadata")
	obj.SetAPIVersion(t.Target.GroupVersion().String())
	obj.SetKind(t.Target.Kind)
	obj.SetName(fed.GetName())
	if t.Target.Namespaced {
		obj.SetNamespace(fed.GetNamespace())
	}
	obj.SetLabels(labels)
	obj.SetAnnotations(annotations)
	if overrides := override.For(items, clusterName); len(overrides) > 0 {
		// Built-in types are checked as the controller checks them, typed, so that
		// a wrong field is reported as it is in the status.
		if typed, err := clientgoscheme.Scheme.New(obj.GroupVersionKind()); err == nil {
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj.UnstructuredContent(), typed); err == nil {
				if err := override.Apply(typed, overrides); err != nil {
					return nil, err
				}
			}
		}
		if err := override.Apply(obj, overrides); err != nil {
			return nil, err
		}
	}
	if obj.GroupVersionKind().GroupKind().String() == "Secret" {
		secretStringData(obj.Object)
	}
	return obj, nil
}

// secretStringData moves a Secret's stringData into data, as the API server does.
func secretStringData(obj map[string]any) {
	stringData, _, _ := unstructured.NestedStringMap(obj, "stringData")
	if len(stringData) == 0 {
		return
	}
	data, _, _ := unstructured.NestedMap(obj, "data")
	if data == nil {
		data = map[string]any{}
	}
	for k, v := range stringData {
		data[k] = base64.StdEncoding.EncodeToString([]byte(v))
	}
	obj["data"] = data
	delete(obj, "stringData")
}

// subsetDiff lists where actual does not hold desired: every field of desired must
// be in actual with an equal value; fields only in actual (defaults, status, what
// the server or other controllers add) are not differences. Lists are compared
// item by item and must have the same length. A zero value ("", 0, false, empty
// object or list, null) desired matches a missing field, since the API server
// drops those.
func subsetDiff(desired, actual map[string]any) []fieldDiff {
	var out []fieldDiff
	diffValue("", desired, actual, true, &out)
	return out
}

func diffValue(path string, d, a any, present bool, out *[]fieldDiff) {
	if !present {
		if !isZero(d) {
			*out = append(*out, fieldDiff{Path: orRoot(path), Desired: d, Missing: true})
		}
		return
	}
	switch dv := d.(type) {
	case nil:
		return
	case map[string]any:
		av, ok := a.(map[string]any)
		if !ok {
			if a == nil && isZero(dv) {
				return
			}
			*out = append(*out, fieldDiff{Path: orRoot(path), Desired: d, Actual: a})
			return
		}
		keys := make([]string, 0, len(dv))
		for k := range dv {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v, ok := av[k]
			diffValue(path+"/"+escapePointer(k), dv[k], v, ok, out)
		}
	case []any:
		av, ok := a.([]any)
		if !ok {
			if a == nil && len(dv) == 0 {
				return
			}
			*out = append(*out, fieldDiff{Path: orRoot(path), Desired: d, Actual: a})
			return
		}
		for i := range dv {
			item := path + "/" + strconv.Itoa(i)
			if i >= len(av) {
				*out = append(*out, fieldDiff{Path: item, Desired: dv[i], Missing: true})
				continue
			}
			diffValue(item, dv[i], av[i], true, out)
		}
		for i := len(dv); i < len(av); i++ {
			*out = append(*out, fieldDiff{Path: path + "/" + strconv.Itoa(i), Actual: av[i], Extra: true})
		}
	default:
		if a == nil && isZero(d) {
			return
		}
		if !scalarEqual(path, d, a) {
			*out = append(*out, fieldDiff{Path: orRoot(path), Desired: d, Actual: a})
		}
	}
}

func orRoot(path string) string {
	if path == "" {
		return "/"
	}
	return path
}

// escapePointer escapes a key for a JSON pointer (RFC 6901).
func escapePointer(k string) string {
	return strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
}

func isZero(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case map[string]any:
		return len(v) == 0
	case []any:
		return len(v) == 0
	case string:
		return v == ""
	case bool:
		return !v
	}
	if f, ok := number(v); ok {
		return f == 0
	}
	return false
}

func scalarEqual(path string, d, a any) bool {
	if reflect.DeepEqual(d, a) {
		return true
	}
	if df, ok := number(d); ok {
		af, ok := number(a)
		return ok && df == af
	}
	ds, ok1 := d.(string)
	as, ok2 := a.(string)
	if ok1 && ok2 && isQuantityPath(path) {
		// The API server normalises quantities: 1000m is stored as 1.
		qd, err1 := resource.ParseQuantity(ds)
		qa, err2 := resource.ParseQuantity(as)
		return err1 == nil && err2 == nil && qd.Cmp(qa) == 0
	}
	return false
}

func isQuantityPath(path string) bool {
	for _, s := range []string{"/limits/", "/requests/", "/hard/", "/capacity/"} {
		if strings.Contains(path, s) {
			return true
		}
	}
	return false
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case float32:
		return float64(n), true
	case float64:
		return n, true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

func (r *statusReport) write(out io.Writer, format string) error {
	switch format {
	case "json":
		data, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(out, "%s\n", data)
		return err
	case "yaml":
		data, err := yaml.Marshal(r)
		if err != nil {
			return err
		}
		_, err = out.Write(data)
		return err
	}
	return r.writeText(out)
}

// writeText prints the report the way kubectl describe prints objects.
func (r *statusReport) writeText(out io.Writer) error {
	w := tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)
	field := func(name, format string, args ...any) {
		fmt.Fprintf(w, "%s:\t%s\n", name, fmt.Sprintf(format, args...))
	}
	field("Name", "%s", r.Name)
	if r.Namespace != "" {
		field("Namespace", "%s", r.Namespace)
	}
	field("Kind", "%s (%s), federates %s", r.Kind, r.APIVersion, r.Type)
	gen := fmt.Sprintf("%d, status observed generation %d", r.Generation, r.ObservedGeneration)
	if r.StatusStale {
		gen += " (stale: the controller has not processed the latest change"
		if r.TypePropagation == string(corev1beta1.Disabled) {
			gen += ", and propagation of the type is disabled"
		}
		gen += ")"
	}
	field("Generation", "%s", gen)
	if c := r.Propagation; c != nil {
		field("Propagation", "%s %s: %s", c.Status, c.Reason, c.Message)
	} else {
		field("Propagation", "no condition yet")
	}
	typeLine := r.TypePropagation
	if r.TypeConfig != "" {
		typeLine += " (FederatedTypeConfig " + r.TypeConfig + ")"
	} else {
		typeLine += " (no FederatedTypeConfig)"
	}
	field("Type propagation", "%s", typeLine)
	field("Orphaning", "%s", r.Orphaning)
	if r.Deleting {
		field("Deleting", "yes: member objects are being %s", map[bool]string{true: "released (orphaned)", false: "deleted"}[r.Orphaning == orphaningEnabled])
	}
	field("Placement", "%s", r.Placement)
	if r.PlacementError != "" {
		field("Placement error", "%s", r.PlacementError)
	}
	if r.NamespacePlacement != "" {
		field("Namespace placement", "%s", r.NamespacePlacement)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(out)
	w = tabwriter.NewWriter(out, 0, 8, 3, ' ', 0)
	fmt.Fprintln(w, "CLUSTER\tREADY\tPLACED\tSTATUS\tPRESENT\tDIFF")
	for _, c := range r.Clusters {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", c.Name, orValue(c.Ready, "not joined"), c.placedColumn(), orValue(c.Status, "-"), c.presentColumn(), c.diffColumn())
	}
	if err := w.Flush(); err != nil {
		return err
	}
	for _, c := range r.Clusters {
		if len(c.Explanation) == 0 {
			continue
		}
		fmt.Fprintf(out, "\n%s:\n", c.Name)
		for _, line := range c.Explanation {
			fmt.Fprintf(out, "  %s\n", line)
		}
	}
	return nil
}

func orValue(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

func (c *clusterReport) placedColumn() string {
	switch c.NotPlacedReason {
	case "":
		return "yes"
	case notInPlacement:
		return "no: not in placement"
	case namespaceNotFederated:
		return "no: namespace not federated"
	}
	return "no: namespace not placed"
}

func (c *clusterReport) presentColumn() string {
	switch c.Present {
	case presentYes:
		if c.Managed != nil && !*c.Managed {
			return "yes, unmanaged"
		}
		return "yes"
	case presentNo:
		return "no"
	case presentUnreachable:
		return "unreachable"
	}
	if c.Joined {
		return "unknown"
	}
	return "-"
}

func (c *clusterReport) diffColumn() string {
	switch {
	case !c.Placed:
		return "-"
	case c.DesiredError != "":
		return "overrides failed"
	case c.InSync == nil:
		if c.Present == presentNo {
			return "missing"
		}
		return "-"
	case *c.InSync:
		return "in sync"
	}
	return fmt.Sprintf("%d field(s) differ", len(c.Differences)+c.MoreDifferences)
}
