// Package clusters starts real local Kubernetes control planes (etcd plus
// kube-apiserver, driven by controller-runtime's envtest): one host cluster and
// any number of member clusters. Tests, benchmarks and the quickstart use it so
// that federation always runs against real API servers.
//
// A bare API server stores objects and nothing more: no pod is ever scheduled or
// run, a deleted namespace keeps its content, an owner's dependents outlive it.
// Clusters named in Options.Workloads also run kube-controller-manager,
// kube-scheduler and kwok, with fake nodes of a given capacity: Deployments get
// Running, Ready pods, namespaces and owners are really deleted, and pods that fit
// on no node stay Pending with the reason Unschedulable. Each such cluster takes
// about a second more to start and about 220 MiB more memory. Their output goes
// where the API server's goes (discarded unless
// KUBEBUILDER_ATTACH_CONTROL_PLANE_OUTPUT=true), and they stop with the cluster.
//
// A bare cluster costs about 330 MiB RSS: 290 for kube-apiserver, 40 for etcd
// (PSS 200 and 20: a page of a binary that several processes run counts in the
// RSS of each). With Options.SharedEtcd the members keep their data in one etcd,
// each under a prefix of its own, which saves most of the etcd share and a tenth
// of the CPU time a start takes; the API server is the cost that remains. The
// Memory methods read these figures from /proc.
//
// The binaries come from hack/install-test-binaries.sh; BinaryDir finds them.
package clusters
