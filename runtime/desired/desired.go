package desired

import (
	"encoding/base64"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/override"
)

// Object returns the object cluster should hold: a copy of target (the object a
// federated object's template describes) with the cluster's overrides applied.
// target may be typed or unstructured; the result is of the same kind. A Secret's
// stringData is folded into data, as the API server stores it, so that what is
// compared with the member is what the member can hold.
//
// The sync controller writes what Object returns, and kubefedctl status compares
// it with the member object: both must call this, never a copy of it.
func Object(target client.Object, overrides []fedv1beta1.GenericOverrideItem, cluster string) (client.Object, error) {
	desired := target.DeepCopyObject().(client.Object)
	if err := override.Apply(desired, override.For(overrides, cluster)); err != nil {
		return nil, err
	}
	if err := foldStringData(desired); err != nil {
		return nil, err
	}
	return desired, nil
}

func foldStringData(obj client.Object) error {
	switch s := obj.(type) {
	case *corev1.Secret:
		if len(s.StringData) == 0 {
			return nil
		}
		if s.Data == nil {
			s.Data = map[string][]byte{}
		}
		for k, v := range s.StringData {
			s.Data[k] = []byte(v)
		}
		s.StringData = nil
	case *unstructured.Unstructured:
		if s.GroupVersionKind() != corev1.SchemeGroupVersion.WithKind("Secret") {
			return nil
		}
		stringData, _, err := unstructured.NestedStringMap(s.Object, "stringData")
		if err != nil {
			return fmt.Errorf("stringData: %w", err)
		}
		if len(stringData) == 0 {
			return nil
		}
		data, _, err := unstructured.NestedMap(s.Object, "data")
		if err != nil {
			return fmt.Errorf("data: %w", err)
		}
		if data == nil {
			data = map[string]any{}
		}
		for k, v := range stringData {
			data[k] = base64.StdEncoding.EncodeToString([]byte(v))
		}
		s.Object["data"] = data
		delete(s.Object, "stringData")
	}
	return nil
}
