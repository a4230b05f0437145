package clusters

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

// BinaryDirEnv overrides where BinaryDir looks for the control-plane binaries.
const BinaryDirEnv = "KUBEFED_TEST_BIN"

// BinaryDir returns the folder holding etcd, kube-apiserver and kubectl (and, for
// clusters with Workloads, kube-controller-manager, kube-scheduler and kwok):
// $KUBEFED_TEST_BIN if set, else bin/k8s at the root of this module. It fails with
// the command to run when etcd, kube-apiserver or kubectl is not there.
func BinaryDir() (string, error) {
	dir := os.Getenv(BinaryDirEnv)
	if dir == "" {
		root, err := moduleRoot()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(root, "bin", "k8s")
	}
	if err := requireBinaries(dir, "etcd", "kube-apiserver", "kubectl"); err != nil {
		return "", err
	}
	return dir, nil
}

// requireBinaries fails with the command to run unless dir holds every named file.
func requireBinaries(dir string, names ...string) error {
	for _, name := range names {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("%s not found in %s: run hack/install-test-binaries.sh (or 'make test-binaries') first", name, dir)
		}
	}
	return nil
}

const modulePath = "github.com/kubefed-gen/kubefed"

// moduleRoot walks up from the working directory to this module's go.mod, so that
// tests in any package (examples have modules of their own) find the same binaries.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if mod, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && bytes.HasPrefix(mod, []byte("module "+modulePath+"\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod of %s above the working directory; set %s to the folder holding the test binaries", modulePath, BinaryDirEnv)
		}
		dir = parent
	}
}
