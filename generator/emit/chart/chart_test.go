package chart

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	"github.com/kubefed-gen/kubefed/test/clusters"
)

func TestExpand(t *testing.T) {
	tm := &templater{}
	in := "a: " + tm.inline("{{ .Values.a }}") + "\n" +
		"  res: " + tm.block("toYaml .Values.r") + "\n" +
		"    - " + tm.when(".Values.on", "--on") + "\n"
	got, err := tm.expand([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := "a: {{ .Values.a }}\n" +
		"  res:\n    {{- toYaml .Values.r | nindent 4 }}\n" +
		"    {{- if .Values.on }}\n    - --on\n    {{- end }}\n"
	if string(got) != want {
		t.Errorf("expanded\n%s\nwant\n%s", got, want)
	}
	for _, bad := range []string{"x: " + tm.block("b") + " tail", "x: " + tm.when("c", "d")} {
		if _, err := tm.expand([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestSplitImage(t *testing.T) {
	for image, want := range map[string][2]string{
		"kubefed-controller-manager:latest":        {"kubefed-controller-manager", "latest"},
		"registry.example.com:5000/kubefed":        {"registry.example.com:5000/kubefed", "latest"},
		"registry.example.com:5000/kubefed:v1.2.3": {"registry.example.com:5000/kubefed", "v1.2.3"},
	} {
		repo, tag, err := splitImage(image)
		if err != nil || repo != want[0] || tag != want[1] {
			t.Errorf("%s: %s %s %v, want %s %s", image, repo, tag, err, want[0], want[1])
		}
	}
	if _, _, err := splitImage("kubefed@sha256:0123"); err == nil || !strings.Contains(err.Error(), "digest") {
		t.Errorf("digest: error %v, want one about digests", err)
	}
}

// The default manager's checked-in chart and the install manifests it is made from.
const (
	chartDir  = "../../../cmd/controller-manager/chart"
	configDir = "../../../cmd/controller-manager/config"
)

// TestHelmTemplate renders the default manager's checked-in chart with helm
// template: every object of config/default but the Namespace comes out as the
// manifests have it, in the release's namespace, and the values change what
// they claim to.
func TestHelmTemplate(t *testing.T) {
	const ns = "fed-system"
	defaults := helmTemplate(t, ns)
	var want []map[string]any
	for _, dir := range []string{"rbac", "admission", "manager"} {
		files, err := filepath.Glob(filepath.Join(configDir, dir, "*.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if filepath.Base(f) == "kustomization.yaml" {
				continue
			}
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			objs, _, err := parse(f, data)
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, objs...)
		}
	}
	for _, w := range want {
		if w["kind"] == "Namespace" {
			continue
		}
		inNamespace(w, ns)
		got := find(defaults, w["kind"].(string), name(w))
		if got == nil {
			t.Errorf("%s %s of the manifests is not rendered", w["kind"], name(w))
			continue
		}
		if w["kind"] == "Deployment" {
			// What the values set is checked below; the rest must match.
			var err error
			if got, err = deepCopy(got); err != nil {
				t.Fatal(err)
			}
			d := container(got)
			for _, field := range []string{"image", "imagePullPolicy", "args"} {
				delete(d, field)
				delete(container(w), field)
			}
			delete(got["spec"].(map[string]any)["template"].(map[string]any)["metadata"].(map[string]any)["annotations"].(map[string]any), featureGatesChecksum)
		}
		if !reflect.DeepEqual(got, w) {
			g, _ := yaml.Marshal(got)
			m, _ := yaml.Marshal(w)
			t.Errorf("%s %s rendered\n%s\nwant as in the manifests\n%s", w["kind"], name(w), g, m)
		}
	}
	if n := find(defaults, "Namespace", corev1beta1.DefaultNamespace); n != nil {
		t.Error("the chart renders the KubeFed Namespace; helm install --create-namespace makes the release's")
	}

	d := container(find(defaults, "Deployment", "kubefed-controller-manager"))
	wantArgs := []any{"--kubefed-namespace=" + ns, "--leader-elect", "--metrics-bind-address=:8080", "--health-probe-bind-address=:8081",
		"--feature-gates=CrossClusterServiceDiscovery=false,FederatedIngress=false"}
	if !reflect.DeepEqual(d["args"], wantArgs) || d["image"] != "kubefed-controller-manager:latest" || d["imagePullPolicy"] != "IfNotPresent" {
		t.Errorf("manager container with default values: args %v image %v pull policy %v", d["args"], d["image"], d["imagePullPolicy"])
	}
	if got := gates(t, defaults); !reflect.DeepEqual(got, map[string]string{
		"PushReconciler": "Enabled", "SchedulerPreferences": "Enabled", "CrossClusterServiceDiscovery": "Disabled", "FederatedIngress": "Disabled",
	}) {
		t.Errorf("KubeFedConfig feature gates with default values: %v", got)
	}

	set := helmTemplate(t, ns, "--set", "replicas=2,image.repository=registry.example.com/kf,image.tag=v9,image.pullPolicy=Never,leaderElection=false,finalizerAdmissionPolicy=false",
		"--set", "featureGates.SchedulerPreferences=Disabled,featureGates.CrossClusterServiceDiscovery=Enabled,resources.limits.memory=1Gi")
	deployment := find(set, "Deployment", "kubefed-controller-manager")
	d = container(deployment)
	wantArgs = []any{"--kubefed-namespace=" + ns, "--metrics-bind-address=:8080", "--health-probe-bind-address=:8081",
		"--feature-gates=CrossClusterServiceDiscovery=true,FederatedIngress=false"}
	if !reflect.DeepEqual(d["args"], wantArgs) || d["image"] != "registry.example.com/kf:v9" || d["imagePullPolicy"] != "Never" {
		t.Errorf("manager container with values set: args %v image %v pull policy %v", d["args"], d["image"], d["imagePullPolicy"])
	}
	if r := deployment["spec"].(map[string]any)["replicas"]; r != float64(2) {
		t.Errorf("replicas %v, want 2", r)
	}
	if m := d["resources"].(map[string]any)["limits"].(map[string]any)["memory"]; m != "1Gi" {
		t.Errorf("memory limit %v, want 1Gi", m)
	}
	for _, kind := range []string{"MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding"} {
		if find(defaults, kind, "kubefed-controller-manager-finalizer") == nil {
			t.Errorf("default values: no %s", kind)
		}
		if find(set, kind, "") != nil {
			t.Errorf("finalizerAdmissionPolicy=false still renders a %s", kind)
		}
	}
	if got := gates(t, set); got["SchedulerPreferences"] != "Disabled" || got["CrossClusterServiceDiscovery"] != "Enabled" {
		t.Errorf("KubeFedConfig feature gates with values set: %v", got)
	}
	if checksum(defaults) == checksum(set) {
		t.Error("changing the feature gates leaves the manager's pod template as it was: an upgrade would not restart it")
	}
	if off := helmTemplate(t, ns, "--set", "kubefedConfig=false"); find(off, "KubeFedConfig", corev1beta1.ConfigName) != nil {
		t.Error("kubefedConfig=false still renders the KubeFedConfig")
	}
}

// helmTemplate runs helm template on the checked-in chart and returns its objects.
func helmTemplate(t *testing.T, namespace string, args ...string) []map[string]any {
	t.Helper()
	helm := Helm(t)
	cmd := exec.Command(helm, append([]string{"template", "kubefed", chartDir, "--namespace", namespace}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helm template %v: %v\n%s", args, err, stderr.String())
	}
	var objs []map[string]any
	for _, doc := range strings.Split(string(out), "\n---\n") {
		var obj map[string]any
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
			t.Fatalf("helm template output: %v\n%s", err, doc)
		}
		if obj != nil {
			objs = append(objs, obj)
		}
	}
	return objs
}

// Helm is the helm binary hack/install-helm.sh builds into the test binaries.
func Helm(t *testing.T) string {
	t.Helper()
	dir := os.Getenv(clusters.BinaryDirEnv)
	if dir == "" {
		dir = "../../../bin/k8s"
	}
	helm, err := filepath.Abs(filepath.Join(dir, "helm"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(helm); err != nil {
		t.Fatalf("helm not found at %s: run hack/install-helm.sh (or 'make test-binaries') first", helm)
	}
	return helm
}

// inNamespace puts obj where the chart puts it: its namespace fields naming the
// KubeFed namespace name ns instead.
func inNamespace(v any, ns string) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if k == "namespace" && x == corev1beta1.DefaultNamespace {
				v[k] = ns
			}
			inNamespace(x, ns)
		}
	case []any:
		for _, x := range v {
			inNamespace(x, ns)
		}
	}
}

func name(obj map[string]any) string { return obj["metadata"].(map[string]any)["name"].(string) }

// find returns the object of kind named name in objs ("": any name), or nil.
func find(objs []map[string]any, kind, n string) map[string]any {
	i := slices.IndexFunc(objs, func(o map[string]any) bool { return o["kind"] == kind && (n == "" || name(o) == n) })
	if i < 0 {
		return nil
	}
	return objs[i]
}

func container(deployment map[string]any) map[string]any {
	pod := deployment["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)
	return pod["containers"].([]any)[0].(map[string]any)
}

func checksum(objs []map[string]any) any {
	d := find(objs, "Deployment", "kubefed-controller-manager")
	return d["spec"].(map[string]any)["template"].(map[string]any)["metadata"].(map[string]any)["annotations"].(map[string]any)[featureGatesChecksum]
}

func gates(t *testing.T, objs []map[string]any) map[string]string {
	t.Helper()
	kfc := find(objs, "KubeFedConfig", corev1beta1.ConfigName)
	if kfc == nil {
		t.Fatal("no KubeFedConfig rendered")
	}
	out := map[string]string{}
	for _, g := range kfc["spec"].(map[string]any)["featureGates"].([]any) {
		g := g.(map[string]any)
		out[g["name"].(string)] = g["configuration"].(string)
	}
	return out
}
