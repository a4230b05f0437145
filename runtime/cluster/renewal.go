package cluster

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
)

// TokenExpirationAnnotation on a member's Secret holds when its token expires
// (RFC 3339), as join and each renewal wrote it; the metric
// kubefed_cluster_token_expiration_timestamp_seconds says the same.
const TokenExpirationAnnotation = "kubefed.io/token-expiration"

// DefaultTokenRenewAfter is the part of a member token's lifetime after which
// the registry renews it.
const DefaultTokenRenewAfter = 0.8

// A member token that join requested (TokenRequest, bound to a ServiceAccount of
// the member) expires. The registry renews it when DefaultTokenRenewAfter of its
// lifetime has passed: it asks the member, with the token itself, for a new one
// of the same lifetime for the same ServiceAccount (join grants that
// ServiceAccount tokens for itself alone), and writes it into the Secret. A
// token that changes alone reaches the member's clients through a bearerToken,
// so the member's caches and watches are not rebuilt. Tokens that carry no
// expiry (KubeFed's Secret-based ones) are left as they are.

// tokenClaims are the claims of a ServiceAccount token that renewal needs.
type tokenClaims struct {
	Subject   string `json:"sub"`
	IssuedAt  int64  `json:"iat"`
	NotBefore int64  `json:"nbf"`
	Expiry    int64  `json:"exp"`
}

// parseToken reads the claims of a JWT without checking its signature: the
// member checks it, this only schedules its renewal. ok is false for a token
// that is no JWT or does not say when it was issued and when it expires.
func parseToken(token string) (c tokenClaims, ok bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return c, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil || json.Unmarshal(payload, &c) != nil {
		return c, false
	}
	if c.IssuedAt == 0 {
		c.IssuedAt = c.NotBefore
	}
	// Without both ends its lifetime, and so its renewal, is unknown.
	return c, c.IssuedAt > 0 && c.Expiry > c.IssuedAt
}

func (c tokenClaims) expires() time.Time { return time.Unix(c.Expiry, 0) }

// renewAt is when the token is due for renewal: after fraction of its lifetime.
func (c tokenClaims) renewAt(fraction float64) time.Time {
	lifetime := time.Duration(c.Expiry-c.IssuedAt) * time.Second
	return time.Unix(c.IssuedAt, 0).Add(time.Duration(fraction * float64(lifetime)))
}

// serviceAccount is the namespace and name of the token's ServiceAccount.
func (c tokenClaims) serviceAccount() (namespace, name string, ok bool) {
	rest, found := strings.CutPrefix(c.Subject, "system:serviceaccount:")
	if !found {
		return "", "", false
	}
	namespace, name, ok = strings.Cut(rest, ":")
	return namespace, name, ok && namespace != "" && name != ""
}

// bearerToken sets the Authorization header of a member's requests to a token
// that can change without rebuilding the clients.
type bearerToken struct{ v atomic.Pointer[string] }

func newBearerToken(token string) *bearerToken {
	b := &bearerToken{}
	b.set(token)
	return b
}

func (b *bearerToken) set(token string) { b.v.Store(&token) }
func (b *bearerToken) get() string      { return *b.v.Load() }

func (b *bearerToken) wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripperFunc(func(req *http.Request) (*http.Response, error) {
		req = utilnet.CloneRequest(req)
		req.Header.Set("Authorization", "Bearer "+b.get())
		return rt.RoundTrip(req)
	})
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

// renewToken renews m's token when it is due and publishes its expiry. It runs
// after a passing health check, so the member answers.
func (r *Registry) renewToken(m *Member) {
	s := m.state
	if s.token == nil {
		return
	}
	claims, ok := parseToken(s.token.get())
	if !ok {
		return
	}
	tokenExpiration.WithLabelValues(m.Name).Set(float64(claims.Expiry))
	if time.Now().Before(claims.renewAt(r.opts.TokenRenewAfter)) {
		return
	}
	log := r.log.WithValues("cluster", m.Name, "expires", claims.expires())
	if err := r.writeRenewedToken(m, claims); err != nil {
		tokenRenewals.WithLabelValues(m.Name, "error").Inc()
		log.Error(err, "renew the member's token; retrying after its next health check")
		return
	}
	tokenRenewals.WithLabelValues(m.Name, "ok").Inc()
}

// writeRenewedToken requests a new token for the ServiceAccount of claims and
// writes it, with its expiry, into m's Secret.
func (r *Registry) writeRenewedToken(m *Member, claims tokenClaims) error {
	ns, name, ok := claims.serviceAccount()
	if !ok {
		return fmt.Errorf("the token's subject %q is no ServiceAccount", claims.Subject)
	}
	ctx, cancel := context.WithTimeout(r.ctx, m.state.requestTimeout)
	defer cancel()
	req := &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{
		ExpirationSeconds: ptr.To(claims.Expiry - claims.IssuedAt),
	}}
	got, err := m.state.kube.CoreV1().ServiceAccounts(ns).CreateToken(ctx, name, req, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("request a token for ServiceAccount %s/%s in the member: %w", ns, name, err)
	}
	if got.Status.Token == "" {
		return fmt.Errorf("the token request for ServiceAccount %s/%s returned no token", ns, name)
	}
	kfc := &corev1beta1.KubeFedCluster{}
	if err := r.hostCache.Get(ctx, types.NamespacedName{Namespace: r.opts.Namespace, Name: m.Name}, kfc); err != nil {
		return fmt.Errorf("get the KubeFedCluster: %w", err)
	}
	secret := &corev1.Secret{}
	if err := r.hostCache.Get(ctx, types.NamespacedName{Namespace: r.opts.Namespace, Name: kfc.Spec.SecretRef.Name}, secret); err != nil {
		return fmt.Errorf("get the Secret: %w", err)
	}
	orig := secret.DeepCopy()
	if secret.Data == nil {
		secret.Data = map[string][]byte{}
	}
	secret.Data[corev1beta1.SecretTokenKey] = []byte(got.Status.Token)
	metav1.SetMetaDataAnnotation(&secret.ObjectMeta, TokenExpirationAnnotation, got.Status.ExpirationTimestamp.UTC().Format(time.RFC3339))
	// Optimistic: a Secret changed meanwhile (a join) is not overwritten.
	if err := r.host.Patch(ctx, secret, client.MergeFromWithOptions(orig, client.MergeFromWithOptimisticLock{})); err != nil {
		return fmt.Errorf("write the new token into Secret %s/%s: %w", secret.Namespace, secret.Name, err)
	}
	// In use at once; the registry's reconcile of the Secret then finds it so.
	m.state.token.set(got.Status.Token)
	tokenExpiration.WithLabelValues(m.Name).Set(float64(got.Status.ExpirationTimestamp.Unix()))
	r.log.Info("renewed the member's token", "cluster", m.Name, "secret", secret.Name,
		"expires", got.Status.ExpirationTimestamp.Time)
	return nil
}
