package cluster

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"

	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
)

// A member joined with AccessTypes forbids the types it was not granted. Its
// cache would retry listing such a type for ever while every read of it waited
// for a sync that never comes, and propagation would report a timeout. Instead
// the registry checks a type before watching it (ensureWatches), remembers the
// member's refusal, and reads of the type fail at once with it; the
// KubeFedCluster's TypesAllowed condition lists the forbidden types.

// Reasons of a KubeFedCluster's TypesAllowed condition.
const (
	ReasonTypesForbidden = "Forbidden"
	ReasonTypesAllowed   = "AllAllowed"
)

// forbiddenTypes are the types a member refused to list, with its answer.
type forbiddenTypes struct {
	mu    sync.Mutex
	byGVK map[schema.GroupVersionKind]error
	ever  bool // some type was forbidden once: the condition is kept from then on
}

func (f *forbiddenTypes) set(gvk schema.GroupVersionKind, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err == nil {
		delete(f.byGVK, gvk)
		return
	}
	if f.byGVK == nil {
		f.byGVK = map[schema.GroupVersionKind]error{}
	}
	f.byGVK[gvk], f.ever = err, true
}

func (f *forbiddenTypes) get(gvk schema.GroupVersionKind) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.byGVK[gvk]
}

// condition is the TypesAllowed condition, and false if none is due.
func (f *forbiddenTypes) condition(generation int64) (metav1.Condition, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := metav1.Condition{Type: corev1beta1.ClusterTypesAllowed, ObservedGeneration: generation}
	if len(f.byGVK) == 0 {
		c.Status, c.Reason, c.Message = metav1.ConditionTrue, ReasonTypesAllowed, "the member lets this federation read every type it propagates"
		return c, f.ever
	}
	var kinds []string
	for gvk := range f.byGVK {
		kinds = append(kinds, gvk.GroupKind().String())
	}
	slices.Sort(kinds)
	c.Status, c.Reason = metav1.ConditionFalse, ReasonTypesForbidden
	c.Message = fmt.Sprintf("the member forbids these types to this federation's service account: %s; objects of these types are not propagated there. Join the cluster again (kubefedctl join) to grant the types enabled since", strings.Join(kinds, ", "))
	return c, true
}

// checkAccess asks the member for one object of obj's type, as the member's
// cache would list it, and records whether the member forbids the type. Other
// failures say nothing about access and are left to the watch.
func (r *Registry) checkAccess(ctx context.Context, m *Member, obj client.Object) error {
	gvk, err := apiutil.GVKForObject(obj, r.opts.Scheme)
	if err != nil {
		return err
	}
	list := &metav1.PartialObjectMetadataList{}
	list.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
	opts := []client.ListOption{client.Limit(1)}
	if r.opts.MemberNamespace != "" {
		opts = append(opts, client.InNamespace(r.opts.MemberNamespace))
	}
	err = m.Reader.List(ctx, list, opts...)
	switch {
	case apierrors.IsForbidden(err):
		m.state.forbidden.set(gvk, fmt.Errorf("cluster %s forbids %s to this federation (join it again to grant the type): %w", m.Name, gvk.GroupKind(), err))
		return m.state.forbidden.get(gvk)
	case err == nil:
		m.state.forbidden.set(gvk, nil)
	}
	return nil
}

// forbiddenGuard is a member cache reader that fails at once, with the
// member's refusal, for the types the member forbids.
type forbiddenGuard struct {
	client.Reader
	scheme    *runtime.Scheme
	forbidden *forbiddenTypes
}

func (g forbiddenGuard) refusal(obj runtime.Object) error {
	gvk, err := apiutil.GVKForObject(obj, g.scheme)
	if err != nil {
		return nil // the cache reports it
	}
	if meta.IsListType(obj) {
		gvk.Kind = strings.TrimSuffix(gvk.Kind, "List")
	}
	return g.forbidden.get(gvk)
}

func (g forbiddenGuard) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	if err := g.refusal(obj); err != nil {
		return err
	}
	return g.Reader.Get(ctx, key, obj, opts...)
}

func (g forbiddenGuard) List(ctx context.Context, list client.ObjectList, opts ...client.ListOption) error {
	if err := g.refusal(list); err != nil {
		return err
	}
	return g.Reader.List(ctx, list, opts...)
}
