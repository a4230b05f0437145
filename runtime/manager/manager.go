package manager

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"os"
	"strconv"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client/config"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	corev1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1alpha1"
	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	extdnsv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/externaldns/v1alpha1"
	mcdnsv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/multiclusterdns/v1alpha1"
	schedulingv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/scheduling/v1alpha1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/cluster"
	"github.com/kubefed-gen/kubefed/runtime/dnsrecord"
	"github.com/kubefed-gen/kubefed/runtime/fedtype"
	"github.com/kubefed-gen/kubefed/runtime/kubefedstatus"
	"github.com/kubefed-gen/kubefed/runtime/propagation"
	"github.com/kubefed-gen/kubefed/runtime/schedule"
)

// DefaultName is the default controller manager's name.
const DefaultName = "kubefed-controller-manager"

// Options of a controller manager; Main fills them from flags.
type Options struct {
	// Name identifies the manager among the managers of one host: it is the
	// default leader election lease, and it marks the FederatedTypeConfigs of the
	// types it was built with as its own (default DefaultName).
	Name string
	// Namespace holds KubeFedClusters, their Secrets, KubeFedConfig and FederatedTypeConfigs.
	Namespace string
	// MetricsAddr and ProbeAddr are listen addresses; "0" turns a server off.
	MetricsAddr, ProbeAddr string
	LeaderElection         bool
	LeaderElectionID       string
	// ConcurrentSyncs is how many objects of one type are reconciled at once.
	ConcurrentSyncs int
	// HealthCheck of member clusters; zero fields are taken from the KubeFedConfig.
	HealthCheck cluster.HealthCheck
	// TokenRenewAfter is the part of a member token's lifetime after which the
	// manager renews it (see cluster.Options.TokenRenewAfter).
	TokenRenewAfter float64
	// StatusInterval and StatusWritesPerSecond bound the host status writes that
	// only carry status collected from members (see propagation.Options).
	StatusInterval        time.Duration
	StatusWritesPerSecond float64
	// UnschedulableThreshold is how long a pod must have been unschedulable
	// before it lowers its cluster's capacity for replica scheduling (default
	// one minute, as in KubeFed).
	UnschedulableThreshold time.Duration
	// ServiceDNS and IngressDNS run the ServiceDNSRecord and IngressDNSRecord
	// controllers (package dnsrecord) when true, and not when false; nil takes
	// the KubeFedConfig's feature gates CrossClusterServiceDiscovery and
	// FederatedIngress, Disabled when absent, as in KubeFed.
	ServiceDNS, IngressDNS *bool
	// DNSEndpointAPIVersion is the apiVersion of the DNSEndpoints the DNS
	// controllers write: externaldns.k8s.io/v1alpha1 (the default, which
	// external-dns reads) or KubeFed's multiclusterdns.kubefed.io/v1alpha1.
	DNSEndpointAPIVersion string
	// WritePropagatedVersions writes KubeFed's PropagatedVersion (namespaced
	// federated objects) or ClusterPropagatedVersion (cluster-scoped ones) of
	// every federated object, for tools that read them; see
	// propagation.Options.WritePropagatedVersions for its cost.
	WritePropagatedVersions bool

	// Leader election timings, from the KubeFedConfig.
	leaseDuration, renewDeadline, retryPeriod *time.Duration
	// namespacedScope is the KubeFedConfig's scope Namespaced: only the KubeFed
	// namespace is watched in the host and written in members.
	namespacedScope bool
	// pushReconcilerOff is the KubeFedConfig's PushReconciler feature gate Disabled:
	// no sync controller runs, as in KubeFed.
	pushReconcilerOff bool
	// schedulerPreferencesOff is the KubeFedConfig's SchedulerPreferences feature
	// gate Disabled: ReplicaSchedulingPreferences are not acted on, as in KubeFed.
	schedulerPreferencesOff bool
	// rawResourceStatusCollection is the KubeFedConfig's
	// RawResourceStatusCollection feature gate Enabled: KubeFed then wrote no
	// FederatedServiceStatus.
	rawResourceStatusCollection bool
	// configNotes say how KubeFedConfig settings were mapped or why they have no
	// effect; New logs them.
	configNotes []string
}

// Main runs the manager called name for the given federated types until SIGTERM.
// addToScheme registers the federated API package and any target types outside
// k8s.io/api.
func Main(name string, types []fedtype.Descriptor, addToScheme ...func(*runtime.Scheme) error) {
	opts := Options{Name: name}
	zapOpts := zap.Options{}
	var kubeContext string
	fs := pflag.NewFlagSet(os.Args[0], pflag.ExitOnError)
	fs.StringVar(&kubeContext, "context", "", "kubeconfig context of the host cluster (default: the current context)")
	fs.StringVar(&opts.Namespace, "kubefed-namespace", corev1beta1.DefaultNamespace, "namespace of KubeFedClusters, their credentials, KubeFedConfig and FederatedTypeConfigs")
	fs.StringVar(&opts.MetricsAddr, "metrics-bind-address", ":8080", "address of the Prometheus metrics endpoint; 0 turns it off")
	fs.StringVar(&opts.ProbeAddr, "health-probe-bind-address", ":8081", "address of the /healthz and /readyz endpoints; 0 turns them off")
	fs.BoolVar(&opts.LeaderElection, "leader-elect", false, "elect a leader so that only one replica propagates at a time")
	fs.StringVar(&opts.LeaderElectionID, "leader-election-id", name, "name of the leader election lease")
	fs.IntVar(&opts.ConcurrentSyncs, "concurrent-syncs", 8, "objects of one federated type reconciled at once")
	fs.DurationVar(&opts.HealthCheck.Period, "cluster-health-check-period", 0, "how often member clusters are checked (default: the KubeFedConfig's clusterHealthCheck.period, else 10s)")
	fs.DurationVar(&opts.HealthCheck.Timeout, "cluster-health-check-timeout", 0, "timeout of one member health check (default: the KubeFedConfig's clusterHealthCheck.timeout, else 3s)")
	fs.DurationVar(&opts.StatusInterval, "status-collection-interval", propagation.DefaultStatusInterval, "least time between two writes of a federated object's status that change only the status collected from members; changes in between are coalesced")
	fs.Float64Var(&opts.StatusWritesPerSecond, "status-collection-writes-per-second", propagation.DefaultStatusWritesPerSecond, "most writes per second, per federated type, of status that changes only what is collected from members")
	fs.DurationVar(&opts.UnschedulableThreshold, "unschedulable-threshold", schedule.DefaultUnschedulableThreshold, "how long a pod must have been unschedulable before it lowers its cluster's capacity for ReplicaSchedulingPreferences")
	fs.Float64Var(&opts.TokenRenewAfter, "member-token-renew-after", cluster.DefaultTokenRenewAfter, "renew a member cluster's token once this part of its lifetime has passed (0 to 1)")
	fs.DurationVar(&opts.HealthCheck.RequestTimeout, "member-request-timeout", 0, "timeout of one request to a member cluster; one that gets no answer makes further requests to that member fail fast until its next passing health check (default 15s)")
	dnsGates := map[string]string{}
	fs.StringToStringVar(&dnsGates, "feature-gates", nil, "KubeFed's DNS feature gates, which win over the KubeFedConfig's: CrossClusterServiceDiscovery=true|false (ServiceDNSRecords), FederatedIngress=true|false (IngressDNSRecords); both are off by default")
	fs.StringVar(&opts.DNSEndpointAPIVersion, "dnsendpoint-api-version", dnsrecord.ExternalDNSAPI, "apiVersion of the DNSEndpoints the DNS controllers write: "+dnsrecord.ExternalDNSAPI+" (read by external-dns's --source=crd) or KubeFed's "+dnsrecord.KubeFedAPI)
	fs.BoolVar(&opts.WritePropagatedVersions, "write-propagated-versions", false, "write KubeFed's PropagatedVersion (ClusterPropagatedVersion for cluster-scoped federated objects) of every federated object, for tools that read them; costs two host writes when an object first propagates, one per change of its template, overrides or member objects, and one when it is deleted")
	goFlags := flag.NewFlagSet("", flag.ExitOnError)
	zapOpts.BindFlags(goFlags) // --zap-log-level and friends, as kubebuilder projects have
	fs.AddGoFlagSet(goFlags)
	fs.AddGoFlagSet(flag.CommandLine) // --kubeconfig, registered by controller-runtime
	showVersion := fs.Bool("version", false, "print the version and the API versions, then exit")
	_ = fs.Parse(os.Args[1:])
	if *showVersion {
		printVersion(os.Stdout, name, types)
		return
	}
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&zapOpts)))
	logVersion(name, types)
	if err := setDNSGates(&opts, dnsGates); err != nil {
		fmt.Fprintln(os.Stderr, "error: --feature-gates:", err)
		os.Exit(2)
	}

	cfg, err := config.GetConfigWithContext(kubeContext)
	if err != nil {
		fmt.Fprintln(os.Stderr, "error: no kubeconfig for the host cluster:", err)
		os.Exit(1)
	}
	if err := Run(ctrl.SetupSignalHandler(), cfg, opts, types, addToScheme...); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

// Run runs the manager against the host cluster cfg until ctx ends. Tests call it
// in-process; Main calls it from a binary.
func Run(ctx context.Context, cfg *rest.Config, opts Options, types []fedtype.Descriptor, addToScheme ...func(*runtime.Scheme) error) error {
	mgr, err := New(cfg, opts, types, addToScheme...)
	if err != nil {
		return err
	}
	return mgr.Start(ctx)
}

// New builds the manager with the registry and every sync controller, not started.
func New(cfg *rest.Config, opts Options, types []fedtype.Descriptor, addToScheme ...func(*runtime.Scheme) error) (ctrl.Manager, error) {
	if opts.Namespace == "" {
		opts.Namespace = corev1beta1.DefaultNamespace
	}
	if opts.Name == "" {
		opts.Name = DefaultName
	}
	scheme := runtime.NewScheme()
	for _, add := range append([]func(*runtime.Scheme) error{clientgoscheme.AddToScheme, corev1beta1.AddToScheme, corev1alpha1.AddToScheme, schedulingv1alpha1.AddToScheme,
		mcdnsv1alpha1.AddToScheme, extdnsv1alpha1.AddToScheme}, addToScheme...) {
		if err := add(scheme); err != nil {
			return nil, fmt.Errorf("build scheme: %w", err)
		}
	}
	if err := applyKubeFedConfig(cfg, scheme, &opts); err != nil {
		return nil, err
	}
	log := ctrl.Log.WithName("manager")
	for _, note := range opts.configNotes {
		log.Info(note, "kubefedconfig", opts.Namespace+"/"+ConfigName)
	}
	var hostCache cache.Options
	memberNamespace := ""
	if opts.namespacedScope {
		hostCache.DefaultNamespaces = map[string]cache.Config{opts.Namespace: {}}
		memberNamespace = opts.Namespace
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Cache:         hostCache,
		LeaseDuration: opts.leaseDuration,
		RenewDeadline: opts.renewDeadline,
		RetryPeriod:   opts.retryPeriod,
		Scheme:        scheme,
		// Dynamic types and FederatedNamespaces are read unstructured; from the
		// cache, as typed objects are.
		Client:                  client.Options{Cache: &client.CacheOptions{Unstructured: true}},
		Metrics:                 metricsserver.Options{BindAddress: orDefault(opts.MetricsAddr, ":8080")},
		HealthProbeBindAddress:  orDefault(opts.ProbeAddr, ":8081"),
		LeaderElection:          opts.LeaderElection,
		LeaderElectionID:        orDefault(opts.LeaderElectionID, opts.Name),
		LeaderElectionNamespace: opts.Namespace,
		// Main exits as soon as the manager stops, so handing the lease back on
		// SIGTERM is safe, and a standby takes over at once instead of waiting
		// for the lease to expire.
		LeaderElectionReleaseOnCancel: true,
	})
	if err != nil {
		return nil, fmt.Errorf("create manager: %w", err)
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return nil, err
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		return nil, err
	}
	scheduling := !opts.schedulerPreferencesOff && schedulable(types)
	registryOpts := cluster.Options{
		Namespace:          opts.Namespace,
		Scheme:             scheme,
		HealthCheck:        opts.HealthCheck,
		TokenRenewAfter:    opts.TokenRenewAfter,
		CacheLabelSelector: labels.SelectorFromSet(labels.Set{fedv1beta1.ManagedLabel: "true"}),
		MemberNamespace:    memberNamespace,
	}
	if scheduling {
		registryOpts.CacheByObject = schedule.MemberCache()
	}
	serviceDNS, ingressDNS := ptr.Deref(opts.ServiceDNS, false), ptr.Deref(opts.IngressDNS, false)
	if serviceDNS {
		if registryOpts.CacheByObject == nil {
			registryOpts.CacheByObject = map[client.Object]cache.ByObject{}
		}
		maps.Copy(registryOpts.CacheByObject, dnsrecord.MemberCache())
	}
	registry, err := cluster.NewRegistry(mgr, registryOpts)
	if err != nil {
		return nil, fmt.Errorf("cluster registry: %w", err)
	}
	if err := dnsrecord.Setup(mgr, registry, dnsrecord.Options{
		Namespace: opts.Namespace, Services: serviceDNS, Ingresses: ingressDNS, EndpointAPI: opts.DNSEndpointAPIVersion,
	}); err != nil {
		return nil, err
	}
	if scheduling {
		if err := schedule.Setup(mgr, registry, types, schedule.Options{UnschedulableThreshold: opts.UnschedulableThreshold, NamespacedScope: opts.namespacedScope}); err != nil {
			return nil, err
		}
	}
	hostID, err := cluster.Identity(context.Background(), mgr.GetAPIReader())
	if err != nil {
		return nil, err
	}
	if opts.pushReconcilerOff {
		return mgr, nil
	}
	if err := propagation.Setup(mgr, registry, types, propagation.Options{
		Namespace:               opts.Namespace,
		MaxConcurrentReconciles: opts.ConcurrentSyncs,
		HostID:                  hostID,
		NamespacedScope:         opts.namespacedScope,
		ManagerName:             opts.Name,
		StatusInterval:          opts.StatusInterval,
		StatusWritesPerSecond:   opts.StatusWritesPerSecond,
		WritePropagatedVersions: opts.WritePropagatedVersions,
	}); err != nil {
		return nil, err
	}
	// KubeFed's FederatedServiceStatus, from the status the sync controller
	// collects, when the services FederatedTypeConfig sets statusType.
	if opts.rawResourceStatusCollection {
		return mgr, nil
	}
	if err := kubefedstatus.Setup(mgr, types, kubefedstatus.Options{Namespace: opts.Namespace}); err != nil {
		return nil, err
	}
	return mgr, nil
}

// schedulable says whether some type has replicas for ReplicaSchedulingPreferences to spread.
func schedulable(types []fedtype.Descriptor) bool {
	for _, t := range types {
		if t.TypeInfo().Scalable {
			return true
		}
	}
	return false
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// KubeFed's feature gates of multicluster DNS, Disabled by default as in KubeFed.
const (
	// FeatureCrossClusterServiceDiscovery runs the ServiceDNSRecord controller.
	FeatureCrossClusterServiceDiscovery = corev1beta1.FeatureCrossClusterServiceDiscovery
	// FeatureFederatedIngress runs the IngressDNSRecord controller.
	FeatureFederatedIngress = corev1beta1.FeatureFederatedIngress
)

// setDNSGates sets the DNS gates given by --feature-gates (name=true|false).
func setDNSGates(opts *Options, gates map[string]string) error {
	for name, value := range gates {
		on, err := strconv.ParseBool(value)
		switch value {
		case string(corev1beta1.Enabled):
			on, err = true, nil
		case string(corev1beta1.Disabled):
			on, err = false, nil
		}
		if err != nil {
			return fmt.Errorf("%s=%s: the value must be true or false", name, value)
		}
		switch name {
		case FeatureCrossClusterServiceDiscovery:
			opts.ServiceDNS = &on
		case FeatureFederatedIngress:
			opts.IngressDNS = &on
		default:
			return fmt.Errorf("%s: only %s and %s can be set by flag; the other gates are the KubeFedConfig's", name, FeatureCrossClusterServiceDiscovery, FeatureFederatedIngress)
		}
	}
	return nil
}

// ConfigName is the KubeFedConfig the manager reads its settings from.
const ConfigName = corev1beta1.ConfigName

// applyKubeFedConfig fills settings the flags left unset from the KubeFedConfig in
// the KubeFed namespace, as KubeFed's controller manager did; a missing
// KubeFedConfig leaves the defaults. Settings it maps to something else or cannot
// honour are explained in opts.configNotes. It is read once, at start, as KubeFed
// read its feature gates.
func applyKubeFedConfig(cfg *rest.Config, scheme *runtime.Scheme, opts *Options) error {
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return err
	}
	var kfc corev1beta1.KubeFedConfig
	err = c.Get(context.Background(), client.ObjectKey{Namespace: opts.Namespace, Name: ConfigName}, &kfc)
	if apierrors.IsNotFound(err) || meta.IsNoMatchError(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read KubeFedConfig %s/%s: %w", opts.Namespace, ConfigName, err)
	}
	if hc := kfc.Spec.ClusterHealthCheck; hc != nil {
		if opts.HealthCheck.Period == 0 && hc.Period != nil {
			opts.HealthCheck.Period = hc.Period.Duration
		}
		if opts.HealthCheck.Timeout == 0 && hc.Timeout != nil {
			opts.HealthCheck.Timeout = hc.Timeout.Duration
		}
		if opts.HealthCheck.FailureThreshold == 0 && hc.FailureThreshold != nil {
			opts.HealthCheck.FailureThreshold = int(*hc.FailureThreshold)
		}
		if opts.HealthCheck.SuccessThreshold == 0 && hc.SuccessThreshold != nil {
			opts.HealthCheck.SuccessThreshold = int(*hc.SuccessThreshold)
		}
	}
	if le := kfc.Spec.LeaderElect; le != nil {
		duration := func(d *metav1.Duration) *time.Duration {
			if d == nil {
				return nil
			}
			return &d.Duration
		}
		opts.leaseDuration, opts.renewDeadline, opts.retryPeriod = duration(le.LeaseDuration), duration(le.RenewDeadline), duration(le.RetryPeriod)
		if lock := le.ResourceLock; lock != nil && *lock != corev1beta1.LeasesResourceLock {
			opts.configNotes = append(opts.configNotes, fmt.Sprintf("warning: leaderElect.resourceLock %q is not available in client-go any more; leader election uses a lease", *lock))
		}
	}
	if kfc.Spec.Scope == corev1beta1.ScopeNamespaced {
		opts.namespacedScope = true
		opts.configNotes = append(opts.configNotes, "scope Namespaced: only federated objects in the KubeFed namespace propagate, into that namespace of each member; cluster-scoped types do not propagate")
	}
	if sc := kfc.Spec.SyncController; sc != nil && sc.MaxConcurrentReconciles != nil && *sc.MaxConcurrentReconciles != 1 {
		opts.configNotes = append(opts.configNotes, fmt.Sprintf("syncController.maxConcurrentReconciles %d is not used: --concurrent-syncs sets how many objects of a type are reconciled at once", *sc.MaxConcurrentReconciles))
	}
	applyFeatureGates(&kfc.Spec, opts)
	return nil
}

// applyFeatureGates sets what KubeFed's feature gates switch, each with KubeFed's
// default when spec does not list it (corev1beta1.DefaultFeatureGates):
//   - PushReconciler Disabled: no sync controller runs;
//   - SchedulerPreferences Disabled: ReplicaSchedulingPreferences are not acted on;
//   - CrossClusterServiceDiscovery and FederatedIngress Enabled: the
//     ServiceDNSRecord and IngressDNSRecord controllers run, unless the
//     --feature-gates flag said otherwise;
//   - RawResourceStatusCollection Enabled: no FederatedServiceStatus is written,
//     as KubeFed ran no status controller with it. It does not switch status
//     collection itself, which KubeFed did only with the gate (off by default):
//     here each FederatedTypeConfig's statusCollection decides, on unless
//     Disabled, so the default keeps member status in every federated object.
func applyFeatureGates(spec *corev1beta1.KubeFedConfigSpec, opts *Options) {
	for _, g := range spec.FeatureGates {
		if _, known := corev1beta1.DefaultFeatureGates[g.Name]; !known {
			opts.configNotes = append(opts.configNotes, fmt.Sprintf("warning: feature gate %q is not one of KubeFed's; it is ignored", g.Name))
		}
	}
	if !spec.FeatureEnabled(corev1beta1.FeaturePushReconciler) {
		opts.pushReconcilerOff = true
		opts.configNotes = append(opts.configNotes, "feature gate PushReconciler is Disabled: no sync controller runs, member clusters are only health-checked")
	}
	if !spec.FeatureEnabled(corev1beta1.FeatureSchedulerPreferences) {
		opts.schedulerPreferencesOff = true
		opts.configNotes = append(opts.configNotes, "feature gate SchedulerPreferences is Disabled: ReplicaSchedulingPreferences are not acted on")
	}
	if opts.ServiceDNS == nil {
		opts.ServiceDNS = ptr.To(spec.FeatureEnabled(corev1beta1.FeatureCrossClusterServiceDiscovery))
	}
	if opts.IngressDNS == nil {
		opts.IngressDNS = ptr.To(spec.FeatureEnabled(corev1beta1.FeatureFederatedIngress))
	}
	if spec.FeatureEnabled(corev1beta1.FeatureRawResourceStatusCollection) {
		opts.rawResourceStatusCollection = true
		opts.configNotes = append(opts.configNotes, "feature gate RawResourceStatusCollection is Enabled: no FederatedServiceStatus is written, as in KubeFed; member status is collected into federated objects as each FederatedTypeConfig's statusCollection says, whatever the gate")
	}
}
