package cluster

import (
	"context"
	"fmt"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
)

// Access says what a member grants the host's ServiceAccount.
type Access string

const (
	// AccessFull grants everything (in the KubeFed namespace for a Namespaced
	// control plane), as KubeFed's join does; the default.
	AccessFull Access = "full"
	// AccessTypes grants what the manager does with the federated types and
	// nothing more: see TypeRules.
	AccessTypes Access = "types"
)

// Accesses are the values JoinOptions.Access takes.
var Accesses = []Access{AccessFull, AccessTypes}

// dispatchVerbs are the verbs propagation uses on a target type: cache reads,
// writes, and removal.
var dispatchVerbs = []string{"get", "list", "watch", "create", "update", "patch", "delete"}

// alwaysPropagated are written whatever the type set: FederatedNamespace
// creates namespaces, and a namespaced object needs its namespace.
var alwaysPropagated = []schema.GroupResource{{Resource: "namespaces"}}

// readOnlyRules are what the manager's other controllers read in every member:
// pods for the replica scheduler's capacity, services and ingresses for
// multicluster DNS records. They never write them.
var readOnlyRules = []rbacv1.PolicyRule{
	{Verbs: []string{"get", "list", "watch"}, APIGroups: []string{""}, Resources: []string{"pods", "services"}},
	{Verbs: []string{"get", "list", "watch"}, APIGroups: []string{"networking.k8s.io"}, Resources: []string{"ingresses"}},
}

// ParseGroupResource reads a type as kubectl writes it: resource[.group], e.g.
// configmaps or deployments.apps.
func ParseGroupResource(s string) (schema.GroupResource, error) {
	s = strings.TrimSpace(s)
	resource, group, _ := strings.Cut(s, ".")
	if resource == "" || strings.ToLower(s) != s {
		return schema.GroupResource{}, fmt.Errorf("type %q: want a lower-case resource[.group], e.g. configmaps or deployments.apps", s)
	}
	return schema.GroupResource{Group: group, Resource: resource}, nil
}

// TypeRules are the rules of AccessTypes for the target types given: the
// dispatch verbs on each of them and on namespaces, and readOnlyRules. Rules
// are grouped by API group and sorted, so that joining again with the same
// types writes the same ClusterRole.
func TypeRules(types []schema.GroupResource) []rbacv1.PolicyRule {
	byGroup := map[string][]string{}
	for _, gr := range append(slices.Clone(alwaysPropagated), types...) {
		if !slices.Contains(byGroup[gr.Group], gr.Resource) {
			byGroup[gr.Group] = append(byGroup[gr.Group], gr.Resource)
		}
	}
	groups := make([]string, 0, len(byGroup))
	for g := range byGroup {
		groups = append(groups, g)
	}
	slices.Sort(groups)
	rules := make([]rbacv1.PolicyRule, 0, len(groups)+len(readOnlyRules))
	for _, g := range groups {
		resources := byGroup[g]
		slices.Sort(resources)
		rules = append(rules, rbacv1.PolicyRule{Verbs: dispatchVerbs, APIGroups: []string{g}, Resources: resources})
	}
	return append(rules, readOnlyRules...)
}

// tokenRenewalRule lets a ServiceAccount request tokens for itself alone, so
// that the manager renews the token join gave it (see TokenRenewer).
func tokenRenewalRule(serviceAccountName string) rbacv1.PolicyRule {
	return rbacv1.PolicyRule{Verbs: []string{"create"}, APIGroups: []string{""},
		Resources: []string{"serviceaccounts/token"}, ResourceNames: []string{serviceAccountName}}
}

// EnabledTypes returns the target types of the FederatedTypeConfigs in the
// host's namespace whose propagation is Enabled, as resource[.group].
func EnabledTypes(ctx context.Context, host client.Reader, namespace string) ([]schema.GroupResource, error) {
	var ftcs corev1beta1.FederatedTypeConfigList
	if err := host.List(ctx, &ftcs, client.InNamespace(namespace)); err != nil {
		if meta.IsNoMatchError(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("list FederatedTypeConfigs in %s: %w", namespace, err)
	}
	var out []schema.GroupResource
	for _, ftc := range ftcs.Items {
		if ftc.Spec.Propagation == corev1beta1.Enabled {
			out = append(out, schema.GroupResource{Group: ftc.Spec.TargetType.Group, Resource: ftc.Spec.TargetType.PluralName})
		}
	}
	return out, nil
}
