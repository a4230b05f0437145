package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

// Storefront is a shop front served from every cluster it is placed on.
//
// +kubefed:federate:shortName=sf
// +kubebuilder:object:root=true
type Storefront struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   StorefrontSpec   `json:"spec,omitempty"`
	Status StorefrontStatus `json:"status,omitempty"`
}

// StorefrontSpec is the desired shop front.
type StorefrontSpec struct {
	// Replicas of the front end.
	// +optional
	Replicas *int32 `json:"replicas,omitempty"`
	// Currency prices are shown in.
	// +kubebuilder:validation:Enum=EUR;USD;JPY
	Currency string `json:"currency"`
	// Banner is shown at the top of every page.
	// +optional
	Banner string `json:"banner,omitempty"`
}

// StorefrontStatus is reported by the cluster's own controller.
type StorefrontStatus struct {
	// ReadyReplicas of the front end.
	ReadyReplicas int32 `json:"readyReplicas,omitempty"`
}

// StorefrontList is a list of Storefronts.
//
// +kubebuilder:object:root=true
type StorefrontList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Storefront `json:"items"`
}

var (
	// GroupVersion of this package.
	GroupVersion = schema.GroupVersion{Group: "shop.example.com", Version: "v1alpha1"}
	// SchemeBuilder registers this package's types.
	SchemeBuilder = &scheme.Builder{GroupVersion: GroupVersion}
	// AddToScheme adds this package's types to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

func init() {
	SchemeBuilder.Register(&Storefront{}, &StorefrontList{})
}
