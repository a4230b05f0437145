package dnsstack

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// ExternalDNSModule is the module, at the version hack/install-dns-binaries.sh
// builds, whose DNSEndpoint CRD InstallUpstreamCRD installs.
const ExternalDNSModule = "sigs.k8s.io/external-dns@v0.23.0"

// upstreamCRD is the DNSEndpoint CRD's manifest within the module.
const upstreamCRD = "config/crd/standard/dnsendpoints.externaldns.k8s.io.yaml"

// InstallUpstreamCRD installs external-dns's own DNSEndpoint CRD
// (externaldns.k8s.io/v1alpha1), read from its module source in the module
// cache, into the cluster reached by cfg, and waits until it is served.
func InstallUpstreamCRD(t testing.TB, cfg *rest.Config) {
	t.Helper()
	path, err := UpstreamCRDPath()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := envtest.InstallCRDs(cfg, envtest.CRDInstallOptions{Paths: []string{path}, ErrorIfPathMissing: true}); err != nil {
		t.Fatalf("install the DNSEndpoint CRD from %s: %v", path, err)
	}
}

// UpstreamCRDPath returns where external-dns's DNSEndpoint CRD is in the module
// cache (`go env GOMODCACHE`), where hack/install-dns-binaries.sh leaves its source.
func UpstreamCRDPath() (string, error) {
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMODCACHE: %w", err)
	}
	path := filepath.Join(strings.TrimSpace(string(out)), filepath.FromSlash(ExternalDNSModule), filepath.FromSlash(upstreamCRD))
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("external-dns's DNSEndpoint CRD is not in the module cache (%v): run hack/install-dns-binaries.sh, or, if it has nothing to build, GOTOOLCHAIN=go1.27.3 go mod download %s", err, ExternalDNSModule)
	}
	return path, nil
}
