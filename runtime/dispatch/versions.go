package dispatch

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sync"

	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/conversion"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Versions remembers, per member object, the resourceVersion it had right after this
// process last wrote or checked it. While a member object still has that version,
// nothing can have drifted and no comparison is needed; KubeFed kept the same facts
// in PropagatedVersion objects in the host, at the cost of a host write per change.
type Versions struct {
	mu   sync.Mutex
	seen map[string]string
}

// NewVersions returns an empty tracker.
func NewVersions() *Versions { return &Versions{seen: map[string]string{}} }

func versionKey(cluster string, obj client.Object) string {
	return cluster + "/" + obj.GetNamespace() + "/" + obj.GetName()
}

func (v *Versions) get(cluster string, obj client.Object) string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.seen[versionKey(cluster, obj)]
}

func (v *Versions) set(cluster string, obj client.Object) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.seen[versionKey(cluster, obj)] = obj.GetResourceVersion()
}

// Forget drops what is known of an object, e.g. once it is deleted.
func (v *Versions) Forget(cluster string, obj client.Object) {
	v.mu.Lock()
	defer v.mu.Unlock()
	delete(v.seen, versionKey(cluster, obj))
}

// DesiredHash is a stable hash of a desired object (JSON has sorted map keys).
func DesiredHash(obj client.Object) (string, error) {
	data, err := json.Marshal(obj)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:16]), nil
}

// inSync says whether actual holds everything desired sets. Fields desired leaves
// unset are ignored, so defaults and other writers' fields in the member are not
// drift; metadata other than labels and annotations is the member's own.
func inSync(desired, actual client.Object) bool {
	if !subset(desired.GetLabels(), actual.GetLabels()) || !subset(desired.GetAnnotations(), actual.GetAnnotations()) {
		return false
	}
	d := desired.DeepCopyObject().(client.Object)
	a := actual.DeepCopyObject().(client.Object)
	for _, o := range []client.Object{d, a} {
		o.SetLabels(nil)
		o.SetAnnotations(nil)
		o.SetResourceVersion("")
		o.SetManagedFields(nil)
		// The member's own metadata; only labels and annotations are propagated.
		o.SetUID("")
		o.SetGeneration(0)
		o.SetCreationTimestamp(metav1.Time{})
		// Objects read through a typed cache carry no type; the desired object does.
		o.GetObjectKind().SetGroupVersionKind(schema.GroupVersionKind{})
	}
	return derivative.DeepDerivative(d, a)
}

// derivative is semantic equality in which a value the desired object leaves at
// its zero value is unset, also for the types semantic equality compares by value:
// timestamps, and int-or-strings the API server defaults (a Service's targetPort).
var derivative = func() conversion.Equalities {
	eq := equality.Semantic.Copy()
	if err := eq.AddFuncs(
		func(desired, actual metav1.Time) bool { return desired.IsZero() || desired.UTC() == actual.UTC() },
		func(desired, actual intstr.IntOrString) bool {
			return desired == intstr.IntOrString{} || desired == actual
		},
	); err != nil {
		panic(err) // the functions above have the shape AddFuncs wants
	}
	return eq
}()

func subset(want, have map[string]string) bool {
	for k, v := range want {
		if hv, ok := have[k]; !ok || hv != v {
			return false
		}
	}
	return true
}
