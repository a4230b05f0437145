package dispatch

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/client-go/util/csaupgrade"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/drift"
)

// FieldManager owns the fields propagation sets in member objects.
const FieldManager = "kubefed"

// Member is a member cluster as dispatch needs it.
type Member struct {
	Name string
	// Client reads from the member's cache of managed objects and writes to the member.
	Client client.Client
	// Reader reads straight from the member's API server.
	Reader client.Reader
	// Origin is what member objects written for this cluster by this host record
	// in fedv1beta1.OriginAnnotation.
	Origin string
}

// Outcome is what happened to the object in one cluster.
type Outcome struct {
	Status  fedv1beta1.PropagationStatus
	Message string
	// Observed is, after Ensure, the member object this host wrote for the
	// cluster as last read or written (its status is the member's), or nil
	// when there is none.
	Observed client.Object
	// stale says a conditional write failed because the object had changed
	// since it was read.
	stale bool
}

func ok() Outcome { return Outcome{Status: fedv1beta1.ClusterPropagationOK} }

// failed is the outcome of a write or read that failed with err. A create, update
// or delete that failed because the member did not answer in time gets KubeFed's
// *TimedOut reason instead of *Failed: the member, not the object, is the
// problem, and a retry may well succeed.
func failed(status fedv1beta1.PropagationStatus, err error) Outcome {
	if timedOut, ok := timedOutStatus[status]; ok && isTimeout(err) {
		status = timedOut
	}
	return Outcome{Status: status, Message: err.Error()}
}

var timedOutStatus = map[fedv1beta1.PropagationStatus]fedv1beta1.PropagationStatus{
	fedv1beta1.CreationFailed: fedv1beta1.CreationTimedOut,
	fedv1beta1.UpdateFailed:   fedv1beta1.UpdateTimedOut,
	fedv1beta1.DeletionFailed: fedv1beta1.DeletionTimedOut,
}

// isTimeout says whether err means the member did not answer in time: the
// request's deadline passed, the connection timed out (net.Error and the
// clients' errors wrapping one say so with Timeout), or the member answered that
// it could not finish in time.
func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &t) && t.Timeout()) ||
		apierrors.IsTimeout(err) || apierrors.IsServerTimeout(err)
}

// Dispatcher writes desired objects into member clusters. It is safe for concurrent use.
type Dispatcher struct {
	Versions *Versions
	// Observe, if set, is told of every write: cluster, verb, duration and error.
	Observe func(cluster, verb string, took time.Duration, err error)
}

// Ensure makes the member hold desired as strategy says (see Strategy), writing
// only when it does not already. With adopt, an object that exists and is not
// managed is taken over (except under CreateOnly, which never updates); without,
// it is left alone and reported as AlreadyExists.
func (d *Dispatcher) Ensure(ctx context.Context, m Member, desired client.Object, adopt bool, strategy Strategy) Outcome {
	if strategy == ReadOnly {
		return d.check(ctx, m, desired)
	}
	desired, err := withManagedMetadata(desired, m.Origin, strategy)
	if err != nil {
		return failed(fedv1beta1.ComputeResourceFailed, err)
	}
	key := client.ObjectKeyFromObject(desired)
	actual := newLike(desired)
	err = m.Client.Get(ctx, key, actual)
	switch {
	case apierrors.IsNotFound(err):
		// A plain create is the cheapest write, and it fails rather than taking
		// over an object that exists unmanaged (the cache holds managed ones only).
		created := desired.DeepCopyObject().(client.Object)
		start := time.Now()
		err = m.Client.Create(ctx, created, client.FieldOwner(FieldManager))
		d.observe(m.Name, "create", start, err)
		if err == nil {
			d.Versions.set(m.Name, created)
			return observed(ok(), created)
		}
		if !apierrors.IsAlreadyExists(err) {
			return failed(fedv1beta1.CreationFailed, fmt.Errorf("create %s in cluster %s: %w", key, m.Name, err))
		}
		if err := m.Reader.Get(ctx, key, actual); err != nil {
			return failed(fedv1beta1.RetrievalFailed, err)
		}
	case err != nil:
		return failed(fedv1beta1.CachedRetrievalFailed, err)
	}
	out := d.update(ctx, m, desired, actual, adopt, strategy)
	if out.stale {
		// Replace's update is conditional on the version read, and the member
		// object changed since (the cache was behind, or the member's
		// controllers wrote its status): decide once more on what it holds now.
		fresh := newLike(desired)
		if err := m.Reader.Get(ctx, key, fresh); err != nil {
			return failed(fedv1beta1.RetrievalFailed, err)
		}
		out = d.update(ctx, m, desired, fresh, adopt, strategy)
	}
	return out
}

// update brings actual, the member's object of desired, in line with desired
// as strategy says, when it may.
func (d *Dispatcher) update(ctx context.Context, m Member, desired, actual client.Object, adopt bool, strategy Strategy) Outcome {
	key := client.ObjectKeyFromObject(desired)
	// Found unmanaged at create time, or read by a Client that does not filter
	// by the managed label, or labelled managed with no origin (by KubeFed, an
	// older version, or a hand that copied the label): only adoption may take it
	// over, and it records the origin.
	if !isManaged(actual) || origin(actual) == "" {
		switch {
		case strategy == CreateOnly:
			return Outcome{Status: fedv1beta1.AlreadyExists, Message: fmt.Sprintf(
				"%s exists in cluster %s and was not written by this federation; the update strategy CreateOnly never adopts an object", key, m.Name)}
		case !adopt:
			return Outcome{Status: fedv1beta1.AlreadyExists, Message: fmt.Sprintf(
				"%s exists in cluster %s and was not written by this federation; enable adoptResources in the KubeFedConfig to adopt it", key, m.Name)}
		}
		out := d.write(ctx, m, desired, actual, "adopt", strategy)
		if out.Status == fedv1beta1.ClusterPropagationOK {
			out.Observed = actual
		}
		return out
	}
	if !ours(actual, m) {
		return Outcome{Status: fedv1beta1.AlreadyExists, Message: foreign(actual, m)}
	}
	if actual.GetDeletionTimestamp() != nil {
		return Outcome{Status: fedv1beta1.WaitingForRemoval, Message: "the object is being deleted in the member cluster; it is created again once it is gone"}
	}
	// Under CreateOnly the object is the member's once created. Otherwise a
	// version this process wrote or checked, or a member that holds what the
	// strategy makes of desired, needs no write.
	if strategy == CreateOnly || (actual.GetAnnotations()[fedv1beta1.DesiredHashAnnotation] == desired.GetAnnotations()[fedv1beta1.DesiredHashAnnotation] &&
		(d.Versions.get(m.Name, actual) == actual.GetResourceVersion() || holds(desired, actual, strategy))) {
		d.Versions.set(m.Name, actual)
		return observed(ok(), actual)
	}
	return observed(d.write(ctx, m, desired, actual, "update", strategy), actual)
}

// write updates actual, an object that exists in the member, to desired as
// strategy writes: an update in place under Replace, server-side apply
// otherwise.
func (d *Dispatcher) write(ctx context.Context, m Member, desired, actual client.Object, verb string, strategy Strategy) Outcome {
	if strategy == Replace {
		return d.replace(ctx, m, desired, actual, verb)
	}
	return d.apply(ctx, m, desired, actual, verb, fedv1beta1.UpdateFailed)
}

// holds says whether actual is what strategy makes of desired: under Apply it
// holds every desired field (see package drift); under Replace, also no field
// is left that Replace removes.
func holds(desired, actual client.Object, strategy Strategy) bool {
	if !inSync(desired, actual) {
		return false
	}
	if strategy != Replace {
		return true
	}
	removes, err := ReplaceRemoves(actual)
	return err == nil && len(removes) == 0
}

// observed is out with the member object it is about; an apply leaves the
// member's status as it was, so the object read before it still tells it.
func observed(out Outcome, obj client.Object) Outcome {
	out.Observed = obj
	return out
}

// apply writes desired with server-side apply, forcing ownership of its fields: the
// template is the source of truth, and fields dropped from it are dropped in the member.
func (d *Dispatcher) apply(ctx context.Context, m Member, desired, actual client.Object, verb string, failure fedv1beta1.PropagationStatus) Outcome {
	// Fields written by the create belong to it, not to the apply; hand them over
	// once, so that a field later dropped from the template is dropped here too.
	upgrade, err := csaupgrade.UpgradeManagedFieldsPatch(actual, sets.New(FieldManager), FieldManager)
	if err != nil {
		return failed(fedv1beta1.UpdateFailed, fmt.Errorf("take over fields of %s in cluster %s: %w", client.ObjectKeyFromObject(desired), m.Name, err))
	}
	if upgrade != nil {
		start := time.Now()
		err := m.Client.Patch(ctx, actual, client.RawPatch(types.JSONPatchType, upgrade))
		d.observe(m.Name, "update", start, err)
		if err != nil {
			return failed(failure, fmt.Errorf("take over fields of %s in cluster %s: %w", client.ObjectKeyFromObject(desired), m.Name, err))
		}
	}
	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(desired)
	if err != nil {
		return failed(fedv1beta1.ComputeResourceFailed, err)
	}
	delete(content, "status")
	// Typed objects serialise unset timestamps as null; applying null would claim
	// fields the template never set.
	u := &unstructured.Unstructured{Object: pruneNulls(content)}
	start := time.Now()
	err = m.Client.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), client.ForceOwnership, client.FieldOwner(FieldManager))
	d.observe(m.Name, verb, start, err)
	if err != nil {
		return failed(failure, fmt.Errorf("%s %s in cluster %s: %w", verb, client.ObjectKeyFromObject(desired), m.Name, err))
	}
	d.Versions.set(m.Name, u)
	return ok()
}

// Remove deletes the managed object from the member. It returns true once the
// object is gone; objects not managed by federation are never deleted.
func (d *Dispatcher) Remove(ctx context.Context, m Member, obj client.Object) (bool, Outcome) {
	actual := newLike(obj)
	err := d.getWritten(ctx, m, obj, actual)
	if apierrors.IsNotFound(err) || (err == nil && !ours(actual, m)) {
		// Never delete what this host did not write for this cluster.
		d.Versions.Forget(m.Name, obj)
		return true, ok()
	}
	if err != nil {
		return false, failed(fedv1beta1.CachedRetrievalFailed, err)
	}
	if actual.GetDeletionTimestamp() == nil {
		start := time.Now()
		uid := actual.GetUID()
		err = m.Client.Delete(ctx, actual, client.Preconditions{UID: &uid}, client.PropagationPolicy(metav1.DeletePropagationBackground))
		d.observe(m.Name, "delete", start, err)
		if err != nil && !apierrors.IsNotFound(err) {
			return false, failed(fedv1beta1.DeletionFailed, fmt.Errorf("delete %s in cluster %s: %w", client.ObjectKeyFromObject(obj), m.Name, err))
		}
		// Most objects go at once (no finalizers in the member): finding that
		// out now costs a read, and saves the federated object a status write
		// and a second pass.
		if err == nil {
			err = m.Reader.Get(ctx, client.ObjectKeyFromObject(obj), newLike(obj))
		}
		if apierrors.IsNotFound(err) {
			d.Versions.Forget(m.Name, obj)
			return true, ok()
		}
	}
	return false, Outcome{Status: fedv1beta1.WaitingForRemoval, Message: "waiting for the object to be deleted in the member cluster"}
}

// Orphan leaves the member object in place but no longer managed: it loses the
// managed label and the desired hash, so federation never touches it again.
func (d *Dispatcher) Orphan(ctx context.Context, m Member, obj client.Object) Outcome {
	actual := newLike(obj)
	err := d.getWritten(ctx, m, obj, actual)
	if apierrors.IsNotFound(err) || (err == nil && !ours(actual, m)) {
		return ok()
	}
	if err != nil {
		return failed(fedv1beta1.CachedRetrievalFailed, err)
	}
	return d.unlabel(ctx, m, obj, actual)
}

// ReleaseStray removes the managed label from the member object of obj when it
// carries the label with no origin and no federated object is behind it (labelled
// by hand, or left by KubeFed), as KubeFed did. Objects with an origin are left
// alone: another federation's are not ours to touch, and this host's own exist
// only while their federated object does (or were left by a forced removal of
// its finalizer, to be picked up again when it is re-created).
func (d *Dispatcher) ReleaseStray(ctx context.Context, m Member, obj client.Object) Outcome {
	actual := newLike(obj)
	err := m.Client.Get(ctx, client.ObjectKeyFromObject(obj), actual)
	if apierrors.IsNotFound(err) || (err == nil && (!isManaged(actual) || origin(actual) != "" || actual.GetDeletionTimestamp() != nil)) {
		return ok()
	}
	if err != nil {
		return failed(fedv1beta1.CachedRetrievalFailed, err)
	}
	return d.unlabel(ctx, m, obj, actual)
}

// unlabel removes what marks actual as managed: the label, the desired hash and
// the origin.
func (d *Dispatcher) unlabel(ctx context.Context, m Member, obj, actual client.Object) Outcome {
	patch := fmt.Appendf(nil, `{"metadata":{"labels":{%q:null},"annotations":{%q:null,%q:null}}}`,
		fedv1beta1.ManagedLabel, fedv1beta1.DesiredHashAnnotation, fedv1beta1.OriginAnnotation)
	start := time.Now()
	err := m.Client.Patch(ctx, actual, client.RawPatch(types.MergePatchType, patch))
	d.observe(m.Name, "orphan", start, err)
	if err != nil && !apierrors.IsNotFound(err) {
		return failed(fedv1beta1.LabelRemovalFailed, fmt.Errorf("remove label %s from %s in cluster %s: %w", fedv1beta1.ManagedLabel, client.ObjectKeyFromObject(obj), m.Name, err))
	}
	d.Versions.Forget(m.Name, obj)
	return ok()
}

// getWritten reads the member object of obj into actual for removal or
// orphaning. Client reads a cache, which may not show an object this process has
// just created yet; believing its "not found" would let the federated object go
// and leave the member object behind for ever. So when the cache has none but
// this process wrote one, the API server is asked.
func (d *Dispatcher) getWritten(ctx context.Context, m Member, obj, actual client.Object) error {
	key := client.ObjectKeyFromObject(obj)
	err := m.Client.Get(ctx, key, actual)
	if apierrors.IsNotFound(err) && d.Versions.get(m.Name, obj) != "" {
		err = m.Reader.Get(ctx, key, actual)
	}
	return err
}

func (d *Dispatcher) observe(cluster, verb string, start time.Time, err error) {
	if d.Observe != nil {
		d.Observe(cluster, verb, time.Since(start), err)
	}
}

// withManagedMetadata returns a copy of desired with the managed label, the origin
// and the hash of desired itself. Under Replace the hash says so: a member
// object last written under another strategy is written again once, since a
// version written by server-side apply may hold fields Replace removes.
func withManagedMetadata(desired client.Object, origin string, strategy Strategy) (client.Object, error) {
	hash, err := DesiredHash(desired)
	if err != nil {
		return nil, fmt.Errorf("hash desired object: %w", err)
	}
	if strategy == Replace {
		hash += "+" + string(Replace)
	}
	out := desired.DeepCopyObject().(client.Object)
	labels := out.GetLabels()
	if labels == nil {
		labels = map[string]string{}
	}
	labels[fedv1beta1.ManagedLabel] = "true"
	out.SetLabels(labels)
	annotations := out.GetAnnotations()
	if annotations == nil {
		annotations = map[string]string{}
	}
	annotations[fedv1beta1.DesiredHashAnnotation] = hash
	annotations[fedv1beta1.OriginAnnotation] = origin
	out.SetAnnotations(annotations)
	return out, nil
}

// inSync says whether actual holds what desired sets; see package drift.
func inSync(desired, actual client.Object) bool {
	diffs, err := drift.Diff(desired, actual)
	return err == nil && len(diffs) == 0
}

func isManaged(obj client.Object) bool { return obj.GetLabels()[fedv1beta1.ManagedLabel] == "true" }

// ours says whether obj is managed and was written by this host for m (see
// fedv1beta1.OriginAnnotation). The label alone is not enough: anyone can copy it.
func ours(obj client.Object, m Member) bool {
	return isManaged(obj) && origin(obj) == m.Origin
}

func origin(obj client.Object) string { return obj.GetAnnotations()[fedv1beta1.OriginAnnotation] }

func foreign(obj client.Object, m Member) string {
	return fmt.Sprintf("%s in cluster %s is managed by another federation or cluster registration (origin %q, this one is %q); it is left alone",
		client.ObjectKeyFromObject(obj), m.Name, origin(obj), m.Origin)
}

// newLike returns an empty object of obj's Go type; decoding into a copy would keep
// fields the server no longer has.
func newLike(obj client.Object) client.Object {
	if u, ok := obj.(*unstructured.Unstructured); ok {
		out := &unstructured.Unstructured{}
		out.SetGroupVersionKind(u.GroupVersionKind())
		return out
	}
	return reflect.New(reflect.TypeOf(obj).Elem()).Interface().(client.Object)
}

// pruneNulls removes null values from a JSON object, recursively.
func pruneNulls(obj map[string]any) map[string]any {
	for k, v := range obj {
		switch v := v.(type) {
		case nil:
			delete(obj, k)
		case map[string]any:
			pruneNulls(v)
		case []any:
			for _, item := range v {
				if m, ok := item.(map[string]any); ok {
					pruneNulls(m)
				}
			}
		}
	}
	return obj
}
