package manager

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	"github.com/kubefed-gen/kubefed/test/clusters"
)

// TestKubeFedConfigSettings reads health check and leader election settings from a
// KubeFedConfig on a real API server; flags that were set win.
func TestKubeFedConfigSettings(t *testing.T) {
	set, err := clusters.Start(clusters.Options{HostCRDDirs: []string{filepath.Join("..", "config", "crd")}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = set.Stop() })
	scheme := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(scheme)
	_ = corev1beta1.AddToScheme(scheme)
	c, err := client.New(set.Host.Config, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	// No KubeFedConfig: nothing changes.
	opts := Options{Namespace: corev1beta1.DefaultNamespace}
	if err := applyKubeFedConfig(set.Host.Config, scheme, &opts); err != nil || opts.HealthCheck.Period != 0 {
		t.Fatalf("without a KubeFedConfig: err %v, period %v", err, opts.HealthCheck.Period)
	}

	if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: corev1beta1.DefaultNamespace}}); err != nil {
		t.Fatal(err)
	}
	kfc := &corev1beta1.KubeFedConfig{ObjectMeta: metav1.ObjectMeta{Name: ConfigName, Namespace: corev1beta1.DefaultNamespace}}
	kfc.Spec.Scope = corev1beta1.ScopeCluster
	kfc.Spec.ClusterHealthCheck = &corev1beta1.ClusterHealthCheckConfig{
		Period: &metav1.Duration{Duration: 20 * time.Second}, Timeout: &metav1.Duration{Duration: 5 * time.Second},
		FailureThreshold: ptr.To[int64](4), SuccessThreshold: ptr.To[int64](2),
	}
	kfc.Spec.LeaderElect = &corev1beta1.LeaderElectConfig{LeaseDuration: &metav1.Duration{Duration: 30 * time.Second}}
	if err := c.Create(ctx, kfc); err != nil {
		t.Fatal(err)
	}
	opts = Options{Namespace: corev1beta1.DefaultNamespace}
	opts.HealthCheck.Timeout = time.Second // as if set by a flag
	if err := applyKubeFedConfig(set.Host.Config, scheme, &opts); err != nil {
		t.Fatal(err)
	}
	hc := opts.HealthCheck
	if hc.Period != 20*time.Second || hc.Timeout != time.Second || hc.FailureThreshold != 4 || hc.SuccessThreshold != 2 {
		t.Errorf("health check = %+v", hc)
	}
	// renewDeadline is KubeFed's default, filled by the CRD schema.
	if opts.leaseDuration == nil || *opts.leaseDuration != 30*time.Second || opts.renewDeadline == nil || *opts.renewDeadline != 10*time.Second {
		t.Errorf("leader election lease %v renew %v", opts.leaseDuration, opts.renewDeadline)
	}
	// Every gate has KubeFed's default: PushReconciler and SchedulerPreferences on,
	// RawResourceStatusCollection off; nothing to say.
	if opts.pushReconcilerOff || opts.schedulerPreferencesOff || len(opts.configNotes) != 0 {
		t.Errorf("defaults: push reconciler off %v, scheduler preferences off %v, notes %q", opts.pushReconcilerOff, opts.schedulerPreferencesOff, opts.configNotes)
	}

	// KubeFed's configmaps lock is accepted and means a lease, with a warning; the
	// PushReconciler gate Disabled turns propagation off.
	lock := corev1beta1.ConfigMapsResourceLock
	kfc.Spec.LeaderElect.ResourceLock = &lock
	kfc.Spec.FeatureGates = []corev1beta1.FeatureGatesConfig{
		{Name: corev1beta1.FeaturePushReconciler, Configuration: corev1beta1.Disabled},
		{Name: corev1beta1.FeatureSchedulerPreferences, Configuration: corev1beta1.Disabled},
	}
	if err := c.Update(ctx, kfc); err != nil {
		t.Fatal(err)
	}
	opts = Options{Namespace: corev1beta1.DefaultNamespace}
	if err := applyKubeFedConfig(set.Host.Config, scheme, &opts); err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(opts.configNotes, "\n")
	if !opts.pushReconcilerOff || !strings.Contains(notes, `resourceLock "configmaps"`) || !strings.Contains(notes, "PushReconciler is Disabled") {
		t.Errorf("push reconciler off %v, notes:\n%s", opts.pushReconcilerOff, notes)
	}
	if !opts.schedulerPreferencesOff || !strings.Contains(notes, "SchedulerPreferences is Disabled") {
		t.Errorf("scheduler preferences off %v, notes:\n%s", opts.schedulerPreferencesOff, notes)
	}
}

// TestFeatureGates maps every KubeFed feature gate a KubeFedConfig lists, and
// every one it leaves out, to what it switches in the manager.
func TestFeatureGates(t *testing.T) {
	gates := func(g ...string) corev1beta1.KubeFedConfigSpec {
		var spec corev1beta1.KubeFedConfigSpec
		for i := 0; i < len(g); i += 2 {
			spec.FeatureGates = append(spec.FeatureGates, corev1beta1.FeatureGatesConfig{Name: g[i], Configuration: corev1beta1.Switch(g[i+1])})
		}
		return spec
	}
	type switched struct {
		pushReconcilerOff, schedulerPreferencesOff, serviceDNS, ingressDNS, rawResourceStatusCollection bool
	}
	for _, tc := range []struct {
		name  string
		spec  corev1beta1.KubeFedConfigSpec
		flags Options // what --feature-gates set
		want  switched
		note  string // a note that must be logged
	}{
		{name: "no gates listed: KubeFed's defaults", spec: gates()},
		{name: "KubeFed's sample", spec: gates("PushReconciler", "Enabled", "RawResourceStatusCollection", "Enabled", "SchedulerPreferences", "Enabled"),
			want: switched{rawResourceStatusCollection: true}, note: "no FederatedServiceStatus is written"},
		{name: "PushReconciler Disabled", spec: gates("PushReconciler", "Disabled"), want: switched{pushReconcilerOff: true}, note: "PushReconciler is Disabled"},
		{name: "SchedulerPreferences Disabled", spec: gates("SchedulerPreferences", "Disabled"), want: switched{schedulerPreferencesOff: true}, note: "SchedulerPreferences is Disabled"},
		{name: "DNS gates Enabled", spec: gates("CrossClusterServiceDiscovery", "Enabled", "FederatedIngress", "Enabled"), want: switched{serviceDNS: true, ingressDNS: true}},
		{name: "the flag wins over the KubeFedConfig", spec: gates("CrossClusterServiceDiscovery", "Enabled", "FederatedIngress", "Disabled"),
			flags: Options{ServiceDNS: ptr.To(false), IngressDNS: ptr.To(true)}, want: switched{ingressDNS: true}},
		{name: "an unknown gate is off, with a warning", spec: gates("NoSuchGate", "Enabled"), note: `warning: feature gate "NoSuchGate" is not one of KubeFed's`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.flags
			applyFeatureGates(&tc.spec, &opts)
			got := switched{opts.pushReconcilerOff, opts.schedulerPreferencesOff, ptr.Deref(opts.ServiceDNS, false), ptr.Deref(opts.IngressDNS, false), opts.rawResourceStatusCollection}
			if got != tc.want {
				t.Errorf("switched %+v, want %+v", got, tc.want)
			}
			notes := strings.Join(opts.configNotes, "\n")
			if tc.note == "" && notes != "" || !strings.Contains(notes, tc.note) {
				t.Errorf("notes %q, want one with %q", notes, tc.note)
			}
		})
	}
}
