package cluster_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr/funcr"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/cluster"
	"github.com/kubefed-gen/kubefed/test/clusters"
)

const (
	ns           = corev1beta1.DefaultNamespace
	managedLabel = "kubefed.io/managed"
)

// env is a host and two joined members, with a Registry running on the host.
type env struct {
	set      *clusters.Set
	scheme   *runtime.Scheme
	host     client.Client
	registry *cluster.Registry

	mu      sync.Mutex
	changed map[string]bool     // clusters OnChange was called for
	watched map[string][]string // cluster -> "namespace/name" seen by WatchMembers
}

// TestRegistry joins two real member clusters to a real host and runs the registry
// against them: readiness, member clients, watches, an unreachable member, a
// missing Secret, and unjoining.
func TestRegistry(t *testing.T) {
	if testing.Verbose() {
		ctrl.SetLogger(funcr.New(func(prefix, args string) { fmt.Fprintln(os.Stderr, prefix, args) }, funcr.Options{Verbosity: 1}))
	} else {
		ctrl.SetLogger(funcr.New(func(string, string) {}, funcr.Options{}))
	}
	e := start(t)

	t.Run("loaded before use", e.testLoaded)
	t.Run("join is idempotent", e.testJoinIdempotent)
	t.Run("members become ready", e.testReady)
	t.Run("one cluster joined under two names", e.testDuplicate)
	t.Run("member clients use the joined token", e.testMemberClients)
	t.Run("watch members", e.testWatchMembers)
	t.Run("no status writes in a steady state", e.testSteadyState)
	t.Run("unreachable member", e.testUnreachable)
	t.Run("hung member", e.testHung)
	t.Run("missing secret", e.testMissingSecret)
	t.Run("metrics", e.testMetrics)
	t.Run("unjoin", e.testUnjoin)
	t.Run("unjoin an unreachable member", e.testUnjoinUnreachable)
}

func start(t *testing.T) *env {
	crds, err := filepath.Abs(filepath.Join("..", "config", "crd"))
	if err != nil {
		t.Fatal(err)
	}
	set, err := clusters.Start(clusters.Options{Members: 2, HostCRDDirs: []string{crds}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := set.Stop(); err != nil {
			t.Error(err)
		}
	})
	e := &env{set: set, scheme: runtime.NewScheme(), changed: map[string]bool{}, watched: map[string][]string{}}
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, corev1beta1.AddToScheme} {
		if err := add(e.scheme); err != nil {
			t.Fatal(err)
		}
	}
	if e.host, err = client.New(set.Host.Config, client.Options{Scheme: e.scheme}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := e.host.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
		t.Fatal(err)
	}
	e.join(t, set.Members[0], map[string]string{"region": "east"})
	e.join(t, set.Members[1], nil)

	mgr, err := ctrl.NewManager(set.Host.Config, ctrl.Options{
		Scheme:                 e.scheme,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
	})
	if err != nil {
		t.Fatal(err)
	}
	e.registry, err = cluster.NewRegistry(mgr, cluster.Options{
		Namespace:          ns,
		HealthCheck:        cluster.HealthCheck{Period: 200 * time.Millisecond, Timeout: 2 * time.Second, FailureThreshold: 2, RequestTimeout: time.Second},
		CacheLabelSelector: labels.SelectorFromSet(labels.Set{managedLabel: "true"}),
	})
	if err != nil {
		t.Fatal(err)
	}
	e.registry.OnChange(func(c string) {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.changed[c] = true
	})
	// A controller that only records which member objects reached it.
	watcher, err := controller.New("member-watch-test", mgr, controller.Options{
		Reconciler:         reconcile.Func(func(context.Context, reconcile.Request) (reconcile.Result, error) { return reconcile.Result{}, nil }),
		SkipNameValidation: ptr.To(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.registry.WatchMembers(ctx, cluster.MemberWatch{
		Object:     &corev1.ConfigMap{},
		Controller: watcher,
		Handler: func(c string) handler.EventHandler {
			return handler.EnqueueRequestsFromMapFunc(func(_ context.Context, o client.Object) []reconcile.Request {
				e.mu.Lock()
				defer e.mu.Unlock()
				e.watched[c] = append(e.watched[c], o.GetNamespace()+"/"+o.GetName())
				return nil
			})
		},
	}); err != nil {
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
	return e
}

func (e *env) join(t *testing.T, m *clusters.Cluster, labels map[string]string) {
	t.Helper()
	if err := cluster.Join(context.Background(), e.set.Host.Config, m.Config, cluster.JoinOptions{
		ClusterName: m.Name, HostClusterName: "host", Labels: labels,
	}); err != nil {
		t.Fatal(err)
	}
}

func (e *env) testJoinIdempotent(t *testing.T) {
	ctx := context.Background()
	before := e.kfc(t, "member2")
	e.join(t, e.set.Members[1], map[string]string{"tier": "b"})
	e.join(t, e.set.Members[1], map[string]string{"tier": "b"})

	var secrets corev1.SecretList
	if err := e.host.List(ctx, &secrets, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range secrets.Items {
		names = append(names, s.Name)
		if s.Type != corev1.SecretTypeOpaque || len(s.Data[corev1beta1.SecretTokenKey]) == 0 {
			t.Errorf("secret %s: type %s, keys %v; want an Opaque secret with a token", s.Name, s.Type, slices.Collect(maps.Keys(s.Data)))
		}
	}
	slices.Sort(names)
	if want := []string{"member1-token", "member2-token"}; !slices.Equal(names, want) {
		t.Errorf("secrets in the host: %v, want %v", names, want)
	}
	after := e.kfc(t, "member2")
	if after.UID != before.UID || after.Spec.SecretRef.Name != "member2-token" || after.Labels["tier"] != "b" {
		t.Errorf("KubeFedCluster after joining again: uid %s (was %s), secret %q, labels %v", after.UID, before.UID, after.Spec.SecretRef.Name, after.Labels)
	}
	if want := e.set.Members[1].Config.Host; !strings.HasSuffix(after.Spec.APIEndpoint, strings.TrimPrefix(want, "https://")) || len(after.Spec.CABundle) == 0 {
		t.Errorf("spec %+v; want the member's endpoint %s and its CA", after.Spec, want)
	}
}

// testLoaded: right after the manager starts, WaitLoaded returns only once
// every joined cluster is a member whose first health check has set its
// readiness, so that no controller acts on a part of the federation.
func (e *env) testLoaded(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := e.registry.WaitLoaded(ctx); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range e.registry.Members() {
		if !m.Ready() {
			t.Errorf("%s: loaded but not ready, although it answers", m.Name)
		}
		names = append(names, m.Name)
	}
	if want := []string{"member1", "member2"}; !slices.Equal(names, want) {
		t.Errorf("members once loaded: %v, want %v", names, want)
	}
}

func (e *env) testReady(t *testing.T) {
	eventually(t, "both members ready", func() error {
		members := e.registry.Members()
		var names []string
		for _, m := range members {
			if !m.Ready() {
				return fmt.Errorf("%s not ready", m.Name)
			}
			names = append(names, m.Name)
		}
		if !slices.Equal(names, []string{"member1", "member2"}) {
			return fmt.Errorf("members %v", names)
		}
		for _, name := range names {
			if err := e.condition(t, name, corev1beta1.ClusterReady, metav1.ConditionTrue, cluster.ReasonClusterReady); err != nil {
				return err
			}
			if err := e.condition(t, name, corev1beta1.ClusterOffline, metav1.ConditionFalse, cluster.ReasonClusterReachable); err != nil {
				return err
			}
		}
		return nil
	})
	m1, _ := e.registry.Member("member1")
	if m1.Labels["region"] != "east" {
		t.Errorf("member1 labels %v, want region=east", m1.Labels)
	}
	eventually(t, "OnChange for both members", func() error {
		e.mu.Lock()
		defer e.mu.Unlock()
		if !e.changed["member1"] || !e.changed["member2"] {
			return fmt.Errorf("OnChange called for %v", e.changed)
		}
		return nil
	})
}

// testDuplicate: join refuses a second name for a joined cluster, and a second
// KubeFedCluster recording the same identity (written by hand) is not used.
func (e *env) testDuplicate(t *testing.T) {
	ctx := context.Background()
	member2 := e.set.Members[1]
	err := cluster.Join(ctx, e.set.Host.Config, member2.Config, cluster.JoinOptions{ClusterName: "member2-again", HostClusterName: "host"})
	if err == nil || !strings.Contains(err.Error(), `already joined as "member2"`) {
		t.Fatalf("second join of member2: %v, want a refusal naming member2", err)
	}
	if err := e.host.Get(ctx, client.ObjectKey{Namespace: ns, Name: "member2-again"}, &corev1beta1.KubeFedCluster{}); !apierrors.IsNotFound(err) {
		t.Errorf("KubeFedCluster member2-again after a refused join: %v, want not found", err)
	}
	if id := e.kfc(t, "member2").Annotations[corev1beta1.ClusterIDAnnotation]; id == "" {
		t.Fatalf("member2 has no %s", corev1beta1.ClusterIDAnnotation)
	}

	orig := e.kfc(t, "member2")
	dup := &corev1beta1.KubeFedCluster{ObjectMeta: metav1.ObjectMeta{Name: "member2-copy", Namespace: ns, Annotations: orig.Annotations}, Spec: orig.Spec}
	if err := e.host.Create(ctx, dup); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the copy is reported and not used", func() error {
		c := meta.FindStatusCondition(e.kfc(t, "member2-copy").Status.Conditions, corev1beta1.ClusterReady)
		if c == nil || c.Status != metav1.ConditionFalse || !strings.Contains(c.Message, "already joined as member2") {
			return fmt.Errorf("Ready condition %+v", c)
		}
		return nil
	})
	if _, ok := e.registry.Member("member2-copy"); ok {
		t.Error("the registry uses member2-copy, a second name for member2")
	}
	if m, ok := e.registry.Member("member2"); !ok || !m.Ready() {
		t.Error("member2 is no longer a ready member")
	}
	if err := e.host.Delete(ctx, dup); err != nil {
		t.Fatal(err)
	}
}

func (e *env) testMemberClients(t *testing.T) {
	ctx := context.Background()
	m, ok := e.registry.Member("member1")
	if !ok {
		t.Fatal("no member1")
	}
	// Who the member's API server thinks we are proves the Secret's token is used.
	review := &authenticationv1.SelfSubjectReview{}
	if err := m.Client.Create(ctx, review); err != nil {
		t.Fatal(err)
	}
	if got, want := review.Status.UserInfo.Username, "system:serviceaccount:"+ns+":"+cluster.ServiceAccountName("member1", "host"); got != want {
		t.Fatalf("member client authenticates as %q, want %q", got, want)
	}

	cm := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "via-registry", Labels: map[string]string{managedLabel: "true"}},
		Data:       map[string]string{"k": "v"},
	}
	if err := m.Client.Create(ctx, cm); err != nil {
		t.Fatal(err)
	}
	var got corev1.ConfigMap
	if err := m.Reader.Get(ctx, client.ObjectKeyFromObject(cm), &got); err != nil || got.Data["k"] != "v" {
		t.Fatalf("read back through Reader: %v %v", err, got.Data)
	}
	eventually(t, "the cache holds the ConfigMap", func() error {
		return m.Client.Get(ctx, client.ObjectKeyFromObject(cm), &got)
	})
}

func (e *env) testWatchMembers(t *testing.T) {
	ctx := context.Background()
	admin := e.memberClient(t, e.set.Members[1].Config)
	for _, cm := range []*corev1.ConfigMap{
		{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "managed", Labels: map[string]string{managedLabel: "true"}}},
		{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "unmanaged"}},
	} {
		if err := admin.Create(ctx, cm); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "WatchMembers sees the managed ConfigMap created in member2", func() error {
		e.mu.Lock()
		defer e.mu.Unlock()
		if !slices.Contains(e.watched["member2"], "default/managed") {
			return fmt.Errorf("seen in member2: %v", e.watched["member2"])
		}
		return nil
	})
	e.mu.Lock()
	defer e.mu.Unlock()
	if slices.Contains(e.watched["member2"], "default/unmanaged") {
		t.Error("WatchMembers saw an object outside the cache's label selector")
	}
	if slices.Contains(e.watched["member2"], "default/via-registry") {
		t.Error("an object of member1 was reported for member2")
	}
}

func (e *env) testSteadyState(t *testing.T) {
	before := e.kfc(t, "member1").ResourceVersion
	time.Sleep(5 * 200 * time.Millisecond)
	if after := e.kfc(t, "member1").ResourceVersion; after != before {
		t.Errorf("KubeFedCluster member1 was written while healthy: resourceVersion %s -> %s", before, after)
	}
}

func (e *env) testUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "https://" + l.Addr().String()
	_ = l.Close()

	kfc := e.kfc(t, "member2")
	endpoint := kfc.Spec.APIEndpoint
	e.setEndpoint(t, "member2", closed)
	eventually(t, "member2 offline", func() error {
		if m, _ := e.registry.Member("member2"); m.Ready() {
			return errors.New("member2 still ready")
		}
		if err := e.condition(t, "member2", corev1beta1.ClusterReady, metav1.ConditionFalse, cluster.ReasonClusterNotReachable); err != nil {
			return err
		}
		return e.condition(t, "member2", corev1beta1.ClusterOffline, metav1.ConditionTrue, cluster.ReasonClusterNotReachable)
	})
	if m, _ := e.registry.Member("member1"); !m.Ready() {
		t.Error("member1 not ready while member2 is unreachable")
	}
	if err := e.condition(t, "member1", corev1beta1.ClusterReady, metav1.ConditionTrue, cluster.ReasonClusterReady); err != nil {
		t.Error(err)
	}

	e.setEndpoint(t, "member2", endpoint)
	eventually(t, "member2 ready again", func() error {
		if m, _ := e.registry.Member("member2"); !m.Ready() {
			return errors.New("member2 not ready")
		}
		return e.condition(t, "member2", corev1beta1.ClusterOffline, metav1.ConditionFalse, cluster.ReasonClusterReachable)
	})
}

// testHung stops member2's API server (it keeps its connections and answers
// nothing): requests to member2 wait at most the request timeout, then fail at
// once until member2 answers a health check again; member1 is not affected.
func (e *env) testHung(t *testing.T) {
	ctx := context.Background()
	m2 := e.set.Members[1]
	if err := m2.HangAPIServer(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := m2.ResumeAPIServer(); err != nil {
			t.Error(err)
		}
	})
	member, _ := e.registry.Member("member2")
	key := client.ObjectKey{Name: metav1.NamespaceSystem}
	start := time.Now()
	if err := member.Reader.Get(ctx, key, &corev1.Namespace{}); err == nil {
		t.Fatal("a hung member answered")
	}
	// The request times out after 1s, unless a probe (2s) opened the breaker first.
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("a request to a hung member took %v; want about its request timeout, 1s", took)
	}
	eventually(t, "member2 unresponsive", func() error {
		if member.Unresponsive() == nil {
			return errors.New("member2 still counts as answering")
		}
		return nil
	})
	start = time.Now()
	err := member.Reader.Get(ctx, key, &corev1.Namespace{})
	if !errors.Is(err, cluster.ErrUnresponsive) {
		t.Errorf("request to an unresponsive member: %v, want ErrUnresponsive", err)
	}
	if took := time.Since(start); took > 500*time.Millisecond {
		t.Errorf("request to an unresponsive member took %v; want it to fail at once", took)
	}
	member1, _ := e.registry.Member("member1")
	if err := member1.Reader.Get(ctx, key, &corev1.Namespace{}); err != nil || member1.Unresponsive() != nil {
		t.Errorf("member1 while member2 hangs: get %v, unresponsive %v", err, member1.Unresponsive())
	}

	e.mu.Lock()
	delete(e.changed, "member2")
	e.mu.Unlock()
	if err := m2.ResumeAPIServer(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "member2 answers again", func() error {
		member, _ := e.registry.Member("member2")
		if err := member.Unresponsive(); err != nil {
			return err
		}
		e.mu.Lock()
		changed := e.changed["member2"]
		e.mu.Unlock()
		if !changed {
			return errors.New("OnChange not called for member2")
		}
		return member.Reader.Get(ctx, key, &corev1.Namespace{})
	})
}

func (e *env) testMissingSecret(t *testing.T) {
	ctx := context.Background()
	m1 := e.kfc(t, "member1")
	broken := &corev1beta1.KubeFedCluster{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "broken"},
		Spec: corev1beta1.KubeFedClusterSpec{
			APIEndpoint: m1.Spec.APIEndpoint, CABundle: m1.Spec.CABundle,
			SecretRef: corev1beta1.LocalSecretReference{Name: "broken-credentials"},
		},
	}
	if err := e.host.Create(ctx, broken); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the missing secret is reported", func() error {
		if err := e.condition(t, "broken", corev1beta1.ClusterReady, metav1.ConditionFalse, cluster.ReasonClusterConfigMalformed); err != nil {
			return err
		}
		c := meta.FindStatusCondition(e.kfc(t, "broken").Status.Conditions, corev1beta1.ClusterReady)
		if !strings.Contains(c.Message, "secret "+ns+"/broken-credentials not found") {
			return fmt.Errorf("message %q does not name the secret", c.Message)
		}
		return nil
	})
	if m, ok := e.registry.Member("broken"); !ok || m.Ready() || m.Client != nil {
		t.Fatalf("member broken: %v %+v; want listed, not ready, without clients", ok, m)
	}

	// The Secret appearing is enough: the registry watches Secrets.
	var creds corev1.Secret
	if err := e.host.Get(ctx, client.ObjectKey{Namespace: ns, Name: m1.Spec.SecretRef.Name}, &creds); err != nil {
		t.Fatal(err)
	}
	if err := e.host.Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "broken-credentials"}, Data: creds.Data,
	}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "ready once the secret exists", func() error {
		if m, _ := e.registry.Member("broken"); !m.Ready() {
			return errors.New("not ready")
		}
		return nil
	})

	if err := e.host.Delete(ctx, broken); err != nil {
		t.Fatal(err)
	}
	eventually(t, "dropped once deleted", func() error {
		if _, ok := e.registry.Member("broken"); ok {
			return errors.New("still a member")
		}
		return nil
	})
}

func (e *env) testMetrics(t *testing.T) {
	families, err := metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			var cluster string
			for _, l := range m.GetLabel() {
				if l.GetName() == "cluster" {
					cluster = l.GetValue()
				}
			}
			switch {
			case f.GetName() == "kubefed_cluster_ready" && cluster == "member1":
				found[f.GetName()] = m.GetGauge().GetValue() == 1
			case f.GetName() == "kubefed_cluster_health_check_duration_seconds" && cluster == "member1":
				found[f.GetName()] = m.GetHistogram().GetSampleCount() > 0
			case cluster == "broken":
				t.Errorf("metric %s still has the removed cluster", f.GetName())
			}
		}
	}
	for _, name := range []string{"kubefed_cluster_ready", "kubefed_cluster_health_check_duration_seconds"} {
		if !found[name] {
			t.Errorf("metric %s missing or wrong for member1", name)
		}
	}
}

func (e *env) testUnjoin(t *testing.T) {
	ctx := context.Background()
	member := e.set.Members[1]
	opts := cluster.JoinOptions{ClusterName: member.Name, HostClusterName: "host"}
	for range 2 { // the second time finds nothing to do
		if err := cluster.Unjoin(ctx, e.set.Host.Config, member.Config, opts); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "member2 dropped", func() error {
		if _, ok := e.registry.Member("member2"); ok {
			return errors.New("still a member")
		}
		return nil
	})
	if m := e.registry.Members(); len(m) != 1 || m[0].Name != "member1" || !m[0].Ready() {
		t.Errorf("members after unjoin: %v", m)
	}
	e.assertHostSideGone(t, "member2")
	admin := e.memberClient(t, member.Config)
	sa := cluster.ServiceAccountName("member2", "host")
	for _, obj := range []client.Object{
		&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: sa}},
		&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: cluster.RoleName(sa)}},
		&rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: cluster.RoleName(sa)}},
	} {
		if err := admin.Get(ctx, client.ObjectKeyFromObject(obj), obj); !apierrors.IsNotFound(err) {
			t.Errorf("%T %s in member2 after unjoin: %v", obj, obj.GetName(), err)
		}
	}
}

func (e *env) testUnjoinUnreachable(t *testing.T) {
	member := e.set.Members[1]
	e.join(t, member, nil)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gone := rest.CopyConfig(member.Config)
	gone.Host = "https://" + l.Addr().String()
	_ = l.Close()

	err = cluster.Unjoin(context.Background(), e.set.Host.Config, gone, cluster.JoinOptions{ClusterName: member.Name, HostClusterName: "host"})
	if err == nil || !strings.Contains(err.Error(), "unjoin cluster member2: in the member") {
		t.Fatalf("unjoin with an unreachable member: %v; want an error about the member", err)
	}
	e.assertHostSideGone(t, "member2")
}

func (e *env) assertHostSideGone(t *testing.T, name string) {
	t.Helper()
	ctx := context.Background()
	if err := e.host.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, &corev1beta1.KubeFedCluster{}); !apierrors.IsNotFound(err) {
		t.Errorf("KubeFedCluster %s after unjoin: %v", name, err)
	}
	if err := e.host.Get(ctx, client.ObjectKey{Namespace: ns, Name: cluster.SecretName(name)}, &corev1.Secret{}); !apierrors.IsNotFound(err) {
		t.Errorf("Secret of %s after unjoin: %v", name, err)
	}
}

func (e *env) kfc(t *testing.T, name string) *corev1beta1.KubeFedCluster {
	t.Helper()
	kfc := &corev1beta1.KubeFedCluster{}
	if err := e.host.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, kfc); err != nil {
		t.Fatal(err)
	}
	return kfc
}

func (e *env) setEndpoint(t *testing.T, name, endpoint string) {
	t.Helper()
	kfc := e.kfc(t, name)
	patch := client.MergeFrom(kfc.DeepCopy())
	kfc.Spec.APIEndpoint = endpoint
	if err := e.host.Patch(context.Background(), kfc, patch); err != nil {
		t.Fatal(err)
	}
}

// condition checks one condition of a KubeFedCluster's status.
func (e *env) condition(t *testing.T, name, typ string, status metav1.ConditionStatus, reason string) error {
	c := meta.FindStatusCondition(e.kfc(t, name).Status.Conditions, typ)
	if c == nil || c.Status != status || c.Reason != reason {
		return fmt.Errorf("KubeFedCluster %s condition %s is %+v, want %s/%s", name, typ, c, status, reason)
	}
	return nil
}

func (e *env) memberClient(t *testing.T, cfg *rest.Config) client.Client {
	t.Helper()
	c, err := client.New(cfg, client.Options{Scheme: e.scheme})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func eventually(t *testing.T, what string, fn func() error) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		err := fn()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
