package v1alpha1

import (
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// PropagatedVersionStatus is what was last propagated for one federated object.
type PropagatedVersionStatus struct {
	// TemplateVersion is the version of the template that was propagated.
	TemplateVersion string `json:"templateVersion"`
	// OverrideVersion is the version of the overrides that were propagated.
	OverrideVersion string `json:"overridesVersion"`
	// ClusterVersions are the last versions of the member objects written, one per
	// cluster.
	// +optional
	ClusterVersions []ClusterObjectVersion `json:"clusterVersions,omitempty"`
}

// ClusterObjectVersion is the version of a member object after its last write.
type ClusterObjectVersion struct {
	// ClusterName is the KubeFedCluster the version is for.
	ClusterName string `json:"clusterName"`
	// Version is "gen:<generation>" when the member object has a generation, else
	// "rv:<resourceVersion>".
	Version string `json:"version"`
}

// PropagatedVersion records what was propagated for a namespaced federated object;
// its name is <lower-case target kind>-<object name>, in the object's namespace.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:path=propagatedversions,categories=kubefed
type PropagatedVersion struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +optional
	Status PropagatedVersionStatus `json:"status,omitempty"`
}

// PropagatedVersionList is a list of PropagatedVersions.
//
// +kubebuilder:object:root=true
type PropagatedVersionList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []PropagatedVersion `json:"items"`
}

// ClusterPropagatedVersion records what was propagated for a cluster-scoped
// federated object; its name is <lower-case target kind>-<object name>.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:path=clusterpropagatedversions,scope=Cluster,categories=kubefed
type ClusterPropagatedVersion struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +optional
	Status PropagatedVersionStatus `json:"status,omitempty"`
}

// ClusterPropagatedVersionList is a list of ClusterPropagatedVersions.
//
// +kubebuilder:object:root=true
type ClusterPropagatedVersionList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ClusterPropagatedVersion `json:"items"`
}

// PropagatedVersionName is the name of the (Cluster)PropagatedVersion of the
// federated object called name whose target kind is kind, as KubeFed names it.
func PropagatedVersionName(kind, name string) string {
	return strings.ToLower(kind) + "-" + name
}
