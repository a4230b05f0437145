package cluster

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"

	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
)

// Member is one registered member cluster. A Member is a snapshot: when the
// KubeFedCluster's labels change the registry publishes a new Member sharing the
// same clients, and when its connection settings change, a new Member with new
// clients. Ready is live.
type Member struct {
	// Name is the KubeFedCluster's name.
	Name string
	// Labels are the KubeFedCluster's labels, for placement's clusterSelector.
	Labels map[string]string
	// Client reads from Cache and writes straight to the member's API server.
	Client client.Client
	// Reader reads straight from the member's API server, bypassing Cache.
	Reader client.Reader
	// Cache holds the member's objects of the types registered with
	// Registry.WatchMembers (restricted by Options.CacheLabelSelector).
	//
	// Client, Reader and Cache are nil while the KubeFedCluster's connection
	// settings are unusable (e.g. its Secret is missing); Ready is false then and
	// the KubeFedCluster status says why.
	Cache cache.Cache

	state *memberState
}

// Ready reports whether the member's last health checks passed, as its
// KubeFedCluster's Ready condition says.
func (m *Member) Ready() bool { return m.state.ready.Load() }

// Unresponsive returns why requests to the member are not sent, or nil: one got
// no answer within HealthCheck.RequestTimeout (or a health probe none within its
// timeout), and no health check has passed since. Requests made through Client
// and Reader meanwhile fail at once with an error wrapping ErrUnresponsive. It
// changes before Ready does, which waits for FailureThreshold probes; callers
// treat it as not ready without waiting for that.
func (m *Member) Unresponsive() error { return m.state.breaker.err() }

// RequestTimeout bounds each request made through Client and Reader.
func (m *Member) RequestTimeout() time.Duration { return m.state.requestTimeout }

// memberState is shared by all snapshots of one Member built from one connection
// setting.
type memberState struct {
	fingerprint string
	configErr   error                // set when there are no clients
	kube        kubernetes.Interface // for probes: no request timeout of its own, no breaker
	// breaker makes requests through Client and Reader fail fast while the
	// member does not answer; nil when there are no clients.
	breaker        *breaker
	requestTimeout time.Duration
	// ctx ends when the member's cache stops.
	ctx    context.Context
	cancel context.CancelFunc

	ready    atomic.Bool
	probed   atomic.Bool // the first health check has set ready
	checking sync.Mutex  // held by the one running health check, so checks never pile up

	mu         sync.Mutex
	tracker    tracker
	zonesKnown bool
	zones      []string
	region     *string

	watchMu     sync.Mutex
	watched     map[*MemberWatch]bool
	watchWarned map[*MemberWatch]bool

	forbidden forbiddenTypes
	// token is the member's bearer token, nil when it authenticates otherwise.
	token *bearerToken
}

// withLabels returns a snapshot of m with other labels.
func (m *Member) withLabels(labels map[string]string) *Member {
	c := *m
	c.Labels = labels
	return &c
}

// fingerprint identifies the connection settings of a KubeFedCluster, so that a
// member is rebuilt exactly when they change (and not on status or label updates).
func fingerprint(kfc *corev1beta1.KubeFedCluster, secret *corev1.Secret) string {
	h := sha256.New()
	spec, _ := json.Marshal(kfc.Spec)
	h.Write(spec)
	if secret != nil {
		// Whether there is a token, not which: a new token (renewed, or joined
		// again) goes to the member's bearerToken, without a rebuild.
		fmt.Fprintf(h, "\x00%s present=%t", corev1beta1.SecretTokenKey, len(secret.Data[corev1beta1.SecretTokenKey]) > 0)
		for _, k := range []string{corev1beta1.SecretCAKey, corev1beta1.SecretCertKey, corev1beta1.SecretKeyKey} {
			fmt.Fprintf(h, "\x00%s=%x", k, secret.Data[k])
		}
		fmt.Fprintf(h, "\x00access=%s", secret.Annotations[MemberAccessAnnotation])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// memberQPS and memberBurst are high since the member's API server, not the
// client, should be what limits propagation: thousands of objects are written at once.
const (
	memberQPS   = 500
	memberBurst = 1000
)

// restConfig builds the client configuration of a member from its KubeFedCluster
// and Secret, as KubeFed does: a bearer token from key "token" (or a client
// certificate from tls.crt/tls.key), the CA bundle of the spec (or ca.crt).
func restConfig(kfc *corev1beta1.KubeFedCluster, secret *corev1.Secret) (*rest.Config, error) {
	if kfc.Spec.APIEndpoint == "" {
		return nil, fmt.Errorf("spec.apiEndpoint is empty")
	}
	cfg := &rest.Config{
		Host:      kfc.Spec.APIEndpoint,
		QPS:       memberQPS,
		Burst:     memberBurst,
		UserAgent: "kubefed-controller-manager/" + kfc.Name,
	}
	cfg.BearerToken = string(secret.Data[corev1beta1.SecretTokenKey])
	cfg.CertData, cfg.KeyData = secret.Data[corev1beta1.SecretCertKey], secret.Data[corev1beta1.SecretKeyKey]
	if cfg.BearerToken == "" && (len(cfg.CertData) == 0 || len(cfg.KeyData) == 0) {
		return nil, fmt.Errorf("secret %s/%s has no value for key %q", secret.Namespace, secret.Name, corev1beta1.SecretTokenKey)
	}
	cfg.CAData = kfc.Spec.CABundle
	if len(cfg.CAData) == 0 {
		cfg.CAData = secret.Data[corev1beta1.SecretCAKey]
	}
	if kfc.Spec.ProxyURL != "" {
		u, err := url.Parse(kfc.Spec.ProxyURL)
		if err != nil {
			return nil, fmt.Errorf("spec.proxyURL: %w", err)
		}
		cfg.Proxy = http.ProxyURL(u)
	}
	switch v := kfc.Spec.DisabledTLSValidations; {
	case slices.Contains(v, corev1beta1.TLSAll):
		cfg.Insecure, cfg.CAData = true, nil
	case len(v) > 0:
		if err := relaxTLSValidation(cfg, v); err != nil {
			return nil, fmt.Errorf("spec.disabledTLSValidations: %w", err)
		}
	}
	return cfg, nil
}

// newMember builds the clients and the (not yet started) cache of a member.
//
// Requests and watches get different HTTP clients over one connection pool. The
// cache's watches are long-lived, so they have no timeout; their own reconnects
// cope with a member that goes away. Every other request through Client, Reader
// or the REST mapper is bounded by opts.HealthCheck.RequestTimeout and passes the
// member's breaker, so that a member that stops answering holds no worker for
// longer than that, and then for no time at all until it answers again.
func newMember(kfc *corev1beta1.KubeFedCluster, secret *corev1.Secret, opts Options) (*Member, error) {
	cfg, err := restConfig(kfc, secret)
	if err != nil {
		return nil, err
	}
	var token *bearerToken
	if cfg.BearerToken != "" {
		token = newBearerToken(cfg.BearerToken)
		cfg.BearerToken, cfg.WrapTransport = "", token.wrap
	}
	watchClient, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("http client: %w", err)
	}
	b := &breaker{cluster: kfc.Name}
	requestCfg := rest.CopyConfig(cfg)
	// Sets the client's timeout, a deadline on each request's context, and the
	// server-side ?timeout= of the request.
	requestCfg.Timeout = opts.HealthCheck.RequestTimeout
	requestClient, err := rest.HTTPClientFor(requestCfg)
	if err != nil {
		return nil, fmt.Errorf("http client: %w", err)
	}
	requestClient.Transport = b.wrap(requestClient.Transport)
	// One lazy mapper for cache and clients: it asks the member for API groups
	// only when a type is first used, so building never blocks on the member.
	mapper, err := apiutil.NewDynamicRESTMapper(requestCfg, requestClient)
	if err != nil {
		return nil, fmt.Errorf("rest mapper: %w", err)
	}
	cacheOpts := cache.Options{
		HTTPClient:           watchClient,
		Scheme:               opts.Scheme,
		Mapper:               mapper,
		DefaultLabelSelector: opts.CacheLabelSelector,
		ByObject:             opts.CacheByObject,
	}
	if opts.MemberNamespace != "" {
		cacheOpts.DefaultNamespaces = map[string]cache.Config{opts.MemberNamespace: {}}
	}
	c, err := cache.New(cfg, cacheOpts)
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	state := &memberState{breaker: b, requestTimeout: opts.HealthCheck.RequestTimeout, token: token}
	writer, err := client.New(requestCfg, client.Options{HTTPClient: requestClient, Scheme: opts.Scheme, Mapper: mapper,
		// Unstructured reads too: run-time types are read as unstructured.
		Cache: &client.CacheOptions{Reader: forbiddenGuard{Reader: c, scheme: opts.Scheme, forbidden: &state.forbidden}, Unstructured: true}})
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	reader, err := client.New(requestCfg, client.Options{HTTPClient: requestClient, Scheme: opts.Scheme, Mapper: mapper})
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	// Probes bound themselves with HealthCheck.Timeout and must not be stopped by
	// the breaker they are meant to close.
	kube, err := kubernetes.NewForConfigAndClient(cfg, watchClient)
	if err != nil {
		return nil, fmt.Errorf("clientset: %w", err)
	}
	state.kube = kube
	return &Member{Name: kfc.Name, Labels: kfc.Labels, Client: writer, Reader: reader, Cache: c, state: state}, nil
}

// brokenMember stands for a KubeFedCluster whose connection settings are unusable,
// so that placement still sees the cluster (and reports it not ready).
func brokenMember(kfc *corev1beta1.KubeFedCluster, err error) *Member {
	return &Member{Name: kfc.Name, Labels: kfc.Labels, state: &memberState{configErr: err}}
}

// start runs the member's cache until ctx ends or stop is called.
func (m *Member) start(ctx context.Context, log logr.Logger) {
	m.state.ctx, m.state.cancel = context.WithCancel(ctx)
	if m.state.breaker != nil {
		m.state.breaker.log = log
	}
	ctx = m.state.ctx
	if m.Cache == nil {
		return
	}
	go func() {
		if err := m.Cache.Start(ctx); err != nil {
			log.Error(err, "member cache stopped")
		}
	}()
}

func (m *Member) stop() {
	if m.state.cancel != nil {
		m.state.cancel()
	}
}
