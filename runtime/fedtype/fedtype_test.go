package fedtype_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubefed-gen/kubefed/cmd/controller-manager/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/fedtype"
)

func TestFor(t *testing.T) {
	typ := fedtype.For[v1beta1.FederatedConfigMap, corev1.ConfigMap](fedtype.Info{Name: "configmaps"})
	var d fedtype.Descriptor = typ
	if d.TypeInfo().Name != "configmaps" {
		t.Errorf("info = %+v", d.TypeInfo())
	}
	fed := typ.NewFederated()
	fed.ObjectMeta = metav1.ObjectMeta{Name: "app", Namespace: "ns"}
	d.SetTemplate(fed, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "ignored", Labels: map[string]string{"a": "b"}},
		Data:       map[string]string{"k": "v"},
	})
	got := d.Target(fed).(*corev1.ConfigMap)
	if got.Name != "app" || got.Namespace != "ns" || got.Labels["a"] != "b" || got.Data["k"] != "v" || got.Kind != "ConfigMap" {
		t.Errorf("target = %+v", got)
	}
	if _, ok := d.NewTargetObject().(*corev1.ConfigMap); !ok {
		t.Errorf("NewTargetObject gave %T", d.NewTargetObject())
	}
}
