package status

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/internal/fixture"
	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/orphaning"
	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/resolve"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
)

func TestSubsetDiff(t *testing.T) {
	for _, tc := range []struct {
		name            string
		desired, actual string
		want            []string // fieldDiff.String() of each difference
	}{{
		name:    "equal, with fields the server added",
		desired: `{metadata: {name: a, labels: {app: x}}, data: {k: v}}`,
		actual:  `{metadata: {name: a, uid: "1", resourceVersion: "7", labels: {app: x, kubefed.io/managed: "true"}}, data: {k: v}}`,
	}, {
		name:    "changed value",
		desired: `{data: {color: blue, size: "1"}}`,
		actual:  `{data: {color: red, size: "1"}}`,
		want:    []string{`/data/color: desired "blue", the member has "red"`},
	}, {
		name:    "missing field and missing map",
		desired: `{data: {color: blue}, binaryData: {x: eA==}}`,
		actual:  `{data: {}}`,
		want:    []string{`/binaryData: desired {"x":"eA=="}, missing in the member`, `/data/color: desired "blue", missing in the member`},
	}, {
		name:    "numbers of different Go types are equal",
		desired: `{spec: {replicas: 2}}`,
		actual:  `{spec: {replicas: 2.0}}`,
	}, {
		name:    "zero values match missing fields",
		desired: `{metadata: {creationTimestamp: null, annotations: {}}, spec: {paused: false, minReadySeconds: 0, strategy: {}, hostname: "", volumes: []}}`,
		actual:  `{metadata: {}, spec: {}}`,
	}, {
		name:    "lists item by item, defaults inside items are fine",
		desired: `{spec: {containers: [{name: web, image: nginx:1}, {name: log, image: fluent}]}}`,
		actual:  `{spec: {containers: [{name: web, image: nginx:2, imagePullPolicy: Always}, {name: log, image: fluent, terminationMessagePath: /dev/x}]}}`,
		want:    []string{`/spec/containers/0/image: desired "nginx:1", the member has "nginx:2"`},
	}, {
		name:    "list lengths",
		desired: `{spec: {args: [a, b, c], env: [x]}}`,
		actual:  `{spec: {args: [a], env: [x, "y"]}}`,
		want: []string{
			`/spec/args/1: desired "b", missing in the member`,
			`/spec/args/2: desired "c", missing in the member`,
			`/spec/env/1: not desired, the member has "y"`,
		},
	}, {
		name:    "type mismatch",
		desired: `{spec: {ports: [{port: 80}]}}`,
		actual:  `{spec: {ports: "80"}}`,
		want:    []string{`/spec/ports: desired [{"port":80}], the member has "80"`},
	}, {
		name:    "keys are escaped as in JSON pointers",
		desired: `{metadata: {annotations: {example.com/a~b: "1"}}}`,
		actual:  `{metadata: {annotations: {example.com/a~b: "2"}}}`,
		want:    []string{`/metadata/annotations/example.com~1a~0b: desired "1", the member has "2"`},
	}, {
		name:    "quantities as the API server normalises them",
		desired: `{spec: {resources: {limits: {cpu: 1000m, memory: 1Gi}, requests: {cpu: 500m}}}}`,
		actual:  `{spec: {resources: {limits: {cpu: "1", memory: 1Gi}, requests: {cpu: 250m}}}}`,
		want:    []string{`/spec/resources/requests/cpu: desired "500m", the member has "250m"`},
	}, {
		name:    "quantity-like strings elsewhere are compared as strings",
		desired: `{data: {cpu: 1000m}}`,
		actual:  `{data: {cpu: "1"}}`,
		want:    []string{`/data/cpu: desired "1000m", the member has "1"`},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			diffs := subsetDiff(fixture.YAML(t, tc.desired), fixture.YAML(t, tc.actual))
			var got []string
			for _, d := range diffs {
				got = append(got, d.String())
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("differences:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
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
	var items []fedv1beta1.GenericOverrideItem
	raw, _, _ := unstructured.NestedSlice(fed.Object, "spec", "overrides")
	if err := fromUnstructuredJSON(raw, &items); err != nil {
		t.Fatal(err)
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
			got, err := desiredObject(fed, deploy, items, tc.cluster)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diffs := subsetDiff(fixture.YAML(t, tc.want), got.Object); len(diffs) > 0 {
				t.Errorf("desired lacks %v", diffs)
			}
			if diffs := subsetDiff(got.Object, fixture.YAML(t, tc.want)); len(diffs) > 0 {
				t.Errorf("desired has more: %v", diffs)
			}
		})
	}

	// A namespace is named after its FederatedNamespace and has no namespace.
	fns := fedObject(t, `{apiVersion: types.kubefed.io/v1beta1, kind: FederatedNamespace, metadata: {name: shop, namespace: shop}, spec: {template: {}}}`)
	got, err := desiredObject(fns, ns, nil, "member1")
	if err != nil || got.GetName() != "shop" || got.GetNamespace() != "" || got.GetKind() != "Namespace" {
		t.Errorf("namespace: %v, %v", got, err)
	}

	// stringData becomes data, as the API server stores it.
	fs := fedObject(t, `{apiVersion: types.kubefed.io/v1beta1, kind: FederatedSecret, metadata: {name: s, namespace: shop}, spec: {template: {stringData: {token: s3cret}}}}`)
	got, err = desiredObject(fs, secrets, nil, "member1")
	if err != nil {
		t.Fatal(err)
	}
	if data, _, _ := unstructured.NestedStringMap(got.Object, "data"); data["token"] != "czNjcmV0" {
		t.Errorf("secret data %v", got.Object)
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
		Placement:          "clusterSelector {} (every cluster)",
		NamespacePlacement: "FederatedNamespace shop places namespace shop on member1, member2",
		kubefedNamespace:   "kube-federation-system",
		Clusters: []clusterReport{
			{Name: "member1", Joined: true, Ready: "True", Placed: true, Status: "OK", Present: presentYes, Managed: &yes, InSync: &yes},
			{Name: "member2", Joined: true, Ready: "True", Placed: true, Status: "ApplyOverridesFailed", Message: "override 0 (replace /data/x/y): /data/x is a string", Present: presentYes, Managed: &yes, DesiredError: "override 0 (replace /data/x/y): /data/x is a string"},
			{Name: "member3", Joined: true, Ready: "True", Placed: true, Status: "OK", Present: presentYes, Managed: &yes, InSync: &no,
				Differences: []fieldDiff{{Path: "/data/color", Desired: "blue", Actual: "red"}}},
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
