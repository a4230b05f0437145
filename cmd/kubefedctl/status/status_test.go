package status

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/internal/fixture"
	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/orphaning"
	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/resolve"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/dispatch"
	"github.com/kubefed-gen/kubefed/runtime/drift"
	"github.com/kubefed-gen/kubefed/runtime/drift/drifttest"
)

// TestSharedDriftTable runs the drift table the controller's write decision is
// tested with through status's own path, from a federated object to the
// differences it prints: the two must agree on every case.
func TestSharedDriftTable(t *testing.T) {
	groups := append(fixture.Discovery(), fixture.Group("", "v1", fixture.Resource("services", "service", "Service", true)))
	resolver := resolve.New(groups, nil)
	for _, tc := range drifttest.Cases(t) {
		t.Run(tc.Name, func(t *testing.T) {
			target := tc.TargetObject()
			plural := strings.ToLower(target.GetKind()) + "s"
			if g := target.GroupVersionKind().Group; g != "" {
				plural += "." + g
			}
			typ, err := resolver.Resolve(plural)
			if err != nil {
				t.Fatal(err)
			}
			template := target.DeepCopy().Object
			delete(template, "apiVersion")
			delete(template, "kind")
			template["metadata"] = map[string]any{"labels": toAny(target.GetLabels()), "annotations": toAny(target.GetAnnotations())}
			fed := &unstructured.Unstructured{Object: map[string]any{"spec": map[string]any{"template": template}}}
			fed.SetAPIVersion(typ.Federated.GroupVersion().String())
			fed.SetKind(typ.Federated.Kind)
			fed.SetName(target.GetName())
			fed.SetNamespace(target.GetNamespace())
			if items := tc.OverrideItems(); items != nil {
				data, err := json.Marshal(items)
				if err != nil {
					t.Fatal(err)
				}
				var overrides []any
				if err := json.Unmarshal(data, &overrides); err != nil {
					t.Fatal(err)
				}
				fed.Object["spec"].(map[string]any)["overrides"] = overrides
			}
			r := &statusReport{typ: typ, statuses: map[string]fedv1beta1.GenericClusterStatus{}}
			if err := r.readSpecAndStatus(fed); err != nil {
				t.Fatal(err)
			}
			want, err := r.desired(drifttest.Cluster)
			if err != nil {
				t.Fatal(err)
			}
			diffs, err := drift.Diff(want, tc.MemberObject())
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(drifttest.Paths(diffs), tc.Diff) {
				t.Errorf("status reports %v, the table says %v", diffs, tc.Diff)
			}
		})
	}
}

func toAny(m map[string]string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

func fedObject(t *testing.T, s string) *unstructured.Unstructured {
	t.Helper()
	return &unstructured.Unstructured{Object: fixture.YAML(t, s)}
}

func TestDesiredObject(t *testing.T) {
	groups := append(fixture.Discovery(), fixture.Group("batch", "v1", fixture.Resource("jobs", "job", "Job", true)))
	r := resolve.New(groups, nil)
	deploy, _ := r.Resolve("deployments.apps")
	ns, _ := r.Resolve("namespaces")
	secrets, _ := r.Resolve("secrets")
	fed := fedObject(t, `
apiVersion: types.kubefed.io/v1beta1
kind: FederatedDeployment
metadata: {name: web, namespace: shop, labels: {not: propagated}}
spec:
  template:
    metadata: {labels: {app: web}, annotations: {team: core}}
    spec:
      replicas: 2
      template: {spec: {containers: [{name: web, image: nginx}]}}
  overrides:
  - clusterName: member2
    clusterOverrides:
    - {path: /spec/replicas, value: 5}
    - {op: add, path: /metadata/annotations/region, value: us}
  - clusterName: member3
    clusterOverrides:
    - {path: /spec/replicass, value: 1}
`)
	report := func(t *testing.T, fed *unstructured.Unstructured, typ *resolve.Type) *statusReport {
		t.Helper()
		r := &statusReport{typ: typ, statuses: map[string]fedv1beta1.GenericClusterStatus{}}
		if err := r.readSpecAndStatus(fed); err != nil {
			t.Fatal(err)
		}
		return r
	}
	content := func(t *testing.T, obj client.Object) map[string]any {
		t.Helper()
		u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	for _, tc := range []struct {
		cluster, want, wantErr string
	}{
		{cluster: "member1", want: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {app: web}, annotations: {team: core}}
spec:
  replicas: 2
  template: {spec: {containers: [{name: web, image: nginx}]}}
`},
		{cluster: "member2", want: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {app: web}, annotations: {team: core, region: us}}
spec:
  replicas: 5
  template: {spec: {containers: [{name: web, image: nginx}]}}
`},
		// Typed, as the controller checks it: an unknown field is an error.
		{cluster: "member3", wantErr: `override 0 (replace /spec/replicass)`},
	} {
		t.Run(tc.cluster, func(t *testing.T) {
			got, err := report(t, fed, deploy).desired(tc.cluster)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := &unstructured.Unstructured{Object: fixture.YAML(t, tc.want)}
			if diffs, _ := drift.Diff(want, got); len(diffs) > 0 {
				t.Errorf("desired lacks %v", diffs)
			}
			if diffs, _ := drift.Diff(got, want); len(diffs) > 0 {
				t.Errorf("desired has more: %v", diffs)
			}
		})
	}

	// A namespace is named after its FederatedNamespace and has no namespace.
	fns := fedObject(t, `{apiVersion: types.kubefed.io/v1beta1, kind: FederatedNamespace, metadata: {name: shop, namespace: shop}, spec: {template: {}}}`)
	got, err := report(t, fns, ns).desired("member1")
	if err != nil || got.GetName() != "shop" || got.GetNamespace() != "" || got.GetObjectKind().GroupVersionKind().Kind != "Namespace" {
		t.Errorf("namespace: %v, %v", got, err)
	}

	// stringData becomes data, as the API server stores it.
	fs := fedObject(t, `{apiVersion: types.kubefed.io/v1beta1, kind: FederatedSecret, metadata: {name: s, namespace: shop}, spec: {template: {stringData: {token: s3cret}}}}`)
	got, err = report(t, fs, secrets).desired("member1")
	if err != nil {
		t.Fatal(err)
	}
	if data, _, _ := unstructured.NestedStringMap(content(t, got), "data"); data["token"] != "czNjcmV0" {
		t.Errorf("secret data %v", content(t, got))
	}
}

// TestStatusReportText checks the describe-like output for a report with each
// kind of cluster problem.
func TestStatusReportText(t *testing.T) {
	yes, no := true, false
	r := &statusReport{
		Kind: "FederatedConfigMap", APIVersion: "types.kubefed.io/v1beta1", Namespace: "shop", Name: "settings",
		Type: "configmaps", TypePropagation: "Disabled", TypeConfig: "kube-federation-system/configmaps",
		Generation: 4, ObservedGeneration: 3, StatusStale: true, Orphaning: orphaning.Disabled,
		UpdateStrategy: "Replace", UpdateStrategySource: "FederatedTypeConfig",
		Placement:          "clusterSelector {} (every cluster)",
		NamespacePlacement: "FederatedNamespace shop places namespace shop on member1, member2",
		kubefedNamespace:   "kube-federation-system",
		Ready: &metav1.Condition{Type: "Ready", Status: metav1.ConditionFalse, Reason: "ClustersNotReady",
			Message: "not ready in 1 of 4 cluster(s): member2 Ready (ApplyOverridesFailed)"},
		Clusters: []clusterReport{
			{Name: "member1", Joined: true, Ready: "True", Placed: true, Status: "OK", Present: presentYes, Managed: &yes, InSync: &yes,
				OtherManagers: []dispatch.ManagerFields{{Manager: "autoscaler", Operation: "Apply", Fields: []string{".spec.replicas"}, Shared: []string{".metadata.labels.app"}}}},
			{Name: "member2", Joined: true, Ready: "True", Placed: true, Status: "ApplyOverridesFailed", Message: "override 0 (replace /data/x/y): /data/x is a string", Present: presentYes, Managed: &yes, DesiredError: "override 0 (replace /data/x/y): /data/x is a string"},
			{Name: "member3", Joined: true, Ready: "True", Placed: true, Status: "OK", Present: presentYes, Managed: &yes, InSync: &no,
				Differences: []drift.Difference{{Path: "/data/color", Desired: "blue", Actual: "red"}}},
			{Name: "member4", Joined: true, Ready: "False", ReadyMessage: "health check failed", NotPlacedReason: namespaceNotPlaced, Present: presentUnreachable, MemberError: "dial tcp: refused"},
			{Name: "member5", NotPlacedReason: "", Placed: true},
		},
	}
	r.explain()
	var out bytes.Buffer
	if err := r.write(&out, ""); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{
		"Generation:           4, status observed generation 3 (stale",
		"Type propagation:     Disabled (FederatedTypeConfig kube-federation-system/configmaps)",
		"Ready:                False ClustersNotReady: not ready in 1 of 4 cluster(s): member2 Ready (ApplyOverridesFailed)",
		"CLUSTER   READY        PLACED",
		"member1   True         yes                        OK                     yes           in sync",
		"member2   True         yes                        ApplyOverridesFailed   yes           overrides failed",
		"member3   True         yes                        OK                     yes           1 field(s) differ",
		"member4   False        no: namespace not placed   -                      unreachable   -",
		"member5   not joined   yes",
		"ApplyOverridesFailed: override 0 (replace /data/x/y)",
		`/data/color: desired "blue", the member has "red"`,
		"propagation of configmaps is Disabled, so the difference is not corrected",
		"not placed: the FederatedNamespace of shop does not place it on this cluster",
		"the placement names cluster member5, but it is not joined",
		"Update strategy:      Replace (annotation kubefed.io/update-strategy on the FederatedTypeConfig)",
		"member1:\n  fields other field managers own (kept under Apply; Replace removes those not shared with kubefed):\n    autoscaler (Apply): .spec.replicas, .metadata.labels.app (shared)\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}

	out.Reset()
	if err := r.write(&out, "json"); err != nil {
		t.Fatal(err)
	}
	var decoded statusReport
	if err := json.Unmarshal(out.Bytes(), &decoded); err != nil {
		t.Fatal(err)
	}
	if len(decoded.Clusters) != 5 || decoded.Clusters[2].Differences[0].Path != "/data/color" || !decoded.StatusStale {
		t.Errorf("json: %s", out.String())
	}
}
