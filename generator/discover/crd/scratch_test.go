package crd_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	"github.com/kubefed-gen/kubefed/generator/discover/crd"
)

func TestScratchCorpus(t *testing.T) {
	var crds []*apiextensionsv1.CustomResourceDefinition
	for _, glob := range strings.Split(os.Getenv("CORPUS"), ",") {
		files, _ := filepath.Glob(glob)
		for _, f := range files {
			cs, err := crd.ReadFile(f)
			if err != nil {
				t.Logf("skip %s: %v", f, err)
				continue
			}
			crds = append(crds, cs...)
		}
	}
	t.Logf("%d CRDs", len(crds))
	ws := roundTrip(t, crds)
	for _, w := range ws {
		for _, warning := range w.result.Warnings {
			t.Logf("%s: warning: %s", w.crd.Name, warning)
		}
	}
}
