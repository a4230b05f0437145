package clusters

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// Workloads makes a cluster run pods, which a bare API server never does. Besides
// etcd and kube-apiserver the cluster then runs kube-controller-manager (the
// controllers of Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs,
// CronJobs, namespace deletion, garbage collection, service accounts, endpoints
// and endpoint slices, and pod garbage collection), kube-scheduler, and kwok,
// which plays the kubelet of fake nodes: a pod bound to one becomes Running and
// Ready at once, with no container behind it.
//
// Pods get no service-account token: envtest's kube-apiserver runs without the
// ServiceAccount admission plugin, so no controller has to mint one.
type Workloads struct {
	// Nodes is how many fake nodes the cluster has; 0 means 1.
	Nodes int
	// NodeCapacity is each node's capacity, and allocatable; a resource left out
	// has its DefaultNodeCapacity. With one node of {pods: 1}, a Deployment of 3
	// replicas has 1 pod Running and 2 Pending, unschedulable.
	NodeCapacity corev1.ResourceList
}

// DefaultNodeCapacity is a fake node's capacity unless Workloads.NodeCapacity
// says otherwise: 32 CPUs, 256Gi of memory, 110 pods.
func DefaultNodeCapacity() corev1.ResourceList {
	return corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("32"),
		corev1.ResourceMemory: resource.MustParse("256Gi"),
		corev1.ResourcePods:   resource.MustParse("110"),
	}
}

// FakeNodeAnnotation marks, with the value "fake", the nodes kwok plays the
// kubelet of; nodes without it are left alone.
const FakeNodeAnnotation = "kwok.x-k8s.io/node"

// NodeName returns the name of a cluster's i-th fake node (counted from 1).
func NodeName(i int) string { return fmt.Sprintf("kwok-node-%d", i) }

// workloadBinaries are what a cluster with Workloads needs from the binary folder
// besides etcd and kube-apiserver; kwok-stages.yaml says what kwok does to nodes
// and pods (hack/install-test-binaries.sh writes it from kwok's own defaults).
var workloadBinaries = []string{"kube-controller-manager", "kube-scheduler", "kwok", "kwok-stages.yaml"}

// controllers are the kube-controller-manager controllers a cluster with
// Workloads runs. Left out, among others: node lifecycle and IPAM (kwok keeps the
// nodes Ready and gives pods their IPs), service-account tokens and the root CA
// publisher (no pod mounts a token), certificates, volumes, HPA, resource quota.
var controllers = []string{
	"deployment-controller",
	"replicaset-controller",
	"statefulset-controller",
	"daemonset-controller",
	"job-controller",
	"cronjob-controller",
	"namespace-controller",
	"garbage-collector-controller",
	"serviceaccount-controller",
	"endpoints-controller",
	"endpointslice-controller",
	"pod-garbage-collector-controller",
}

// setWorkloads gives each named cluster its Workloads, failing on names of
// clusters that are not in the set.
func (s *Set) setWorkloads(byName map[string]Workloads) error {
	all := s.All()
	for _, name := range slices.Sorted(maps.Keys(byName)) {
		w := byName[name]
		i := slices.IndexFunc(all, func(c *Cluster) bool { return c.Name == name })
		if i < 0 {
			return fmt.Errorf("workloads for cluster %q, which is not started (clusters: %s)", name, strings.Join(names(all), ", "))
		}
		if w.Nodes < 0 {
			return fmt.Errorf("workloads for cluster %s: %d nodes", name, w.Nodes)
		}
		all[i].Workloads = &w
	}
	return nil
}

func names(cs []*Cluster) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Name
	}
	return out
}

// startWorkloads starts the cluster's kube-controller-manager, kube-scheduler and
// kwok, registers its fake nodes, and returns once both components answer their
// health checks and every node is Ready. What it started is recorded on c, for
// stopWorkloads, even when it fails.
func (c *Cluster) startWorkloads(binDir string) error {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()

	// Under TMPDIR, as envtest's own folders are: make local-up points it into
	// .local, where make local-down recognises the processes by their arguments.
	dir, err := os.MkdirTemp("", "kubefed-"+c.Name+"-workloads-")
	if err != nil {
		return err
	}
	c.workDir = dir
	data, err := clientcmd.Write(*kubeconfig(c.Name, c))
	if err != nil {
		return err
	}
	kc := filepath.Join(dir, "kubeconfig")
	if err := WriteFileAtomic(kc, data); err != nil {
		return fmt.Errorf("write kubeconfig: %w", err)
	}

	// Their logs go where the API server's go: nowhere, unless envtest attaches
	// the control plane's output (KUBEBUILDER_ATTACH_CONTROL_PLANE_OUTPUT=true).
	api := c.apiServer
	start := func(name string, args []string, env ...string) (*component, error) {
		p, err := startComponent(name, filepath.Join(binDir, name), args, env, api.Out, api.Err)
		if err != nil {
			return nil, err
		}
		c.components = append(c.components, p)
		return p, nil
	}
	kcmPort, err := freePort()
	if err != nil {
		return err
	}
	schedPort, err := freePort()
	if err != nil {
		return err
	}
	kcm, err := start("kube-controller-manager", []string{
		"--kubeconfig=" + kc,
		"--controllers=" + strings.Join(controllers, ","),
		"--leader-elect=false",
		"--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(kcmPort),
		// The client-go default of 20 would pace a test's rollouts.
		"--kube-api-qps=200",
		"--kube-api-burst=400",
	})
	if err != nil {
		return err
	}
	sched, err := start("kube-scheduler", []string{
		"--kubeconfig=" + kc,
		"--leader-elect=false",
		"--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(schedPort),
	})
	if err != nil {
		return err
	}
	kwok, err := start("kwok", []string{
		"--kubeconfig=" + kc,
		"--config=" + filepath.Join(binDir, "kwok-stages.yaml"),
		"--manage-all-nodes=false",
		"--manage-nodes-with-annotation-selector=" + FakeNodeAnnotation + "=fake",
		// Room for 65k pod IPs, not the default's 254.
		"--cidr=10.244.0.0/16",
	},
		// kwok also reads ~/.kwok/kwok.yaml when it exists; a HOME of its own
		// keeps the user's settings out.
		"HOME="+dir)
	if err != nil {
		return err
	}

	cs, err := kubernetes.NewForConfig(c.Config)
	if err != nil {
		return err
	}
	n := max(c.Workloads.Nodes, 1)
	capacity := DefaultNodeCapacity()
	maps.Copy(capacity, c.Workloads.NodeCapacity)
	for i := 1; i <= n; i++ {
		if _, err := cs.CoreV1().Nodes().Create(ctx, fakeNode(NodeName(i), capacity), metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("create node %s: %w", NodeName(i), err)
		}
		// Admission (TaintNodesByCondition) taints every new node not-ready, and
		// only the node lifecycle controller would lift it. That controller is
		// not run: kwok keeps the nodes Ready, so the taint goes at once.
		untaint := []byte(`{"spec":{"taints":null}}`)
		if _, err := cs.CoreV1().Nodes().Patch(ctx, NodeName(i), types.MergePatchType, untaint, metav1.PatchOptions{}); err != nil {
			return fmt.Errorf("remove the not-ready taint of node %s: %w", NodeName(i), err)
		}
	}

	errs := make([]error, 3)
	var wg sync.WaitGroup
	wg.Go(func() { errs[0] = kcm.waitHealthy(ctx, fmt.Sprintf("https://127.0.0.1:%d/healthz", kcmPort)) })
	wg.Go(func() { errs[1] = sched.waitHealthy(ctx, fmt.Sprintf("https://127.0.0.1:%d/readyz", schedPort)) })
	wg.Go(func() {
		errs[2] = kwok.waitFor(ctx, fmt.Sprintf("make its %d nodes Ready", n), func(ctx context.Context) (bool, error) {
			nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
			if err != nil {
				return false, nil // retried until ctx ends
			}
			ready := 0
			for _, node := range nodes.Items {
				if nodeReady(&node) {
					ready++
				}
			}
			return ready >= n, nil
		})
	})
	wg.Wait()
	return errors.Join(errs...)
}

// fakeNode is a node kwok plays the kubelet of, with no taint, so that any pod
// may be scheduled on it.
func fakeNode(name string, capacity corev1.ResourceList) *corev1.Node {
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name: name,
			Labels: map[string]string{
				corev1.LabelHostname:   name,
				corev1.LabelOSStable:   "linux",
				corev1.LabelArchStable: "amd64",
				"type":                 "kwok",
			},
			Annotations: map[string]string{FakeNodeAnnotation: "fake"},
		},
		// A node's status may be set on create, as a kubelet registering does;
		// kwok keeps the capacity and adds conditions, addresses and node info.
		Status: corev1.NodeStatus{Capacity: capacity, Allocatable: capacity},
	}
}

func nodeReady(node *corev1.Node) bool {
	for _, cond := range node.Status.Conditions {
		if cond.Type == corev1.NodeReady {
			return cond.Status == corev1.ConditionTrue
		}
	}
	return false
}

// stopWorkloads stops the cluster's components, all at once, and removes their
// folder; it does nothing for a cluster without Workloads.
func (c *Cluster) stopWorkloads() error {
	errs := make([]error, len(c.components))
	var wg sync.WaitGroup
	for i, p := range c.components {
		wg.Go(func() { errs[i] = p.stop(stopTimeout) })
	}
	wg.Wait()
	c.components = nil
	if c.workDir != "" {
		errs = append(errs, os.RemoveAll(c.workDir))
		c.workDir = ""
	}
	return errors.Join(errs...)
}
