package dnsstack

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// TestWriteKubeconfig reads back what writeKubeconfig wrote for the two kinds of
// credentials a host's rest.Config carries: client certificates (envtest's) and
// a bearer token.
func TestWriteKubeconfig(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"ca", "cert", "key", "token"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(f), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir) // relative file names are written as absolute ones
	for name, cfg := range map[string]*rest.Config{
		"client certificate": {Host: "https://127.0.0.1:6443", TLSClientConfig: rest.TLSClientConfig{
			CAData: []byte("ca"), CertData: []byte("cert"), KeyData: []byte("key"),
		}},
		"bearer token": {Host: "https://127.0.0.1:6443", BearerToken: "token", TLSClientConfig: rest.TLSClientConfig{
			CAData: []byte("ca"), ServerName: "kubernetes",
		}},
		"files": {Host: "https://127.0.0.1:6443", BearerTokenFile: "token", TLSClientConfig: rest.TLSClientConfig{
			CAFile: "ca", CertFile: filepath.Join(dir, "cert"), KeyFile: "key",
		}},
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "kubeconfig")
			if err := writeKubeconfig(path, cfg); err != nil {
				t.Fatal(err)
			}
			got, err := clientcmd.BuildConfigFromFlags("", path)
			if err != nil {
				t.Fatal(err)
			}
			abs := func(f string) string {
				if f == "" || filepath.IsAbs(f) {
					return f
				}
				return filepath.Join(dir, f)
			}
			wantToken := cfg.BearerToken
			if cfg.BearerTokenFile != "" {
				wantToken = "token" // clientcmd reads the file
			}
			if got.Host != cfg.Host || got.BearerToken != wantToken || got.BearerTokenFile != abs(cfg.BearerTokenFile) ||
				got.ServerName != cfg.ServerName || got.CAFile != abs(cfg.CAFile) || got.CertFile != abs(cfg.CertFile) || got.KeyFile != abs(cfg.KeyFile) ||
				!bytes.Equal(got.CAData, cfg.CAData) || !bytes.Equal(got.CertData, cfg.CertData) || !bytes.Equal(got.KeyData, cfg.KeyData) {
				t.Errorf("read back %+v, want the credentials of %+v", got, cfg)
			}
		})
	}
}
