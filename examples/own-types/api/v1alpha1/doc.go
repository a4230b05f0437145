// Package v1alpha1 is a user's own API: a Storefront that a team runs in every
// region's cluster.
//
// +kubebuilder:object:generate=true
// +groupName=shop.example.com
package v1alpha1
