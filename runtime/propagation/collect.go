package propagation

import (
	"bytes"
	"encoding/json"
	"maps"
	"reflect"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/health"
	"github.com/kubefed-gen/kubefed/runtime/status"
)

// Defaults of the coalescing of collected status (Options.StatusInterval and
// Options.StatusWritesPerSecond).
const (
	DefaultStatusInterval        = 2 * time.Second
	DefaultStatusWritesPerSecond = 50
)

// memberChanged drops member updates that matter neither to drift nor, while
// the type's status is collected, to its status: without collection, those
// that change only the status or the member's own metadata; with it, only
// resyncs, which change nothing. Objects without a generation (ConfigMaps,
// Secrets) change their content without one, so they always pass.
func (r *reconciler) memberChanged() predicate.Predicate {
	return predicate.Funcs{
		UpdateFunc: func(e event.UpdateEvent) bool {
			o, n := e.ObjectOld, e.ObjectNew
			if r.collecting.Load() {
				return o.GetResourceVersion() != n.GetResourceVersion()
			}
			return n.GetGeneration() == 0 || o.GetGeneration() != n.GetGeneration() ||
				!maps.Equal(o.GetLabels(), n.GetLabels()) || !maps.Equal(o.GetAnnotations(), n.GetAnnotations()) ||
				!o.GetDeletionTimestamp().Equal(n.GetDeletionTimestamp())
		},
	}
}

// remoteOf is what status collection records of obj, the member object as
// dispatch last saw it (nil: none), read at now. healthCondition is the
// condition the type names as meaning healthy, if any (health.For).
func remoteOf(obj client.Object, healthCondition string, now time.Time) status.Remote {
	remote := status.Remote{Health: health.For(obj, healthCondition)}
	remote.ObservedAt.Time = now
	if obj == nil {
		return remote
	}
	var st, replicas, ready any
	if u, ok := obj.(*unstructured.Unstructured); ok {
		st = u.Object["status"]
		replicas, _, _ = unstructured.NestedFieldNoCopy(u.Object, "spec", "replicas")
		ready, _, _ = unstructured.NestedFieldNoCopy(u.Object, "status", "readyReplicas")
	} else {
		// Typed objects by reflection: a conversion of the whole object to
		// find its status would cost more than the rest of a reconcile.
		v := reflect.Indirect(reflect.ValueOf(obj))
		if f := v.FieldByName("Status"); f.IsValid() && !(f.Kind() == reflect.Pointer && f.IsNil()) {
			st = f.Interface()
			// Some types (often CRDs' Go types) hold their status by pointer.
			if f = reflect.Indirect(f); f.Kind() == reflect.Struct {
				if rr := f.FieldByName("ReadyReplicas"); rr.IsValid() && rr.Kind() == reflect.Int32 {
					ready = rr.Int()
				}
			}
		}
		if spec := v.FieldByName("Spec"); spec.IsValid() && spec.Kind() == reflect.Struct {
			if r := spec.FieldByName("Replicas"); r.IsValid() && r.Type() == reflect.TypeFor[*int32]() {
				replicas = int64(1) // the API server's default
				if !r.IsNil() {
					replicas = r.Elem().Int()
				}
			}
		}
	}
	if st != nil {
		if raw, err := json.Marshal(st); err == nil && string(raw) != "null" {
			remote.Status = &runtime.RawExtension{Raw: withoutNulls(raw)}
		}
	}
	if n, ok := asInt32(replicas); ok {
		remote.Replicas = &n
		r, _ := asInt32(ready)
		remote.ReadyReplicas = &r
	}
	return remote
}

// withoutNulls drops the null fields of a JSON object (Go types write unset
// times and lists as null): a typed remoteStatus schema would refuse them, and
// the host stores nothing less for them.
func withoutNulls(raw []byte) []byte {
	if !bytes.Contains(raw, []byte("null")) {
		return raw
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return raw
	}
	out, err := json.Marshal(dropNulls(v))
	if err != nil {
		return raw
	}
	return out
}

func dropNulls(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if e == nil {
				delete(v, k)
				continue
			}
			v[k] = dropNulls(e)
		}
	case []any:
		for i, e := range v {
			v[i] = dropNulls(e)
		}
	}
	return v
}

func asInt32(v any) (int32, bool) {
	switch n := v.(type) {
	case int64:
		return int32(n), true
	case float64:
		return int32(n), true
	case int32:
		return n, true
	}
	return 0, false
}

// remember keeps what was collected of obj's member object in cluster, to
// report it stale should the member become unreachable.
func (r *reconciler) remember(key types.NamespacedName, cluster string, remote status.Remote) {
	r.mu.Lock()
	defer r.mu.Unlock()
	byCluster := r.observed[key]
	if byCluster == nil {
		byCluster = map[string]status.Remote{}
		r.observed[key] = byCluster
	}
	byCluster[cluster] = remote
}

// stale is the last collected status of key's object in cluster, marked
// stale: from memory, or, after a restart, from the status last written.
func (r *reconciler) stale(key types.NamespacedName, cluster string, fed *fedv1beta1.GenericFederatedStatus) status.Remote {
	r.mu.Lock()
	remote, ok := r.observed[key][cluster]
	r.mu.Unlock()
	if !ok {
		for _, c := range fed.Clusters {
			if c.Name != cluster {
				continue
			}
			remote = status.Remote{Status: c.RemoteStatus, Health: c.Health}
			if c.LastObservedTime != nil {
				remote.ObservedAt = *c.LastObservedTime
			}
		}
	}
	remote.Stale, remote.Health = true, fedv1beta1.HealthUnknown
	return remote
}

// collectedOnly says whether the change from before to after is only in what
// status collection adds, the Ready condition included: such a write may wait
// to be coalesced.
func collectedOnly(before, after *fedv1beta1.GenericFederatedStatus) bool {
	b, a := status.WithoutCollected(before), status.WithoutCollected(after)
	meta.RemoveStatusCondition(&b.Conditions, fedv1beta1.ConditionReady)
	meta.RemoveStatusCondition(&a.Conditions, fedv1beta1.ConditionReady)
	return reflect.DeepEqual(b, a)
}

// andReady makes the Ready condition follow what mutate does to the status:
// it sums up the collected health of every placed cluster when collect says
// the type's status is collected, and is removed when not (health.SetReady).
func andReady(mutate func(*fedv1beta1.GenericFederatedStatus) bool, generation int64, collect bool) func(*fedv1beta1.GenericFederatedStatus) bool {
	return func(st *fedv1beta1.GenericFederatedStatus) bool {
		changed := mutate(st)
		return health.SetReady(st, generation, collect) || changed
	}
}

// statusWait is how long a status write that changes only collected status
// must wait, 0 if it may go now: at most one such write per object per
// StatusInterval, and StatusWritesPerSecond per type. A write that may go is
// counted as done.
func (r *reconciler) statusWait(key types.NamespacedName, now time.Time) time.Duration {
	r.mu.Lock()
	last, ok := r.lastWrite[key]
	r.mu.Unlock()
	if ok {
		if wait := r.opts.StatusInterval - now.Sub(last); wait > 0 {
			return wait
		}
	}
	res := r.statusLimiter.ReserveN(now, 1)
	if wait := res.DelayFrom(now); wait > 0 {
		res.CancelAt(now)
		return wait
	}
	return 0
}

func (r *reconciler) noteWrite(key types.NamespacedName, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lastWrite[key] = at
}
