package v1beta1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// ConfigName is the name of a control plane's KubeFedConfig, in its namespace.
const ConfigName = "kubefed"

// Scope of the control plane: the whole host cluster or only the KubeFed namespace.
// +kubebuilder:validation:Enum=Cluster;Namespaced
type Scope string

const (
	ScopeCluster    Scope = "Cluster"
	ScopeNamespaced Scope = "Namespaced"
)

// Switch turns a feature on or off.
// +kubebuilder:validation:Enum=Enabled;Disabled
type Switch string

const (
	Enabled  Switch = "Enabled"
	Disabled Switch = "Disabled"
)

// KubeFedConfigSpec holds the control plane's settings. Every field KubeFed had is
// kept, and the defaults KubeFed's mutating webhook applied are schema defaults
// here, so a KubeFedConfig reads back complete without any webhook; KubeFed's
// validation rules are schema rules. Durations are Go durations (1m30s): a
// pattern admits only those, then rules compare them.
type KubeFedConfigSpec struct {
	// Scope of the control plane: Cluster, or Namespaced for only the KubeFed
	// namespace. It cannot be changed after creation.
	// +optional
	// +kubebuilder:default=Cluster
	Scope Scope `json:"scope,omitempty"`
	// +optional
	// +kubebuilder:default={}
	ControllerDuration *DurationConfig `json:"controllerDuration,omitempty"`
	// +optional
	// +kubebuilder:default={}
	LeaderElect *LeaderElectConfig `json:"leaderElect,omitempty"`
	// FeatureGates switch KubeFed's features, one entry per feature. Without the
	// field, every feature has its default; a feature missing from the list has its
	// default too.
	// +optional
	// +listType=map
	// +listMapKey=name
	// +default=[{"name":"PushReconciler","configuration":"Enabled"},{"name":"RawResourceStatusCollection","configuration":"Disabled"},{"name":"SchedulerPreferences","configuration":"Enabled"}]
	FeatureGates []FeatureGatesConfig `json:"featureGates,omitempty"`
	// +optional
	// +kubebuilder:default={}
	ClusterHealthCheck *ClusterHealthCheckConfig `json:"clusterHealthCheck,omitempty"`
	// +optional
	// +kubebuilder:default={}
	SyncController *SyncControllerConfig `json:"syncController,omitempty"`
	// +optional
	// +kubebuilder:default={}
	StatusController *StatusControllerConfig `json:"statusController,omitempty"`
}

// DurationConfig tunes how long controllers wait.
type DurationConfig struct {
	// AvailableDelay is how long to wait before propagating to a cluster that became ready.
	// +optional
	// +kubebuilder:default="20s"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^\+?(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$`
	AvailableDelay *metav1.Duration `json:"availableDelay,omitempty"`
	// UnavailableDelay is how long to wait before acting on a cluster that became unready.
	// +optional
	// +kubebuilder:default="60s"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^\+?(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$`
	UnavailableDelay *metav1.Duration `json:"unavailableDelay,omitempty"`
	// CacheSyncTimeout bounds the wait for a member cluster's caches.
	// +optional
	// +kubebuilder:default="5m"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^\+?(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$`
	CacheSyncTimeout *metav1.Duration `json:"cacheSyncTimeout,omitempty"`
}

// ResourceLockType is the kind of object leader election locks. KubeFed's
// configmaps and endpoints locks no longer exist in client-go: the manager uses a
// lease for them and logs a warning.
// +kubebuilder:validation:Enum=leases;configmaps;endpoints
type ResourceLockType string

const (
	LeasesResourceLock     ResourceLockType = "leases"
	ConfigMapsResourceLock ResourceLockType = "configmaps"
	EndpointsResourceLock  ResourceLockType = "endpoints"
)

// LeaderElectConfig configures leader election of the controller manager.
type LeaderElectConfig struct {
	// LeaseDuration is how long a leader holds the lease without renewing it.
	// +optional
	// +kubebuilder:default="15s"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^\+?(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$`
	LeaseDuration *metav1.Duration `json:"leaseDuration,omitempty"`
	// RenewDeadline is how long the leader tries to renew before giving up.
	// +optional
	// +kubebuilder:default="10s"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^\+?(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$`
	RenewDeadline *metav1.Duration `json:"renewDeadline,omitempty"`
	// RetryPeriod is the wait between attempts to acquire or renew.
	// +optional
	// +kubebuilder:default="5s"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^\+?(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$`
	RetryPeriod *metav1.Duration `json:"retryPeriod,omitempty"`
	// ResourceLock is the kind of lock: leases; KubeFed's configmaps and endpoints
	// are accepted and mean leases.
	// +optional
	// +kubebuilder:default=leases
	ResourceLock *ResourceLockType `json:"resourceLock,omitempty"`
}

// Feature gates of KubeFed.
const (
	// FeaturePushReconciler: the sync controllers propagate. Disabled, the manager
	// only checks member health.
	FeaturePushReconciler = "PushReconciler"
	// FeatureSchedulerPreferences: ReplicaSchedulingPreference scheduling.
	FeatureSchedulerPreferences = "SchedulerPreferences"
	// FeatureRawResourceStatusCollection: in KubeFed, member object status
	// collected into the federated object, instead of FederatedServiceStatus.
	FeatureRawResourceStatusCollection = "RawResourceStatusCollection"
	// FeatureCrossClusterServiceDiscovery: ServiceDNSRecords (KubeFed v0.6.1).
	FeatureCrossClusterServiceDiscovery = "CrossClusterServiceDiscovery"
	// FeatureFederatedIngress: IngressDNSRecords (KubeFed v0.6.1).
	FeatureFederatedIngress = "FederatedIngress"
)

// DefaultFeatureGates are KubeFed's defaults of its feature gates: v0.10's, and
// v0.6.1's for the two multicluster DNS gates, which v0.10 no longer has. The
// keys are every gate there is.
var DefaultFeatureGates = map[string]bool{
	FeaturePushReconciler:               true,
	FeatureSchedulerPreferences:         true,
	FeatureRawResourceStatusCollection:  false,
	FeatureCrossClusterServiceDiscovery: false,
	FeatureFederatedIngress:             false,
}

// FeatureGatesConfig switches one feature.
type FeatureGatesConfig struct {
	// Name of the feature.
	// +kubebuilder:validation:Enum=PushReconciler;RawResourceStatusCollection;SchedulerPreferences;CrossClusterServiceDiscovery;FederatedIngress
	Name string `json:"name"`
	// Configuration is Enabled or Disabled.
	Configuration Switch `json:"configuration"`
}

// ClusterHealthCheckConfig configures member health checks.
type ClusterHealthCheckConfig struct {
	// Period between checks.
	// +optional
	// +kubebuilder:default="10s"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^\+?(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$`
	Period *metav1.Duration `json:"period,omitempty"`
	// FailureThreshold is how many failed checks in a row make a cluster Offline.
	// +optional
	// +kubebuilder:default=3
	// +kubebuilder:validation:Minimum=1
	FailureThreshold *int64 `json:"failureThreshold,omitempty"`
	// SuccessThreshold is how many good checks in a row make it Ready again.
	// +optional
	// +kubebuilder:default=1
	// +kubebuilder:validation:Minimum=1
	SuccessThreshold *int64 `json:"successThreshold,omitempty"`
	// Timeout of one check.
	// +optional
	// +kubebuilder:default="3s"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^\+?(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$`
	Timeout *metav1.Duration `json:"timeout,omitempty"`
}

// SyncControllerConfig configures propagation.
type SyncControllerConfig struct {
	// MaxConcurrentReconciles is KubeFed's number of objects of one type
	// reconciled at once. Kept for compatibility; the manager's --concurrent-syncs
	// flag sets the concurrency.
	// +optional
	// +kubebuilder:default=1
	// +kubebuilder:validation:Minimum=1
	MaxConcurrentReconciles *int64 `json:"maxConcurrentReconciles,omitempty"`
	// AdoptResources lets propagation take over objects that already exist in a
	// member and are not managed; Disabled reports AlreadyExists instead.
	// +optional
	// +kubebuilder:default=Enabled
	AdoptResources *Switch `json:"adoptResources,omitempty"`
}

// StatusControllerConfig configures KubeFed's status controller. Kept for
// compatibility: the sync controller writes status here, so there is nothing to tune.
type StatusControllerConfig struct {
	// MaxConcurrentReconciles is KubeFed's number of concurrent status reconciles.
	// +optional
	// +kubebuilder:default=1
	// +kubebuilder:validation:Minimum=1
	MaxConcurrentReconciles *int64 `json:"maxConcurrentReconciles,omitempty"`
}

// FeatureEnabled says whether the named feature is on: its entry in featureGates,
// else KubeFed's default (DefaultFeatureGates). A name that is not a gate is
// off: the CRD refuses such an entry, so only code can ask for one.
func (s *KubeFedConfigSpec) FeatureEnabled(name string) bool {
	on, known := DefaultFeatureGates[name]
	if !known {
		return false
	}
	for _, g := range s.FeatureGates {
		if g.Name == name {
			return g.Configuration == Enabled
		}
	}
	return on
}

// KubeFedConfig is the control plane's configuration; one lives in the KubeFed namespace.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:path=kubefedconfigs,categories=kubefed
type KubeFedConfig struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +kubebuilder:default={}
	Spec KubeFedConfigSpec `json:"spec"`
}

// KubeFedConfigList is a list of KubeFedConfigs.
//
// +kubebuilder:object:root=true
type KubeFedConfigList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []KubeFedConfig `json:"items"`
}
