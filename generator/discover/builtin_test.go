package discover

import (
	"strings"
	"testing"
)

func TestResolveBuiltin(t *testing.T) {
	tests := []struct {
		name                 string
		group, version, kind string
		goPkg                string
	}{
		{"deployments.apps", "apps", "v1", "Deployment", "k8s.io/api/apps/v1"},
		{"deployments.v1.apps", "apps", "v1", "Deployment", "k8s.io/api/apps/v1"},
		{"Deployment.apps", "apps", "v1", "Deployment", "k8s.io/api/apps/v1"},
		{"configmaps", "", "v1", "ConfigMap", "k8s.io/api/core/v1"},
		{"configmaps.core", "", "v1", "ConfigMap", "k8s.io/api/core/v1"},
		{"cronjobs.batch/v1", "batch", "v1", "CronJob", "k8s.io/api/batch/v1"},
		{"ingresses.networking.k8s.io/v1", "networking.k8s.io", "v1", "Ingress", "k8s.io/api/networking/v1"},
		// The newest stable version wins, as the API server prefers it.
		{"horizontalpodautoscalers.autoscaling", "autoscaling", "v2", "HorizontalPodAutoscaler", "k8s.io/api/autoscaling/v2"},
		// A bare name in the core group and another group resolves to core, as in kubectl.
		{"events", "", "v1", "Event", "k8s.io/api/core/v1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := ResolveBuiltin(tt.name)
			if err != nil {
				t.Fatal(err)
			}
			if b.gvk.Group != tt.group || b.gvk.Version != tt.version || b.gvk.Kind != tt.kind || b.goPkg != tt.goPkg {
				t.Errorf("got %v in %s, want %s/%s %s in %s", b.gvk, b.goPkg, tt.group, tt.version, tt.kind, tt.goPkg)
			}
		})
	}
}

func TestResolveBuiltinErrors(t *testing.T) {
	tests := []struct{ name, want string }{
		{"deploymnets", "did you mean deployments.apps"},
		{"configmap.apps", `unknown resource "configmap.apps"`},
		{"deployments.apps/v7", `unknown resource "deployments.apps/v7"`},
		{"nosuchthing", "name it as kubectl does"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ResolveBuiltin(tt.name)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}
