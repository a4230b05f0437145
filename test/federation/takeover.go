package federation

import (
	"os"
	"testing"
	"time"

	"go.uber.org/zap/zapcore"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	typesv1beta1 "github.com/kubefed-gen/kubefed/cmd/controller-manager/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/cmd/controller-manager/fedtypes"
	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	schedulingv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/scheduling/v1alpha1"
	"github.com/kubefed-gen/kubefed/runtime/manager"
	"github.com/kubefed-gen/kubefed/test/clusters"
)

// TakeOver starts the default controller manager, with its RBAC and admission
// policy, against clusters another control plane ran until now: set's host
// already has the CRDs, the KubeFed namespace and the members' KubeFedClusters,
// as KubeFed left them. It returns once every member is Ready; the manager stops
// when the test ends. Stopping the clusters stays with the caller.
func TakeOver(t testing.TB, set *clusters.Set, opts manager.Options) *Federation {
	t.Helper()
	// As Start does: all of the manager's log with KUBEFED_TEST_LOG, else its
	// last lines when the test fails.
	if os.Getenv("KUBEFED_TEST_LOG") != "" {
		ctrl.SetLogger(zap.New(zap.UseDevMode(true)))
	} else {
		const keep = 400
		tail := newLogTail(keep)
		ctrl.SetLogger(zap.New(zap.WriteTo(tail), zap.ConsoleEncoder(), zap.StacktraceLevel(zapcore.PanicLevel)))
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("the controller manager's last %d log lines:\n%s", keep, tail)
			}
		})
	}
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, corev1beta1.AddToScheme, schedulingv1alpha1.AddToScheme, apiextensionsv1.AddToScheme, typesv1beta1.AddToScheme} {
		if err := add(scheme); err != nil {
			t.Fatal(err)
		}
	}
	f := &Federation{Set: set, Members: map[string]client.Client{}, types: fedtypes.Descriptors,
		addToScheme: []func(*runtime.Scheme) error{typesv1beta1.AddToScheme}}
	var err error
	if f.Host, err = client.New(set.Host.Config, client.Options{Scheme: scheme}); err != nil {
		t.Fatal(err)
	}
	for _, m := range set.Members {
		if f.Members[m.Name], err = client.New(m.Config, client.Options{Scheme: scheme}); err != nil {
			t.Fatal(err)
		}
	}
	opts.Namespace = KubefedNamespace
	opts.MetricsAddr, opts.ProbeAddr = "0", "0"
	if opts.HealthCheck.Period == 0 {
		opts.HealthCheck.Period = 300 * time.Millisecond
	}
	f.mgrConfig = rest.CopyConfig(set.Host.Config)
	f.mgrConfig.Impersonate = rest.ImpersonationConfig{UserName: installRBAC(t, f.Host, "rbac")}
	installAdmission(t, f.Host, f.types)
	f.opts = opts
	f.StartManager(t)
	t.Cleanup(func() { f.StopManager(t) })
	for _, m := range set.Members {
		f.WaitClusterReady(t, m.Name)
	}
	return f
}
