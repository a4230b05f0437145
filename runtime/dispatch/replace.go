package dispatch

import (
	"context"
	"fmt"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/drift"
)

// replace updates actual in place (a PUT conditional on its resourceVersion)
// so that it becomes desired, keeping only what Replace keeps. A PUT rather than
// server-side apply, because apply cannot remove a field another manager owns;
// never a delete and create, which would interrupt the object's workload and
// lose what the member's controllers keep in it.
func (d *Dispatcher) replace(ctx context.Context, m Member, desired, actual client.Object, verb string) Outcome {
	key := client.ObjectKeyFromObject(desired)
	body, err := replacement(desired, actual)
	if err != nil {
		return failed(fedv1beta1.ComputeResourceFailed, fmt.Errorf("replace %s in cluster %s: %w", key, m.Name, err))
	}
	start := time.Now()
	err = m.Client.Update(ctx, body, client.FieldOwner(FieldManager))
	d.observe(m.Name, verb, start, err)
	if err != nil {
		out := failed(fedv1beta1.UpdateFailed, fmt.Errorf("replace (%s) %s in cluster %s: %w", verb, key, m.Name, err))
		out.stale = apierrors.IsConflict(err)
		return out
	}
	d.Versions.set(m.Name, body)
	return ok()
}

// replacement is the object Replace writes over actual: desired, with actual's
// metadata other than labels and annotations (uid, resourceVersion, finalizers,
// owner references...; managedFields are left out, so the API server keeps
// them), actual's labels and annotations with a key Kubernetes reserves
// (SystemKey) that desired does not set, and actual's status. Fields the API
// server defaults or allocates are left out as desired leaves them out: the API
// server sets them again.
func replacement(desired, actual client.Object) (*unstructured.Unstructured, error) {
	want, err := runtime.DefaultUnstructuredConverter.ToUnstructured(desired.DeepCopyObject())
	if err != nil {
		return nil, fmt.Errorf("desired object: %w", err)
	}
	have, err := runtime.DefaultUnstructuredConverter.ToUnstructured(actual.DeepCopyObject())
	if err != nil {
		return nil, fmt.Errorf("member object: %w", err)
	}
	// Typed objects serialise unset timestamps as null.
	out := pruneNulls(want)
	delete(out, "status")
	if st, ok := have["status"]; ok {
		out["status"] = st
	}
	metadata, _ := have["metadata"].(map[string]any)
	if metadata == nil {
		metadata = map[string]any{}
	}
	delete(metadata, "managedFields")
	wantMetadata, _ := out["metadata"].(map[string]any)
	for _, f := range []string{"labels", "annotations"} {
		kept := map[string]any{}
		if theirs, ok := metadata[f].(map[string]any); ok {
			for k, v := range theirs {
				if SystemKey(k) {
					kept[k] = v
				}
			}
		}
		if ours, ok := wantMetadata[f].(map[string]any); ok {
			for k, v := range ours {
				kept[k] = v
			}
		}
		delete(metadata, f)
		if len(kept) > 0 {
			metadata[f] = kept
		}
	}
	out["metadata"] = metadata
	return &unstructured.Unstructured{Object: out}, nil
}

// check is Ensure under ReadOnly: it reads the member object and reports
// whether it is missing or differs from desired, and never writes. The object
// need not be one this host wrote: reading touches nothing.
func (d *Dispatcher) check(ctx context.Context, m Member, desired client.Object) Outcome {
	key := client.ObjectKeyFromObject(desired)
	actual := newLike(desired)
	err := m.Client.Get(ctx, key, actual)
	if apierrors.IsNotFound(err) {
		// Client may read a cache of managed objects only; one made by hand
		// is read from the API server.
		err = m.Reader.Get(ctx, key, actual)
	}
	switch {
	case apierrors.IsNotFound(err):
		return Outcome{Status: fedv1beta1.Missing, Message: fmt.Sprintf(
			"%s does not exist in cluster %s; the update strategy ReadOnly does not create it", key, m.Name)}
	case err != nil:
		return failed(fedv1beta1.RetrievalFailed, fmt.Errorf("get %s in cluster %s: %w", key, m.Name, err))
	}
	diffs, err := drift.Diff(desired, actual)
	if err != nil {
		return failed(fedv1beta1.ComputeResourceFailed, fmt.Errorf("compare %s in cluster %s: %w", key, m.Name, err))
	}
	if len(diffs) == 0 {
		return observed(ok(), actual)
	}
	const shown = 3
	paths := make([]string, 0, shown)
	for _, diff := range diffs[:min(len(diffs), shown)] {
		paths = append(paths, diff.Path)
	}
	more := ""
	if len(diffs) > shown {
		more = fmt.Sprintf(" and %d more", len(diffs)-shown)
	}
	return observed(Outcome{Status: fedv1beta1.Drifted, Message: fmt.Sprintf(
		"%s in cluster %s differs from the desired object at %s%s; the update strategy ReadOnly does not update it",
		key, m.Name, strings.Join(paths, ", "), more)}, actual)
}
