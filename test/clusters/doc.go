// Package clusters starts real local Kubernetes control planes (etcd plus
// kube-apiserver, driven by controller-runtime's envtest): one host cluster and
// any number of member clusters. Tests, benchmarks and the quickstart use it so
// that federation always runs against real API servers.
//
// The binaries come from hack/install-test-binaries.sh; BinaryDir finds them.
package clusters
