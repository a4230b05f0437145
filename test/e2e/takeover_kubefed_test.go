package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	clusterpkg "github.com/kubefed-gen/kubefed/runtime/cluster"
	"github.com/kubefed-gen/kubefed/test/clusters"
	"github.com/kubefed-gen/kubefed/test/federation"
)

// What a KubeFed v0.10 user has in the host before the takeover, as KubeFed's
// documentation and chart have them written.
const (
	// kubeFedConfig is the KubeFedConfig of KubeFed's chart with every field its
	// webhook would default, since no webhook runs here. The health check and the
	// available delay are shorter than the chart's (10s, 20s), so that KubeFed
	// starts propagating within seconds of the members joining.
	kubeFedConfig = `
apiVersion: core.kubefed.io/v1beta1
kind: KubeFedConfig
metadata:
  name: kubefed
  namespace: kube-federation-system
spec:
  scope: Cluster
  controllerDuration:
    availableDelay: 1s
    unavailableDelay: 10s
    cacheSyncTimeout: 5m
  leaderElect:
    leaseDuration: 15s
    renewDeadline: 10s
    retryPeriod: 5s
    resourceLock: configmaps
  clusterHealthCheck:
    period: 1s
    failureThreshold: 3
    successThreshold: 1
    timeout: 3s
  syncController:
    maxConcurrentReconciles: 1
    adoptResources: Enabled
  statusController:
    maxConcurrentReconciles: 1
  featureGates:
  - name: PushReconciler
    configuration: Enabled
  - name: RawResourceStatusCollection
    configuration: Disabled
  - name: SchedulerPreferences
    configuration: Enabled
`
	// kubeFedObjects are the federated objects KubeFed propagates: a namespace on
	// both members, a Deployment with an override on member2, a ConfigMap placed
	// by clusterSelector (member1 only) whose template has an annotation, and a
	// cluster-scoped ClusterRole on both members.
	kubeFedObjects = `
apiVersion: types.kubefed.io/v1beta1
kind: FederatedNamespace
metadata:
  name: takeover
  namespace: takeover
spec:
  placement:
    clusters:
    - name: member1
    - name: member2
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedDeployment
metadata:
  name: web
  namespace: takeover
spec:
  template:
    metadata:
      labels:
        app: web
    spec:
      replicas: 1
      selector:
        matchLabels:
          app: web
      template:
        metadata:
          labels:
            app: web
        spec:
          containers:
          - name: web
            image: nginx:1.27
  placement:
    clusters:
    - name: member1
    - name: member2
  overrides:
  - clusterName: member2
    clusterOverrides:
    - path: /spec/replicas
      value: 3
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata:
  name: settings
  namespace: takeover
spec:
  template:
    metadata:
      annotations:
        owner: team-a
    data:
      color: blue
  placement:
    clusterSelector:
      matchLabels:
        region: eu
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedClusterRole
metadata:
  name: reader
spec:
  template:
    rules:
    - apiGroups: [""]
      resources: [configmaps]
      verbs: [get, list]
  placement:
    clusters:
    - name: member1
    - name: member2
`
)

// decodeYAML decodes the objects of a multi-document YAML stream.
func decodeYAML(t testing.TB, data []byte) []*unstructured.Unstructured {
	t.Helper()
	var objs []*unstructured.Unstructured
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	for {
		obj := &unstructured.Unstructured{}
		err := dec.Decode(&obj.Object)
		if errors.Is(err, io.EOF) {
			return objs
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(obj.Object) > 0 {
			objs = append(objs, obj)
		}
	}
}

// createYAML creates the objects of a YAML stream in the cluster of c.
func createYAML(t testing.TB, c client.Client, data string) []*unstructured.Unstructured {
	t.Helper()
	objs := decodeYAML(t, []byte(data))
	for _, obj := range objs {
		if err := c.Create(context.Background(), obj); err != nil {
			t.Fatalf("create %s %s: %v", obj.GetKind(), obj.GetName(), err)
		}
	}
	return objs
}

// chartTypeConfigs returns the FederatedTypeConfigs of KubeFed's chart, in the
// KubeFed namespace, as its Helm release installs them.
func chartTypeConfigs(t testing.TB, chartDir string) []*unstructured.Unstructured {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(chartDir, "federatedtypeconfigs.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	objs := decodeYAML(t, data)
	for _, obj := range objs {
		obj.SetNamespace(federation.KubefedNamespace)
	}
	return objs
}

// startKubeFed runs KubeFed's controller manager against the host of kubeconfig
// and waits until it serves /healthz; its output is logged when the test fails.
func startKubeFed(t testing.TB, binDir, kubeconfig string) *clusters.Process {
	t.Helper()
	healthz, err := clusters.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	metrics, err := clusters.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	p, err := clusters.StartProcess("kubefed-controller-manager", filepath.Join(binDir, "kubefed-controller-manager"), []string{
		"--kubeconfig", kubeconfig,
		"--kubefed-namespace", federation.KubefedNamespace,
		fmt.Sprintf("--healthz-addr=127.0.0.1:%d", healthz),
		fmt.Sprintf("--metrics-addr=127.0.0.1:%d", metrics),
		"-v=2",
	}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("KubeFed's controller manager, last output:\n%s", p.Output())
		}
		_ = p.Stop(10 * time.Second)
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := p.WaitHealthy(ctx, fmt.Sprintf("http://127.0.0.1:%d/healthz", healthz)); err != nil {
		t.Fatalf("KubeFed's controller manager: %v\n%s", err, p.Output())
	}
	return p
}

// kubectl runs the kubectl of the test binaries with kubeconfig.
func kubectl(t testing.TB, binDir, kubeconfig string, args ...string) string {
	t.Helper()
	out, err := exec.Command(filepath.Join(binDir, "kubectl"), append([]string{"--kubeconfig", kubeconfig}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// takenObject is a member object KubeFed wrote, or one beside them.
type takenObject struct {
	cluster   string
	resource  schema.GroupVersionResource
	namespace string
	name      string
}

func (o takenObject) String() string {
	return fmt.Sprintf("%s %s %s/%s", o.cluster, o.resource.Resource, o.namespace, o.name)
}

// writeCounter counts the writes to chosen member objects, from the watch
// events the members' API servers send, from a given moment on.
type writeCounter struct {
	mu     sync.Mutex
	writes map[takenObject][]string // the event types, in order
	last   time.Time
	stop   context.CancelFunc
	done   sync.WaitGroup
	errs   []error
}

// countWrites starts watching objs in their members, from each member's current
// resourceVersion of the object's resource.
func countWrites(t testing.TB, configs map[string]*rest.Config, objs []takenObject) *writeCounter {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w := &writeCounter{writes: map[takenObject][]string{}, last: time.Now(), stop: cancel}
	t.Cleanup(w.close)
	for _, o := range objs {
		dyn, err := dynamic.NewForConfig(configs[o.cluster])
		if err != nil {
			t.Fatal(err)
		}
		ri := dyn.Resource(o.resource).Namespace(o.namespace)
		sel := "metadata.name=" + o.name
		list, err := ri.List(ctx, metav1.ListOptions{FieldSelector: sel})
		if err != nil {
			t.Fatalf("list %s: %v", o, err)
		}
		watcher, err := ri.Watch(ctx, metav1.ListOptions{FieldSelector: sel, ResourceVersion: list.GetResourceVersion()})
		if err != nil {
			t.Fatalf("watch %s: %v", o, err)
		}
		w.done.Add(1)
		go func() {
			defer w.done.Done()
			defer watcher.Stop()
			for ev := range watcher.ResultChan() {
				w.mu.Lock()
				if ev.Type == watch.Error {
					w.errs = append(w.errs, fmt.Errorf("watch %s: %v", o, ev.Object))
				} else {
					w.writes[o] = append(w.writes[o], string(ev.Type))
				}
				w.last = time.Now()
				w.mu.Unlock()
			}
			// A watch the server ends early would miss writes.
			if ctx.Err() == nil {
				w.mu.Lock()
				w.errs = append(w.errs, fmt.Errorf("watch %s ended before the count did", o))
				w.mu.Unlock()
			}
		}()
	}
	return w
}

// settle waits until no watched object was written for quiet, for at most a
// minute, and returns the writes per object.
func (w *writeCounter) settle(t testing.TB, quiet time.Duration) map[takenObject][]string {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		w.mu.Lock()
		since := time.Since(w.last)
		w.mu.Unlock()
		if since >= quiet {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("member objects still written after a minute: %v", w.snapshot())
		}
		time.Sleep(quiet - since)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.errs) > 0 {
		t.Fatal(errors.Join(w.errs...))
	}
	return w.snapshotLocked()
}

func (w *writeCounter) snapshot() map[takenObject][]string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.snapshotLocked()
}

func (w *writeCounter) snapshotLocked() map[takenObject][]string {
	out := make(map[takenObject][]string, len(w.writes))
	for k, v := range w.writes {
		out[k] = append([]string(nil), v...)
	}
	return out
}

func (w *writeCounter) close() {
	w.stop()
	w.done.Wait()
}

func gvr(group, version, resource string) schema.GroupVersionResource {
	return schema.GroupVersionResource{Group: group, Version: version, Resource: resource}
}

func schemaGVK(group, version, kind string) schema.GroupVersionKind {
	return schema.GroupVersionKind{Group: group, Version: version, Kind: kind}
}

// gvkOf is the kind of the few resources the takeover test reads.
func gvkOf(r schema.GroupVersionResource) schema.GroupVersionKind {
	kinds := map[string]string{"namespaces": "Namespace", "deployments": "Deployment", "configmaps": "ConfigMap", "clusterroles": "ClusterRole"}
	return r.GroupVersion().WithKind(kinds[r.Resource])
}

// hostOrigin is what this host records in kubefed.io/origin on the member objects
// it writes for cluster: the host's identity and the cluster's name.
func hostOrigin(t testing.TB, host client.Reader, cluster string) string {
	t.Helper()
	id, err := clusterpkg.Identity(context.Background(), host)
	if err != nil {
		t.Fatal(err)
	}
	return id + "/" + cluster
}

// specDiff says which top-level fields of spec differ between a and b, with both
// values.
func specDiff(a, b *unstructured.Unstructured) string {
	sa, _, _ := unstructured.NestedMap(a.Object, "spec")
	sb, _, _ := unstructured.NestedMap(b.Object, "spec")
	var out []string
	for k := range sa {
		if !reflect.DeepEqual(sa[k], sb[k]) {
			out = append(out, fmt.Sprintf("%s: %v -> %v", k, sa[k], sb[k]))
		}
	}
	for k := range sb {
		if _, ok := sa[k]; !ok {
			out = append(out, fmt.Sprintf("%s: (none) -> %v", k, sb[k]))
		}
	}
	return strings.Join(out, "; ")
}
