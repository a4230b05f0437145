package propagation_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/kubefed-gen/kubefed/runtime/fedtype"
	"github.com/kubefed-gen/kubefed/runtime/placement"
	"github.com/kubefed-gen/kubefed/runtime/propagation"
	"github.com/kubefed-gen/kubefed/runtime/status"
)

var (
	federatedGV = schema.GroupVersion{Group: "types.kubefed.io", Version: "v1beta1"}
	fnsGVK      = federatedGV.WithKind("FederatedNamespace")
	configMaps  = fedtype.Info{
		Name:      "configmaps",
		Target:    fedtype.Resource{GroupVersionKind: schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}, Plural: "configmaps", Namespaced: true},
		Federated: fedtype.Resource{GroupVersionKind: federatedGV.WithKind("FederatedConfigMap"), Plural: "federatedconfigmaps", Namespaced: true},
	}
	joined = []placement.Cluster{{Name: "member1", Labels: map[string]string{"region": "eu"}}, {Name: "member2"}}
)

func federated(t *testing.T, kind string, placementSpec map[string]any) *fedtype.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{Object: map[string]any{"spec": map[string]any{"placement": placementSpec}}}
	u.SetGroupVersionKind(federatedGV.WithKind(kind))
	u.SetNamespace("shop")
	u.SetName("app")
	f, err := fedtype.NewUnstructured(u)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func clusters(names ...string) map[string]any {
	var list []any
	for _, n := range names {
		list = append(list, map[string]any{"name": n})
	}
	return map[string]any{"clusters": list}
}

// host returns a reader of the host holding objs; withFNS says whether the host
// serves FederatedNamespaces at all.
func host(withFNS bool, objs ...client.Object) client.Reader {
	b := fake.NewClientBuilder().WithScheme(runtime.NewScheme()).WithObjects(objs...)
	if !withFNS {
		// What a real API server without the FederatedNamespace CRD answers.
		b = b.WithInterceptorFuncs(interceptor.Funcs{Get: func(context.Context, client.WithWatch, client.ObjectKey, client.Object, ...client.GetOption) error {
			return &meta.NoKindMatchError{GroupKind: fnsGVK.GroupKind(), SearchedVersions: []string{fnsGVK.Version}}
		}})
	}
	return b.Build()
}

func fns(placementSpec map[string]any) client.Object {
	u := &unstructured.Unstructured{Object: map[string]any{"spec": map[string]any{"placement": placementSpec}}}
	u.SetGroupVersionKind(fnsGVK)
	u.SetNamespace("shop")
	u.SetName("shop")
	return u
}

func TestPlace(t *testing.T) {
	clusterRoles := configMaps
	clusterRoles.Target.Namespaced = false
	for _, tc := range []struct {
		name       string
		info       fedtype.Info
		host       client.Reader
		placement  map[string]any
		namespaced bool // the control plane's scope
		want       []string
		wantReason string
	}{
		{name: "cluster-scoped: its own placement", info: clusterRoles, host: host(true),
			placement: clusters("member1", "member2"), want: []string{"member1", "member2"}},
		{name: "namespaces not federated in the host: no limit", info: configMaps, host: host(false),
			placement: clusters("member2"), want: []string{"member2"}},
		{name: "namespace without a FederatedNamespace: nowhere", info: configMaps, host: host(true),
			placement: clusters("member1"), wantReason: propagation.ReasonNamespaceNotFederated},
		{name: "scope Namespaced, namespace without a FederatedNamespace: its own placement", info: configMaps, host: host(true),
			placement: clusters("member1"), namespaced: true, want: []string{"member1"}},
		{name: "scope Namespaced, limited by a FederatedNamespace", info: configMaps, host: host(true, fns(clusters("member2"))),
			placement: clusters("member1", "member2"), namespaced: true, want: []string{"member2"}},
		{name: "limited by the namespace; a name not joined is kept to be reported", info: configMaps,
			host:      host(true, fns(clusters("member1"))),
			placement: clusters("member1", "member2", "member9"), want: []string{"member1", "member9"}},
		{name: "a name not joined that the namespace names too is kept once", info: configMaps,
			host:      host(true, fns(clusters("member1", "member9"))),
			placement: clusters("member1", "member9"), want: []string{"member1", "member9"}},
		{name: "selector", info: configMaps, host: host(true, fns(map[string]any{"clusterSelector": map[string]any{}})),
			placement: map[string]any{"clusterSelector": map[string]any{"matchLabels": map[string]any{"region": "eu"}}}, want: []string{"member1"}},
		{name: "invalid selector", info: configMaps, host: host(true),
			placement:  map[string]any{"clusterSelector": map[string]any{"matchExpressions": []any{map[string]any{"key": "a", "operator": "Bad"}}}},
			wantReason: status.ReasonComputePlacementFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := propagation.Place(context.Background(), tc.host, tc.info, federated(t, tc.info.Federated.Kind, tc.placement), joined, tc.namespaced)
			var perr *propagation.PlacementError
			switch {
			case tc.wantReason != "":
				if !errors.As(err, &perr) || perr.Reason != tc.wantReason {
					t.Fatalf("error %v, want a PlacementError with reason %s", err, tc.wantReason)
				}
			case err != nil:
				t.Fatal(err)
			case !slices.Equal(got.Clusters, tc.want):
				t.Errorf("placed on %v, want %v", got.Clusters, tc.want)
			}
		})
	}
}
