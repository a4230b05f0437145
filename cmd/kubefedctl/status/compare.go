package status

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"

	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/host"
	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/resolve"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/override"
	"github.com/kubefed-gen/kubefed/runtime/placement"
)

// This file computes what the controller would do, so that status can compare
// it with what the member clusters hold: the object the controller would write to
// a cluster (desiredObject, secretStringData), whether a member object holds it
// (subsetDiff and its helpers), and the clusters a FederatedNamespace allows
// (readNamespacePlacement). It duplicates controller logic and is to be replaced
// by the runtime's own functions.

// readNamespacePlacement limits placement to the clusters the object's
// FederatedNamespace places its namespace on, as the controller does.
func (r *statusReport) readNamespacePlacement(ctx context.Context, h *host.Host, candidates []placement.Cluster) error {
	ns := r.fed.GetNamespace()
	m, err := h.Mapper.RESTMapping(r.typ.Federated.GroupVersion().WithKind("FederatedNamespace").GroupKind())
	if err != nil {
		r.NamespacePlacement = "namespaces are not federated in this host: no limit"
		return nil
	}
	fns, err := h.Dynamic.Resource(m.Resource).Namespace(ns).Get(ctx, ns, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		r.namespaceLimit = []string{}
		r.NamespacePlacement = fmt.Sprintf("namespace %s has no FederatedNamespace: placed on no cluster (run `kubefedctl federate namespaces %s`)", ns, ns)
		return nil
	case err != nil:
		return fmt.Errorf("get FederatedNamespace %s: %w", ns, err)
	}
	r.namespaceFederated = true
	var p fedv1beta1.Placement
	if raw, found, _ := unstructured.NestedMap(fns.Object, "spec", "placement"); found {
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(raw, &p); err != nil {
			return fmt.Errorf("placement of FederatedNamespace %s: %w", ns, err)
		}
	}
	placed, err := placement.Resolve(&p, candidates)
	if err != nil {
		r.namespaceLimit = []string{}
		r.NamespacePlacement = fmt.Sprintf("FederatedNamespace %s has an invalid placement: %v", ns, err)
		return nil
	}
	r.namespaceLimit = placed
	where := "no cluster"
	if len(placed) > 0 {
		where = strings.Join(placed, ", ")
	}
	r.NamespacePlacement = fmt.Sprintf("FederatedNamespace %s places namespace %s on %s", ns, ns, where)
	return nil
}

// desiredObject is what the controller propagates to cluster: the template with
// the federated object's name and namespace and the cluster's overrides applied.
func desiredObject(fed *unstructured.Unstructured, t *resolve.Type, items []fedv1beta1.GenericOverrideItem, clusterName string) (*unstructured.Unstructured, error) {
	template, _, err := unstructured.NestedMap(fed.Object, "spec", "template")
	if err != nil {
		return nil, fmt.Errorf("spec.template: %w", err)
	}
	if template == nil {
		template = map[string]any{}
	}
	obj := &unstructured.Unstructured{Object: template}
	labels, annotations := obj.GetLabels(), obj.GetAnnotations()
	delete(template, "metadata")
	obj.SetAPIVersion(t.Target.GroupVersion().String())
	obj.SetKind(t.Target.Kind)
	obj.SetName(fed.GetName())
	if t.Target.Namespaced {
		obj.SetNamespace(fed.GetNamespace())
	}
	obj.SetLabels(labels)
	obj.SetAnnotations(annotations)
	if overrides := override.For(items, clusterName); len(overrides) > 0 {
		// Built-in types are checked as the controller checks them, typed, so that
		// a wrong field is reported as it is in the status.
		if typed, err := clientgoscheme.Scheme.New(obj.GroupVersionKind()); err == nil {
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj.UnstructuredContent(), typed); err == nil {
				if err := override.Apply(typed, overrides); err != nil {
					return nil, err
				}
			}
		}
		if err := override.Apply(obj, overrides); err != nil {
			return nil, err
		}
	}
	if obj.GroupVersionKind().GroupKind().String() == "Secret" {
		secretStringData(obj.Object)
	}
	return obj, nil
}

// secretStringData moves a Secret's stringData into data, as the API server does.
func secretStringData(obj map[string]any) {
	stringData, _, _ := unstructured.NestedStringMap(obj, "stringData")
	if len(stringData) == 0 {
		return
	}
	data, _, _ := unstructured.NestedMap(obj, "data")
	if data == nil {
		data = map[string]any{}
	}
	for k, v := range stringData {
		data[k] = base64.StdEncoding.EncodeToString([]byte(v))
	}
	obj["data"] = data
	delete(obj, "stringData")
}

// subsetDiff lists where actual does not hold desired: every field of desired must
// be in actual with an equal value; fields only in actual (defaults, status, what
// the server or other controllers add) are not differences. Lists are compared
// item by item and must have the same length. A zero value ("", 0, false, empty
// object or list, null) desired matches a missing field, since the API server
// drops those.
func subsetDiff(desired, actual map[string]any) []fieldDiff {
	var out []fieldDiff
	diffValue("", desired, actual, true, &out)
	return out
}

func diffValue(path string, d, a any, present bool, out *[]fieldDiff) {
	if !present {
		if !isZero(d) {
			*out = append(*out, fieldDiff{Path: orRoot(path), Desired: d, Missing: true})
		}
		return
	}
	switch dv := d.(type) {
	case nil:
		return
	case map[string]any:
		av, ok := a.(map[string]any)
		if !ok {
			if a == nil && isZero(dv) {
				return
			}
			*out = append(*out, fieldDiff{Path: orRoot(path), Desired: d, Actual: a})
			return
		}
		keys := make([]string, 0, len(dv))
		for k := range dv {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v, ok := av[k]
			diffValue(path+"/"+escapePointer(k), dv[k], v, ok, out)
		}
	case []any:
		av, ok := a.([]any)
		if !ok {
			if a == nil && len(dv) == 0 {
				return
			}
			*out = append(*out, fieldDiff{Path: orRoot(path), Desired: d, Actual: a})
			return
		}
		for i := range dv {
			item := path + "/" + strconv.Itoa(i)
			if i >= len(av) {
				*out = append(*out, fieldDiff{Path: item, Desired: dv[i], Missing: true})
				continue
			}
			diffValue(item, dv[i], av[i], true, out)
		}
		for i := len(dv); i < len(av); i++ {
			*out = append(*out, fieldDiff{Path: path + "/" + strconv.Itoa(i), Actual: av[i], Extra: true})
		}
	default:
		if a == nil && isZero(d) {
			return
		}
		if !scalarEqual(path, d, a) {
			*out = append(*out, fieldDiff{Path: orRoot(path), Desired: d, Actual: a})
		}
	}
}

func orRoot(path string) string {
	if path == "" {
		return "/"
	}
	return path
}

// escapePointer escapes a key for a JSON pointer (RFC 6901).
func escapePointer(k string) string {
	return strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
}

func isZero(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case map[string]any:
		return len(v) == 0
	case []any:
		return len(v) == 0
	case string:
		return v == ""
	case bool:
		return !v
	}
	if f, ok := number(v); ok {
		return f == 0
	}
	return false
}

func scalarEqual(path string, d, a any) bool {
	if reflect.DeepEqual(d, a) {
		return true
	}
	if df, ok := number(d); ok {
		af, ok := number(a)
		return ok && df == af
	}
	ds, ok1 := d.(string)
	as, ok2 := a.(string)
	if ok1 && ok2 && isQuantityPath(path) {
		// The API server normalises quantities: 1000m is stored as 1.
		qd, err1 := resource.ParseQuantity(ds)
		qa, err2 := resource.ParseQuantity(as)
		return err1 == nil && err2 == nil && qd.Cmp(qa) == 0
	}
	return false
}

func isQuantityPath(path string) bool {
	for _, s := range []string{"/limits/", "/requests/", "/hard/", "/capacity/"} {
		if strings.Contains(path, s) {
			return true
		}
	}
	return false
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case float32:
		return float64(n), true
	case float64:
		return n, true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}
