// Package rbac emits the least-privilege RBAC of a set's federation controller
// manager in the host cluster: its ServiceAccount, a ClusterRole derived from the
// set's federated types, a Role in the KubeFed namespace, and their bindings. Like
// controller-tools' pkg/rbac it builds typed rbacv1 objects and marshals them.
package rbac

import (
	"path"
	"slices"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-tools/pkg/genall"
	"sigs.k8s.io/controller-tools/pkg/markers"

	"github.com/kubefed-gen/kubefed/generator/emit"
	"github.com/kubefed-gen/kubefed/generator/model"
	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
)

const (
	// Dir is where the RBAC is written below the output folder.
	Dir = "config/rbac"
	// coreGroup is KubeFed's own API group: clusters and configuration.
	coreGroup = "core.kubefed.io"
	// schedulingGroup holds ReplicaSchedulingPreferences.
	schedulingGroup = "scheduling.kubefed.io"
	// dnsGroup holds KubeFed's DNS records, Domains and DNSEndpoints;
	// externalDNSGroup external-dns's DNSEndpoints.
	dnsGroup         = "multiclusterdns.kubefed.io"
	externalDNSGroup = "externaldns.k8s.io"
)

var (
	read      = []string{"get", "list", "watch"}
	readWrite = []string{"get", "list", "watch", "update", "patch"}
	status    = []string{"get", "update", "patch"}
	record    = []string{"create", "patch"}
	write     = []string{"get", "list", "watch", "create", "update", "delete"}
	lease     = []string{"get", "list", "watch", "create", "update", "patch", "delete"}
)

// Rule is one policy rule of a role, with the reason it is needed; a rule without
// a reason shares the one of the rule before it.
type Rule struct {
	Why []string
	rbacv1.PolicyRule
}

func rule(why []string, groups, resources, verbs []string) Rule {
	return Rule{Why: why, PolicyRule: rbacv1.PolicyRule{APIGroups: groups, Resources: resources, Verbs: verbs}}
}

// ClusterRules are what the manager does in the host cluster across namespaces:
// federated objects live in every namespace, and the manager's cache watches
// KubeFed's own types cluster-wide.
func ClusterRules(set *model.Set) []Rule {
	var plurals, statuses, finalizers []string
	var namespacedTargets, federatesNamespaces, scalable, services bool
	for _, t := range set.Targets {
		plurals = append(plurals, t.FederatedPlural())
		namespacedTargets = namespacedTargets || t.Namespaced
		federatesNamespaces = federatesNamespaces || t.IsNamespace()
		scalable = scalable || t.Scalable
		services = services || (t.Group == "" && t.Kind == "Service")
	}
	slices.Sort(plurals)
	for _, p := range plurals {
		statuses = append(statuses, p+"/status")
		finalizers = append(finalizers, p+"/finalizers")
	}
	group := []string{set.Group}
	rules := []Rule{
		rule([]string{"The federated types: watched, given the sync controller's finalizer, and their status written."},
			group, plurals, readWrite),
		rule(nil, group, statuses, status),
		rule(nil, group, finalizers, []string{"update"}),
	}
	if namespacedTargets && !federatesNamespaces {
		fns := (&model.Target{Plural: "namespaces"}).FederatedPlural()
		rules = append(rules, rule([]string{
			"Namespaced objects are placed only on the clusters their namespace's",
			"FederatedNamespace is placed on. This manager does not federate namespaces,",
			"but reads the FederatedNamespaces another manager of the same group keeps.",
		}, group, []string{fns}, read))
	}
	if scalable {
		rules = append(rules,
			rule([]string{
				"ReplicaSchedulingPreferences spread the replicas of the scalable federated types",
				"over clusters (their placement and /spec/replicas overrides, patched above); the",
				"plan is written to their status. Pods in member clusters are read with the rights",
				"each member granted at join.",
			}, []string{schedulingGroup}, []string{"replicaschedulingpreferences"}, read),
			rule(nil, []string{schedulingGroup}, []string{"replicaschedulingpreferences/status"}, status))
	}
	if services {
		rules = append(rules, rule([]string{
			"KubeFed's FederatedServiceStatus of every FederatedService, written from its",
			"collected status while the services FederatedTypeConfig sets statusType, and",
			"deleted with its FederatedService or when that opt-in goes.",
		}, []string{coreGroup}, []string{"federatedservicestatuses"}, write))
	}
	rules = append(rules,
		rule([]string{
			"Multicluster DNS (feature gates CrossClusterServiceDiscovery and FederatedIngress):",
			"ServiceDNSRecords and IngressDNSRecords are read and their status written, and",
			"their records written into DNSEndpoints (external-dns's, or KubeFed's) in their",
			"namespaces. Services, EndpointSlices and Ingresses of member clusters are read",
			"with the rights each member granted at join.",
		}, []string{dnsGroup}, []string{"ingressdnsrecords", "servicednsrecords"}, read),
		rule(nil, []string{dnsGroup}, []string{"ingressdnsrecords/status", "servicednsrecords/status"}, status),
		rule(nil, []string{externalDNSGroup, dnsGroup}, []string{"dnsendpoints"}, write))
	return append(rules,
		rule([]string{
			"KubeFed's PropagatedVersions of federated objects, written only with",
			"--write-propagated-versions.",
		}, []string{coreGroup}, []string{"clusterpropagatedversions", "propagatedversions"}, write),
		rule(nil, []string{coreGroup}, []string{"clusterpropagatedversions/status", "propagatedversions/status"}, status),
		rule([]string{
			"KubeFed's configuration: whether a type propagates, whether objects are adopted.",
			"It lives in the KubeFed namespace, but the sync controllers watch it through",
			"the manager's cache, which spans the cluster.",
		}, []string{coreGroup}, []string{"federatedtypeconfigs", "kubefedconfigs"}, read),
		rule([]string{"Whether this manager propagates each FederatedTypeConfig's type (status.propagationController)."},
			[]string{coreGroup}, []string{"federatedtypeconfigs/status"}, status),
		rule([]string{"The FederatedTypeConfigs of the types the manager is built with are marked as its own",
			"(annotation kubefed.io/propagated-by), so that other managers leave them alone."},
			[]string{coreGroup}, []string{"federatedtypeconfigs"}, []string{"patch"}),
		hostIdentityRule,
		rule([]string{"Events on federated objects, in their namespaces."},
			[]string{"", "events.k8s.io"}, []string{"events"}, record),
	)
}

// DynamicRules are what the manager needs to propagate, at run time, the types a
// FederatedTypeConfig enables that it was not built with: every federated type of
// the set's group. They are a role of their own so that an operator can leave
// them out; the FederatedTypeConfig of such a type then says Forbidden.
func DynamicRules(set *model.Set) []Rule {
	return []Rule{
		rule([]string{
			"Federated types enabled at run time (kubefedctl enable), which the manager",
			"propagates as unstructured objects: every resource of the federated group,",
			"with its status and finalizers.",
		}, []string{set.Group}, []string{rbacv1.ResourceAll}, readWrite),
	}
}

// hostIdentityRule reads the host's identity, the UID of namespace kube-system.
var hostIdentityRule = Rule{
	Why: []string{"The host's identity, recorded in the origin of every member object: the UID of namespace kube-system."},
	PolicyRule: rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"namespaces"},
		ResourceNames: []string{metav1.NamespaceSystem}, Verbs: []string{"get"}},
}

// NamespacedScopeRules are what a manager of a control plane of scope Namespaced
// (KubeFedConfig) does, all of it in the KubeFed namespace: what ClusterRules,
// DynamicRules and NamespaceRules grant, but in that namespace alone. Only the
// host's identity is read outside it.
func NamespacedScopeRules(set *model.Set) []Rule {
	rules := slices.DeleteFunc(ClusterRules(set), func(r Rule) bool { return slices.Equal(r.Resources, hostIdentityRule.Resources) })
	return append(append(rules, DynamicRules(set)...), NamespaceRules()...)
}

// NamespacedDir is where the RBAC of a control plane of scope Namespaced is
// written; install it instead of Dir.
const NamespacedDir = "config/rbac-namespaced"

// NamespaceRules are what the manager does only in the KubeFed namespace: the
// cluster registry reads member clusters through a cache of that namespace alone.
func NamespaceRules() []Rule {
	return []Rule{
		rule([]string{"Member clusters; their health is written to status."},
			[]string{coreGroup}, []string{"kubefedclusters"}, read),
		rule(nil, []string{coreGroup}, []string{"kubefedclusters/status"}, status),
		rule([]string{"The DNS zones of multicluster DNS, which ServiceDNSRecords refer to."},
			[]string{dnsGroup}, []string{"domains"}, read),
		rule([]string{"Credentials of member clusters, which KubeFedClusters refer to; member tokens are renewed in them."},
			[]string{""}, []string{"secrets"}, readWrite),
		rule([]string{"Leader election (--leader-elect)."},
			[]string{"coordination.k8s.io"}, []string{"leases"}, lease),
	}
}

// DynamicTypesRole names the ClusterRole (and binding) of manager for the types
// it propagates without having been built with them.
func DynamicTypesRole(manager string) string { return manager + "-dynamic-types" }

// Generator writes config/rbac: the manager's ServiceAccount, its roles and
// bindings, and a kustomization listing them.
type Generator struct{ Context *emit.Context }

// RegisterMarkers registers nothing: the rules are derived from the model.
func (Generator) RegisterMarkers(*markers.Registry) error { return nil }

// Generate writes the RBAC.
func (g Generator) Generate(gctx *genall.GenerationContext) error {
	ns := corev1beta1.DefaultNamespace
	// The manager's ServiceAccount, roles and bindings are named after it; the
	// role for types enabled at run time gets a suffix.
	name := g.Context.ManagerName
	dynamicTypes := DynamicTypesRole(name)
	account := rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: name, Namespace: ns}
	files := []file{
		{"service_account.yaml", nil, &corev1.ServiceAccount{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		}},
		{"role.yaml", explain(ClusterRules(g.Context.Set),
			"What the federation controller manager does in the host cluster, derived from",
			"its federated types. Member clusters grant it their own rights when joined."),
			&rbacv1.ClusterRole{
				TypeMeta:   metav1.TypeMeta{APIVersion: rbacv1.SchemeGroupVersion.String(), Kind: "ClusterRole"},
				ObjectMeta: metav1.ObjectMeta{Name: name},
				Rules:      policyRules(ClusterRules(g.Context.Set)),
			}},
		{"role_binding.yaml", nil, clusterRoleBinding(name, account)},
		{"dynamic_types_role.yaml", explain(DynamicRules(g.Context.Set),
			"What the federation controller manager needs for the types it propagates",
			"without having been built with them. Without it, their FederatedTypeConfigs",
			"report Propagating=False, reason Forbidden."),
			&rbacv1.ClusterRole{
				TypeMeta:   metav1.TypeMeta{APIVersion: rbacv1.SchemeGroupVersion.String(), Kind: "ClusterRole"},
				ObjectMeta: metav1.ObjectMeta{Name: dynamicTypes},
				Rules:      policyRules(DynamicRules(g.Context.Set)),
			}},
		{"dynamic_types_role_binding.yaml", nil, clusterRoleBinding(dynamicTypes, account)},
		{"namespace_role.yaml", explain(NamespaceRules(),
			"What the federation controller manager does only in the KubeFed namespace."),
			&rbacv1.Role{
				TypeMeta:   metav1.TypeMeta{APIVersion: rbacv1.SchemeGroupVersion.String(), Kind: "Role"},
				ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
				Rules:      policyRules(NamespaceRules()),
			}},
		{"namespace_role_binding.yaml", nil, roleBinding(name, account)},
	}
	if err := writeFiles(gctx, Dir, files); err != nil {
		return err
	}

	identity := name + "-host-identity"
	return writeFiles(gctx, NamespacedDir, []file{
		files[0], // the ServiceAccount
		{"role.yaml", explain(NamespacedScopeRules(g.Context.Set),
			"What the federation controller manager of a control plane of scope Namespaced",
			"(KubeFedConfig spec.scope) does: everything in the KubeFed namespace. Install",
			"this folder instead of config/rbac for such a control plane."),
			&rbacv1.Role{
				TypeMeta:   metav1.TypeMeta{APIVersion: rbacv1.SchemeGroupVersion.String(), Kind: "Role"},
				ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
				Rules:      policyRules(NamespacedScopeRules(g.Context.Set)),
			}},
		{"role_binding.yaml", nil, roleBinding(name, account)},
		{"host_identity_role.yaml", explain([]Rule{hostIdentityRule},
			"The one thing the manager of a namespaced control plane reads outside its namespace."),
			&rbacv1.ClusterRole{
				TypeMeta:   metav1.TypeMeta{APIVersion: rbacv1.SchemeGroupVersion.String(), Kind: "ClusterRole"},
				ObjectMeta: metav1.ObjectMeta{Name: identity},
				Rules:      policyRules([]Rule{hostIdentityRule}),
			}},
		{"host_identity_role_binding.yaml", nil, clusterRoleBinding(identity, account)},
	})
}

// clusterRoleBinding binds the ClusterRole name to account, under the same name.
func clusterRoleBinding(name string, account rbacv1.Subject) *rbacv1.ClusterRoleBinding {
	return &rbacv1.ClusterRoleBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: rbacv1.SchemeGroupVersion.String(), Kind: "ClusterRoleBinding"},
		ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: name},
		Subjects:   []rbacv1.Subject{account},
	}
}

// roleBinding binds the Role name in account's namespace to account, under the
// same name.
func roleBinding(name string, account rbacv1.Subject) *rbacv1.RoleBinding {
	return &rbacv1.RoleBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: rbacv1.SchemeGroupVersion.String(), Kind: "RoleBinding"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: account.Namespace},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: name},
		Subjects:   []rbacv1.Subject{account},
	}
}

// file is one manifest of a folder: its name, leading comment and object.
type file struct {
	name    string
	comment []string
	obj     any
}

// writeFiles writes files into dir with a kustomization listing them.
func writeFiles(gctx *genall.GenerationContext, dir string, files []file) error {
	var names []string
	for _, f := range files {
		if err := emit.OutputYAML(gctx, path.Join(dir, f.name), f.comment, f.obj); err != nil {
			return err
		}
		names = append(names, f.name)
	}
	return emit.OutputKustomization(gctx, dir, nil, "", names...)
}

func policyRules(rules []Rule) []rbacv1.PolicyRule {
	out := make([]rbacv1.PolicyRule, len(rules))
	for i, r := range rules {
		out[i] = r.PolicyRule
	}
	return out
}

// explain is a role file's comment: what the role is for, then why each of its
// rules is needed, in their order.
func explain(rules []Rule, about ...string) []string {
	out := append(slices.Clone(about), "", "Its rules, in order:")
	for _, r := range rules {
		for i, line := range r.Why {
			prefix := "  "
			if i == 0 {
				prefix = "- "
			}
			out = append(out, prefix+line)
		}
	}
	return out
}
