package version

import (
	"bytes"
	"testing"
)

func TestVersionCommand(t *testing.T) {
	cmd := NewCommand()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetArgs(nil)
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	// A test binary is built in this module's checkout: (devel).
	want := "kubefedctl (devel)\n" +
		"module: github.com/kubefed-gen/kubefed (devel)\n" +
		"KubeFed APIs: core.kubefed.io/v1alpha1, core.kubefed.io/v1beta1, externaldns.k8s.io/v1alpha1, multiclusterdns.kubefed.io/v1alpha1, scheduling.kubefed.io/v1alpha1\n" +
		"Federated types: types.kubefed.io/v1beta1 (kubefed-gen's default group version)\n"
	if out.String() != want {
		t.Errorf("version printed\n%s\nwant\n%s", out.String(), want)
	}
}
