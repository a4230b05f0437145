// Package federation starts a complete local federation for tests and benchmarks:
// a real host and real members (package clusters; two unless WithMembers says
// otherwise), all joined, and the default controller manager running in-process
// against them.
package federation

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"go.uber.org/zap/zapcore"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/retry"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/yaml"

	typesv1beta1 "github.com/kubefed-gen/kubefed/cmd/controller-manager/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/cmd/controller-manager/fedtypes"
	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	schedulingv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/scheduling/v1alpha1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/cluster"
	"github.com/kubefed-gen/kubefed/runtime/fedtype"
	"github.com/kubefed-gen/kubefed/runtime/manager"
	"github.com/kubefed-gen/kubefed/test/clusters"
	"golang.org/x/sync/errgroup"
)

// KubefedNamespace is where the control plane keeps its own objects in the host.
const KubefedNamespace = corev1beta1.DefaultNamespace

// Federation is a host with its joined members and the default controller manager
// running in-process against them.
type Federation struct {
	Set *clusters.Set
	// Host and Members are administrator clients; Members is keyed by cluster name.
	Host    client.Client
	Members map[string]client.Client

	opts        manager.Options
	types       []fedtype.Descriptor
	addToScheme []func(*runtime.Scheme) error
	mgrConfig   *rest.Config
	stop        func() // stops the running manager and waits for it
}

// MemberLabels are the members' KubeFedCluster labels, so that tests can place by
// clusterSelector.
var MemberLabels = map[string]map[string]string{
	"member1": {"region": "eu"},
	"member2": {"region": "us"},
}

// Option changes what Start starts.
type Option func(*settings)

type settings struct {
	clusters    clusters.Options
	addToScheme []func(*runtime.Scheme) error
	types       []fedtype.Descriptor
}

// WithWorkloads makes the named members run pods, on the fake nodes described
// (see clusters.Workloads); by default members are bare API servers, which start
// faster.
func WithWorkloads(byCluster map[string]clusters.Workloads) Option {
	return func(s *settings) { s.clusters.Workloads = byCluster }
}

// WithTypes builds the manager with more compiled types, generated outside the
// default set: their descriptors, their API package's AddToScheme, and the
// folder of their Federated CRDs (relative to the test's package).
func WithTypes(types []fedtype.Descriptor, addToScheme func(*runtime.Scheme) error, crdDir string) Option {
	return func(s *settings) {
		s.types = append(s.types, types...)
		s.addToScheme = append(s.addToScheme, addToScheme)
		s.clusters.HostCRDDirs = append(s.clusters.HostCRDDirs, crdDir)
	}
}

// Start starts the federation; everything stops when the test ends. The CRD folders
// are found relative to a package two levels below the module root (test/<pkg>).
func Start(t testing.TB, opts manager.Options, options ...Option) *Federation {
	t.Helper()
	return StartWithTypes(t, opts, fedtypes.Descriptors, options...)
}

// StartWithTypes starts the federation with a manager built with the given
// compiled types only; the others propagate dynamically once a
// FederatedTypeConfig enables them (see EnableDynamic).
func StartWithTypes(t testing.TB, opts manager.Options, types []fedtype.Descriptor, options ...Option) *Federation {
	t.Helper()
	s := settings{clusters: clusters.Options{
		Members: 2,
		HostCRDDirs: []string{
			filepath.Join("..", "..", "cmd", "controller-manager", "config", "crd", "bases"),
			filepath.Join("..", "..", "runtime", "config", "crd"),
		},
	}}
	s.addToScheme = []func(*runtime.Scheme) error{typesv1beta1.AddToScheme}
	for _, o := range options {
		o(&s)
	}
	types = append(slices.Clip(types), s.types...)
	// The logger is set before the clusters start: controller-runtime complains,
	// with a stack, when it is still unset 30 s after its first use.
	setLogger(t)
	set, err := clusters.Start(s.clusters)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := set.Stop(); err != nil {
			t.Error(err)
		}
	})
	f := connect(t, set, types, s.addToScheme)
	ctx := context.Background()
	if err := f.Host.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: KubefedNamespace}}); err != nil {
		t.Fatal(err)
	}
	// Joins are independent, and each waits on its member's API server: with many
	// members, joining one after another dominates the start.
	var joins errgroup.Group
	for _, m := range set.Members {
		joins.Go(func() error {
			return cluster.Join(ctx, set.Host.Config, m.Config, cluster.JoinOptions{
				ClusterName: m.Name, HostClusterName: "host", KubeFedNamespace: KubefedNamespace, Labels: MemberLabels[m.Name],
			})
		})
	}
	if err := joins.Wait(); err != nil {
		t.Fatal(err)
	}
	f.run(t, opts)
	return f
}

// connect returns a Federation with clients of set's host and members, whose
// scheme knows the core APIs and the federated types of addToScheme.
func connect(t testing.TB, set *clusters.Set, types []fedtype.Descriptor, addToScheme []func(*runtime.Scheme) error) *Federation {
	t.Helper()
	scheme := runtime.NewScheme()
	for _, add := range append([]func(*runtime.Scheme) error{clientgoscheme.AddToScheme, corev1beta1.AddToScheme, schedulingv1alpha1.AddToScheme, apiextensionsv1.AddToScheme}, addToScheme...) {
		if err := add(scheme); err != nil {
			t.Fatal(err)
		}
	}
	f := &Federation{Set: set, Members: map[string]client.Client{}, types: types, addToScheme: addToScheme}
	var err error
	if f.Host, err = client.New(set.Host.Config, client.Options{Scheme: scheme}); err != nil {
		t.Fatal(err)
	}
	for _, m := range set.Members {
		if f.Members[m.Name], err = client.New(m.Config, client.Options{Scheme: scheme}); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// run starts the manager with opts, its generated RBAC and admission policies,
// stops it when the test ends, and waits until every member is Ready.
func (f *Federation) run(t testing.TB, opts manager.Options) {
	t.Helper()
	opts.Namespace = KubefedNamespace
	opts.MetricsAddr, opts.ProbeAddr = "0", "0"
	if opts.HealthCheck.Period == 0 {
		opts.HealthCheck.Period = 300 * time.Millisecond
	}
	// The manager runs as its service account with the generated RBAC, so every test
	// also proves that RBAC grants all the manager needs.
	f.mgrConfig = rest.CopyConfig(f.Set.Host.Config)
	f.mgrConfig.Impersonate = rest.ImpersonationConfig{UserName: installRBAC(t, f.Host, "rbac")}
	installAdmission(t, f.Host, f.types)
	f.opts = opts
	f.StartManager(t)
	t.Cleanup(func() { f.StopManager(t) })
	for _, m := range f.Set.Members {
		f.WaitClusterReady(t, m.Name)
	}
}

// setLogger sends the manager's log through controller-runtime's logger: all of
// it with KUBEFED_TEST_LOG, else its last lines when the test fails.
func setLogger(t testing.TB) {
	if os.Getenv("KUBEFED_TEST_LOG") != "" {
		ctrl.SetLogger(zap.New(zap.UseDevMode(true)))
		return
	}
	const keep = 400
	tail := newLogTail(keep)
	ctrl.SetLogger(zap.New(zap.WriteTo(tail), zap.ConsoleEncoder(), zap.StacktraceLevel(zapcore.PanicLevel)))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the controller manager's last %d log lines:\n%s", keep, tail)
		}
	})
}

// WaitClusterReady waits until the KubeFedCluster name is Ready.
func (f *Federation) WaitClusterReady(t testing.TB, name string) {
	t.Helper()
	f.Eventually(t, fmt.Sprintf("cluster %s ready", name), func(ctx context.Context) error {
		var kfc corev1beta1.KubeFedCluster
		if err := f.Host.Get(ctx, client.ObjectKey{Namespace: KubefedNamespace, Name: name}, &kfc); err != nil {
			return err
		}
		if !meta.IsStatusConditionTrue(kfc.Status.Conditions, corev1beta1.ClusterReady) {
			return fmt.Errorf("conditions %+v", kfc.Status.Conditions)
		}
		return nil
	})
}

// SetEndpoint points member cluster name's KubeFedCluster at endpoint (a closed
// port makes the member unreachable) and returns the endpoint it had. Conflicts
// with the registry's status writes are retried.
func (f *Federation) SetEndpoint(ctx context.Context, name, endpoint string) (old string, err error) {
	key := client.ObjectKey{Namespace: KubefedNamespace, Name: name}
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		var kfc corev1beta1.KubeFedCluster
		if err := f.Host.Get(ctx, key, &kfc); err != nil {
			return err
		}
		old, kfc.Spec.APIEndpoint = kfc.Spec.APIEndpoint, endpoint
		return f.Host.Update(ctx, &kfc)
	})
	return old, err
}

// StartManager starts a new controller manager (after StopManager).
func (f *Federation) StartManager(t testing.TB) {
	t.Helper()
	if f.stop != nil {
		t.Fatal("the manager is already running")
	}
	mgr, err := manager.New(f.mgrConfig, f.opts, f.types, f.addToScheme...)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(runCtx) }()
	f.stop = func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("manager: %v", err)
		}
	}
}

// StopManager stops the controller manager wherever it is in its work, as a crash
// would: in-flight requests are cancelled, and nothing is finished or cleaned up.
func (f *Federation) StopManager(t testing.TB) {
	t.Helper()
	if f.stop != nil {
		f.stop()
		f.stop = nil
	}
}

// Eventually polls check until it returns nil, failing the test with the last
// error after 30 seconds.
func (f *Federation) Eventually(t testing.TB, what string, check func(ctx context.Context) error) {
	t.Helper()
	eventually(t, what, check)
}

func eventually(t testing.TB, what string, check func(ctx context.Context) error) {
	t.Helper()
	var last error
	err := wait.PollUntilContextTimeout(context.Background(), 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		err := check(ctx)
		// A check cut short by the deadline says nothing about the state; keep
		// the last one that does.
		if err == nil || ctx.Err() == nil || last == nil {
			last = err
		}
		return err == nil, nil
	})
	if err != nil {
		t.Fatalf("%s: %v", what, last)
	}
}

// FederateNamespace creates a namespace in the host and a FederatedNamespace placing
// it on the given clusters, and waits until it exists there.
func (f *Federation) FederateNamespace(t testing.TB, name string, clusterNames ...string) {
	t.Helper()
	ctx := context.Background()
	if err := f.Host.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}); err != nil {
		t.Fatal(err)
	}
	fns := &typesv1beta1.FederatedNamespace{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: name}}
	fns.Spec.Placement = PlacementOn(clusterNames...)
	if err := f.Host.Create(ctx, fns); err != nil {
		t.Fatal(err)
	}
	for _, c := range clusterNames {
		f.Eventually(t, "namespace "+name+" in "+c, func(ctx context.Context) error {
			return f.Members[c].Get(ctx, client.ObjectKey{Name: name}, &corev1.Namespace{})
		})
	}
}

// TypeInfo describes the default manager's type name (e.g. configmaps).
func TypeInfo(t testing.TB, name string) fedtype.Info {
	t.Helper()
	for _, d := range fedtypes.Descriptors {
		if d.TypeInfo().Name == name {
			return d.TypeInfo()
		}
	}
	t.Fatalf("the default manager has no type %s", name)
	return fedtype.Info{}
}

// WithoutType is the default manager's types without the type name, which then
// propagates dynamically once enabled (EnableDynamic).
func WithoutType(name string) []fedtype.Descriptor {
	return slices.DeleteFunc(slices.Clone(fedtypes.Descriptors), func(d fedtype.Descriptor) bool { return d.TypeInfo().Name == name })
}

// EnableDynamic creates the FederatedTypeConfig of info with propagation Enabled
// and waits until the manager propagates the type dynamically.
func (f *Federation) EnableDynamic(t testing.TB, info fedtype.Info) {
	t.Helper()
	if err := f.Host.Create(context.Background(), info.TypeConfig(KubefedNamespace, corev1beta1.Enabled)); err != nil {
		t.Fatal(err)
	}
	f.Eventually(t, "dynamic controller of "+info.Name, func(ctx context.Context) error {
		var ftc corev1beta1.FederatedTypeConfig
		if err := f.Host.Get(ctx, client.ObjectKey{Namespace: KubefedNamespace, Name: info.Name}, &ftc); err != nil {
			return err
		}
		if c := meta.FindStatusCondition(ftc.Status.Conditions, corev1beta1.TypeConfigPropagating); c == nil || c.Reason != corev1beta1.ReasonDynamic {
			return fmt.Errorf("status %+v", ftc.Status)
		}
		return nil
	})
}

// PlacementOn places on the named clusters.
func PlacementOn(clusterNames ...string) fedv1beta1.Placement {
	var p fedv1beta1.Placement
	for _, c := range clusterNames {
		p.Clusters = append(p.Clusters, fedv1beta1.GenericClusterReference{Name: c})
	}
	return p
}

// WaitStatus waits until the federated object's status, for its current generation,
// reports want for every cluster named, and nothing else.
func (f *Federation) WaitStatus(t testing.TB, obj client.Object, want map[string]fedv1beta1.PropagationStatus) {
	t.Helper()
	f.Eventually(t, fmt.Sprintf("status of %s", client.ObjectKeyFromObject(obj)), func(ctx context.Context) error {
		fresh := obj.DeepCopyObject().(client.Object)
		if err := f.Host.Get(ctx, client.ObjectKeyFromObject(obj), fresh); err != nil {
			return err
		}
		st := fresh.(interface {
			FederatedStatus() *fedv1beta1.GenericFederatedStatus
		}).FederatedStatus()
		if st.ObservedGeneration != fresh.GetGeneration() {
			return fmt.Errorf("observed generation %d, want %d", st.ObservedGeneration, fresh.GetGeneration())
		}
		got := map[string]fedv1beta1.PropagationStatus{}
		for _, c := range st.Clusters {
			got[c.Name] = c.Status
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			return fmt.Errorf("clusters %+v, want %v", st.Clusters, want)
		}
		return nil
	})
}

// UseNamespacedRBAC replaces the manager's RBAC with the generated variant for a
// control plane of scope Namespaced (config/rbac-namespaced), so that the manager
// runs with rights in the KubeFed namespace only. Call it while the manager is
// stopped.
func (f *Federation) UseNamespacedRBAC(t testing.TB) {
	t.Helper()
	dir := filepath.Join("..", "..", "cmd", "controller-manager", "config", "rbac")
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		obj := readManifest(t, file)
		if obj == nil || obj.GetKind() == "ServiceAccount" {
			continue
		}
		if err := f.Host.Delete(context.Background(), obj); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
	}
	installRBAC(t, f.Host, "rbac-namespaced")
	f.useNamespacedAdmission(t)
}

// readManifest reads the object in a generated YAML file; nil for a kustomization.
func readManifest(t testing.TB, file string) *unstructured.Unstructured {
	t.Helper()
	if filepath.Base(file) == "kustomization.yaml" {
		return nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	obj := &unstructured.Unstructured{}
	if err := yaml.Unmarshal(data, &obj.Object); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return obj
}

// installRBAC creates the default manager's generated RBAC of the folder config/<kind>
// in the host (an existing ServiceAccount is kept) and returns the user name of
// its service account.
func installRBAC(t testing.TB, host client.Client, kind string) string {
	t.Helper()
	dir := filepath.Join("..", "..", "cmd", "controller-manager", "config", kind)
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var user string
	for _, file := range files {
		obj := readManifest(t, file)
		if obj == nil {
			continue
		}
		if err := host.Create(context.Background(), obj); err != nil && !(apierrors.IsAlreadyExists(err) && obj.GetKind() == "ServiceAccount") {
			t.Fatalf("%s: %v", file, err)
		}
		if obj.GetKind() == "ServiceAccount" {
			user = "system:serviceaccount:" + obj.GetNamespace() + ":" + obj.GetName()
		}
	}
	if user == "" {
		t.Fatalf("no ServiceAccount in %s", dir)
	}
	return user
}
