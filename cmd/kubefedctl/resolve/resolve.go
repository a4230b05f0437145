package resolve

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/restmapper"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubefed-gen/kubefed/generator/discover"
	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/fedtype"
)

// Where KubeFed keeps federated types, and how it names them.
const (
	DefaultFederatedGroup   = "types.kubefed.io"
	defaultFederatedVersion = "v1beta1"
	federatedKindPrefix     = "Federated"
	federatedPluralPrefix   = "federated"
)

// Type is a TYPE argument resolved against the host cluster: the target type, its federated type, and what the host knows of the pair.
type Type struct {
	fedtype.Info
	// Installed is true when the host serves the federated type (its CRD exists).
	Installed bool
	// Config is the type's FederatedTypeConfig, nil when there is none.
	Config *corev1beta1.FederatedTypeConfig
	// ShortNames are the target's short names (sts), whose federated type's
	// short names add an f (fsts); Verbs are what the host lets clients do with
	// the target. Both come from discovery, and are empty when the type is known
	// only from a FederatedTypeConfig.
	ShortNames []string
	Verbs      metav1.Verbs
}

// IsNamespace is true for core/v1 Namespace, whose FederatedNamespace lives in the
// namespace it describes.
func (t *Type) IsNamespace() bool {
	return t.Target.Group == "" && t.Target.Kind == "Namespace"
}

// FederatedCRDName is the name of the federated type's CRD, e.g.
// federateddeployments.types.kubefed.io.
func (t *Type) FederatedCRDName() string {
	return t.Federated.Plural + "." + t.Federated.Group
}

// PropagationEnabled says whether the controller propagates objects of the type: a
// type without FederatedTypeConfig propagates.
func (t *Type) PropagationEnabled() bool {
	return t.Config == nil || t.Config.Spec.Propagation != corev1beta1.Disabled
}

// FederatedKey is where the federated object of a target object lives: the target's
// namespace and name, except for a namespace, whose FederatedNamespace lives in
// itself.
func (t *Type) FederatedKey(namespace, name string) client.ObjectKey {
	switch {
	case t.IsNamespace():
		return client.ObjectKey{Namespace: name, Name: name}
	case t.Federated.Namespaced:
		return client.ObjectKey{Namespace: namespace, Name: name}
	}
	return client.ObjectKey{Name: name}
}

// NotInstalledError says that the host has no CRD for the federated type.
func (t *Type) NotInstalledError(arg string) error {
	return fmt.Errorf("%s is not federated in the host cluster: there is no CRD %s for %s; run `kubefedctl enable %s` first",
		t.Name, t.FederatedCRDName(), t.Federated.Kind, arg)
}

// Resolver resolves TYPE arguments the way kubectl resolves resource names
// (plural, singular, kind, short name, with or without group or version) against
// one discovery snapshot of the host cluster, and pairs each target type with its
// federated type.
type Resolver struct {
	groups []*restmapper.APIGroupResources
	mapper meta.RESTMapper
	// configs are the FederatedTypeConfigs in the KubeFed namespace.
	configs []corev1beta1.FederatedTypeConfig
}

// New returns a Resolver over a discovery snapshot of the host and the
// FederatedTypeConfigs in its KubeFed namespace.
func New(groups []*restmapper.APIGroupResources, configs []corev1beta1.FederatedTypeConfig) *Resolver {
	return &Resolver{groups: groups, mapper: restmapper.NewDiscoveryRESTMapper(groups), configs: configs}
}

// Resolve resolves TYPE, which names a target type (deployments.apps, deploy,
// Deployment) or a federated type (FederatedDeployment,
// federateddeployments.types.kubefed.io). The federated type need not be installed;
// callers that need it check Installed.
func (r *Resolver) Resolve(arg string) (*Type, error) {
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

// ResolveResource is Resolve for a resource found in discovery.
func (r *Resolver) ResolveResource(gvr schema.GroupVersionResource) (*Type, bool) {
	res, ok := r.apiResource(gvr)
	if !ok {
		return nil, false
	}
	return r.fromTarget(res), true
}

// lookup finds the resource arg names, as kubectl does: resource.version.group,
// resource.group or resource, where resource may also be a singular name, a kind or
// a short name.
func (r *Resolver) lookup(arg string) (schema.GroupVersionResource, error) {
	if arg == "" {
		return schema.GroupVersionResource{}, errors.New("TYPE is empty")
	}
	if parent, sub, ok := strings.Cut(arg, "/"); ok {
		return schema.GroupVersionResource{}, r.subresourceError(arg, parent, sub)
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
		for _, res := range PreferredResources(g) {
			if slices.Contains(res.ShortNames, short) {
				return schema.GroupVersionResource{Group: g.Group.Name, Version: g.Group.PreferredVersion.Version, Resource: res.Name}, nil
			}
		}
	}
	return schema.GroupVersionResource{}, r.unknownTypeError(arg)
}

// canonical turns what the mapper found (maybe through a singular name) into the
// plural resource of the group's preferred version, when the group serves it.
func (r *Resolver) canonical(gvr schema.GroupVersionResource) (schema.GroupVersionResource, error) {
	for _, g := range r.groups {
		if g.Group.Name != gvr.Group {
			continue
		}
		for _, res := range PreferredResources(g) {
			if res.Name == gvr.Resource {
				gvr.Version = g.Group.PreferredVersion.Version
			}
		}
	}
	return gvr, nil
}

// PreferredResources lists the resources of the group's preferred version, without
// subresources.
func PreferredResources(g *restmapper.APIGroupResources) []metav1.APIResource {
	var out []metav1.APIResource
	for _, res := range g.VersionedResources[g.Group.PreferredVersion.Version] {
		if !strings.Contains(res.Name, "/") {
			out = append(out, res)
		}
	}
	return out
}

// apiResource returns the discovery entry of gvr, with group and version set.
func (r *Resolver) apiResource(gvr schema.GroupVersionResource) (metav1.APIResource, bool) {
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
func (r *Resolver) isFederated(res metav1.APIResource) bool {
	if !strings.HasPrefix(res.Kind, federatedKindPrefix) {
		return false
	}
	if res.Group == DefaultFederatedGroup {
		return true
	}
	for _, c := range r.configs {
		if c.Spec.FederatedType.Group == res.Group {
			return true
		}
	}
	return false
}

func (r *Resolver) fromTarget(res metav1.APIResource) *Type {
	t := &Type{Info: fedtype.Info{
		Name:   QualifiedResource(res.Name, res.Group),
		Target: resourceOf(res),
	}, ShortNames: res.ShortNames, Verbs: res.Verbs}
	fed := fedtype.Resource{
		GroupVersionKind: schema.GroupVersionKind{Group: DefaultFederatedGroup, Version: defaultFederatedVersion, Kind: federatedKindPrefix + res.Kind},
		Plural:           federatedPluralPrefix + res.Name,
		Namespaced:       res.Namespaced || t.IsNamespace(),
	}
	if c := r.Config(t.Name); c != nil {
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

func (r *Resolver) fromFederated(arg string, res metav1.APIResource) (*Type, error) {
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
		t := &Type{
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
		res.Kind, QualifiedResource(res.Name, res.Group), kind, plural)
}

// Config returns the FederatedTypeConfig named name, or nil.
func (r *Resolver) Config(name string) *corev1beta1.FederatedTypeConfig {
	for i := range r.configs {
		if r.configs[i].Name == name {
			return &r.configs[i]
		}
	}
	return nil
}

// subresourceError says that arg names a subresource (deployments.apps/scale),
// which is part of an object, not a type of objects.
func (r *Resolver) subresourceError(arg, parent, sub string) error {
	gvr, err := r.lookup(parent)
	if err != nil {
		return r.unknownTypeError(arg)
	}
	name := QualifiedResource(gvr.Resource, gvr.Group)
	for _, g := range r.groups {
		if g.Group.Name != gvr.Group {
			continue
		}
		for _, res := range g.VersionedResources[gvr.Version] {
			if res.Name == gvr.Resource+"/"+sub {
				return fmt.Errorf("%q is the %s subresource of %s, not a type of objects; only whole resources are federated (TYPE %s)", arg, sub, name, name)
			}
		}
	}
	return fmt.Errorf("the host cluster has no resource type %q: %s has no subresource %q, and only whole resources are federated (TYPE %s)", arg, name, sub, name)
}

// unknownTypeError says that arg names no type and suggests close names.
func (r *Resolver) unknownTypeError(arg string) error {
	msg := fmt.Sprintf("the host cluster has no resource type %q", arg)
	if s := r.suggest(arg); len(s) > 0 {
		return fmt.Errorf("%s; did you mean %s?", msg, strings.Join(s, " or "))
	}
	return fmt.Errorf("%s; `kubectl api-resources` lists the types it has", msg)
}

// suggest returns up to three qualified resource names close to arg.
func (r *Resolver) suggest(arg string) []string {
	aliases := map[string][]string{}
	for _, g := range r.groups {
		for _, res := range PreferredResources(g) {
			q := QualifiedResource(res.Name, g.Group.Name)
			aliases[q] = append(aliases[q], append([]string{res.Name, res.SingularName, res.Kind}, res.ShortNames...)...)
		}
	}
	return discover.CloseMatches(arg, aliases)
}

// TypeNames lists the names of every type the host federates (for shell
// completion): the names of FederatedTypeConfigs and of the targets of installed
// federated types.
func (r *Resolver) TypeNames() []string {
	names := map[string]bool{}
	for _, c := range r.configs {
		names[c.Name] = true
	}
	for _, g := range r.groups {
		for _, res := range PreferredResources(g) {
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

// QualifiedResource is the name kubectl and FederatedTypeConfigs use: deployments.apps,
// or configmaps for the core group.
func QualifiedResource(plural, group string) string {
	if group == "" {
		return plural
	}
	return plural + "." + group
}

// FromConfig describes the type of a FederatedTypeConfig whose target the host
// no longer serves.
func (r *Resolver) FromConfig(c *corev1beta1.FederatedTypeConfig) *Type {
	t := &Type{Info: fedtype.InfoFor(c), Config: c}
	if m, err := r.mapper.RESTMapping(t.Federated.GroupKind()); err == nil {
		t.Installed = true
		t.Federated.Version, t.Federated.Plural = m.Resource.Version, m.Resource.Resource
	}
	return t
}

// FormatKey prints an object key as kubectl does: namespace/name, or name for a
// cluster-scoped object.
func FormatKey(key client.ObjectKey) string {
	if key.Namespace == "" {
		return key.Name
	}
	return key.Namespace + "/" + key.Name
}
