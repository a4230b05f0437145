package v1beta1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

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

// KubeFedConfigSpec holds the control plane's settings.
type KubeFedConfigSpec struct {
	// Scope of the control plane.
	Scope Scope `json:"scope"`
	// +optional
	ControllerDuration *DurationConfig `json:"controllerDuration,omitempty"`
	// +optional
	LeaderElect *LeaderElectConfig `json:"leaderElect,omitempty"`
	// +optional
	ClusterHealthCheck *ClusterHealthCheckConfig `json:"clusterHealthCheck,omitempty"`
	// +optional
	SyncController *SyncControllerConfig `json:"syncController,omitempty"`
}

// DurationConfig tunes how long controllers wait.
type DurationConfig struct {
	// AvailableDelay is how long to wait before propagating to a cluster that became ready.
	// +optional
	AvailableDelay *metav1.Duration `json:"availableDelay,omitempty"`
	// UnavailableDelay is how long to wait before acting on a cluster that became unready.
	// +optional
	UnavailableDelay *metav1.Duration `json:"unavailableDelay,omitempty"`
	// CacheSyncTimeout bounds the wait for a member cluster's caches.
	// +optional
	CacheSyncTimeout *metav1.Duration `json:"cacheSyncTimeout,omitempty"`
}

// LeaderElectConfig configures leader election of the controller manager.
type LeaderElectConfig struct {
	// +optional
	LeaseDuration *metav1.Duration `json:"leaseDuration,omitempty"`
	// +optional
	RenewDeadline *metav1.Duration `json:"renewDeadline,omitempty"`
	// +optional
	RetryPeriod *metav1.Duration `json:"retryPeriod,omitempty"`
	// ResourceLock is the kind of lock; only leases is supported.
	// +optional
	// +kubebuilder:validation:Enum=leases
	ResourceLock string `json:"resourceLock,omitempty"`
}

// ClusterHealthCheckConfig configures member health checks.
type ClusterHealthCheckConfig struct {
	// Period between checks.
	// +optional
	Period *metav1.Duration `json:"period,omitempty"`
	// FailureThreshold is how many failed checks in a row make a cluster Offline.
	// +optional
	// +kubebuilder:validation:Minimum=1
	FailureThreshold *int64 `json:"failureThreshold,omitempty"`
	// SuccessThreshold is how many good checks in a row make it Ready again.
	// +optional
	// +kubebuilder:validation:Minimum=1
	SuccessThreshold *int64 `json:"successThreshold,omitempty"`
	// Timeout of one check.
	// +optional
	Timeout *metav1.Duration `json:"timeout,omitempty"`
}

// SyncControllerConfig configures propagation.
type SyncControllerConfig struct {
	// AdoptResources lets propagation take over objects that already exist in a
	// member and are not managed; Disabled reports AlreadyExists instead.
	// +optional
	AdoptResources *Switch `json:"adoptResources,omitempty"`
}

// KubeFedConfig is the control plane's configuration; one lives in the KubeFed namespace.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:path=kubefedconfigs,categories=kubefed
type KubeFedConfig struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

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
