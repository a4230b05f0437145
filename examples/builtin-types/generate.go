// Package builtintypes federates two built-in Kubernetes types that are not in
// KubeFed's default set. The go:generate line is all it takes; the federation folder
// is its output.
package builtintypes

//go:generate go tool kubefed-gen --type statefulsets.apps --type cronjobs.batch --clients=false --output ./federation
