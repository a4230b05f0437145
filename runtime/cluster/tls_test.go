package cluster

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
)

// TestDisabledTLSValidations reaches TLS servers whose certificates are for
// 127.0.0.1 only, by IP and through the name "localhost", one of them expired:
// each disabled validation lets exactly its failure through, and the chain is
// always checked.
func TestDisabledTLSValidations(t *testing.T) {
	caCert, caKey := newCert(t, nil, nil, time.Now().Add(time.Hour))
	current := serveTLS(t, caCert, caKey, time.Now().Add(time.Hour))
	expired := serveTLS(t, caCert, caKey, time.Now().Add(-time.Minute))
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caCert.Raw})
	otherCert, _ := newCert(t, nil, nil, time.Now().Add(time.Hour))
	otherCA := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: otherCert.Raw})
	byName := func(u string) string { return strings.Replace(u, "127.0.0.1", "localhost", 1) }
	const (
		subject  = corev1beta1.TLSSubjectName
		validity = corev1beta1.TLSValidityPeriod
		all      = corev1beta1.TLSAll
	)

	for _, tc := range []struct {
		name     string
		endpoint string
		ca       []byte
		disabled []corev1beta1.TLSValidation
		wantErr  string
	}{
		{"all checks pass", current, ca, nil, ""},
		{"wrong name", byName(current), ca, nil, "certificate is not valid for"},
		{"wrong name, subject name not checked", byName(current), ca, []corev1beta1.TLSValidation{subject}, ""},
		{"wrong name, validity not checked", byName(current), ca, []corev1beta1.TLSValidation{validity}, "certificate is not valid for"},
		{"expired", expired, ca, nil, "expired"},
		{"expired, validity not checked", expired, ca, []corev1beta1.TLSValidation{validity}, ""},
		{"expired and wrong name, both not checked", byName(expired), ca, []corev1beta1.TLSValidation{subject, validity}, ""},
		{"unknown authority, subject name not checked", byName(current), otherCA, []corev1beta1.TLSValidation{subject}, "unknown authority"},
		{"nothing checked", byName(expired), nil, []corev1beta1.TLSValidation{all}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kfc := &corev1beta1.KubeFedCluster{
				ObjectMeta: metav1.ObjectMeta{Name: "m"},
				Spec:       corev1beta1.KubeFedClusterSpec{APIEndpoint: tc.endpoint, CABundle: tc.ca, DisabledTLSValidations: tc.disabled},
			}
			secret := &corev1.Secret{Data: map[string][]byte{corev1beta1.SecretTokenKey: []byte("secret-token")}}
			cfg, err := restConfig(kfc, secret)
			if err != nil {
				t.Fatal(err)
			}
			cs, err := kubernetes.NewForConfig(cfg)
			if err != nil {
				t.Fatal(err)
			}
			body, err := cs.Discovery().RESTClient().Get().AbsPath("/healthz").DoRaw(context.Background())
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("healthz: %v", err)
			case tc.wantErr == "" && string(body) != "ok":
				t.Fatalf("healthz answered %q", body)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("healthz error %v, want one about %q", err, tc.wantErr)
			}
		})
	}
}

// serveTLS serves /healthz, for the bearer token "secret-token" only, with a
// certificate for 127.0.0.1 signed by the CA, expiring at notAfter.
func serveTLS(t *testing.T, ca *x509.Certificate, caKey *ecdsa.PrivateKey, notAfter time.Time) string {
	t.Helper()
	cert, key := newCert(t, ca, caKey, notAfter)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer secret-token" {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{cert.Raw}, PrivateKey: key}}}
	// Handshakes the client refuses are the point of the test, not noise to log.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL
}

// newCert makes a CA certificate (parent nil) or a serving certificate for
// 127.0.0.1 signed by parent.
func newCert(t *testing.T, parent *x509.Certificate, parentKey *ecdsa.PrivateKey, notAfter time.Time) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "test"},
		NotBefore:    notAfter.Add(-2 * time.Hour),
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if parent == nil {
		tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
		parent, parentKey = tmpl, key
	} else {
		tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

func TestRestConfigNeedsCredentials(t *testing.T) {
	kfc := &corev1beta1.KubeFedCluster{Spec: corev1beta1.KubeFedClusterSpec{APIEndpoint: "https://127.0.0.1:1"}}
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "s"}, Data: map[string][]byte{"other": nil}}
	if _, err := restConfig(kfc, secret); err == nil || !strings.Contains(err.Error(), `secret ns/s has no value for key "token"`) {
		t.Fatalf("got %v", err)
	}
}
