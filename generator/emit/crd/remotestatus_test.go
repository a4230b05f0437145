package crd

import (
	"reflect"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/utils/ptr"
)

func TestRemoteStatusSchema(t *testing.T) {
	mapList := "map"
	condition := apiextensionsv1.JSONSchemaProps{
		Type: "object", Required: []string{"type", "status"},
		Properties: map[string]apiextensionsv1.JSONSchemaProps{
			"type":   {Type: "string", MaxLength: ptr.To[int64](316), Pattern: "^[A-Z]"},
			"status": {Type: "string", Enum: []apiextensionsv1.JSON{{Raw: []byte(`"True"`)}}},
			"time":   {Type: "string", Format: "date-time"},
		},
	}
	s := &apiextensionsv1.JSONSchemaProps{
		Type: "object", Description: "status", MinProperties: ptr.To[int64](1),
		Properties: map[string]apiextensionsv1.JSONSchemaProps{
			"replicas": {Type: "integer", Format: "int32", Minimum: ptr.To(0.0), Default: &apiextensionsv1.JSON{Raw: []byte("1")}},
			"conditions": {Type: "array", XListType: &mapList, XListMapKeys: []string{"type"}, MaxItems: ptr.To[int64](8),
				Items: &apiextensionsv1.JSONSchemaPropsOrArray{Schema: &condition}},
			"capacity": {Type: "object", AdditionalProperties: &apiextensionsv1.JSONSchemaPropsOrBool{Schema: &apiextensionsv1.JSONSchemaProps{
				XIntOrString: true, AnyOf: []apiextensionsv1.JSONSchemaProps{{Type: "integer"}, {Type: "string"}}, Pattern: "^[0-9]"}}},
			"raw": {Type: "object", XPreserveUnknownFields: ptr.To(true), XValidations: apiextensionsv1.ValidationRules{{Rule: "size(self) < 3"}}},
		},
	}
	RemoteStatusSchema(s)
	want := &apiextensionsv1.JSONSchemaProps{
		Type: "object", Description: "status",
		Properties: map[string]apiextensionsv1.JSONSchemaProps{
			"replicas": {Type: "integer"},
			"conditions": {Type: "array", Items: &apiextensionsv1.JSONSchemaPropsOrArray{Schema: &apiextensionsv1.JSONSchemaProps{
				Type: "object", Properties: map[string]apiextensionsv1.JSONSchemaProps{
					"type": {Type: "string"}, "status": {Type: "string"}, "time": {Type: "string"},
				}}}},
			"capacity": {Type: "object", AdditionalProperties: &apiextensionsv1.JSONSchemaPropsOrBool{Schema: &apiextensionsv1.JSONSchemaProps{XIntOrString: true}}},
			"raw":      {Type: "object", XPreserveUnknownFields: ptr.To(true)},
		},
	}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("got %+v\nwant %+v", s, want)
	}
}

func TestSetRemoteStatusSchema(t *testing.T) {
	entry := apiextensionsv1.JSONSchemaProps{Type: "object", Properties: map[string]apiextensionsv1.JSONSchemaProps{
		"name":         {Type: "string"},
		"remoteStatus": {Type: "object", Description: "the member's status", XPreserveUnknownFields: ptr.To(true)},
	}}
	root := &apiextensionsv1.JSONSchemaProps{Type: "object", Properties: map[string]apiextensionsv1.JSONSchemaProps{
		"status": {Type: "object", Properties: map[string]apiextensionsv1.JSONSchemaProps{
			"clusters": {Type: "array", Items: &apiextensionsv1.JSONSchemaPropsOrArray{Schema: &entry}},
		}},
	}}
	setRemoteStatusSchema(root, &apiextensionsv1.JSONSchemaProps{Type: "object", Description: "DeploymentStatus",
		Properties: map[string]apiextensionsv1.JSONSchemaProps{"readyReplicas": {Type: "integer"}}})
	got := root.Properties["status"].Properties["clusters"].Items.Schema.Properties["remoteStatus"]
	if got.Description != "the member's status" || got.XPreserveUnknownFields != nil || got.Properties["readyReplicas"].Type != "integer" {
		t.Errorf("remoteStatus %+v", got)
	}
}
