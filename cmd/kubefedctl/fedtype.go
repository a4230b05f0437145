package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/spf13/cobra"

	"github.com/kubefed-gen/kubefed/generator/discover"
	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/fedtype"
)

// Where KubeFed keeps federated types, and how it names them.
const (
	defaultFederatedGroup   = "types.kubefed.io"
	defaultFederatedVersion = "v1beta1"
	federatedKindPrefix     = "Federated"
	federatedPluralPrefix   = "federated"
)

// federatedType is a TYPE argument resolved against the host cluster: the target
// type, its federated type, and what the host knows of the pair.
type federatedType struct {
	fedtype.Info
	// Installed is true when the host serves the federated type (its CRD exists).
	Installed bool
	// Config is the type's FederatedTypeConfig, nil when there is none.
	Config *corev1beta1.FederatedTypeConfig
}

// IsNamespace is true for core/v1 Namespace, whose FederatedNamespace lives in the
// namespace it describes.
func (t *federatedType) IsNamespace() bool {
	return t.Target.Group == "" && t.Target.Kind == "Namespace"
}

// FederatedCRDName is the name of the federated type's CRD, e.g.
// federateddeployments.types.kubefed.io.
func (t *federatedType) FederatedCRDName() string {
	return t.Federated.Plural + "." + t.Federated.Group
}

// PropagationEnabled says whether the controller propagates objects of the type: a
// type without FederatedTypeConfig propagates.
func (t *federatedType) PropagationEnabled() bool {
	return t.Config == nil || t.Config.Spec.Propagation != corev1beta1.Disabled
}

// federatedKey is where the federated object of a target object lives: the target's
// namespace and name, except for a namespace, whose FederatedNamespace lives in
// itself.
func (t *federatedType) federatedKey(namespace, name string) client.ObjectKey {
	switch {
	case t.IsNamespace():
		return client.ObjectKey{Namespace: name, Name: name}
	case t.Federated.Namespaced:
		return client.ObjectKey{Namespace: namespace, Name: name}
	}
	return client.ObjectKey{Name: name}
}

// notInstalledError says that the host has no CRD for the federated type.
func (t *federatedType) notInstalledError(arg string) error {
	return fmt.Errorf("%s is not federated in the host cluster: there is no CRD %s for %s; run `kubefedctl enable %s` first",
		t.Name, t.FederatedCRDName(), t.Federated.Kind, arg)
}

// typeResolver resolves TYPE arguments the way kubectl resolves resource names
// (plural, singular, kind, short name, with or without group or version) against
// one discovery snapshot of the host cluster, and pairs each target type with its
// federated type.
type typeResolver struct {
	groups []*restmapper.APIGroupResources
	mapper meta.RESTMapper
	// configs are the FederatedTypeConfigs in the KubeFed namespace.
	configs []corev1beta1.FederatedTypeConfig
}

func newTypeResolver(groups []*restmapper.APIGroupResources, configs []corev1beta1.FederatedTypeConfig) *typeResolver {
	return &typeResolver{groups: groups, mapper: restmapper.NewDiscoveryRESTMapper(groups), configs: configs}
}

// resolve resolves TYPE, which names a target type (deployments.apps, deploy,
// Deployment) or a federated type (FederatedDeployment,
// federateddeployments.types.kubefed.io). The federated type need not be installed;
// callers that need it check Installed.
func (r *typeResolver) resolve(arg string) (*federatedType, error) {
	gvr, err := r.lookup(arg)
	if err != nil {
		return nil, err
	}
	res, ok := r.apiResource(gvr)
	if !ok {
		return nil, r.unknownTypeError(arg)
	}
	if r.isFederated(res) {
		return r.fromFederated(arg, res)
	}
	return r.fromTarget(res), nil
}

// resolveResource is resolve for a resource found in discovery.
func (r *typeResolver) resolveResource(gvr schema.GroupVersionResource) (*federatedType, bool) {
	res, ok := r.apiResource(gvr)
	if !ok {
		return nil, false
	}
	return r.fromTarget(res), true
}

// lookup finds the resource arg names, as kubectl does: resource.version.group,
// resource.group or resource, where resource may also be a singular name, a kind or
// a short name.
func (r *typeResolver) lookup(arg string) (schema.GroupVersionResource, error) {
	if arg == "" {
		return schema.GroupVersionResource{}, errors.New("TYPE is empty")
	}
	full, partial := schema.ParseResourceArg(arg)
	if full != nil {
		if gvr, err := r.mapper.ResourceFor(*full); err == nil {
			return gvr, nil
		}
	}
	if gvr, err := r.mapper.ResourceFor(partial.WithVersion("")); err == nil {
		return r.canonical(gvr)
	}
	// Short names, e.g. deploy or cm; resource names win over them, as in kubectl.
	short := strings.ToLower(partial.Resource)
	for _, g := range r.groups {
		if partial.Group != "" && partial.Group != g.Group.Name {
			continue
		}
		for _, res := range r.preferred(g) {
			if slices.Contains(res.ShortNames, short) {
				return schema.GroupVersionResource{Group: g.Group.Name, Version: g.Group.PreferredVersion.Version, Resource: res.Name}, nil
			}
		}
	}
	return schema.GroupVersionResource{}, r.unknownTypeError(arg)
}

// canonical turns what the mapper found (maybe through a singular name) into the
// plural resource of the group's preferred version, when the group serves it.
func (r *typeResolver) canonical(gvr schema.GroupVersionResource) (schema.GroupVersionResource, error) {
	for _, g := range r.groups {
		if g.Group.Name != gvr.Group {
			continue
		}
		for _, res := range r.preferred(g) {
			if res.Name == gvr.Resource {
				gvr.Version = g.Group.PreferredVersion.Version
			}
		}
	}
	return gvr, nil
}

// preferred lists the resources of the group's preferred version, without
// subresources.
func (r *typeResolver) preferred(g *restmapper.APIGroupResources) []metav1.APIResource {
	var out []metav1.APIResource
	for _, res := range g.VersionedResources[g.Group.PreferredVersion.Version] {
		if !strings.Contains(res.Name, "/") {
			out = append(out, res)
		}
	}
	return out
}

// apiResource returns the discovery entry of gvr, with group and version set.
func (r *typeResolver) apiResource(gvr schema.GroupVersionResource) (metav1.APIResource, bool) {
	for _, g := range r.groups {
		if g.Group.Name != gvr.Group {
			continue
		}
		for _, res := range g.VersionedResources[gvr.Version] {
			if res.Name == gvr.Resource {
				res.Group, res.Version = gvr.Group, gvr.Version
				return res, true
			}
		}
	}
	return metav1.APIResource{}, false
}

// isFederated says whether res is a federated type: a Federated<Kind> in the
// default federated group or in the federated group of some FederatedTypeConfig.
func (r *typeResolver) isFederated(res metav1.APIResource) bool {
	if !strings.HasPrefix(res.Kind, federatedKindPrefix) {
		return false
	}
	if res.Group == defaultFederatedGroup {
		return true
	}
	for _, c := range r.configs {
		if c.Spec.FederatedType.Group == res.Group {
			return true
		}
	}
	return false
}

func (r *typeResolver) fromTarget(res metav1.APIResource) *federatedType {
	t := &federatedType{Info: fedtype.Info{
		Name:   qualifiedResource(res.Name, res.Group),
		Target: resourceOf(res),
	}}
	fed := fedtype.Resource{
		GroupVersionKind: schema.GroupVersionKind{Group: defaultFederatedGroup, Version: defaultFederatedVersion, Kind: federatedKindPrefix + res.Kind},
		Plural:           federatedPluralPrefix + res.Name,
		Namespaced:       res.Namespaced || t.IsNamespace(),
	}
	if c := r.config(t.Name); c != nil {
		t.Config = c
		ft := c.Spec.FederatedType
		fed = fedtype.Resource{
			GroupVersionKind: schema.GroupVersionKind{Group: ft.Group, Version: ft.Version, Kind: ft.Kind},
			Plural:           ft.PluralName,
			Namespaced:       ft.Scope == string(apiextensionsv1.NamespaceScoped),
		}
	}
	// What the host serves wins over names derived by convention.
	if m, err := r.mapper.RESTMapping(fed.GroupKind()); err == nil {
		t.Installed = true
		fed.Version, fed.Plural = m.Resource.Version, m.Resource.Resource
		fed.Namespaced = m.Scope.Name() == meta.RESTScopeNameNamespace
	}
	t.Federated = fed
	return t
}

func (r *typeResolver) fromFederated(arg string, res metav1.APIResource) (*federatedType, error) {
	for i := range r.configs {
		ft := r.configs[i].Spec.FederatedType
		if ft.Group != res.Group || ft.Kind != res.Kind {
			continue
		}
		tt := r.configs[i].Spec.TargetType
		if m, err := r.mapper.RESTMapping(schema.GroupKind{Group: tt.Group, Kind: tt.Kind}, tt.Version); err == nil {
			if target, ok := r.apiResource(m.Resource); ok {
				return r.fromTarget(target), nil
			}
		}
		// The target is not served by the host: describe it from the config.
		t := &federatedType{
			Info: fedtype.Info{
				Name: r.configs[i].Name,
				Target: fedtype.Resource{
					GroupVersionKind: schema.GroupVersionKind{Group: tt.Group, Version: tt.Version, Kind: tt.Kind},
					Plural:           tt.PluralName,
					Namespaced:       tt.Scope == string(apiextensionsv1.NamespaceScoped),
				},
				Federated: resourceOf(res),
			},
			Installed: true,
			Config:    &r.configs[i],
		}
		return t, nil
	}
	// By convention: FederatedX with plural federatedxs federates the served type
	// with kind X and plural xs (the mapper picks the group by priority).
	kind := strings.TrimPrefix(res.Kind, federatedKindPrefix)
	plural := strings.TrimPrefix(res.Name, federatedPluralPrefix)
	if gvr, err := r.mapper.ResourceFor(schema.GroupVersionResource{Resource: plural}); err == nil {
		if gvr, err = r.canonical(gvr); err == nil {
			if target, ok := r.apiResource(gvr); ok && target.Kind == kind && !r.isFederated(target) {
				return r.fromTarget(target), nil
			}
		}
	}
	return nil, fmt.Errorf("%s (%s) is a federated type, but the host cluster serves no type with kind %s and resource %s for it to federate; name the target type instead, or create a FederatedTypeConfig for it",
		res.Kind, qualifiedResource(res.Name, res.Group), kind, plural)
}

func (r *typeResolver) config(name string) *corev1beta1.FederatedTypeConfig {
	for i := range r.configs {
		if r.configs[i].Name == name {
			return &r.configs[i]
		}
	}
	return nil
}

// unknownTypeError says that arg names no type and suggests close names.
func (r *typeResolver) unknownTypeError(arg string) error {
	msg := fmt.Sprintf("the host cluster has no resource type %q", arg)
	if s := r.suggest(arg); len(s) > 0 {
		return fmt.Errorf("%s; did you mean %s?", msg, strings.Join(s, " or "))
	}
	return fmt.Errorf("%s; `kubectl api-resources` lists the types it has", msg)
}

// suggest returns up to three qualified resource names close to arg.
func (r *typeResolver) suggest(arg string) []string {
	aliases := map[string][]string{}
	for _, g := range r.groups {
		for _, res := range r.preferred(g) {
			q := qualifiedResource(res.Name, g.Group.Name)
			aliases[q] = append(aliases[q], append([]string{res.Name, res.SingularName, res.Kind}, res.ShortNames...)...)
		}
	}
	return discover.CloseMatches(arg, aliases)
}

// federatedTypeNames lists the names of every type the host federates (for shell
// completion): the names of FederatedTypeConfigs and of the targets of installed
// federated types.
func (r *typeResolver) federatedTypeNames() []string {
	names := map[string]bool{}
	for _, c := range r.configs {
		names[c.Name] = true
	}
	for _, g := range r.groups {
		for _, res := range r.preferred(g) {
			res.Group, res.Version = g.Group.Name, g.Group.PreferredVersion.Version
			if !r.isFederated(res) {
				continue
			}
			if t, err := r.fromFederated(res.Kind, res); err == nil {
				names[t.Name] = true
			}
		}
	}
	out := make([]string, 0, len(names))
	for n := range names {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func resourceOf(res metav1.APIResource) fedtype.Resource {
	return fedtype.Resource{
		GroupVersionKind: schema.GroupVersionKind{Group: res.Group, Version: res.Version, Kind: res.Kind},
		Plural:           res.Name,
		Namespaced:       res.Namespaced,
	}
}

// qualifiedResource is the name kubectl and FederatedTypeConfigs use: deployments.apps,
// or configmaps for the core group.
func qualifiedResource(plural, group string) string {
	if group == "" {
		return plural
	}
	return plural + "." + group
}

// host is a connection to the host cluster with one discovery snapshot.
type host struct {
	config *rest.Config
	// namespace is the KubeFed namespace.
	namespace string
	dynamic   dynamic.Interface
	// client reads and writes typed core.kubefed.io and built-in objects.
	client   client.Client
	groups   []*restmapper.APIGroupResources
	mapper   meta.RESTMapper
	resolver *typeResolver
}

// connectHost connects to the host cluster, takes a discovery snapshot and reads
// the FederatedTypeConfigs.
func (g *globalOptions) connectHost(ctx context.Context) (*host, error) {
	cfg, err := g.restConfig(g.hostContext)
	if err != nil {
		return nil, err
	}
	cfg = rest.CopyConfig(cfg)
	cfg.UserAgent = "kubefedctl"
	if cfg.QPS == 0 {
		cfg.QPS, cfg.Burst = 50, 100
	}
	disco, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("host cluster: %w", err)
	}
	groups, err := restmapper.GetAPIGroupResources(memory.NewMemCacheClient(disco))
	if err != nil {
		// Some aggregated API being down should not stop us: keep what was found.
		if !discovery.IsGroupDiscoveryFailedError(err) || len(groups) == 0 {
			return nil, fmt.Errorf("discover the API of the host cluster: %w", err)
		}
	}
	h := &host{config: cfg, namespace: g.kubefedNamespace, groups: groups, mapper: restmapper.NewDiscoveryRESTMapper(groups)}
	if h.dynamic, err = dynamic.NewForConfig(cfg); err != nil {
		return nil, fmt.Errorf("host cluster: %w", err)
	}
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return nil, err
	}
	if err := corev1beta1.AddToScheme(scheme); err != nil {
		return nil, err
	}
	if h.client, err = client.New(cfg, client.Options{Scheme: scheme, Mapper: h.mapper}); err != nil {
		return nil, fmt.Errorf("host cluster: %w", err)
	}
	var configs corev1beta1.FederatedTypeConfigList
	if err := h.client.List(ctx, &configs, client.InNamespace(h.namespace)); err != nil && !meta.IsNoMatchError(err) {
		return nil, fmt.Errorf("list FederatedTypeConfigs in %s: %w", h.namespace, err)
	}
	h.resolver = newTypeResolver(groups, configs.Items)
	return h, nil
}

// federatedClient is the dynamic client of t's federated objects in namespace
// (all namespaces when empty, or for a cluster-scoped type).
func (h *host) federatedClient(t *federatedType, namespace string) dynamic.ResourceInterface {
	c := h.dynamic.Resource(t.Federated.GroupVersionResource())
	if t.Federated.Namespaced && namespace != "" {
		return c.Namespace(namespace)
	}
	return c
}

// targetClient is the dynamic client of t's target objects in namespace.
func (h *host) targetClient(t *federatedType, namespace string) dynamic.ResourceInterface {
	c := h.dynamic.Resource(t.Target.GroupVersionResource())
	if t.Target.Namespaced && namespace != "" {
		return c.Namespace(namespace)
	}
	return c
}

// getFederated reads the federated object of the target object namespace/name.
func (h *host) getFederated(ctx context.Context, t *federatedType, namespace, name string) (*unstructured.Unstructured, error) {
	key := t.federatedKey(namespace, name)
	obj, err := h.federatedClient(t, key.Namespace).Get(ctx, key.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("%s %s not found: %s %s is not federated (see `kubefedctl federate`)", t.Federated.Kind, keyString(key), t.Target.Kind, name)
	}
	if err != nil {
		return nil, fmt.Errorf("get %s %s: %w", t.Federated.Kind, keyString(key), err)
	}
	return obj, nil
}

// resolveInstalled resolves arg and requires its federated type to be installed.
func (h *host) resolveInstalled(arg string) (*federatedType, error) {
	t, err := h.resolver.resolve(arg)
	if err != nil {
		return nil, err
	}
	if !t.Installed {
		return nil, t.notInstalledError(arg)
	}
	return t, nil
}

func keyString(key client.ObjectKey) string {
	if key.Namespace == "" {
		return key.Name
	}
	return key.Namespace + "/" + key.Name
}

// namespace returns the namespace a command works in: flag when set, else the
// namespace of the host's kubeconfig context, else default (as kubectl does).
func (g *globalOptions) namespace(flag string) string {
	if flag != "" {
		return flag
	}
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = g.kubeconfig
	ns, _, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: g.hostContext}).Namespace()
	if err != nil || ns == "" {
		return metav1.NamespaceDefault
	}
	return ns
}

// completeTypes completes a TYPE argument with the types the host federates.
func (g *globalOptions) completeTypes(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	h, err := g.connectHost(cmd.Context())
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	return h.resolver.federatedTypeNames(), cobra.ShellCompDirectiveNoFileComp
}

// completeTypeAndName completes TYPE, then NAME with the names of objects of that
// type in the namespace of the -n flag: federated objects when federated is true,
// else target objects.
func (g *globalOptions) completeTypeAndName(federated bool) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		switch len(args) {
		case 0:
			return g.completeTypes(cmd, args, toComplete)
		case 1:
		default:
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		h, err := g.connectHost(cmd.Context())
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		t, err := h.resolver.resolve(args[0])
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		ns := ""
		if f := cmd.Flags().Lookup("namespace"); f != nil {
			ns = g.namespace(f.Value.String())
		}
		var list *unstructured.UnstructuredList
		switch {
		case federated && t.Installed && t.IsNamespace():
			list, err = h.federatedClient(t, "").List(cmd.Context(), metav1.ListOptions{})
		case federated && t.Installed:
			list, err = h.federatedClient(t, ns).List(cmd.Context(), metav1.ListOptions{})
		case !federated:
			list, err = h.targetClient(t, ns).List(cmd.Context(), metav1.ListOptions{})
		default:
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		var names []string
		for _, item := range list.Items {
			names = append(names, item.GetName())
		}
		sort.Strings(names)
		return slices.Compact(names), cobra.ShellCompDirectiveNoFileComp
	}
}

// federatedObjectArgs connects to the host and resolves the TYPE of a command that
// names one federated object, with the namespace it lives in (none for a
// cluster-scoped target).
func (g *globalOptions) federatedObjectArgs(ctx context.Context, typeArg, namespaceFlag string) (*host, *federatedType, string, error) {
	h, err := g.connectHost(ctx)
	if err != nil {
		return nil, nil, "", err
	}
	t, err := h.resolveInstalled(typeArg)
	if err != nil {
		return nil, nil, "", err
	}
	ns := ""
	if t.Target.Namespaced {
		ns = g.namespace(namespaceFlag)
	}
	return h, t, ns, nil
}
