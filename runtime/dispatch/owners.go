package dispatch

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"
)

// ManagerFields are the fields of a member object that one field manager other
// than FieldManager owns, from the object's managedFields.
type ManagerFields struct {
	Manager   string `json:"manager"`
	Operation string `json:"operation"`
	// Fields are owned by the manager and not by FieldManager, as
	// structured-merge-diff prints paths: .data.key, .spec.replicas,
	// .spec.template.spec.containers[name="app"].image.
	Fields []string `json:"fields,omitempty"`
	// Shared are owned by the manager and by FieldManager too: both set the
	// same value.
	Shared []string `json:"shared,omitempty"`
}

// OtherManagers lists, per field manager other than FieldManager, the fields of
// obj it owns, sorted by manager. Only the object itself counts, not its
// subresources (status), and of the metadata only labels and annotations: the
// rest of the metadata is the API server's and every writer's bookkeeping.
func OtherManagers(obj metav1.Object) ([]ManagerFields, error) {
	ours, others, err := ownership(obj)
	if err != nil {
		return nil, err
	}
	var out []ManagerFields
	for _, o := range others {
		mf := ManagerFields{Manager: o.manager, Operation: o.operation,
			Fields: paths(o.fields.Difference(ours)), Shared: paths(o.fields.Intersection(ours))}
		if len(mf.Fields) > 0 || len(mf.Shared) > 0 {
			out = append(out, mf)
		}
	}
	slices.SortStableFunc(out, func(a, b ManagerFields) int {
		return strings.Compare(a.Manager+"/"+a.Operation, b.Manager+"/"+b.Operation)
	})
	return out, nil
}

// ReplaceRemoves lists the fields of obj that Replace removes: those other
// field managers own and FieldManager does not, other than those Replace keeps
// (see Replace).
func ReplaceRemoves(obj metav1.Object) ([]string, error) {
	ours, others, err := ownership(obj)
	if err != nil {
		return nil, err
	}
	theirs := &fieldpath.Set{}
	for _, o := range others {
		theirs = theirs.Union(o.fields)
	}
	var out []string
	for p := range theirs.Difference(ours).Leaves().All() {
		if !systemMetadata(p) {
			out = append(out, p.String())
		}
	}
	return out, nil
}

type managerSet struct {
	manager, operation string
	fields             *fieldpath.Set
}

// ownership reads obj's managedFields: what FieldManager owns (by any
// operation), and what each other manager and operation owns, both limited to
// the object itself and the metadata that counts (see OtherManagers).
func ownership(obj metav1.Object) (*fieldpath.Set, []managerSet, error) {
	ours := &fieldpath.Set{}
	var others []managerSet
	for _, e := range obj.GetManagedFields() {
		if e.Subresource != "" || e.FieldsV1 == nil {
			continue
		}
		set := &fieldpath.Set{}
		if err := set.FromJSON(bytes.NewReader(e.FieldsV1.Raw)); err != nil {
			return nil, nil, fmt.Errorf("managed fields of %s: %w", e.Manager, err)
		}
		set = withoutBookkeeping(set)
		if e.Manager == FieldManager {
			ours = ours.Union(set)
			continue
		}
		others = append(others, managerSet{manager: e.Manager, operation: string(e.Operation), fields: set})
	}
	return ours, others, nil
}

// withoutBookkeeping drops the metadata other than labels and annotations.
func withoutBookkeeping(set *fieldpath.Set) *fieldpath.Set {
	out := &fieldpath.Set{}
	for p := range set.All() {
		if len(p) > 0 && p[0].FieldName != nil && *p[0].FieldName == "metadata" {
			if len(p) < 3 || p[1].FieldName == nil || (*p[1].FieldName != "labels" && *p[1].FieldName != "annotations") {
				continue
			}
		}
		out.Insert(p)
	}
	return out
}

// paths prints the leaves of set.
func paths(set *fieldpath.Set) []string {
	var out []string
	for p := range set.Leaves().All() {
		out = append(out, p.String())
	}
	return out
}

// systemMetadata says whether p is a label or annotation whose key Kubernetes
// reserves for its own components (kubernetes.io and k8s.io, and their
// subdomains): controllers of the member write them, and Replace keeps them
// rather than fight those controllers.
func systemMetadata(p fieldpath.Path) bool {
	if len(p) != 3 || p[0].FieldName == nil || *p[0].FieldName != "metadata" || p[2].FieldName == nil {
		return false
	}
	return SystemKey(*p[2].FieldName)
}

// SystemKey says whether a label or annotation key has a prefix Kubernetes
// reserves: kubernetes.io, k8s.io or a subdomain of either.
func SystemKey(key string) bool {
	prefix, _, ok := strings.Cut(key, "/")
	if !ok {
		return false
	}
	for _, domain := range []string{"kubernetes.io", "k8s.io"} {
		if prefix == domain || strings.HasSuffix(prefix, "."+domain) {
			return true
		}
	}
	return false
}
