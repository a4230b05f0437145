package cluster

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
)

// DefaultHostClusterName names the host in member-side object names when
// JoinOptions.HostClusterName is empty.
const DefaultHostClusterName = "host"

// JoinOptions says which member to register and how.
type JoinOptions struct {
	// ClusterName names the KubeFedCluster, e.g. member1.
	ClusterName string
	// KubeFedNamespace holds the KubeFedCluster and its Secret in the host, and the
	// ServiceAccount in the member; default corev1beta1.DefaultNamespace.
	KubeFedNamespace string
	// HostClusterName is part of the member-side names (ServiceAccountName), so that
	// several hosts can join the same member; default DefaultHostClusterName.
	HostClusterName string
	// Labels are merged into the KubeFedCluster's labels (placement's clusterSelector
	// matches them). Labels already on the KubeFedCluster are kept.
	Labels map[string]string
	// APIEndpoint is the member's API server as the host reaches it; default the
	// member config's Host.
	APIEndpoint string
	// TokenTTL is the requested lifetime of the member token; default one year. The
	// member's API server may shorten it; the registry renews it before it
	// expires (see Options.TokenRenewAfter), and joining again refreshes it.
	TokenTTL time.Duration
	// Scope is the control plane's: with Namespaced the member grants full access
	// to the KubeFed namespace only, as KubeFed's namespaced join does. Empty means
	// the scope of the host's KubeFedConfig (Cluster without one).
	Scope corev1beta1.Scope
	// Zones and Region, when set, are where the member is, for multicluster DNS:
	// they win over its nodes' topology labels (see Topology). Join records them
	// in the KubeFedCluster's annotations ZonesAnnotation and RegionAnnotation
	// and writes them into its status.zones and status.region, where KubeFed's
	// users set them. Unset, what the KubeFedCluster has is kept. Each must be a
	// DNS label (lower case letters, digits, hyphens), since it becomes part of
	// DNS names.
	Zones  []string
	Region string
	// Access is what the member grants: AccessFull (default) or AccessTypes.
	Access Access
	// Types are target types, as resource[.group] (e.g. deployments.apps), that
	// AccessTypes grants besides those of the Enabled FederatedTypeConfigs in the
	// host. A type enabled after join is forbidden in the member until join runs
	// again.
	Types []string

	// types is what AccessTypes grants, resolved by Join.
	types []schema.GroupResource
}

// Annotations of a KubeFedCluster holding the zones (comma-separated) and the
// region given at join; they win over what the member's nodes say.
const (
	ZonesAnnotation  = "kubefed.io/zones"
	RegionAnnotation = "kubefed.io/region"
)

// Topology returns the zones and region of the member kfc stands for: those
// given at join (its annotations ZonesAnnotation and RegionAnnotation), each
// else its status, which the registry fills from the topology labels of the
// member's nodes. Zones are sorted and unique.
func Topology(kfc *corev1beta1.KubeFedCluster) (zones []string, region string) {
	if v, ok := kfc.Annotations[ZonesAnnotation]; ok {
		for _, z := range strings.Split(v, ",") {
			if z = strings.TrimSpace(z); z != "" {
				zones = append(zones, z)
			}
		}
	} else {
		zones = slices.Clone(kfc.Status.Zones)
	}
	slices.Sort(zones)
	zones = slices.Compact(zones)
	if v, ok := kfc.Annotations[RegionAnnotation]; ok {
		region = strings.TrimSpace(v)
	} else if kfc.Status.Region != nil {
		region = *kfc.Status.Region
	}
	return zones, region
}

// checkTopology refuses zones and regions that cannot be part of DNS names.
func (o JoinOptions) checkTopology() error {
	for _, z := range o.Zones {
		if errs := validation.IsDNS1123Label(z); len(errs) > 0 {
			return fmt.Errorf("zone %q: %s", z, strings.Join(errs, "; "))
		}
	}
	if o.Region != "" {
		if errs := validation.IsDNS1123Label(o.Region); len(errs) > 0 {
			return fmt.Errorf("region %q: %s", o.Region, strings.Join(errs, "; "))
		}
	}
	return nil
}

func (o JoinOptions) withDefaults() (JoinOptions, error) {
	if o.ClusterName == "" {
		return o, errors.New("cluster name is required")
	}
	if o.KubeFedNamespace == "" {
		o.KubeFedNamespace = corev1beta1.DefaultNamespace
	}
	if o.HostClusterName == "" {
		o.HostClusterName = DefaultHostClusterName
	}
	if strings.ContainsAny(o.HostClusterName, ":/") {
		return o, fmt.Errorf("host cluster name %q may not contain ':' or '/'", o.HostClusterName)
	}
	if o.TokenTTL == 0 {
		o.TokenTTL = 365 * 24 * time.Hour
	}
	if o.Access == "" {
		o.Access = AccessFull
	}
	if !slices.Contains(Accesses, o.Access) {
		return o, fmt.Errorf("member access %q: want one of %v", o.Access, Accesses)
	}
	if len(o.Types) > 0 && o.Access != AccessTypes {
		return o, fmt.Errorf("types %v are only granted with member access %q", o.Types, AccessTypes)
	}
	o.types = nil
	for _, t := range o.Types {
		gr, err := ParseGroupResource(t)
		if err != nil {
			return o, err
		}
		o.types = append(o.types, gr)
	}
	if err := o.checkTopology(); err != nil {
		return o, err
	}
	return o, nil
}

// ServiceAccountName is the ServiceAccount in the member (in the KubeFed namespace)
// whose token the host uses, named as KubeFed's kubefedctl names it.
func ServiceAccountName(clusterName, hostClusterName string) string {
	return clusterName + "-" + hostClusterName
}

// RoleName names the ClusterRole and ClusterRoleBinding granting a ServiceAccount
// access to its member, as KubeFed names them.
func RoleName(serviceAccountName string) string {
	return "kubefed-controller-manager:" + serviceAccountName
}

// SecretName is the Secret in the host holding a member's token, unless the
// KubeFedCluster already names another one (e.g. one of KubeFed's generated
// "<cluster>-xxxxx" names, which Join then keeps updating). A fixed name, unlike
// KubeFed's generateName, keeps joining again from leaving stale Secrets behind.
func SecretName(clusterName string) string { return clusterName + "-token" }

// clusterPolicyRules grant everything, as KubeFed's cluster-scoped join does: the
// control plane must be able to write any federated type.
var clusterPolicyRules = []rbacv1.PolicyRule{
	{Verbs: []string{rbacv1.VerbAll}, APIGroups: []string{rbacv1.APIGroupAll}, Resources: []string{rbacv1.ResourceAll}},
	{Verbs: []string{"get"}, NonResourceURLs: []string{rbacv1.NonResourceAll}},
}

// namespacedPolicyRules grant everything in the KubeFed namespace, for a control
// plane of scope Namespaced; healthCheckPolicyRules are what it needs beyond that
// namespace: health probes, the Kubernetes version, and nodes for zones and region.
var (
	namespacedPolicyRules  = clusterPolicyRules[:1]
	healthCheckPolicyRules = []rbacv1.PolicyRule{
		{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz", "/readyz", "/livez", "/version"}},
		{Verbs: []string{"list"}, APIGroups: []string{""}, Resources: []string{"nodes"}},
	}
)

// Scope reads the scope of the KubeFedConfig in namespace of the host (Cluster
// without one), as KubeFed's join does.
func Scope(ctx context.Context, host client.Reader, namespace string) (corev1beta1.Scope, error) {
	var kfc corev1beta1.KubeFedConfig
	err := host.Get(ctx, client.ObjectKey{Namespace: namespace, Name: corev1beta1.ConfigName}, &kfc)
	if apierrors.IsNotFound(err) || meta.IsNoMatchError(err) {
		return corev1beta1.ScopeCluster, nil
	}
	if err != nil {
		return "", err
	}
	if kfc.Spec.Scope == "" {
		return corev1beta1.ScopeCluster, nil
	}
	return kfc.Spec.Scope, nil
}

// Join registers member with the host. In the member it creates the KubeFed
// namespace, ServiceAccountName, and a ClusterRole and ClusterRoleBinding (RoleName)
// granting what opts.Access says (full access by default), then requests a token
// for the ServiceAccount (TokenRequest API, so no token Secret and no controller
// manager in the member are needed). In the host it writes the token into the
// Secret (type Opaque, key "token"; annotated with TokenExpirationAnnotation and
// MemberAccessAnnotation) and creates the KubeFedCluster with the member's
// endpoint, CA bundle and that Secret.
//
// Join is idempotent: joining again refreshes the token and updates the spec.
func Join(ctx context.Context, host, member *rest.Config, opts JoinOptions) error {
	opts, err := opts.withDefaults()
	if err != nil {
		return fmt.Errorf("join cluster: %w", err)
	}
	fail := func(step string, err error) error {
		return fmt.Errorf("join cluster %s: %s: %w", opts.ClusterName, step, err)
	}
	hostClient, memberClient, err := joinClients(host, member)
	if err != nil {
		return fail("create clients", err)
	}
	// Before anything is written: one cluster joined under two names would have
	// each name remove what the other propagates.
	id, err := Identity(ctx, memberClient)
	if err != nil {
		return fail("identify the member", err)
	}
	if other, err := joinedAs(ctx, hostClient, opts, id); err != nil {
		return fail("look for the cluster among the joined ones", err)
	} else if other != "" {
		return fmt.Errorf("join cluster %s: this cluster is already joined as %q (same kube-system namespace UID %s); use that name, or unjoin it first", opts.ClusterName, other, id)
	}

	if opts.Scope == "" {
		if opts.Scope, err = Scope(ctx, hostClient, opts.KubeFedNamespace); err != nil {
			return fail("read the control plane's scope", err)
		}
	}
	if opts.Access == AccessTypes {
		enabled, err := EnabledTypes(ctx, hostClient, opts.KubeFedNamespace)
		if err != nil {
			return fail("read the enabled types", err)
		}
		opts.types = append(opts.types, enabled...)
	}
	token, expires, err := authorizeInMember(ctx, memberClient, opts)
	if err != nil {
		return fail("in the member", err)
	}
	spec, err := clusterSpec(ctx, member, memberClient, opts)
	if err != nil {
		return fail("read the member's connection settings", err)
	}

	kfc := &corev1beta1.KubeFedCluster{ObjectMeta: metav1.ObjectMeta{Namespace: opts.KubeFedNamespace, Name: opts.ClusterName}}
	switch err := hostClient.Get(ctx, client.ObjectKeyFromObject(kfc), kfc); {
	case apierrors.IsNotFound(err):
	case err != nil:
		return fail("get the KubeFedCluster in the host", err)
	}
	spec.SecretRef.Name = kfc.Spec.SecretRef.Name
	if spec.SecretRef.Name == "" {
		spec.SecretRef.Name = SecretName(opts.ClusterName)
	}

	// The Secret comes first so that the registry finds it when the KubeFedCluster appears.
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: opts.KubeFedNamespace, Name: spec.SecretRef.Name}}
	if _, err := controllerutil.CreateOrUpdate(ctx, hostClient, secret, func() error {
		if secret.Type == "" {
			secret.Type = corev1.SecretTypeOpaque
		}
		if secret.Data == nil {
			secret.Data = map[string][]byte{}
		}
		secret.Data[corev1beta1.SecretTokenKey] = []byte(token)
		metav1.SetMetaDataAnnotation(&secret.ObjectMeta, TokenExpirationAnnotation, expires.UTC().Format(time.RFC3339))
		metav1.SetMetaDataAnnotation(&secret.ObjectMeta, MemberAccessAnnotation, opts.accessSummary())
		return nil
	}); err != nil {
		return fail("write Secret "+spec.SecretRef.Name+" in the host", err)
	}
	if _, err := controllerutil.CreateOrUpdate(ctx, hostClient, kfc, func() error {
		metav1.SetMetaDataAnnotation(&kfc.ObjectMeta, corev1beta1.ClusterIDAnnotation, id)
		for k, v := range opts.Labels {
			if kfc.Labels == nil {
				kfc.Labels = map[string]string{}
			}
			kfc.Labels[k] = v
		}
		kfc.Spec = spec
		if len(opts.Zones) > 0 {
			metav1.SetMetaDataAnnotation(&kfc.ObjectMeta, ZonesAnnotation, strings.Join(opts.Zones, ","))
		}
		if opts.Region != "" {
			metav1.SetMetaDataAnnotation(&kfc.ObjectMeta, RegionAnnotation, opts.Region)
		}
		return nil
	}); err != nil {
		return fail("write the KubeFedCluster in the host", err)
	}
	if len(opts.Zones) > 0 || opts.Region != "" {
		if err := writeTopologyStatus(ctx, hostClient, kfc); err != nil {
			return fail("write the zones and region into the KubeFedCluster's status", err)
		}
	}
	return nil
}

// writeTopologyStatus writes kfc's zones and region, as Topology gives them,
// into its status.
func writeTopologyStatus(ctx context.Context, host client.Client, kfc *corev1beta1.KubeFedCluster) error {
	orig := kfc.DeepCopy()
	zones, region := Topology(kfc)
	kfc.Status.Zones = zones
	if region != "" {
		kfc.Status.Region = &region
	}
	if equality.Semantic.DeepEqual(orig.Status, kfc.Status) {
		return nil
	}
	return host.Status().Patch(ctx, kfc, client.MergeFrom(orig))
}

// joinedAs returns the name of another KubeFedCluster recording identity id.
func joinedAs(ctx context.Context, host client.Reader, opts JoinOptions, id string) (string, error) {
	var kfcs corev1beta1.KubeFedClusterList
	if err := host.List(ctx, &kfcs, client.InNamespace(opts.KubeFedNamespace)); err != nil && !meta.IsNoMatchError(err) {
		return "", err
	}
	for _, kfc := range kfcs.Items {
		if kfc.Name != opts.ClusterName && kfc.Annotations[corev1beta1.ClusterIDAnnotation] == id {
			return kfc.Name, nil
		}
	}
	return "", nil
}

func joinClients(host, member *rest.Config) (hostClient, memberClient client.Client, err error) {
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return nil, nil, err
	}
	if err := corev1beta1.AddToScheme(scheme); err != nil {
		return nil, nil, err
	}
	if hostClient, err = client.New(host, client.Options{Scheme: scheme}); err != nil {
		return nil, nil, fmt.Errorf("host: %w", err)
	}
	if member == nil {
		return hostClient, nil, nil
	}
	// Join and unjoin never watch, so a timeout bounds every call to a member
	// that may be unreachable.
	member = rest.CopyConfig(member)
	if member.Timeout == 0 {
		member.Timeout = 30 * time.Second
	}
	if memberClient, err = client.New(member, client.Options{Scheme: scheme}); err != nil {
		return nil, nil, fmt.Errorf("member: %w", err)
	}
	return hostClient, memberClient, nil
}

// authorizeInMember creates the namespace, ServiceAccount, ClusterRole and binding in
// the member and returns a fresh token of the ServiceAccount and its expiry.
func authorizeInMember(ctx context.Context, c client.Client, opts JoinOptions) (token string, expires time.Time, err error) {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: opts.KubeFedNamespace}}
	if err := c.Create(ctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
		return "", time.Time{}, fmt.Errorf("create namespace %s: %w", ns.Name, err)
	}
	saName := ServiceAccountName(opts.ClusterName, opts.HostClusterName)
	sa := &corev1.ServiceAccount{
		ObjectMeta: metav1.ObjectMeta{Namespace: opts.KubeFedNamespace, Name: saName},
		// No pod runs as this account: its token is only for the host.
		AutomountServiceAccountToken: ptr.To(false),
	}
	if err := c.Create(ctx, sa); err != nil && !apierrors.IsAlreadyExists(err) {
		return "", time.Time{}, fmt.Errorf("create ServiceAccount %s/%s: %w", sa.Namespace, sa.Name, err)
	}

	roleName := RoleName(saName)
	clusterRules, namespaceRules := accessRules(opts, saName)
	if len(namespaceRules) > 0 {
		role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: opts.KubeFedNamespace, Name: roleName}}
		if _, err := controllerutil.CreateOrUpdate(ctx, c, role, func() error {
			role.Rules = namespaceRules
			return nil
		}); err != nil {
			return "", time.Time{}, fmt.Errorf("write Role %s/%s: %w", opts.KubeFedNamespace, roleName, err)
		}
		binding := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: opts.KubeFedNamespace, Name: roleName}}
		if _, err := controllerutil.CreateOrUpdate(ctx, c, binding, func() error {
			binding.RoleRef = rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: roleName}
			binding.Subjects = []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: sa.Name, Namespace: sa.Namespace}}
			return nil
		}); err != nil {
			return "", time.Time{}, fmt.Errorf("write RoleBinding %s/%s: %w", opts.KubeFedNamespace, roleName, err)
		}
	}
	role := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: roleName}}
	if _, err := controllerutil.CreateOrUpdate(ctx, c, role, func() error {
		role.Rules = clusterRules
		return nil
	}); err != nil {
		return "", time.Time{}, fmt.Errorf("write ClusterRole %s: %w", roleName, err)
	}
	if err := writeBinding(ctx, c, roleName, sa); err != nil {
		return "", time.Time{}, fmt.Errorf("write ClusterRoleBinding %s: %w", roleName, err)
	}

	req := &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{
		ExpirationSeconds: ptr.To(int64(opts.TokenTTL / time.Second)),
	}}
	if err := c.SubResource("token").Create(ctx, sa, req); err != nil {
		return "", time.Time{}, fmt.Errorf("request a token for ServiceAccount %s/%s: %w", sa.Namespace, sa.Name, err)
	}
	if req.Status.Token == "" {
		return "", time.Time{}, fmt.Errorf("the token request for ServiceAccount %s/%s returned no token", sa.Namespace, sa.Name)
	}
	ctrl.LoggerFrom(ctx).V(1).Info("requested member token", "cluster", opts.ClusterName,
		"serviceAccount", saName, "expires", req.Status.ExpirationTimestamp.Time)
	return req.Status.Token, req.Status.ExpirationTimestamp.Time, nil
}

// MemberAccessAnnotation on a member's Secret records what join granted (the
// access, and for AccessTypes the types), so that the registry rebuilds the
// member's caches when it changes: a type no longer granted must not be
// served from what was cached before.
const MemberAccessAnnotation = "kubefed.io/member-access"

// accessSummary is the value of MemberAccessAnnotation.
func (o JoinOptions) accessSummary() string {
	if o.Access != AccessTypes {
		return string(o.Access)
	}
	types := make([]string, 0, len(o.types))
	for _, gr := range o.types {
		types = append(types, gr.String())
	}
	slices.Sort(types)
	return string(o.Access) + ":" + strings.Join(slices.Compact(types), ",")
}

// accessRules are the rules of the ClusterRole and of the Role in the KubeFed
// namespace (none: no Role) that opts's scope and access call for.
func accessRules(opts JoinOptions, saName string) (clusterRules, namespaceRules []rbacv1.PolicyRule) {
	namespaced := opts.Scope == corev1beta1.ScopeNamespaced
	switch {
	case opts.Access == AccessFull && !namespaced:
		return clusterPolicyRules, nil
	case opts.Access == AccessFull:
		return healthCheckPolicyRules, namespacedPolicyRules
	case !namespaced:
		return append(slices.Clone(healthCheckPolicyRules), TypeRules(opts.types)...),
			[]rbacv1.PolicyRule{tokenRenewalRule(saName)}
	default:
		return healthCheckPolicyRules, append(TypeRules(opts.types), tokenRenewalRule(saName))
	}
}

func writeBinding(ctx context.Context, c client.Client, name string, sa *corev1.ServiceAccount) error {
	want := rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: name}
	binding := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name}}
	switch err := c.Get(ctx, client.ObjectKeyFromObject(binding), binding); {
	case err == nil && !equality.Semantic.DeepEqual(binding.RoleRef, want):
		// roleRef is immutable: a binding pointing elsewhere must be replaced.
		if err := c.Delete(ctx, binding); err != nil && !apierrors.IsNotFound(err) {
			return err
		}
		binding = &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name}}
	case err != nil && !apierrors.IsNotFound(err):
		return err
	}
	_, err := controllerutil.CreateOrUpdate(ctx, c, binding, func() error {
		binding.RoleRef = want
		binding.Subjects = []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: sa.Name, Namespace: sa.Namespace}}
		return nil
	})
	return err
}

// clusterSpec is the KubeFedCluster spec for reaching member from the host, as
// KubeFed's join derives it from the member's kubeconfig; SecretRef is left empty.
func clusterSpec(ctx context.Context, member *rest.Config, c client.Client, opts JoinOptions) (corev1beta1.KubeFedClusterSpec, error) {
	member = rest.CopyConfig(member)
	if err := rest.LoadTLSFiles(member); err != nil {
		return corev1beta1.KubeFedClusterSpec{}, err
	}
	spec := corev1beta1.KubeFedClusterSpec{APIEndpoint: opts.APIEndpoint, CABundle: member.CAData}
	if spec.APIEndpoint == "" {
		spec.APIEndpoint = member.Host
	}
	if !strings.Contains(spec.APIEndpoint, "://") {
		spec.APIEndpoint = "https://" + spec.APIEndpoint
	}
	if member.Insecure {
		spec.DisabledTLSValidations = []corev1beta1.TLSValidation{corev1beta1.TLSAll}
		spec.CABundle = nil
	} else if len(spec.CABundle) == 0 {
		// A kubeconfig trusting the system roots has no CA; the member's own root CA
		// (published in every namespace by its controller manager) is the best guess.
		var cm corev1.ConfigMap
		if err := c.Get(ctx, client.ObjectKey{Namespace: opts.KubeFedNamespace, Name: "kube-root-ca.crt"}, &cm); err == nil {
			spec.CABundle = []byte(cm.Data["ca.crt"])
		}
	}
	if member.Proxy != nil {
		req, err := http.NewRequest(http.MethodGet, spec.APIEndpoint, nil)
		if err != nil {
			return spec, fmt.Errorf("endpoint %s: %w", spec.APIEndpoint, err)
		}
		u, err := member.Proxy(req)
		if err != nil {
			return spec, fmt.Errorf("proxy for %s: %w", spec.APIEndpoint, err)
		}
		if u != nil {
			spec.ProxyURL = u.String()
		}
	}
	return spec, nil
}
