package resolve

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/restmapper"

	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/internal/fixture"
	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
)

func TestResolveType(t *testing.T) {
	widgets := corev1beta1.FederatedTypeConfig{ObjectMeta: metav1.ObjectMeta{Name: "widgets.example.com"}, Spec: corev1beta1.FederatedTypeConfigSpec{
		TargetType:    corev1beta1.APIResource{Group: "example.com", Version: "v1alpha1", Kind: "Widget", PluralName: "widgets", Scope: "Namespaced"},
		FederatedType: corev1beta1.APIResource{Group: "types.example.com", Version: "v1", Kind: "FederatedWidget", PluralName: "federatedwidgets", Scope: "Namespaced"},
		Propagation:   corev1beta1.Disabled,
	}}
	r := New(fixture.Discovery(), []corev1beta1.FederatedTypeConfig{widgets})
	for _, tc := range []struct {
		arg                          string
		name, targetGVK, federatedGV string
		federatedKind, federatedRes  string
		targetNamespaced, fedNS      bool
		installed, enabled           bool
	}{
		{arg: "deployments.apps", name: "deployments.apps", targetGVK: "apps/v1, Kind=Deployment", federatedGV: "types.kubefed.io/v1beta1", federatedKind: "FederatedDeployment", federatedRes: "federateddeployments", targetNamespaced: true, fedNS: true, installed: true, enabled: true},
		{arg: "deployments", name: "deployments.apps", targetGVK: "apps/v1, Kind=Deployment", federatedGV: "types.kubefed.io/v1beta1", federatedKind: "FederatedDeployment", federatedRes: "federateddeployments", targetNamespaced: true, fedNS: true, installed: true, enabled: true},
		{arg: "deployment", name: "deployments.apps", targetGVK: "apps/v1, Kind=Deployment", federatedGV: "types.kubefed.io/v1beta1", federatedKind: "FederatedDeployment", federatedRes: "federateddeployments", targetNamespaced: true, fedNS: true, installed: true, enabled: true},
		{arg: "Deployment", name: "deployments.apps", targetGVK: "apps/v1, Kind=Deployment", federatedGV: "types.kubefed.io/v1beta1", federatedKind: "FederatedDeployment", federatedRes: "federateddeployments", targetNamespaced: true, fedNS: true, installed: true, enabled: true},
		{arg: "deploy", name: "deployments.apps", targetGVK: "apps/v1, Kind=Deployment", federatedGV: "types.kubefed.io/v1beta1", federatedKind: "FederatedDeployment", federatedRes: "federateddeployments", targetNamespaced: true, fedNS: true, installed: true, enabled: true},
		{arg: "deployments.v1.apps", name: "deployments.apps", targetGVK: "apps/v1, Kind=Deployment", federatedGV: "types.kubefed.io/v1beta1", federatedKind: "FederatedDeployment", federatedRes: "federateddeployments", targetNamespaced: true, fedNS: true, installed: true, enabled: true},
		{arg: "FederatedDeployment", name: "deployments.apps", targetGVK: "apps/v1, Kind=Deployment", federatedGV: "types.kubefed.io/v1beta1", federatedKind: "FederatedDeployment", federatedRes: "federateddeployments", targetNamespaced: true, fedNS: true, installed: true, enabled: true},
		{arg: "federateddeployments.types.kubefed.io", name: "deployments.apps", targetGVK: "apps/v1, Kind=Deployment", federatedGV: "types.kubefed.io/v1beta1", federatedKind: "FederatedDeployment", federatedRes: "federateddeployments", targetNamespaced: true, fedNS: true, installed: true, enabled: true},
		{arg: "fdeploy", name: "deployments.apps", targetGVK: "apps/v1, Kind=Deployment", federatedGV: "types.kubefed.io/v1beta1", federatedKind: "FederatedDeployment", federatedRes: "federateddeployments", targetNamespaced: true, fedNS: true, installed: true, enabled: true},
		{arg: "cm", name: "configmaps", targetGVK: "/v1, Kind=ConfigMap", federatedGV: "types.kubefed.io/v1beta1", federatedKind: "FederatedConfigMap", federatedRes: "federatedconfigmaps", targetNamespaced: true, fedNS: true, installed: true, enabled: true},
		// A FederatedNamespace is namespaced although Namespace is not.
		{arg: "namespaces", name: "namespaces", targetGVK: "/v1, Kind=Namespace", federatedGV: "types.kubefed.io/v1beta1", federatedKind: "FederatedNamespace", federatedRes: "federatednamespaces", fedNS: true, installed: true, enabled: true},
		{arg: "clusterroles.rbac.authorization.k8s.io", name: "clusterroles.rbac.authorization.k8s.io", targetGVK: "rbac.authorization.k8s.io/v1, Kind=ClusterRole", federatedGV: "types.kubefed.io/v1beta1", federatedKind: "FederatedClusterRole", federatedRes: "federatedclusterroles", installed: true, enabled: true},
		// Not federated in this host: derived by KubeFed's convention.
		{arg: "secrets", name: "secrets", targetGVK: "/v1, Kind=Secret", federatedGV: "types.kubefed.io/v1beta1", federatedKind: "FederatedSecret", federatedRes: "federatedsecrets", targetNamespaced: true, fedNS: true, enabled: true},
		{arg: "rs", name: "replicasets.apps", targetGVK: "apps/v1, Kind=ReplicaSet", federatedGV: "types.kubefed.io/v1beta1", federatedKind: "FederatedReplicaSet", federatedRes: "federatedreplicasets", targetNamespaced: true, fedNS: true, enabled: true},
		// A FederatedTypeConfig names another federated group; its propagation is off.
		{arg: "widgets", name: "widgets.example.com", targetGVK: "example.com/v1alpha1, Kind=Widget", federatedGV: "types.example.com/v1", federatedKind: "FederatedWidget", federatedRes: "federatedwidgets", targetNamespaced: true, fedNS: true, installed: true},
		{arg: "FederatedWidget", name: "widgets.example.com", targetGVK: "example.com/v1alpha1, Kind=Widget", federatedGV: "types.example.com/v1", federatedKind: "FederatedWidget", federatedRes: "federatedwidgets", targetNamespaced: true, fedNS: true, installed: true},
	} {
		t.Run(tc.arg, func(t *testing.T) {
			got, err := r.Resolve(tc.arg)
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != tc.name || got.Target.GroupVersionKind.String() != tc.targetGVK || got.Target.Namespaced != tc.targetNamespaced {
				t.Errorf("target: name %q gvk %q namespaced %v, want %q %q %v", got.Name, got.Target.GroupVersionKind, got.Target.Namespaced, tc.name, tc.targetGVK, tc.targetNamespaced)
			}
			if got.Federated.GroupVersion().String() != tc.federatedGV || got.Federated.Kind != tc.federatedKind || got.Federated.Plural != tc.federatedRes || got.Federated.Namespaced != tc.fedNS {
				t.Errorf("federated: %+v, want %s %s %s namespaced %v", got.Federated, tc.federatedGV, tc.federatedKind, tc.federatedRes, tc.fedNS)
			}
			if got.Installed != tc.installed || got.PropagationEnabled() != tc.enabled {
				t.Errorf("installed %v enabled %v, want %v %v", got.Installed, got.PropagationEnabled(), tc.installed, tc.enabled)
			}
		})
	}
}

func TestResolveTypeErrors(t *testing.T) {
	r := New(fixture.Discovery(), nil)
	for _, tc := range []struct{ arg, want string }{
		{"deploymnets", "did you mean deployments.apps"},
		{"configmap.apps", `no resource type "configmap.apps"`},
		{"flurbs", "kubectl api-resources"},
		{"", "TYPE is empty"},
		{"pods/status", `"pods/status" is the status subresource of pods, not a type of objects; only whole resources are federated (TYPE pods)`},
		{"deployments.apps/scale", `deployments.apps has no subresource "scale"`},
		{"flurbs/status", `no resource type "flurbs/status"`},
	} {
		t.Run(tc.arg, func(t *testing.T) {
			_, err := r.Resolve(tc.arg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}

	// A federated type nothing federates.
	gadgets := fixture.Group("types.kubefed.io", "v1beta1", fixture.Resource("federatedgadgets", "federatedgadget", "FederatedGadget", true))
	if _, err := New([]*restmapper.APIGroupResources{gadgets}, nil).Resolve("FederatedGadget"); err == nil || !strings.Contains(err.Error(), "serves no type with kind Gadget") {
		t.Errorf("FederatedGadget: %v", err)
	}

	// Not installed: the error says how to install.
	secrets, err := r.Resolve("secrets")
	if err != nil {
		t.Fatal(err)
	}
	if err := secrets.NotInstalledError("secrets"); !strings.Contains(err.Error(), "kubefedctl enable secrets") || !strings.Contains(err.Error(), "federatedsecrets.types.kubefed.io") {
		t.Errorf("not installed: %v", err)
	}
}

func TestFederatedKey(t *testing.T) {
	r := New(fixture.Discovery(), nil)
	for _, tc := range []struct{ arg, ns, name, want string }{
		{"namespaces", "ignored", "shop", "shop/shop"},
		{"configmaps", "shop", "settings", "shop/settings"},
		{"clusterroles.rbac.authorization.k8s.io", "", "admin", "admin"},
	} {
		typ, err := r.Resolve(tc.arg)
		if err != nil {
			t.Fatal(err)
		}
		if got := FormatKey(typ.FederatedKey(tc.ns, tc.name)); got != tc.want {
			t.Errorf("%s %s/%s: key %s, want %s", tc.arg, tc.ns, tc.name, got, tc.want)
		}
	}
}

func TestFederatedTypeNames(t *testing.T) {
	got := strings.Join(New(fixture.Discovery(), nil).TypeNames(), " ")
	want := "clusterroles.rbac.authorization.k8s.io configmaps deployments.apps namespaces"
	if got != want {
		t.Errorf("names %q, want %q", got, want)
	}
}
