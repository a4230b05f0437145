package dnsrecord

import (
	"context"
	"fmt"
	"reflect"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	extdnsv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/externaldns/v1alpha1"
	mcdnsv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/multiclusterdns/v1alpha1"
)

// Prefixes of the DNSEndpoint names, KubeFed's: a record's DNSEndpoint is
// <prefix>-<record name>, in the record's namespace.
const (
	ServicePrefix = "service"
	IngressPrefix = "ingress"
)

// EndpointName is the name of the DNSEndpoint of the record name of the kind
// prefix (ServicePrefix or IngressPrefix) names.
func EndpointName(prefix, name string) string { return prefix + "-" + name }

// endpointWriter writes and deletes the DNSEndpoints of records, in one of
// the two APIs.
type endpointWriter struct {
	host    client.Client
	kubefed bool
}

func newEndpointWriter(host client.Client, api string) (*endpointWriter, error) {
	switch api {
	case "", ExternalDNSAPI:
		return &endpointWriter{host: host}, nil
	case KubeFedAPI:
		return &endpointWriter{host: host, kubefed: true}, nil
	}
	return nil, fmt.Errorf("DNSEndpoint apiVersion %q is not supported: use %s or %s", api, ExternalDNSAPI, KubeFedAPI)
}

// APIVersion is the apiVersion of the DNSEndpoints written.
func (w *endpointWriter) APIVersion() string {
	if w.kubefed {
		return KubeFedAPI
	}
	return ExternalDNSAPI
}

func (w *endpointWriter) newObject() client.Object {
	if w.kubefed {
		return &mcdnsv1alpha1.DNSEndpoint{}
	}
	return &extdnsv1alpha1.DNSEndpoint{}
}

// endpointsOf reads the records of a DNSEndpoint of either API.
func endpointsOf(obj client.Object) []*extdnsv1alpha1.Endpoint {
	switch o := obj.(type) {
	case *extdnsv1alpha1.DNSEndpoint:
		return o.Spec.Endpoints
	case *mcdnsv1alpha1.DNSEndpoint:
		out := make([]*extdnsv1alpha1.Endpoint, 0, len(o.Spec.Endpoints))
		for _, ep := range o.Spec.Endpoints {
			if ep == nil {
				continue
			}
			out = append(out, &extdnsv1alpha1.Endpoint{DNSName: ep.DNSName, Targets: extdnsv1alpha1.Targets(ep.Targets),
				RecordType: ep.RecordType, RecordTTL: extdnsv1alpha1.TTL(ep.RecordTTL), Labels: extdnsv1alpha1.Labels(ep.Labels)})
		}
		return out
	}
	return nil
}

// setEndpoints makes eps the records of a DNSEndpoint of either API.
func setEndpoints(obj client.Object, eps []*extdnsv1alpha1.Endpoint) {
	switch o := obj.(type) {
	case *extdnsv1alpha1.DNSEndpoint:
		o.Spec.Endpoints = eps
	case *mcdnsv1alpha1.DNSEndpoint:
		o.Spec.Endpoints = nil
		for _, ep := range eps {
			o.Spec.Endpoints = append(o.Spec.Endpoints, &mcdnsv1alpha1.Endpoint{DNSName: ep.DNSName, Targets: mcdnsv1alpha1.Targets(ep.Targets),
				RecordType: ep.RecordType, RecordTTL: mcdnsv1alpha1.TTL(ep.RecordTTL), Labels: mcdnsv1alpha1.Labels(ep.Labels)})
		}
	}
}

// sameEndpoints compares two lists of records, an empty list being nil.
func sameEndpoints(a, b []*extdnsv1alpha1.Endpoint) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return reflect.DeepEqual(a, b)
}

// errNotOurs is a DNSEndpoint of the name a record writes that another owner has.
type errNotOurs struct{ key types.NamespacedName }

func (e errNotOurs) Error() string {
	return fmt.Sprintf("DNSEndpoint %s exists and is not this record's (no controller owner reference to it); it is left alone: delete or rename it", e.key)
}

// ownedBy says whether obj's controller is a record of ownerGVK's kind named
// name (of any UID: a record deleted and created again while the controller
// was not running still owns what its predecessor wrote).
func ownedBy(obj client.Object, ownerGVK schema.GroupVersionKind, name string) (*metav1.OwnerReference, bool) {
	ref := metav1.GetControllerOfNoCopy(obj)
	if ref == nil || ref.Kind != ownerGVK.Kind || ref.Name != name {
		return nil, false
	}
	gv, err := schema.ParseGroupVersion(ref.APIVersion)
	return ref, err == nil && gv.Group == ownerGVK.Group
}

// write makes the DNSEndpoint name in owner's namespace hold eps and be owned
// by owner, creating or updating it only when that changes it. It returns
// whether it wrote, and errNotOurs when another owner has the name.
func (w *endpointWriter) write(ctx context.Context, owner client.Object, ownerGVK schema.GroupVersionKind, name string, eps []*extdnsv1alpha1.Endpoint) (bool, error) {
	key := types.NamespacedName{Namespace: owner.GetNamespace(), Name: name}
	ref := metav1.OwnerReference{APIVersion: ownerGVK.GroupVersion().String(), Kind: ownerGVK.Kind,
		Name: owner.GetName(), UID: owner.GetUID(), Controller: new(true)}
	obj := w.newObject()
	err := w.host.Get(ctx, key, obj)
	if apierrors.IsNotFound(err) {
		obj = w.newObject()
		obj.SetNamespace(key.Namespace)
		obj.SetName(key.Name)
		obj.SetOwnerReferences([]metav1.OwnerReference{ref})
		setEndpoints(obj, eps)
		if err := w.host.Create(ctx, obj); err != nil {
			return false, fmt.Errorf("create DNSEndpoint %s: %w", key, err)
		}
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("get DNSEndpoint %s: %w", key, err)
	}
	have, ours := ownedBy(obj, ownerGVK, owner.GetName())
	if !ours {
		return false, errNotOurs{key}
	}
	if have.UID == ref.UID && sameEndpoints(endpointsOf(obj), eps) {
		return false, nil
	}
	refs := obj.GetOwnerReferences()
	for i := range refs {
		if refs[i].Controller != nil && *refs[i].Controller {
			refs[i] = ref
		}
	}
	obj.SetOwnerReferences(refs)
	setEndpoints(obj, eps)
	if err := w.host.Update(ctx, obj); err != nil {
		return false, fmt.Errorf("update DNSEndpoint %s: %w", key, err)
	}
	return true, nil
}

// remove deletes the DNSEndpoint name in namespace when a record of
// ownerGVK's kind named record owns it: the record is gone.
func (w *endpointWriter) remove(ctx context.Context, ownerGVK schema.GroupVersionKind, key types.NamespacedName, name string) error {
	obj := w.newObject()
	if err := w.host.Get(ctx, types.NamespacedName{Namespace: key.Namespace, Name: name}, obj); err != nil {
		return client.IgnoreNotFound(err)
	}
	if _, ours := ownedBy(obj, ownerGVK, key.Name); !ours || obj.GetDeletionTimestamp() != nil {
		return nil
	}
	uid := obj.GetUID()
	if err := w.host.Delete(ctx, obj, client.Preconditions{UID: &uid}); client.IgnoreNotFound(err) != nil && !apierrors.IsConflict(err) {
		return fmt.Errorf("delete DNSEndpoint %s/%s: %w", key.Namespace, name, err)
	}
	return nil
}
