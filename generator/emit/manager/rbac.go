package manager

import (
	"path/filepath"
	"slices"

	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"

	"github.com/kubefed-gen/kubefed/generator/emit"
	"github.com/kubefed-gen/kubefed/generator/model"
)

// coreGroup is KubeFed's own API group: clusters and configuration.
const coreGroup = "core.kubefed.io"

var (
	read      = []string{"get", "list", "watch"}
	readWrite = []string{"get", "list", "watch", "update", "patch"}
	status    = []string{"get", "update", "patch"}
	record    = []string{"create", "patch"}
	lease     = []string{"get", "list", "watch", "create", "update", "patch", "delete"}
)

// Rule is one policy rule of a role, with the reason it is needed.
type Rule struct {
	Comment                     []string
	APIGroups, Resources, Verbs []string
}

// ClusterRules are what the manager does in the host cluster across namespaces:
// federated objects live in every namespace, and the manager's cache watches
// KubeFed's own types cluster-wide.
func ClusterRules(set *model.Set) []Rule {
	var plurals, statuses, finalizers []string
	var namespacedTargets, federatesNamespaces bool
	for _, t := range set.Targets {
		plurals = append(plurals, t.FederatedPlural())
		namespacedTargets = namespacedTargets || t.Namespaced
		federatesNamespaces = federatesNamespaces || t.IsNamespace()
	}
	slices.Sort(plurals)
	for _, p := range plurals {
		statuses = append(statuses, p+"/status")
		finalizers = append(finalizers, p+"/finalizers")
	}
	rules := []Rule{
		{
			Comment:   []string{"The federated types: watched, given the sync controller's finalizer, and their status written."},
			APIGroups: []string{set.Group}, Resources: plurals, Verbs: readWrite,
		},
		{APIGroups: []string{set.Group}, Resources: statuses, Verbs: status},
		{APIGroups: []string{set.Group}, Resources: finalizers, Verbs: []string{"update"}},
	}
	if namespacedTargets && !federatesNamespaces {
		fns := (&model.Target{Plural: "namespaces"}).FederatedPlural()
		rules = append(rules, Rule{
			Comment: []string{
				"Namespaced objects are placed only on the clusters their namespace's",
				"FederatedNamespace is placed on. This manager does not federate namespaces,",
				"but reads the FederatedNamespaces another manager of the same group keeps.",
			},
			APIGroups: []string{set.Group}, Resources: []string{fns}, Verbs: read,
		})
	}
	return append(rules,
		Rule{
			Comment: []string{
				"KubeFed's configuration: whether a type propagates, whether objects are adopted.",
				"It lives in the KubeFed namespace, but the sync controllers watch it through",
				"the manager's cache, which spans the cluster.",
			},
			APIGroups: []string{coreGroup}, Resources: []string{"federatedtypeconfigs", "kubefedconfigs"}, Verbs: read,
		},
		Rule{
			Comment:   []string{"Whether this manager propagates each FederatedTypeConfig's type (status.propagationController)."},
			APIGroups: []string{coreGroup}, Resources: []string{"federatedtypeconfigs/status"}, Verbs: []string{"get", "update", "patch"},
		},
		Rule{
			Comment: []string{
				"The host's identity, recorded in the origin of every member object:",
				"the UID of namespace kube-system.",
			},
			APIGroups: []string{""}, Resources: []string{"namespaces"}, Verbs: []string{"get"},
		},
		Rule{
			Comment:   []string{"Events on federated objects, in their namespaces."},
			APIGroups: []string{"", "events.k8s.io"}, Resources: []string{"events"}, Verbs: record,
		},
	)
}

// NamespaceRules are what the manager does only in the KubeFed namespace: the
// cluster registry reads member clusters through a cache of that namespace alone.
func NamespaceRules() []Rule {
	return []Rule{
		{
			Comment:   []string{"Member clusters; their health is written to status."},
			APIGroups: []string{coreGroup}, Resources: []string{"kubefedclusters"}, Verbs: read,
		},
		{APIGroups: []string{coreGroup}, Resources: []string{"kubefedclusters/status"}, Verbs: status},
		{
			Comment:   []string{"Credentials of member clusters, which KubeFedClusters refer to."},
			APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: read,
		},
		{
			Comment:   []string{"Leader election (--leader-elect)."},
			APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"leases"}, Verbs: lease,
		},
	}
}

// writeRBAC writes config/rbac: the manager's ServiceAccount and its roles.
func writeRBAC(ctx *emit.Context, _ module) error {
	dir := filepath.Join(ctx.OutputDir, "config", "rbac")
	files := []struct {
		name, template string
		data           any
	}{
		{"service_account.yaml", "rbac/service_account.yaml", map[string]any{"Name": Name, "Namespace": corev1beta1.DefaultNamespace}},
		{"role.yaml", "rbac/role.yaml", map[string]any{
			"Kind": "ClusterRole", "Name": Name, "Namespace": "", "Rules": ClusterRules(ctx.Set),
			"Comment": []string{
				"What the federation controller manager does in the host cluster, derived from",
				"its federated types. Member clusters grant it their own rights when joined.",
			},
		}},
		{"role_binding.yaml", "rbac/role_binding.yaml", binding("ClusterRoleBinding", "ClusterRole", "")},
		{"namespace_role.yaml", "rbac/role.yaml", map[string]any{
			"Kind": "Role", "Name": Name, "Namespace": corev1beta1.DefaultNamespace, "Rules": NamespaceRules(),
			"Comment": []string{"What the federation controller manager does only in the KubeFed namespace."},
		}},
		{"namespace_role_binding.yaml", "rbac/role_binding.yaml", binding("RoleBinding", "Role", corev1beta1.DefaultNamespace)},
	}
	var resources []string
	for _, f := range files {
		if err := render(filepath.Join(dir, f.name), f.template, f.data); err != nil {
			return err
		}
		resources = append(resources, f.name)
	}
	return writeKustomization(dir, kustomization{Resources: resources})
}

func binding(kind, roleKind, namespace string) map[string]any {
	return map[string]any{
		"Kind": kind, "Name": Name, "Namespace": namespace, "RoleKind": roleKind, "RoleName": Name,
		"ServiceAccount": Name, "ServiceAccountNamespace": corev1beta1.DefaultNamespace,
	}
}
