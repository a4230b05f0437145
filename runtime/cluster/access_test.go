package cluster

import (
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestParseGroupResource(t *testing.T) {
	for in, want := range map[string]schema.GroupResource{
		"configmaps":                  {Resource: "configmaps"},
		"deployments.apps":            {Group: "apps", Resource: "deployments"},
		"ingresses.networking.k8s.io": {Group: "networking.k8s.io", Resource: "ingresses"},
	} {
		got, err := ParseGroupResource(in)
		if err != nil || got != want {
			t.Errorf("ParseGroupResource(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", ".apps", "Deployments.apps"} {
		if _, err := ParseGroupResource(bad); err == nil {
			t.Errorf("ParseGroupResource(%q): no error", bad)
		}
	}
}

func TestTypeRules(t *testing.T) {
	got := TypeRules([]schema.GroupResource{
		{Group: "apps", Resource: "deployments"}, {Resource: "configmaps"}, {Resource: "configmaps"},
	})
	want := append([]rbacv1.PolicyRule{
		{Verbs: dispatchVerbs, APIGroups: []string{""}, Resources: []string{"configmaps", "namespaces"}},
		{Verbs: dispatchVerbs, APIGroups: []string{"apps"}, Resources: []string{"deployments"}},
	}, readOnlyRules...)
	if !equality.Semantic.DeepEqual(got, want) {
		t.Errorf("TypeRules:\n got %+v\nwant %+v", got, want)
	}
}
