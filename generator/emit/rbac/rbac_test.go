package rbac_test

import (
	"bytes"
	"slices"
	"sort"
	"testing"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-tools/pkg/genall"
	"sigs.k8s.io/yaml"

	"github.com/kubefed-gen/kubefed/generator/emit"
	"github.com/kubefed-gen/kubefed/generator/emit/rbac"
	"github.com/kubefed-gen/kubefed/generator/model"
	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
)

func target(group, kind, plural string, namespaced bool) *model.Target {
	return &model.Target{GroupVersionKind: schema.GroupVersionKind{Group: group, Version: "v1", Kind: kind}, Plural: plural, Namespaced: namespaced}
}

var (
	configMap   = target("", "ConfigMap", "configmaps", true)
	namespace   = target("", "Namespace", "namespaces", false)
	service     = target("", "Service", "services", true)
	clusterRole = target("rbac.authorization.k8s.io", "ClusterRole", "clusterroles", false)
	deployment  = func() *model.Target {
		t := target("apps", "Deployment", "deployments", true)
		t.Scalable = true
		return t
	}()
)

// render runs the generator for targets in memory.
func render(t *testing.T, targets ...*model.Target) emit.InMemory {
	t.Helper()
	return renderNamed(t, emit.DefaultManagerName, targets...)
}

func renderNamed(t *testing.T, manager string, targets ...*model.Target) emit.InMemory {
	t.Helper()
	out := emit.InMemory{}
	ctx := &emit.Context{Set: &model.Set{Group: model.DefaultGroup, Version: model.DefaultVersion, Targets: targets}, ManagerName: manager}
	if err := (rbac.Generator{Context: ctx}).Generate(&genall.GenerationContext{OutputRule: out}); err != nil {
		t.Fatal(err)
	}
	return out
}

// decode reads the file written as rbac.Dir/name into obj, refusing unknown fields.
func decode(t *testing.T, files emit.InMemory, name string, obj any) {
	t.Helper()
	data, ok := files[rbac.Dir+"/"+name]
	if !ok {
		t.Fatalf("%s not written", name)
	}
	if !bytes.HasPrefix(data, []byte("# "+emit.Header+"\n")) {
		t.Errorf("%s does not start with the generated-file header", name)
	}
	if err := yaml.UnmarshalStrict(data, obj); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// grants flattens rules into group/resource:verb lines.
func grants(rules []rbacv1.PolicyRule) []string {
	var out []string
	for _, r := range rules {
		for _, g := range r.APIGroups {
			for _, res := range r.Resources {
				for _, v := range r.Verbs {
					out = append(out, g+"/"+res+":"+v)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

func expand(group string, resources []string, verbs ...string) []string {
	var out []string
	for _, r := range resources {
		for _, v := range verbs {
			out = append(out, group+"/"+r+":"+v)
		}
	}
	return out
}

func TestRBAC(t *testing.T) {
	const fed = model.DefaultGroup
	federated := func(plurals ...string) []string {
		g := expand(fed, plurals, "get", "list", "watch", "update", "patch")
		for _, p := range plurals {
			g = append(g, expand(fed, []string{p + "/status"}, "get", "update", "patch")...)
			g = append(g, fed+"/"+p+"/finalizers:update")
		}
		return g
	}
	always := slices.Concat(
		expand("core.kubefed.io", []string{"kubefedconfigs", "federatedtypeconfigs"}, "get", "list", "watch"),
		expand("core.kubefed.io", []string{"federatedtypeconfigs/status"}, "get", "update", "patch"),
		expand("core.kubefed.io", []string{"federatedtypeconfigs"}, "patch"),
		expand("core.kubefed.io", []string{"propagatedversions", "clusterpropagatedversions"}, "get", "list", "watch", "create", "update", "delete"),
		expand("core.kubefed.io", []string{"propagatedversions/status", "clusterpropagatedversions/status"}, "get", "update", "patch"),
		expand("", []string{"namespaces"}, "get"),
		expand("multiclusterdns.kubefed.io", []string{"servicednsrecords", "ingressdnsrecords"}, "get", "list", "watch"),
		expand("multiclusterdns.kubefed.io", []string{"servicednsrecords/status", "ingressdnsrecords/status"}, "get", "update", "patch"),
		expand("multiclusterdns.kubefed.io", []string{"dnsendpoints"}, "get", "list", "watch", "create", "update", "delete"),
		expand("externaldns.k8s.io", []string{"dnsendpoints"}, "get", "list", "watch", "create", "update", "delete"),
		expand("", []string{"events"}, "create", "patch"),
		expand("events.k8s.io", []string{"events"}, "create", "patch"),
	)
	readNamespaces := expand(fed, []string{"federatednamespaces"}, "get", "list", "watch")
	schedule := slices.Concat(
		expand("scheduling.kubefed.io", []string{"replicaschedulingpreferences"}, "get", "list", "watch"),
		expand("scheduling.kubefed.io", []string{"replicaschedulingpreferences/status"}, "get", "update", "patch"))
	for _, tc := range []struct {
		name    string
		targets []*model.Target
		want    []string
		// the ClusterRole explains why it reads FederatedNamespaces
		explains bool
	}{
		{"all three", []*model.Target{clusterRole, configMap, namespace}, slices.Concat(federated("federatedclusterroles", "federatedconfigmaps", "federatednamespaces"), always), false},
		{"namespaced without namespaces", []*model.Target{configMap}, slices.Concat(federated("federatedconfigmaps"), readNamespaces, always), true},
		{"cluster-scoped only", []*model.Target{clusterRole}, slices.Concat(federated("federatedclusterroles"), always), false},
		{"namespaces only", []*model.Target{namespace}, slices.Concat(federated("federatednamespaces"), always), false},
		{"services: FederatedServiceStatuses", []*model.Target{namespace, service}, slices.Concat(federated("federatednamespaces", "federatedservices"),
			expand("core.kubefed.io", []string{"federatedservicestatuses"}, "get", "list", "watch", "create", "update", "delete"), always), false},
		{"a scalable type: ReplicaSchedulingPreferences", []*model.Target{deployment, namespace}, slices.Concat(federated("federateddeployments", "federatednamespaces"), schedule, always), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := render(t, tc.targets...)
			var cr rbacv1.ClusterRole
			decode(t, files, "role.yaml", &cr)
			sort.Strings(tc.want)
			if got := grants(cr.Rules); !slices.Equal(got, tc.want) {
				t.Errorf("ClusterRole grants\n got %v\nwant %v", got, tc.want)
			}
			if got := bytes.Contains(files[rbac.Dir+"/role.yaml"], []byte("\n#   FederatedNamespace is placed on.")); got != tc.explains {
				t.Errorf("ClusterRole explains FederatedNamespace: %v, want %v", got, tc.explains)
			}

			var role rbacv1.Role
			decode(t, files, "namespace_role.yaml", &role)
			wantRole := slices.Concat(
				expand("core.kubefed.io", []string{"kubefedclusters"}, "get", "list", "watch"),
				expand("core.kubefed.io", []string{"kubefedclusters/status"}, "get", "update", "patch"),
				expand("multiclusterdns.kubefed.io", []string{"domains"}, "get", "list", "watch"),
				expand("", []string{"secrets"}, "get", "list", "watch", "update", "patch"),
				expand("coordination.k8s.io", []string{"leases"}, "get", "list", "watch", "create", "update", "patch", "delete"))
			sort.Strings(wantRole)
			if got := grants(role.Rules); !slices.Equal(got, wantRole) || role.Namespace != corev1beta1.DefaultNamespace {
				t.Errorf("Role in %q grants\n got %v\nwant %v in %s", role.Namespace, got, wantRole, corev1beta1.DefaultNamespace)
			}

			var sa corev1.ServiceAccount
			decode(t, files, "service_account.yaml", &sa)
			subject := rbacv1.Subject{Kind: "ServiceAccount", Name: sa.Name, Namespace: sa.Namespace}
			var crb rbacv1.ClusterRoleBinding
			decode(t, files, "role_binding.yaml", &crb)
			if crb.RoleRef != (rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: cr.Name}) || !slices.Equal(crb.Subjects, []rbacv1.Subject{subject}) {
				t.Errorf("ClusterRoleBinding %+v does not bind %s to %+v", crb, cr.Name, subject)
			}
			var rb rbacv1.RoleBinding
			decode(t, files, "namespace_role_binding.yaml", &rb)
			if rb.Namespace != role.Namespace || rb.RoleRef != (rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: role.Name}) || !slices.Equal(rb.Subjects, []rbacv1.Subject{subject}) {
				t.Errorf("RoleBinding %+v does not bind %s to %+v in %s", rb, role.Name, subject, role.Namespace)
			}
		})
	}
}

// TestDeterministic: the order targets come in does not matter.
func TestDeterministic(t *testing.T) {
	a := render(t, clusterRole, configMap, namespace)
	b := render(t, namespace, configMap, clusterRole)
	if len(a) != 14 || len(a) != len(b) {
		t.Fatalf("wrote %d and %d files, want 14", len(a), len(b))
	}
	for name, data := range a {
		if !bytes.Equal(data, b[name]) {
			t.Errorf("%s depends on the order of targets", name)
		}
	}
}

// TestManagerName: every object is named after the manager, so that two managers'
// RBAC can share a host.
func TestManagerName(t *testing.T) {
	files := renderNamed(t, "shop-manager", configMap)
	var sa corev1.ServiceAccount
	decode(t, files, "service_account.yaml", &sa)
	var role, dynamic rbacv1.ClusterRole
	decode(t, files, "role.yaml", &role)
	decode(t, files, "dynamic_types_role.yaml", &dynamic)
	var binding, dynamicBinding rbacv1.ClusterRoleBinding
	decode(t, files, "role_binding.yaml", &binding)
	decode(t, files, "dynamic_types_role_binding.yaml", &dynamicBinding)
	var nsRole rbacv1.Role
	decode(t, files, "namespace_role.yaml", &nsRole)
	if sa.Name != "shop-manager" || role.Name != "shop-manager" || nsRole.Name != "shop-manager" || binding.RoleRef.Name != "shop-manager" {
		t.Errorf("names: service account %q, role %q, namespace role %q, binding to %q", sa.Name, role.Name, nsRole.Name, binding.RoleRef.Name)
	}
	if dynamic.Name != "shop-manager-dynamic-types" || dynamicBinding.RoleRef.Name != dynamic.Name || dynamicBinding.Subjects[0].Name != "shop-manager" {
		t.Errorf("dynamic types: role %q, binding %+v", dynamic.Name, dynamicBinding)
	}
}
