package dnsrecord

import (
	"context"
	"errors"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	extdnsv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/externaldns/v1alpha1"
	mcdnsv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/multiclusterdns/v1alpha1"
)

func scheme(t *testing.T) *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{mcdnsv1alpha1.AddToScheme, extdnsv1alpha1.AddToScheme} {
		if err := add(s); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// TestEndpointWriter: the DNSEndpoint is created owned by the record, updated
// only when its records change, taken over from an earlier record of the same
// name, never touched when another owner has it, and deleted only when its
// record is gone.
func TestEndpointWriter(t *testing.T) {
	for _, api := range []string{ExternalDNSAPI, KubeFedAPI} {
		t.Run(api, func(t *testing.T) {
			ctx := context.Background()
			c := fake.NewClientBuilder().WithScheme(scheme(t)).Build()
			w, err := newEndpointWriter(c, api)
			if err != nil {
				t.Fatal(err)
			}
			rec := &mcdnsv1alpha1.ServiceDNSRecord{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop", UID: "uid-1"}}
			eps := []*extdnsv1alpha1.Endpoint{{DNSName: "web.example.com", RecordType: "A", Targets: []string{"10.0.0.1"}, RecordTTL: 180}}
			key := types.NamespacedName{Namespace: "shop", Name: "service-web"}
			get := func() client.Object {
				obj := w.newObject()
				if err := c.Get(ctx, key, obj); err != nil {
					t.Fatal(err)
				}
				return obj
			}

			if wrote, err := w.write(ctx, rec, serviceGVK, "service-web", eps); err != nil || !wrote {
				t.Fatalf("create: wrote %v, %v", wrote, err)
			}
			obj := get()
			ref := metav1.GetControllerOf(obj)
			if ref == nil || ref.UID != "uid-1" || ref.Kind != "ServiceDNSRecord" || ref.APIVersion != "multiclusterdns.kubefed.io/v1alpha1" {
				t.Errorf("owner %+v", ref)
			}
			if got := endpointsOf(obj); !sameEndpoints(got, eps) {
				t.Errorf("records %v", got)
			}
			rv := obj.GetResourceVersion()
			if wrote, err := w.write(ctx, rec, serviceGVK, "service-web", eps); err != nil || wrote || get().GetResourceVersion() != rv {
				t.Errorf("unchanged records written again: %v, %v", wrote, err)
			}
			if wrote, err := w.write(ctx, rec, serviceGVK, "service-web", nil); err != nil || !wrote || len(endpointsOf(get())) != 0 {
				t.Errorf("emptying: %v, %v", wrote, err)
			}
			// A record of the same name, created again: it takes the DNSEndpoint over.
			again := rec.DeepCopy()
			again.UID = "uid-2"
			if wrote, err := w.write(ctx, again, serviceGVK, "service-web", eps); err != nil || !wrote || metav1.GetControllerOf(get()).UID != "uid-2" {
				t.Errorf("take over: %v, %v", wrote, err)
			}
			// Another kind's record of the same name does not own it.
			if err := w.remove(ctx, ingressGVK, types.NamespacedName{Namespace: "shop", Name: "web"}, "service-web"); err != nil {
				t.Fatal(err)
			}
			get()
			if err := w.remove(ctx, serviceGVK, types.NamespacedName{Namespace: "shop", Name: "web"}, "service-web"); err != nil {
				t.Fatal(err)
			}
			if err := c.Get(ctx, key, w.newObject()); err == nil {
				t.Error("not deleted with its record")
			}

			// Someone else's DNSEndpoint of that name is left alone.
			foreign := w.newObject()
			foreign.SetNamespace("shop")
			foreign.SetName("service-web")
			if err := c.Create(ctx, foreign); err != nil {
				t.Fatal(err)
			}
			_, err = w.write(ctx, rec, serviceGVK, "service-web", eps)
			if !errors.As(err, new(errNotOurs)) || err.Error() != "DNSEndpoint shop/service-web exists and is not this record's (no controller owner reference to it); it is left alone: delete or rename it" {
				t.Errorf("foreign DNSEndpoint: %v", err)
			}
			if err := w.remove(ctx, serviceGVK, types.NamespacedName{Namespace: "shop", Name: "web"}, "service-web"); err != nil {
				t.Fatal(err)
			}
			if got := get(); len(endpointsOf(got)) != 0 || len(got.GetOwnerReferences()) != 0 {
				t.Errorf("foreign DNSEndpoint changed: %+v", got)
			}
		})
	}
	if _, err := newEndpointWriter(nil, "v1"); err == nil {
		t.Error("an unknown apiVersion is accepted")
	}
}
