package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/diff"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"

	typesv1beta1 "github.com/kubefed-gen/kubefed/cmd/controller-manager/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/cmd/controller-manager/client/clientset/versioned"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/test/clusters"
)

// crdDir holds the default set's CRDs, relative to this package's folder (the
// working directory of its tests).
var crdDir = filepath.Join("..", "..", "cmd", "controller-manager", "config", "crd", "bases")

const (
	// namespace holds every namespaced federated object but the FederatedNamespace,
	// which lives in the namespace it federates.
	namespace    = "e2e"
	fedNamespace = "fed-ns"
)

// TestDefaultSetCRDs installs the CRDs of the default type set into a real API
// server and, through the generated typed clientset, stores a fully populated object
// of every generated kind. Reading each back unchanged proves its structural schema
// covers every field set (an API server prunes unknown fields silently, and strict
// field validation refuses them). It then checks that the schema refuses an unknown
// override op and template fields of the wrong type, and that `kubectl get federated`
// lists every kind with the generated printer columns.
func TestDefaultSetCRDs(t *testing.T) {
	set, err := clusters.Start(clusters.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := set.Stop(); err != nil {
			t.Error(err)
		}
	})
	ctx := t.Context()
	cfg := set.Host.Config

	crds, installed := installCRDs(ctx, t, cfg, crdDir)
	core := kubernetes.NewForConfigOrDie(cfg)
	for _, ns := range []string{namespace, fedNamespace} {
		if _, err := core.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create namespace %s: %v", ns, err)
		}
	}

	fed := versioned.NewForConfigOrDie(cfg).TypesV1beta1()
	deployment, configMap, clusterRole := federatedDeployment(), federatedConfigMap(), federatedClusterRole()
	cases := []kindCase{
		{"FederatedClusterRole", clusterRole.Name, roundTrip(ctx, fed.FederatedClusterRoles(), clusterRole)},
		{"FederatedConfigMap", configMap.Name, roundTrip(ctx, fed.FederatedConfigMaps(namespace), configMap)},
		{"FederatedDeployment", deployment.Name, roundTrip(ctx, fed.FederatedDeployments(namespace), deployment)},
		{"FederatedIngress", "demo", roundTrip(ctx, fed.FederatedIngresses(namespace), federatedIngress())},
		{"FederatedJob", "demo", roundTrip(ctx, fed.FederatedJobs(namespace), federatedJob())},
		{"FederatedNamespace", fedNamespace, roundTrip(ctx, fed.FederatedNamespaces(fedNamespace), federatedNamespace())},
		{"FederatedReplicaSet", "demo", roundTrip(ctx, fed.FederatedReplicaSets(namespace), federatedReplicaSet())},
		{"FederatedSecret", "demo", roundTrip(ctx, fed.FederatedSecrets(namespace), federatedSecret())},
		{"FederatedService", "demo", roundTrip(ctx, fed.FederatedServices(namespace), federatedService())},
		{"FederatedServiceAccount", "demo", roundTrip(ctx, fed.FederatedServiceAccounts(namespace), federatedServiceAccount())},
	}

	t.Run("every generated kind has a case", func(t *testing.T) {
		var generated, covered []string
		for _, c := range crds {
			generated = append(generated, c.Spec.Names.Kind)
		}
		for _, c := range cases {
			covered = append(covered, c.kind)
		}
		sort.Strings(generated)
		if !slices.Equal(generated, covered) {
			t.Errorf("the CRDs in %s define kinds %v, but the test covers %v; add a case for every new kind", crdDir, generated, covered)
		}
	})

	stored := map[string]bool{}
	t.Run("typed round trip", func(t *testing.T) {
		for _, c := range cases {
			t.Run(c.kind, func(t *testing.T) {
				if !installed[c.kind] {
					t.Fatalf("the API server refused the CRD of %s (see above)", c.kind)
				}
				var ok bool
				defer func() { stored[c.kind] = ok }()
				c.run(t, &ok)
			})
		}
	})

	t.Run("wrong template and placement types are refused", func(t *testing.T) {
		dyn := dynamic.NewForConfigOrDie(cfg)
		// A small deployment, so that only the wrong field can be the cause.
		minimal := &typesv1beta1.FederatedDeployment{ObjectMeta: metav1.ObjectMeta{Name: "minimal", Namespace: namespace}}
		minimal.SetTemplate(&appsv1.Deployment{Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: appLabels},
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "registry.k8s.io/pause:3.10"}}}},
		}})
		for _, tc := range []struct {
			name    string
			obj     runtime.Object
			kind    string
			plural  string
			path    []string
			bad     any
			cluster bool
		}{
			{"replicas as a string", minimal, "FederatedDeployment", "federateddeployments", []string{"spec", "template", "spec", "replicas"}, "three", false},
			{"configmap data value as a number", configMap, "FederatedConfigMap", "federatedconfigmaps", []string{"spec", "template", "data", "greeting"}, int64(5), false},
			{"clusterrole rules as a string", clusterRole, "FederatedClusterRole", "federatedclusterroles", []string{"spec", "template", "rules"}, "everything", true},
			{"placement clusters as a string", minimal, "FederatedDeployment", "federateddeployments", []string{"spec", "placement", "clusters"}, "member1", false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				raw, err := runtime.DefaultUnstructuredConverter.ToUnstructured(tc.obj)
				if err != nil {
					t.Fatal(err)
				}
				u := &unstructured.Unstructured{Object: raw}
				u.SetAPIVersion(typesv1beta1.SchemeGroupVersion.String())
				u.SetKind(tc.kind)
				u.SetName(u.GetName() + "-wrong-type")
				resource := dyn.Resource(typesv1beta1.SchemeGroupVersion.WithResource(tc.plural))
				var client dynamic.ResourceInterface = resource
				if !tc.cluster {
					client = resource.Namespace(u.GetNamespace())
				}
				// The same object with every field of the right type is accepted, so
				// the refusal below is about the one wrong field.
				if _, err := client.Create(ctx, u, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}, FieldValidation: metav1.FieldValidationStrict}); err != nil {
					t.Fatalf("dry-run create of the valid object: %v", err)
				}
				if err := unstructured.SetNestedField(u.Object, tc.bad, tc.path...); err != nil {
					t.Fatal(err)
				}
				_, err = client.Create(ctx, u, metav1.CreateOptions{})
				field := strings.Join(tc.path, ".")
				if !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), field) {
					t.Fatalf("create with %s = %#v: got error %v, want Invalid naming %s", field, tc.bad, err, field)
				}
				t.Logf("refused as expected: %v", err)
			})
		}
	})

	t.Run("kubectl get federated", func(t *testing.T) {
		kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
		if err := set.WriteKubeconfig(kubeconfig); err != nil {
			t.Fatal(err)
		}
		bin, err := clusters.BinaryDir()
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.CommandContext(ctx, filepath.Join(bin, "kubectl"), "--kubeconfig", kubeconfig,
			"--cache-dir", filepath.Join(t.TempDir(), "kube-cache"), "get", "federated", "-A")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", cmd, err, out)
		}
		t.Logf("kubectl get federated -A:\n%s", out)

		lines := strings.Split(string(out), "\n")
		var headers int
		for _, line := range lines {
			fields := strings.Fields(line)
			if len(fields) == 0 || (fields[0] != "NAMESPACE" && fields[0] != "NAME") {
				continue
			}
			headers++
			for _, col := range []string{"CLUSTERS", "READY", "AGE"} {
				if !slices.Contains(fields, col) {
					t.Errorf("header %q lacks column %s", line, col)
				}
			}
		}
		// kubectl prints one table, with its own header, per kind that has objects;
		// objects the round trip could not store are reported there.
		var kinds int
		for _, c := range cases {
			if !stored[c.kind] {
				continue
			}
			kinds++
			ref := fmt.Sprintf("%s.%s/%s", strings.ToLower(c.kind), typesv1beta1.SchemeGroupVersion.Group, c.name)
			if !slices.ContainsFunc(lines, func(l string) bool { return slices.Contains(strings.Fields(l), ref) }) {
				t.Errorf("%s is not listed", ref)
			}
		}
		if kinds == 0 {
			t.Fatal("the round trip stored no object to list")
		}
		if headers != kinds {
			t.Errorf("found %d table headers, want one per kind with objects (%d)", headers, kinds)
		}
	})
}

// kindCase is the object the test stores for one generated kind.
type kindCase struct {
	kind, name string
	// run stores and checks the object, setting *stored once the API server holds it.
	run func(t *testing.T, stored *bool)
}

// federated is what every generated Federated<Kind> offers, T being its target type.
type federated[T runtime.Object] interface {
	runtime.Object
	metav1.Object
	TargetObject() T
	Placement() *fedv1beta1.Placement
	ClusterOverrides() []fedv1beta1.GenericOverrideItem
}

// federatedClient is the part of a generated typed client the test uses.
type federatedClient[F any] interface {
	Create(ctx context.Context, obj F, opts metav1.CreateOptions) (F, error)
	Get(ctx context.Context, name string, opts metav1.GetOptions) (F, error)
}

// roundTrip stores sent with strict field validation, reads it back and compares
// template, placement and overrides; then checks that the same object with an
// unknown override op is refused.
func roundTrip[T runtime.Object, F federated[T]](ctx context.Context, c federatedClient[F], sent F) func(t *testing.T, stored *bool) {
	return func(t *testing.T, stored *bool) {
		if _, err := c.Create(ctx, sent, metav1.CreateOptions{FieldValidation: metav1.FieldValidationStrict}); err != nil {
			t.Fatalf("create %s: %v", sent.GetName(), err)
		}
		*stored = true
		got, err := c.Get(ctx, sent.GetName(), metav1.GetOptions{})
		if err != nil {
			t.Fatalf("get %s: %v", sent.GetName(), err)
		}
		expectEqual(t, "template (as the target object)", sent.TargetObject(), got.TargetObject())
		expectEqual(t, "placement", sent.Placement(), got.Placement())
		expectEqual(t, "overrides", sent.ClusterOverrides(), got.ClusterOverrides())

		bogus := sent.DeepCopyObject().(F)
		bogus.SetName(sent.GetName() + "-bogus-op")
		// ClusterOverrides returns the spec's slice, so this changes the object.
		bogus.ClusterOverrides()[0].ClusterOverrides[0].Op = "bogus"
		_, err = c.Create(ctx, bogus, metav1.CreateOptions{})
		if !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), `Unsupported value: "bogus"`) {
			t.Errorf("create with override op bogus: got error %v, want Invalid with Unsupported value: \"bogus\"", err)
		}
	}
}

func expectEqual(t *testing.T, what string, want, got any) {
	t.Helper()
	if !apiequality.Semantic.DeepEqual(want, got) {
		t.Errorf("%s changed on the way through the API server (-sent +read back):\n%s", what, diff.Diff(want, got))
	}
}

// installCRDs creates every CRD in dir and waits until the API server serves each.
// They are created rather than applied: the largest are beyond the 256 KiB
// annotation that client-side apply would copy them into. It returns every CRD
// read and reports, as test errors, those the API server refused; installed tells
// the kinds it serves.
func installCRDs(ctx context.Context, t *testing.T, cfg *rest.Config, dir string) (crds []apiextensionsv1.CustomResourceDefinition, installed map[string]bool) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no CRDs in %s", dir)
	}
	client := apiextensionsclient.NewForConfigOrDie(cfg).ApiextensionsV1().CustomResourceDefinitions()
	installed = map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var crd apiextensionsv1.CustomResourceDefinition
		if err := yaml.UnmarshalStrict(data, &crd); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		crds = append(crds, crd)
		if _, err := client.Create(ctx, &crd, metav1.CreateOptions{FieldValidation: metav1.FieldValidationStrict}); err != nil {
			// Keep going: the other kinds can still be tested.
			t.Errorf("create CRD from %s (%d KiB): %v", f, len(data)/1024, err)
			continue
		}
		installed[crd.Spec.Names.Kind] = true
	}
	for _, crd := range crds {
		if !installed[crd.Spec.Names.Kind] {
			continue
		}
		var last *apiextensionsv1.CustomResourceDefinition
		err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
			var err error
			if last, err = client.Get(ctx, crd.Name, metav1.GetOptions{}); err != nil {
				return false, err
			}
			for _, c := range last.Status.Conditions {
				if c.Type == apiextensionsv1.Established && c.Status == apiextensionsv1.ConditionTrue {
					return true, nil
				}
			}
			return false, nil
		})
		if err != nil {
			t.Fatalf("CRD %s not established: %v; conditions: %+v", crd.Name, err, last.Status.Conditions)
		}
	}
	return crds, installed
}

// spread is the placement and overrides every test object gets: one named cluster
// plus a selector, and per-cluster overrides using each op (and the empty one,
// which means replace), with replacePath set to replaceValue (JSON) on member1.
func spread(replacePath, replaceValue string) (fedv1beta1.Placement, []fedv1beta1.GenericOverrideItem) {
	placement := fedv1beta1.Placement{
		Clusters: []fedv1beta1.GenericClusterReference{{Name: "member1"}},
		ClusterSelector: &metav1.LabelSelector{
			MatchLabels: map[string]string{"region": "eu"},
			MatchExpressions: []metav1.LabelSelectorRequirement{
				{Key: "tier", Operator: metav1.LabelSelectorOpIn, Values: []string{"gold", "silver"}},
			},
		},
	}
	overrides := []fedv1beta1.GenericOverrideItem{
		{
			ClusterName: "member1",
			ClusterOverrides: []fedv1beta1.ClusterOverride{
				{Op: fedv1beta1.OverrideReplace, Path: replacePath, Value: &apiextensionsv1.JSON{Raw: []byte(replaceValue)}},
				{Op: fedv1beta1.OverrideAdd, Path: "/metadata/annotations/e2e.kubefed.io~1cluster", Value: &apiextensionsv1.JSON{Raw: []byte(`"member1"`)}},
				{Op: fedv1beta1.OverrideRemove, Path: "/metadata/labels/tier"},
			},
		},
		{
			ClusterName:      "member2",
			ClusterOverrides: []fedv1beta1.ClusterOverride{{Path: "/metadata/labels/tier", Value: &apiextensionsv1.JSON{Raw: []byte(`"silver"`)}}},
		},
	}
	return placement, overrides
}

func templateMeta(kind string) metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Labels:      map[string]string{"app": "demo", "tier": "gold"},
		Annotations: map[string]string{"e2e.kubefed.io/kind": kind},
	}
}

var appLabels = map[string]string{"app": "demo"}

// podTemplate sets a wide range of pod fields, including int-or-string ports,
// quantities, nested lists with map keys and fields the schema defaults (set here
// to their defaults, so the read-back object must equal the sent one).
func podTemplate(restart corev1.RestartPolicy) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: appLabels, Annotations: map[string]string{"e2e.kubefed.io/pod": "yes"}},
		Spec: corev1.PodSpec{
			RestartPolicy: restart,
			InitContainers: []corev1.Container{{
				Name: "init", Image: "registry.k8s.io/busybox:1.36", Command: []string{"sh", "-c", "true"},
			}},
			Containers: []corev1.Container{{
				Name:    "web",
				Image:   "registry.k8s.io/pause:3.10",
				Command: []string{"/pause"},
				Args:    []string{"--verbose"},
				Ports:   []corev1.ContainerPort{{Name: "http", ContainerPort: 8080, Protocol: corev1.ProtocolTCP}},
				Env: []corev1.EnvVar{
					{Name: "MODE", Value: "federated"},
					{Name: "GREETING", ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{
						LocalObjectReference: corev1.LocalObjectReference{Name: "demo"}, Key: "greeting", Optional: ptrTo(true),
					}}},
					{Name: "POD_IP", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "status.podIP"}}},
				},
				Resources: corev1.ResourceRequirements{
					Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("64Mi")},
					Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("128Mi")},
				},
				ReadinessProbe: &corev1.Probe{
					ProbeHandler:  corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromString("http"), Scheme: corev1.URISchemeHTTP}},
					PeriodSeconds: 5,
				},
				LivenessProbe: &corev1.Probe{
					ProbeHandler:        corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(8080)}},
					InitialDelaySeconds: 3,
				},
				VolumeMounts: []corev1.VolumeMount{{Name: "config", MountPath: "/etc/demo", ReadOnly: true}},
				SecurityContext: &corev1.SecurityContext{
					RunAsNonRoot:             ptrTo(true),
					AllowPrivilegeEscalation: ptrTo(false),
					Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
				},
			}},
			Volumes: []corev1.Volume{{
				Name: "config",
				VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
					LocalObjectReference: corev1.LocalObjectReference{Name: "demo"},
					Items:                []corev1.KeyToPath{{Key: "greeting", Path: "greeting.txt"}},
					DefaultMode:          ptrTo[int32](0o444),
				}},
			}},
			NodeSelector:                  map[string]string{"kubernetes.io/os": "linux"},
			Tolerations:                   []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "web", Effect: corev1.TaintEffectNoSchedule}},
			TerminationGracePeriodSeconds: ptrTo[int64](10),
			Affinity: &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{
				PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{{
					Weight: 100,
					PodAffinityTerm: corev1.PodAffinityTerm{
						LabelSelector: &metav1.LabelSelector{MatchLabels: appLabels},
						TopologyKey:   "kubernetes.io/hostname",
					},
				}},
			}},
		},
	}
}

func federatedDeployment() *typesv1beta1.FederatedDeployment {
	d := &appsv1.Deployment{
		ObjectMeta: templateMeta("Deployment"),
		Spec: appsv1.DeploymentSpec{
			Replicas: ptrTo[int32](3),
			Selector: &metav1.LabelSelector{MatchLabels: appLabels},
			Template: podTemplate(corev1.RestartPolicyAlways),
			Strategy: appsv1.DeploymentStrategy{
				Type: appsv1.RollingUpdateDeploymentStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDeployment{
					MaxSurge:       ptrTo(intstr.FromString("25%")),
					MaxUnavailable: ptrTo(intstr.FromInt32(0)),
				},
			},
			MinReadySeconds:      2,
			RevisionHistoryLimit: ptrTo[int32](5),
		},
	}
	f := &typesv1beta1.FederatedDeployment{ObjectMeta: metav1.ObjectMeta{Name: "demo", Namespace: namespace}}
	f.SetTemplate(d)
	f.Spec.Placement, f.Spec.Overrides = spread("/spec/replicas", "5")
	return f
}

func federatedReplicaSet() *typesv1beta1.FederatedReplicaSet {
	rs := &appsv1.ReplicaSet{
		ObjectMeta: templateMeta("ReplicaSet"),
		Spec: appsv1.ReplicaSetSpec{
			Replicas:        ptrTo[int32](2),
			MinReadySeconds: 1,
			Selector:        &metav1.LabelSelector{MatchLabels: appLabels},
			Template:        podTemplate(corev1.RestartPolicyAlways),
		},
	}
	f := &typesv1beta1.FederatedReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "demo", Namespace: namespace}}
	f.SetTemplate(rs)
	f.Spec.Placement, f.Spec.Overrides = spread("/spec/replicas", "5")
	return f
}

func federatedJob() *typesv1beta1.FederatedJob {
	j := &batchv1.Job{
		ObjectMeta: templateMeta("Job"),
		Spec: batchv1.JobSpec{
			Parallelism:             ptrTo[int32](1),
			Completions:             ptrTo[int32](3),
			BackoffLimit:            ptrTo[int32](2),
			ActiveDeadlineSeconds:   ptrTo[int64](600),
			TTLSecondsAfterFinished: ptrTo[int32](60),
			CompletionMode:          ptrTo(batchv1.IndexedCompletion),
			PodFailurePolicy: &batchv1.PodFailurePolicy{Rules: []batchv1.PodFailurePolicyRule{{
				Action:          batchv1.PodFailurePolicyActionFailJob,
				OnExitCodes:     &batchv1.PodFailurePolicyOnExitCodesRequirement{Operator: batchv1.PodFailurePolicyOnExitCodesOpIn, Values: []int32{42}},
				OnPodConditions: nil,
			}}},
			Template: podTemplate(corev1.RestartPolicyNever),
		},
	}
	f := &typesv1beta1.FederatedJob{ObjectMeta: metav1.ObjectMeta{Name: "demo", Namespace: namespace}}
	f.SetTemplate(j)
	f.Spec.Placement, f.Spec.Overrides = spread("/spec/parallelism", "2")
	return f
}

func federatedConfigMap() *typesv1beta1.FederatedConfigMap {
	cm := &corev1.ConfigMap{
		ObjectMeta: templateMeta("ConfigMap"),
		Data:       map[string]string{"greeting": "hello", "config.yaml": "a: 1\nb: [x, y]\n"},
		BinaryData: map[string][]byte{"blob": {0, 1, 2, 0xfe, 0xff}},
		Immutable:  ptrTo(false),
	}
	f := &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "demo", Namespace: namespace}}
	f.SetTemplate(cm)
	f.Spec.Placement, f.Spec.Overrides = spread("/data/greeting", `"hallo"`)
	return f
}

func federatedSecret() *typesv1beta1.FederatedSecret {
	s := &corev1.Secret{
		ObjectMeta: templateMeta("Secret"),
		Type:       corev1.SecretTypeOpaque,
		Data:       map[string][]byte{"password": []byte("s3cret\x00\xff")},
		StringData: map[string]string{"user": "admin"},
		Immutable:  ptrTo(true),
	}
	f := &typesv1beta1.FederatedSecret{ObjectMeta: metav1.ObjectMeta{Name: "demo", Namespace: namespace}}
	f.SetTemplate(s)
	f.Spec.Placement, f.Spec.Overrides = spread("/data/password", `"b3RoZXI="`)
	return f
}

func federatedService() *typesv1beta1.FederatedService {
	s := &corev1.Service{
		ObjectMeta: templateMeta("Service"),
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: appLabels,
			Ports: []corev1.ServicePort{
				{Name: "http", Port: 80, TargetPort: intstr.FromString("http"), Protocol: corev1.ProtocolTCP},
				{Name: "metrics", Port: 9090, TargetPort: intstr.FromInt32(9090), Protocol: corev1.ProtocolTCP, AppProtocol: ptrTo("http")},
			},
			SessionAffinity: corev1.ServiceAffinityClientIP,
			SessionAffinityConfig: &corev1.SessionAffinityConfig{
				ClientIP: &corev1.ClientIPConfig{TimeoutSeconds: ptrTo[int32](300)},
			},
			IPFamilyPolicy: ptrTo(corev1.IPFamilyPolicySingleStack),
		},
	}
	f := &typesv1beta1.FederatedService{ObjectMeta: metav1.ObjectMeta{Name: "demo", Namespace: namespace}}
	f.SetTemplate(s)
	f.Spec.Placement, f.Spec.Overrides = spread("/spec/type", `"NodePort"`)
	return f
}

func federatedIngress() *typesv1beta1.FederatedIngress {
	prefix, exact := networkingv1.PathTypePrefix, networkingv1.PathTypeExact
	ing := &networkingv1.Ingress{
		ObjectMeta: templateMeta("Ingress"),
		Spec: networkingv1.IngressSpec{
			IngressClassName: ptrTo("nginx"),
			DefaultBackend: &networkingv1.IngressBackend{
				Service: &networkingv1.IngressServiceBackend{Name: "fallback", Port: networkingv1.ServiceBackendPort{Number: 8080}},
			},
			TLS: []networkingv1.IngressTLS{{Hosts: []string{"demo.example.com"}, SecretName: "demo-tls"}},
			Rules: []networkingv1.IngressRule{{
				Host: "demo.example.com",
				IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{
					{Path: "/", PathType: &prefix, Backend: networkingv1.IngressBackend{
						Service: &networkingv1.IngressServiceBackend{Name: "demo", Port: networkingv1.ServiceBackendPort{Number: 80}},
					}},
					{Path: "/metrics", PathType: &exact, Backend: networkingv1.IngressBackend{
						Service: &networkingv1.IngressServiceBackend{Name: "demo", Port: networkingv1.ServiceBackendPort{Name: "metrics"}},
					}},
				}}},
			}},
		},
	}
	f := &typesv1beta1.FederatedIngress{ObjectMeta: metav1.ObjectMeta{Name: "demo", Namespace: namespace}}
	f.SetTemplate(ing)
	f.Spec.Placement, f.Spec.Overrides = spread("/spec/ingressClassName", `"haproxy"`)
	return f
}

func federatedServiceAccount() *typesv1beta1.FederatedServiceAccount {
	sa := &corev1.ServiceAccount{
		ObjectMeta:                   templateMeta("ServiceAccount"),
		Secrets:                      []corev1.ObjectReference{{Name: "demo-token", Namespace: namespace}},
		ImagePullSecrets:             []corev1.LocalObjectReference{{Name: "registry"}},
		AutomountServiceAccountToken: ptrTo(false),
	}
	f := &typesv1beta1.FederatedServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "demo", Namespace: namespace}}
	f.SetTemplate(sa)
	f.Spec.Placement, f.Spec.Overrides = spread("/automountServiceAccountToken", "true")
	return f
}

func federatedNamespace() *typesv1beta1.FederatedNamespace {
	ns := &corev1.Namespace{
		ObjectMeta: templateMeta("Namespace"),
		Spec:       corev1.NamespaceSpec{Finalizers: []corev1.FinalizerName{corev1.FinalizerKubernetes}},
	}
	f := &typesv1beta1.FederatedNamespace{ObjectMeta: metav1.ObjectMeta{Name: fedNamespace, Namespace: fedNamespace}}
	f.SetTemplate(ns)
	f.Spec.Placement, f.Spec.Overrides = spread("/metadata/labels/app", `"other"`)
	return f
}

func federatedClusterRole() *typesv1beta1.FederatedClusterRole {
	cr := &rbacv1.ClusterRole{
		ObjectMeta: templateMeta("ClusterRole"),
		Rules: []rbacv1.PolicyRule{
			{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get", "list", "watch"}},
			{APIGroups: []string{"apps"}, Resources: []string{"deployments"}, ResourceNames: []string{"demo"}, Verbs: []string{"get"}},
			{NonResourceURLs: []string{"/healthz"}, Verbs: []string{"get"}},
		},
		AggregationRule: &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{
			{MatchLabels: map[string]string{"rbac.example.com/aggregate-to-e2e": "true"}},
		}},
	}
	f := &typesv1beta1.FederatedClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "e2e-reader"}}
	f.SetTemplate(cr)
	f.Spec.Placement, f.Spec.Overrides = spread("/rules/0/verbs", `["get"]`)
	return f
}

func ptrTo[T any](v T) *T { return &v }
