package dispatch

import (
	"reflect"
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestOwnership reads managedFields as the API server writes them: shared
// fields, the status subresource, metadata bookkeeping and Kubernetes' own
// labels.
func TestOwnership(t *testing.T) {
	entry := func(manager string, op metav1.ManagedFieldsOperationType, subresource, fields string) metav1.ManagedFieldsEntry {
		return metav1.ManagedFieldsEntry{Manager: manager, Operation: op, Subresource: subresource,
			FieldsType: "FieldsV1", FieldsV1: &metav1.FieldsV1{Raw: []byte(fields)}}
	}
	obj := &metav1.ObjectMeta{ManagedFields: []metav1.ManagedFieldsEntry{
		entry(FieldManager, metav1.ManagedFieldsOperationApply, "",
			`{"f:metadata":{"f:labels":{"f:app":{},"f:kubefed.io/managed":{}}},"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:name":{}}}}}}}`),
		entry("autoscaler", metav1.ManagedFieldsOperationApply, "", `{"f:spec":{"f:replicas":{}}}`),
		entry("kubectl-edit", metav1.ManagedFieldsOperationUpdate, "",
			`{"f:metadata":{"f:finalizers":{".":{},"v:\"example.com/x\"":{}},"f:labels":{"f:app":{},"f:team":{},"f:example.kubernetes.io/zone":{}}},"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{"f:env":{}}}}}}}`),
		entry("kube-controller-manager", metav1.ManagedFieldsOperationUpdate, "status", `{"f:status":{"f:replicas":{}}}`),
	}}
	others, err := OtherManagers(obj)
	if err != nil {
		t.Fatal(err)
	}
	want := []ManagerFields{
		{Manager: "autoscaler", Operation: "Apply", Fields: []string{".spec.replicas"}},
		{Manager: "kubectl-edit", Operation: "Update",
			Fields: []string{".metadata.labels.example.kubernetes.io/zone", ".metadata.labels.team", `.spec.template.spec.containers[name="web"].env`},
			Shared: []string{".metadata.labels.app"}},
	}
	for i := range others {
		slices.Sort(others[i].Fields)
	}
	if !reflect.DeepEqual(others, want) {
		t.Errorf("OtherManagers:\n got %+v\nwant %+v", others, want)
	}
	removes, err := ReplaceRemoves(obj)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(removes)
	if want := []string{".metadata.labels.team", ".spec.replicas", `.spec.template.spec.containers[name="web"].env`}; !slices.Equal(removes, want) {
		t.Errorf("ReplaceRemoves = %v, want %v", removes, want)
	}
}
