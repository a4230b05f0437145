package dispatch

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"sync"

	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Versions remembers, per member object, the resourceVersion it had right after this
// process last wrote or checked it. While a member object still has that version,
// nothing can have drifted and no comparison is needed; KubeFed kept the same facts
// in PropagatedVersion objects in the host, at the cost of a host write per change.
type Versions struct {
	mu   sync.Mutex
	seen map[string]seenVersion
}

// seenVersion is what is kept of a member object's version.
type seenVersion struct {
	resourceVersion string
	generation      int64
}

// NewVersions returns an empty tracker.
func NewVersions() *Versions { return &Versions{seen: map[string]seenVersion{}} }

func versionKey(cluster string, obj client.Object) string {
	return cluster + "/" + obj.GetNamespace() + "/" + obj.GetName()
}

func (v *Versions) get(cluster string, obj client.Object) string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.seen[versionKey(cluster, obj)].resourceVersion
}

func (v *Versions) set(cluster string, obj client.Object) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.seen[versionKey(cluster, obj)] = seenVersion{resourceVersion: obj.GetResourceVersion(), generation: obj.GetGeneration()}
}

// Known says whether obj, as read from cluster, is exactly the version this
// process last wrote or checked: the watch event of a write of its own, which can
// hold no drift.
func (v *Versions) Known(cluster string, obj client.Object) bool {
	rv := v.get(cluster, obj)
	return rv != "" && rv == obj.GetResourceVersion()
}

// ObjectVersion is the version of the member object in cluster with obj's
// namespace and name right after this process last wrote or checked it, in
// KubeFed's format (see ObjectVersion), or "" when none is known.
func (v *Versions) ObjectVersion(cluster string, obj client.Object) string {
	v.mu.Lock()
	defer v.mu.Unlock()
	seen, ok := v.seen[versionKey(cluster, obj)]
	if !ok {
		return ""
	}
	return objectVersion(seen.generation, seen.resourceVersion)
}

// ObjectVersion is KubeFed's version of a member object, as its
// PropagatedVersions record it: "gen:<generation>" when the object has a
// generation, else "rv:<resourceVersion>".
func ObjectVersion(obj client.Object) string {
	return objectVersion(obj.GetGeneration(), obj.GetResourceVersion())
}

func objectVersion(generation int64, resourceVersion string) string {
	if generation != 0 {
		return "gen:" + strconv.FormatInt(generation, 10)
	}
	return "rv:" + resourceVersion
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
