package v1alpha1_test

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"
)

// TestCRDIsExternalDNSs: the CRD generated from this package is external-dns
// v0.23.0's (testdata holds a copy of its
// config/crd/standard/dnsendpoints.externaldns.k8s.io.yaml), but for the
// controller-gen version that wrote it.
func TestCRDIsExternalDNSs(t *testing.T) {
	read := func(path string) apiextensionsv1.CustomResourceDefinition {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var crd apiextensionsv1.CustomResourceDefinition
		if err := yaml.UnmarshalStrict(data, &crd); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		delete(crd.Annotations, "controller-gen.kubebuilder.io/version")
		return crd
	}
	ours := read(filepath.Join("..", "..", "..", "config", "crd", "externaldns.k8s.io_dnsendpoints.yaml"))
	upstream := read(filepath.Join("testdata", "upstream-dnsendpoints.externaldns.k8s.io.yaml"))
	if !reflect.DeepEqual(ours, upstream) {
		a, _ := yaml.Marshal(ours)
		b, _ := yaml.Marshal(upstream)
		t.Errorf("the CRD differs from external-dns's:\n--- ours\n%s\n--- external-dns\n%s", a, b)
	}
	// The group is protected (*.k8s.io): without the approval annotation the
	// API server refuses the CRD.
	if ours.Annotations["api-approved.kubernetes.io"] == "" {
		t.Error("no api-approved.kubernetes.io annotation")
	}
}
