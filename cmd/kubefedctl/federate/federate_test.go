package federate

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/internal/fixture"
	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/resolve"
)

// normalize makes values comparable whatever their Go number types.
func normalize(t *testing.T, v any) any {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestFederatedObject(t *testing.T) {
	r := resolve.New(fixture.Discovery(), nil)
	for _, tc := range []struct {
		name, typ, object, want string
	}{{
		name: "configmap: metadata reduced to labels and annotations",
		typ:  "configmaps",
		object: `
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
  uid: 1234
  resourceVersion: "42"
  creationTimestamp: "2026-01-01T00:00:00Z"
  labels: {app: shop}
  annotations:
    team: core
    kubectl.kubernetes.io/last-applied-configuration: '{"big":"json"}'
  managedFields: [{manager: kubectl}]
  finalizers: [example.com/keep]
  ownerReferences: [{apiVersion: v1, kind: Foo, name: bar, uid: "1"}]
data: {color: blue}
`,
		want: `
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: settings, namespace: shop}
spec:
  placement: {clusterSelector: {matchLabels: {}}}
  template:
    metadata:
      labels: {app: shop}
      annotations: {team: core}
    data: {color: blue}
`,
	}, {
		name: "namespace: lives in itself, no finalizers",
		typ:  "namespaces",
		object: `
apiVersion: v1
kind: Namespace
metadata: {name: shop, uid: "1"}
spec: {finalizers: [kubernetes]}
status: {phase: Active}
`,
		want: `
apiVersion: types.kubefed.io/v1beta1
kind: FederatedNamespace
metadata: {name: shop, namespace: shop}
spec:
  placement: {clusterSelector: {matchLabels: {}}}
  template: {}
`,
	}, {
		name: "cluster-scoped",
		typ:  "clusterroles.rbac.authorization.k8s.io",
		object: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
`,
		want: `
apiVersion: types.kubefed.io/v1beta1
kind: FederatedClusterRole
metadata: {name: reader}
spec:
  placement: {clusterSelector: {matchLabels: {}}}
  template:
    rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
`,
	}, {
		name: "deployment: pod template system fields, status",
		typ:  "deployments.apps",
		object: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, generation: 3}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {creationTimestamp: null, labels: {app: web}}
    spec: {containers: [{name: web, image: nginx}]}
status: {replicas: 2}
`,
		want: `
apiVersion: types.kubefed.io/v1beta1
kind: FederatedDeployment
metadata: {name: web, namespace: shop}
spec:
  placement: {clusterSelector: {matchLabels: {}}}
  template:
    spec:
      replicas: 2
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec: {containers: [{name: web, image: nginx}]}
`,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			typ, err := r.Resolve(tc.typ)
			if err != nil {
				t.Fatal(err)
			}
			got, err := federatedObject(typ, &unstructured.Unstructured{Object: fixture.YAML(t, tc.object)})
			if err != nil {
				t.Fatal(err)
			}
			want := fixture.YAML(t, tc.want)
			if !reflect.DeepEqual(normalize(t, got.Object), normalize(t, want)) {
				gotYAML, _ := yaml.Marshal(got.Object)
				wantYAML, _ := yaml.Marshal(want)
				t.Errorf("got\n%s\nwant\n%s", gotYAML, wantYAML)
			}
		})
	}
}

// TestTemplateOf covers the fields that must not travel to other clusters.
func TestTemplateOf(t *testing.T) {
	groups := append(fixture.Discovery(),
		fixture.Group("batch", "v1", fixture.Resource("jobs", "job", "Job", true)))
	groups[0].VersionedResources["v1"] = append(groups[0].VersionedResources["v1"],
		fixture.Resource("services", "service", "Service", true, "svc"),
		fixture.Resource("serviceaccounts", "serviceaccount", "ServiceAccount", true, "sa"))
	r := resolve.New(groups, nil)
	for _, tc := range []struct{ name, typ, object, want string }{{
		name: "service: cluster IPs and node ports",
		typ:  "services",
		object: `
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: NodePort
  clusterIP: 10.0.0.7
  clusterIPs: [10.0.0.7]
  ports: [{port: 80, targetPort: 8080, nodePort: 30080, protocol: TCP}]
  selector: {app: web}
`,
		want: `
spec:
  type: NodePort
  ports: [{port: 80, targetPort: 8080, protocol: TCP}]
  selector: {app: web}
`,
	}, {
		name: "service account: token secrets",
		typ:  "serviceaccounts",
		object: `
apiVersion: v1
kind: ServiceAccount
metadata: {name: robot, namespace: shop}
secrets: [{name: robot-token-x}]
imagePullSecrets: [{name: registry}]
`,
		want: `
imagePullSecrets: [{name: registry}]
`,
	}, {
		name: "job: generated selector and labels",
		typ:  "jobs.batch",
		object: `
apiVersion: batch/v1
kind: Job
metadata: {name: once, namespace: shop, labels: {app: once}}
spec:
  selector: {matchLabels: {batch.kubernetes.io/controller-uid: abc}}
  template:
    metadata:
      labels: {app: once, controller-uid: abc, batch.kubernetes.io/controller-uid: abc, job-name: once, batch.kubernetes.io/job-name: once}
    spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}
`,
		want: `
metadata: {labels: {app: once}}
spec:
  template:
    metadata: {labels: {app: once}}
    spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}
`,
	}, {
		name: "job with a manual selector keeps it",
		typ:  "jobs.batch",
		object: `
apiVersion: batch/v1
kind: Job
metadata: {name: once, namespace: shop}
spec:
  manualSelector: true
  selector: {matchLabels: {app: once}}
  template:
    metadata: {labels: {app: once}}
    spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}
`,
		want: `
spec:
  manualSelector: true
  selector: {matchLabels: {app: once}}
  template:
    metadata: {labels: {app: once}}
    spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}
`,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			typ, err := r.Resolve(tc.typ)
			if err != nil {
				t.Fatal(err)
			}
			got, err := templateOf(typ, &unstructured.Unstructured{Object: fixture.YAML(t, tc.object)})
			if err != nil {
				t.Fatal(err)
			}
			want := fixture.YAML(t, tc.want)
			if !reflect.DeepEqual(normalize(t, got), normalize(t, want)) {
				gotYAML, _ := yaml.Marshal(got)
				wantYAML, _ := yaml.Marshal(want)
				t.Errorf("got\n%s\nwant\n%s", gotYAML, wantYAML)
			}
		})
	}
}

func TestSystemObject(t *testing.T) {
	yes := true
	for _, tc := range []struct {
		name string
		obj  *unstructured.Unstructured
		skip bool
	}{
		{"kube-root-ca.crt", object("v1", "ConfigMap", "kube-root-ca.crt"), true},
		{"a configmap", object("v1", "ConfigMap", "settings"), false},
		{"default service account", object("v1", "ServiceAccount", "default"), true},
		{"another service account", object("v1", "ServiceAccount", "robot"), false},
		{"service account token", withField(object("v1", "Secret", "robot-token"), "type", "kubernetes.io/service-account-token"), true},
		{"opaque secret", withField(object("v1", "Secret", "creds"), "type", "Opaque"), false},
		{"replicaset of a deployment", func() *unstructured.Unstructured {
			o := object("apps/v1", "ReplicaSet", "web-5d8f")
			o.SetOwnerReferences([]metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "Deployment", Name: "web", UID: "1", Controller: &yes}})
			return o
		}(), true},
		{"owned but not controlled", func() *unstructured.Unstructured {
			o := object("v1", "ConfigMap", "extra")
			o.SetOwnerReferences([]metav1.OwnerReference{{APIVersion: "v1", Kind: "ConfigMap", Name: "x", UID: "1"}})
			return o
		}(), false},
	} {
		if got := systemObject(tc.obj) != ""; got != tc.skip {
			t.Errorf("%s: skipped %v (%q), want %v", tc.name, got, systemObject(tc.obj), tc.skip)
		}
	}
}

func object(apiVersion, kind, name string) *unstructured.Unstructured {
	o := &unstructured.Unstructured{Object: map[string]any{}}
	o.SetAPIVersion(apiVersion)
	o.SetKind(kind)
	o.SetName(name)
	o.SetNamespace("shop")
	return o
}

func withField(o *unstructured.Unstructured, field string, value any) *unstructured.Unstructured {
	o.Object[field] = value
	return o
}

func TestSkipResource(t *testing.T) {
	deploy := fixture.Resource("deployments", "deployment", "Deployment", true, "deploy")
	deploy.Group = "apps"
	events := fixture.Resource("events", "event", "Event", true, "ev")
	events.Group = "events.k8s.io"
	for _, tc := range []struct {
		res   metav1.APIResource
		names []string
		want  bool
	}{
		{deploy, []string{"deploy"}, true},
		{deploy, []string{"Deployment"}, true},
		{deploy, []string{"deployments.apps"}, true},
		{deploy, []string{"apps"}, true},
		{deploy, []string{"secrets", ""}, false},
		{events, controllerCreatedResources, true},
		{deploy, controllerCreatedResources, false},
	} {
		if got := skipResource(tc.res, tc.names); got != tc.want {
			t.Errorf("skipResource(%s.%s, %v) = %v, want %v", tc.res.Name, tc.res.Group, tc.names, got, tc.want)
		}
	}
}

func TestPrintObjects(t *testing.T) {
	r := resolve.New(fixture.Discovery(), nil)
	ns, _ := r.Resolve("namespaces")
	cm, _ := r.Resolve("configmaps")
	fns, _ := federatedObject(ns, object("v1", "Namespace", "shop"))
	fcm, _ := federatedObject(cm, object("v1", "ConfigMap", "settings"))
	items := []federateItem{{ns, fns}, {cm, fcm}}
	var out bytes.Buffer
	if err := printObjects(&out, "yaml", items); err != nil {
		t.Fatal(err)
	}
	if docs := strings.Count(out.String(), "---\n"); docs != 2 || !strings.Contains(out.String(), "kind: FederatedConfigMap") {
		t.Errorf("yaml output:\n%s", out.String())
	}
	out.Reset()
	if err := printObjects(&out, "json", items); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"kind": "List"`) {
		t.Errorf("json output:\n%s", out.String())
	}
}
