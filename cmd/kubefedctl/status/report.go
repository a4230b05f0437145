package status

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/resolve"
	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/dispatch"
	"github.com/kubefed-gen/kubefed/runtime/drift"
	"github.com/kubefed-gen/kubefed/runtime/fedtype"
	"github.com/kubefed-gen/kubefed/runtime/propagation"
)

// Why a cluster is not placed.
const (
	notInPlacement        = "NotInPlacement"
	namespaceNotFederated = "NamespaceNotFederated"
	namespaceNotPlaced    = "NamespaceNotPlaced"
)

// statusOK is how the report shows KubeFed's ClusterPropagationOK, which is empty
// on the wire.
const statusOK = "OK"

// What is known of the object in a member cluster.
const (
	presentYes         = "Yes"
	presentNo          = "No"
	presentUnreachable = "Unreachable"
	presentUnknown     = "Unknown"
)

// statusReport explains where a federated object is propagated and why; it is
// what `kubefedctl status -o yaml|json` prints.
type statusReport struct {
	Kind       string `json:"kind"`
	APIVersion string `json:"apiVersion"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
	// Type is the federated type's name (its FederatedTypeConfig name).
	Type string `json:"type"`
	// TypePropagation is Enabled or Disabled, from the FederatedTypeConfig.
	TypePropagation string `json:"typePropagation"`
	TypeConfig      string `json:"typeConfig,omitempty"`
	Generation      int64  `json:"generation"`
	// ObservedGeneration is the generation the status describes; below Generation
	// the status is stale.
	ObservedGeneration int64  `json:"observedGeneration"`
	StatusStale        bool   `json:"statusStale"`
	Deleting           bool   `json:"deleting,omitempty"`
	Orphaning          string `json:"orphaning"`
	// UpdateStrategy is how member objects are written (Apply, Replace,
	// CreateOnly, ReadOnly); UpdateStrategySource says where it is set: object,
	// FederatedTypeConfig or default. UpdateStrategyError is set instead when
	// the annotation is invalid.
	UpdateStrategy       string            `json:"updateStrategy,omitempty"`
	UpdateStrategySource string            `json:"updateStrategySource,omitempty"`
	UpdateStrategyError  string            `json:"updateStrategyError,omitempty"`
	Placement            string            `json:"placement"`
	NamespacePlacement   string            `json:"namespacePlacement,omitempty"`
	Propagation          *metav1.Condition `json:"propagation,omitempty"`
	// Ready is the Ready condition, which sums up the health of every placed
	// cluster when the type's status is collected.
	Ready          *metav1.Condition `json:"ready,omitempty"`
	PlacementError string            `json:"placementError,omitempty"`
	// Health is set when the type's status is collected (see health.go).
	Health   *healthSummary  `json:"health,omitempty"`
	Clusters []clusterReport `json:"clusters"`
	// Scheduling is set when a ReplicaSchedulingPreference schedules the object.
	Scheduling *schedulingReport `json:"scheduling,omitempty"`
	// DNS is set when a ServiceDNSRecord or IngressDNSRecord of the object's
	// namespace and name programs DNS for it (see dns.go).
	DNS *dnsReport `json:"dns,omitempty"`

	// What explain works from; not printed.
	fed              *fedtype.Unstructured
	typ              *resolve.Type
	kfcs             map[string]*corev1beta1.KubeFedCluster
	statuses         map[string]fedv1beta1.GenericClusterStatus
	placed           propagation.Placement
	kubefedNamespace string
	// healthCondition is the condition the type names as meaning healthy,
	// which judges member objects as the controller does.
	healthCondition string
}

// clusterReport is the state of the object in one cluster.
type clusterReport struct {
	Name   string `json:"name"`
	Joined bool   `json:"joined"`
	// Ready is the KubeFedCluster's Ready condition: True, False or Unknown.
	Ready        string `json:"ready,omitempty"`
	ReadyMessage string `json:"readyMessage,omitempty"`
	Placed       bool   `json:"placed"`
	// NotPlacedReason is NotInPlacement, NamespaceNotFederated or NamespaceNotPlaced.
	NotPlacedReason string `json:"notPlacedReason,omitempty"`
	// Status and Message are the cluster's entry in the federated object's status;
	// Status is OK for KubeFed's ClusterPropagationOK (an entry without a status).
	Status  string `json:"status,omitempty"`
	Message string `json:"message,omitempty"`
	// Present is Yes, No, Unreachable or Unknown.
	Present     string `json:"present"`
	Managed     *bool  `json:"managed,omitempty"`
	MemberError string `json:"memberError,omitempty"`
	// DesiredError is why the desired object could not be computed (overrides).
	DesiredError string `json:"desiredError,omitempty"`
	// InSync says whether the member object holds every desired field.
	InSync          *bool              `json:"inSync,omitempty"`
	Differences     []drift.Difference `json:"differences,omitempty"`
	MoreDifferences int                `json:"moreDifferences,omitempty"`
	Explanation     []string           `json:"explanation,omitempty"`
	// Health is how the object is doing in the member (see health.go).
	Health *memberHealth `json:"health,omitempty"`
	// OtherManagers are the fields of the member object that field managers
	// other than federation's own, from its managedFields: kept under Apply,
	// removed under Replace (see dispatch.Replace).
	OtherManagers []dispatch.ManagerFields `json:"otherManagers,omitempty"`
}
