package generator

import (
	"os"
	"testing"
)

// BenchmarkGenerateDefaultSet measures one kubefed-gen run over KubeFed's default
// set of ten types (cmd/controller-manager/kubefed-gen.yaml): discovery, API types,
// deepcopy, CRDs with full schemas, typed descriptors and clients.
func BenchmarkGenerateDefaultSet(b *testing.B) {
	types := []string{
		"configmaps", "deployments.apps", "ingresses.networking.k8s.io/v1", "jobs.batch", "namespaces",
		"replicasets.apps", "secrets", "serviceaccounts", "services", "clusterroles.rbac.authorization.k8s.io",
	}
	if err := os.MkdirAll("testdata", 0o755); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		out, err := os.MkdirTemp("testdata", "bench-")
		if err != nil {
			b.Fatal(err)
		}
		err = Generate(Options{Types: types, OutputDir: out})
		os.RemoveAll(out)
		if err != nil {
			b.Fatal(err)
		}
	}
}
