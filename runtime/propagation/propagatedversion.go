package propagation

import (
	"context"
	"crypto/md5" //nolint:gosec // KubeFed's version format, not a security measure
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	corev1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1alpha1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/dispatch"
	"github.com/kubefed-gen/kubefed/runtime/fedtype"
)

// propagatedVersions writes KubeFed's record of what was propagated for each
// federated object of one type: a PropagatedVersion beside a namespaced
// federated object, a ClusterPropagatedVersion for a cluster-scoped one, named
// and filled as KubeFed's sync controller did. The sync controller does not
// read them back (it keeps versions in memory and in member annotations); they
// are written for tools and users that read KubeFed's objects, at the cost of
// host writes (Options.WritePropagatedVersions), so a record is written only
// when its content changes.
type propagatedVersions struct {
	host client.Client
	info fedtype.Info
	// versions are the dispatcher's: the member object versions after its
	// last write or check.
	versions *dispatch.Versions

	mu sync.Mutex
	// written is the status this process last wrote or read, per federated object.
	written map[types.NamespacedName]corev1alpha1.PropagatedVersionStatus
}

func newPropagatedVersions(host client.Client, info fedtype.Info, versions *dispatch.Versions) *propagatedVersions {
	return &propagatedVersions{host: host, info: info, versions: versions, written: map[types.NamespacedName]corev1alpha1.PropagatedVersionStatus{}}
}

// record writes what was propagated of obj (fed is its federated view, target
// the object its template describes) to the placed clusters, as results say.
func (p *propagatedVersions) record(ctx context.Context, obj client.Object, fed fedtype.Federated, target client.Object, placed []string, results []clusterResult) error {
	templateVersion, err := TemplateVersion(obj)
	if err != nil {
		return err
	}
	overrideVersion, err := OverrideVersion(fed.ClusterOverrides())
	if err != nil {
		return err
	}
	key := p.key(fed)
	version := p.newObject(key)
	previous, found, err := p.previous(ctx, version)
	if err != nil {
		return err
	}
	// As KubeFed: the clusters written or checked now, and the placed clusters
	// that failed now keep the version of their last write, unless the
	// template or overrides changed since.
	current := map[string]string{}
	for _, res := range results {
		if res.status != fedv1beta1.ClusterPropagationOK {
			continue
		}
		if v := p.versions.ObjectVersion(res.name, target); v != "" {
			current[res.name] = v
		}
	}
	if found && previous.TemplateVersion == templateVersion && previous.OverrideVersion == overrideVersion {
		isPlaced := map[string]bool{}
		for _, c := range placed {
			isPlaced[c] = true
		}
		for _, cv := range previous.ClusterVersions {
			if _, ok := current[cv.ClusterName]; !ok && isPlaced[cv.ClusterName] {
				current[cv.ClusterName] = cv.Version
			}
		}
	}
	status := corev1alpha1.PropagatedVersionStatus{TemplateVersion: templateVersion, OverrideVersion: overrideVersion, ClusterVersions: clusterVersions(current)}
	if found && reflect.DeepEqual(previous, status) {
		return nil
	}
	if !found {
		version.SetOwnerReferences([]metav1.OwnerReference{{
			APIVersion: p.info.Federated.GroupVersion().String(),
			Kind:       p.info.Federated.Kind,
			Name:       fed.GetName(),
			UID:        fed.GetUID(),
		}})
		// The status is a subresource: a create drops it, so it is written next.
		err := p.host.Create(ctx, version)
		observeHostWrite(p.info.Name, "propagatedversion", err)
		if err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("create %s %s: %w", version.GetObjectKind().GroupVersionKind().Kind, key, err)
		}
	}
	// A merge patch of the whole status, without a resourceVersion: the record
	// is this controller's alone. clusterVersions is sent as null when empty,
	// so that a list written before is dropped.
	patch, err := json.Marshal(map[string]any{"status": map[string]any{
		"templateVersion":  status.TemplateVersion,
		"overridesVersion": status.OverrideVersion,
		"clusterVersions":  status.ClusterVersions,
	}})
	if err != nil {
		return err
	}
	err = p.host.Status().Patch(ctx, version, client.RawPatch(types.MergePatchType, patch), client.FieldOwner(StatusFieldManager))
	observeHostWrite(p.info.Name, "propagatedversion", err)
	if apierrors.IsNotFound(err) {
		// Deleted by someone else since it was last seen: the retry creates it.
		p.forget(key)
	}
	if err != nil {
		return fmt.Errorf("write the status of %s %s: %w", version.GetObjectKind().GroupVersionKind().Kind, key, err)
	}
	p.remember(key, status)
	return nil
}

// remove deletes the record of the federated object key, which is gone: the
// host may run no garbage collector to follow the owner reference.
func (p *propagatedVersions) remove(ctx context.Context, key types.NamespacedName) error {
	version := p.newObject(types.NamespacedName{Namespace: key.Namespace, Name: corev1alpha1.PropagatedVersionName(p.info.Target.Kind, key.Name)})
	if _, found, err := p.previous(ctx, version); err != nil || !found {
		return err
	}
	err := p.host.Delete(ctx, version)
	observeHostWrite(p.info.Name, "propagatedversion", client.IgnoreNotFound(err))
	if client.IgnoreNotFound(err) != nil {
		return fmt.Errorf("delete %s %s: %w", version.GetObjectKind().GroupVersionKind().Kind, client.ObjectKeyFromObject(version), err)
	}
	p.forget(client.ObjectKeyFromObject(version))
	return nil
}

// key is the namespace and name of fed's record.
func (p *propagatedVersions) key(fed fedtype.Federated) types.NamespacedName {
	return types.NamespacedName{Namespace: fed.GetNamespace(), Name: corev1alpha1.PropagatedVersionName(p.info.Target.Kind, fed.GetName())}
}

// newObject is an empty record called key: cluster-scoped for a cluster-scoped
// federated type, as KubeFed keyed the choice on the federated type's scope.
func (p *propagatedVersions) newObject(key types.NamespacedName) client.Object {
	var obj client.Object = &corev1alpha1.ClusterPropagatedVersion{}
	if p.info.Federated.Namespaced {
		obj = &corev1alpha1.PropagatedVersion{}
	}
	gvk := corev1alpha1.SchemeGroupVersion.WithKind(reflect.TypeOf(obj).Elem().Name())
	obj.GetObjectKind().SetGroupVersionKind(gvk)
	obj.SetNamespace(key.Namespace)
	obj.SetName(key.Name)
	return obj
}

// previous is the status of version last written by this process, else as the
// host's cache holds it; found is false when there is none.
func (p *propagatedVersions) previous(ctx context.Context, version client.Object) (corev1alpha1.PropagatedVersionStatus, bool, error) {
	key := client.ObjectKeyFromObject(version)
	p.mu.Lock()
	status, ok := p.written[key]
	p.mu.Unlock()
	if ok {
		return status, true, nil
	}
	err := p.host.Get(ctx, key, version)
	if apierrors.IsNotFound(err) {
		return status, false, nil
	}
	if err != nil {
		return status, false, fmt.Errorf("read %s %s: %w", version.GetObjectKind().GroupVersionKind().Kind, key, err)
	}
	switch v := version.(type) {
	case *corev1alpha1.PropagatedVersion:
		status = v.Status
	case *corev1alpha1.ClusterPropagatedVersion:
		status = v.Status
	}
	p.remember(key, status)
	return status, true, nil
}

func (p *propagatedVersions) forget(key types.NamespacedName) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.written, key)
}

func (p *propagatedVersions) remember(key types.NamespacedName, status corev1alpha1.PropagatedVersionStatus) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.written[key] = status
}

// clusterVersions lists versions by cluster name, as KubeFed sorts them; nil
// when there are none, as KubeFed's status reads back.
func clusterVersions(versions map[string]string) []corev1alpha1.ClusterObjectVersion {
	var out []corev1alpha1.ClusterObjectVersion
	for cluster, version := range versions {
		out = append(out, corev1alpha1.ClusterObjectVersion{ClusterName: cluster, Version: version})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ClusterName < out[j].ClusterName })
	return out
}

// TemplateVersion is KubeFed's template version of a federated object: the
// hex MD5 of the JSON of spec.template, "" without one. A typed object is
// hashed as it encodes, which need not be byte for byte what the API server
// stores (an empty field the server keeps is left out), so the value can differ
// from the one KubeFed computed for the same object; it changes exactly when
// the template does.
func TemplateVersion(obj client.Object) (string, error) {
	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return "", fmt.Errorf("template version: %w", err)
	}
	template, found, err := unstructured.NestedMap(content, "spec", "template")
	if err != nil || !found {
		return "", err
	}
	// KubeFed hashed unstructured.MarshalJSON's output, trailing newline included.
	data, err := (&unstructured.Unstructured{Object: template}).MarshalJSON()
	if err != nil {
		return "", fmt.Errorf("template version: %w", err)
	}
	return md5Hex(data), nil
}

// OverrideVersion is KubeFed's override version of a federated object with
// overrides: the hex MD5 of the JSON {"overrides": [...]} of its overrides,
// decoded into KubeFed's generic override type first, as KubeFed did.
func OverrideVersion(overrides []fedv1beta1.GenericOverrideItem) (string, error) {
	type clusterOverride struct {
		Op    string `json:"op,omitempty"`
		Path  string `json:"path"`
		Value any    `json:"value,omitempty"`
	}
	type overrideItem struct {
		ClusterName      string            `json:"clusterName"`
		ClusterOverrides []clusterOverride `json:"clusterOverrides,omitempty"`
	}
	var generic []overrideItem
	if overrides != nil {
		data, err := json.Marshal(overrides)
		if err != nil {
			return "", fmt.Errorf("override version: %w", err)
		}
		if err := json.Unmarshal(data, &generic); err != nil {
			return "", fmt.Errorf("override version: %w", err)
		}
	}
	data, err := (&unstructured.Unstructured{Object: map[string]any{"overrides": generic}}).MarshalJSON()
	if err != nil {
		return "", fmt.Errorf("override version: %w", err)
	}
	return md5Hex(data), nil
}

func md5Hex(data []byte) string {
	sum := md5.Sum(data) //nolint:gosec // see the import
	return hex.EncodeToString(sum[:])
}
