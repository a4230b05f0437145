// Package v1alpha1 holds well-formed types for discovery tests.
// +groupName=widgets.example.com
package v1alpha1
