package cluster_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr/funcr"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/cluster"
	"github.com/kubefed-gen/kubefed/test/clusters"
)

// TestTokenRenewal joins a real member with the shortest token lifetime the
// API server grants (10 minutes) to a registry that renews tokens after 3% of
// their lifetime (18 s), and checks that the registry renews the token twice
// through the member itself, with the same lifetime and ServiceAccount, writes
// it and its expiry into the Secret, keeps the member's clients and cache
// (the Member's Cache is the same), and reads the member with the new token.
func TestTokenRenewal(t *testing.T) {
	ctrl.SetLogger(funcr.New(func(string, string) {}, funcr.Options{}))
	crds, err := filepath.Abs(filepath.Join("..", "config", "crd"))
	if err != nil {
		t.Fatal(err)
	}
	set, err := clusters.Start(clusters.Options{Members: 1, HostCRDDirs: []string{crds}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := set.Stop(); err != nil {
			t.Error(err)
		}
	})
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, corev1beta1.AddToScheme} {
		if err := add(scheme); err != nil {
			t.Fatal(err)
		}
	}
	host, err := client.New(set.Host.Config, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := host.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
		t.Fatal(err)
	}
	const lifetime = 10 * time.Minute
	member := set.Members[0]
	if err := cluster.Join(ctx, set.Host.Config, member.Config, cluster.JoinOptions{
		ClusterName: member.Name, HostClusterName: "host", TokenTTL: lifetime, Access: cluster.AccessTypes, Types: []string{"configmaps"},
	}); err != nil {
		t.Fatal(err)
	}
	secretKey := client.ObjectKey{Namespace: ns, Name: cluster.SecretName(member.Name)}
	readSecret := func(ctx context.Context) (*corev1.Secret, error) {
		var s corev1.Secret
		return &s, host.Get(ctx, secretKey, &s)
	}
	joined, err := readSecret(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first := claimsOf(t, joined)
	if got := time.Duration(first.Exp-first.Iat) * time.Second; got != lifetime {
		t.Fatalf("joined token lives %v, want %v", got, lifetime)
	}
	checkExpiryAnnotation(t, joined, first)

	mgr, err := ctrl.NewManager(set.Host.Config, ctrl.Options{
		Scheme: scheme, Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0",
	})
	if err != nil {
		t.Fatal(err)
	}
	const renewAfter = 0.03
	registry, err := cluster.NewRegistry(mgr, cluster.Options{
		Namespace:       ns,
		HealthCheck:     cluster.HealthCheck{Period: 500 * time.Millisecond},
		TokenRenewAfter: renewAfter,
	})
	if err != nil {
		t.Fatal(err)
	}
	mgrCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- mgr.Start(mgrCtx) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	var m *cluster.Member
	waitFor(t, "member ready", time.Minute, func(context.Context) error {
		var ok bool
		if m, ok = registry.Member(member.Name); !ok || !m.Ready() {
			return fmt.Errorf("member not ready")
		}
		return nil
	})
	cache := m.Cache

	// Two renewals: the second is made with the first renewed token.
	previous := first
	for round := 1; round <= 2; round++ {
		start := time.Now()
		var renewed *corev1.Secret
		waitFor(t, fmt.Sprintf("renewal %d", round), 2*time.Minute, func(ctx context.Context) error {
			s, err := readSecret(ctx)
			if err != nil {
				return err
			}
			if c := claimsOf(t, s); c.Iat == previous.Iat && c.Jti == previous.Jti {
				return fmt.Errorf("token issued at %d not renewed yet", c.Iat)
			}
			renewed = s
			return nil
		})
		c := claimsOf(t, renewed)
		due := time.Unix(previous.Iat, 0).Add(time.Duration(renewAfter * float64(lifetime)))
		t.Logf("renewal %d: %v after waiting began; due at %v, issued at %v, expires %v", round,
			time.Since(start).Round(time.Millisecond), due.Format(time.TimeOnly), time.Unix(c.Iat, 0).Format(time.TimeOnly), time.Unix(c.Exp, 0).Format(time.TimeOnly))
		if got := time.Duration(c.Exp-c.Iat) * time.Second; got != lifetime {
			t.Errorf("renewed token lives %v, want %v", got, lifetime)
		}
		if c.Sub != first.Sub || c.Exp <= previous.Exp || time.Unix(c.Iat, 0).Before(due) {
			t.Errorf("renewed token: subject %s (want %s), expires %d (previous %d), issued %d (due %v)", c.Sub, first.Sub, c.Exp, previous.Exp, c.Iat, due)
		}
		checkExpiryAnnotation(t, renewed, c)
		if got := tokenExpiryMetric(t, member.Name); got < float64(c.Exp) {
			t.Errorf("kubefed_cluster_token_expiration_timestamp_seconds = %v, want at least %d", got, c.Exp)
		}
		previous = c
	}

	// The same member, cache and all, reads the member as the renewed token's
	// subject.
	cur, ok := registry.Member(member.Name)
	if !ok || cur.Cache != cache {
		t.Fatalf("member rebuilt by the renewal: cache %p, was %p", cur.Cache, cache)
	}
	review := &authenticationv1.SelfSubjectReview{}
	if err := cur.Client.Create(ctx, review); err != nil {
		t.Fatal(err)
	}
	if got := review.Status.UserInfo.Username; got != first.Sub {
		t.Errorf("the member sees the registry as %q, want %q", got, first.Sub)
	}
	if err := cur.Reader.List(ctx, &corev1.ConfigMapList{}, client.InNamespace(ns)); err != nil {
		t.Errorf("list configmaps with the renewed token: %v", err)
	}
}

type claims struct {
	Sub string `json:"sub"`
	Iat int64  `json:"iat"`
	Exp int64  `json:"exp"`
	Jti string `json:"jti"`
}

func claimsOf(t *testing.T, s *corev1.Secret) claims {
	t.Helper()
	parts := strings.Split(string(s.Data[corev1beta1.SecretTokenKey]), ".")
	if len(parts) != 3 {
		t.Fatalf("secret %s: token is no JWT", s.Name)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c claims
	if err := json.Unmarshal(payload, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func checkExpiryAnnotation(t *testing.T, s *corev1.Secret, c claims) {
	t.Helper()
	got, err := time.Parse(time.RFC3339, s.Annotations[cluster.TokenExpirationAnnotation])
	if err != nil || !got.Equal(time.Unix(c.Exp, 0)) {
		t.Errorf("secret %s: %s %q (%v), want %v", s.Name, cluster.TokenExpirationAnnotation, s.Annotations[cluster.TokenExpirationAnnotation], err, time.Unix(c.Exp, 0).UTC())
	}
}

func tokenExpiryMetric(t *testing.T, name string) float64 {
	t.Helper()
	families, err := metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "kubefed_cluster_token_expiration_timestamp_seconds" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "cluster" && l.GetValue() == name {
					return m.GetGauge().GetValue()
				}
			}
		}
	}
	t.Fatalf("no kubefed_cluster_token_expiration_timestamp_seconds for %s", name)
	return 0
}

func waitFor(t *testing.T, what string, timeout time.Duration, check func(context.Context) error) {
	t.Helper()
	var last error
	err := wait.PollUntilContextTimeout(context.Background(), 100*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		last = check(ctx)
		return last == nil, nil
	})
	if err != nil {
		t.Fatalf("%s: %v", what, last)
	}
}
