package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/dynamic"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	"github.com/kubefed-gen/kubefed/test/clusters"
	"github.com/kubefed-gen/kubefed/test/gomodule"
)

// TestEnableBuiltinTypes enables built-in types the default controller manager was
// not generated with (StatefulSet, PodDisruptionBudget) on a real host: kubefedctl
// builds their Federated CRDs from the host's OpenAPI v3 documents, the API server
// accepts full templates and refuses wrong ones, and disable works on them. Bad
// TYPEs are refused with nothing installed.
func TestEnableBuiltinTypes(t *testing.T) {
	root := gomodule.Root(t)
	set, err := clusters.Start(clusters.Options{HostCRDDirs: []string{filepath.Join(root, "runtime", "config", "crd")}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = set.Stop() })
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := set.WriteKubeconfig(kubeconfig); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{corev1.AddToScheme, apiextensionsv1.AddToScheme, corev1beta1.AddToScheme} {
		if err := add(scheme); err != nil {
			t.Fatal(err)
		}
	}
	host, err := client.New(set.Host.Config, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	dyn := dynamic.NewForConfigOrDie(set.Host.Config)
	for _, ns := range []string{corev1beta1.DefaultNamespace, "shop"} {
		if err := host.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
			t.Fatal(err)
		}
	}

	ctl := func(args ...string) (string, error) {
		stdout, stderr, err := runCtl(ctx, kubeconfig, args...)
		return stdout + stderr, err
	}
	mustCtl := func(t *testing.T, args ...string) string {
		t.Helper()
		out, err := ctl(args...)
		if err != nil {
			t.Fatalf("kubefedctl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	crdExists := func(name string) bool {
		err := host.Get(ctx, client.ObjectKey{Name: name}, &apiextensionsv1.CustomResourceDefinition{})
		if err != nil && !apierrors.IsNotFound(err) {
			t.Fatal(err)
		}
		return err == nil
	}
	typeConfigs := func() []string {
		var list corev1beta1.FederatedTypeConfigList
		if err := host.List(ctx, &list, client.InNamespace(corev1beta1.DefaultNamespace)); err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, c := range list.Items {
			names = append(names, c.Name+"="+string(c.Spec.Propagation))
		}
		return names
	}

	t.Run("-o yaml prints the CRD and the FederatedTypeConfig and installs nothing", func(t *testing.T) {
		out := mustCtl(t, "enable", "statefulsets.apps", "-o", "yaml")
		var kinds []string
		docs := utilyaml.NewYAMLReader(bufio.NewReader(strings.NewReader(out)))
		for {
			doc, err := docs.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.TrimSpace(string(doc)) == "" {
				continue
			}
			var obj struct {
				Kind     string
				Metadata metav1.ObjectMeta
			}
			if err := yaml.Unmarshal(doc, &obj); err != nil {
				t.Fatalf("%v in\n%.2000s", err, doc)
			}
			kinds = append(kinds, obj.Kind+" "+obj.Metadata.Name)
			if obj.Kind == "CustomResourceDefinition" {
				t.Logf("CRD %s: %d KiB of YAML", obj.Metadata.Name, len(doc)/1024)
			}
		}
		if want := "CustomResourceDefinition federatedstatefulsets.types.kubefed.io,FederatedTypeConfig statefulsets.apps"; strings.Join(kinds, ",") != want {
			t.Errorf("objects %v, want %s", kinds, want)
		}
		if crdExists("federatedstatefulsets.types.kubefed.io") || len(typeConfigs()) > 0 {
			t.Error("-o yaml installed something")
		}
	})

	for _, tc := range []struct{ arg, crd, ftc string }{
		{"statefulsets.apps", "federatedstatefulsets.types.kubefed.io", "statefulsets.apps"},
		{"poddisruptionbudgets.policy", "federatedpoddisruptionbudgets.types.kubefed.io", "poddisruptionbudgets.policy"},
	} {
		t.Run("enable "+tc.arg, func(t *testing.T) {
			out := mustCtl(t, "enable", tc.arg)
			for _, want := range []string{
				"customresourcedefinition/" + tc.crd + " applied",
				"federatedtypeconfig/" + tc.ftc + " applied in kube-federation-system (propagation Enabled)",
				"note: " + tc.ftc + " is not compiled into the default controller manager; it propagates it through its dynamic (unstructured) controller. " +
					"For typed Go code and a custom image use `kubefedctl enable " + tc.ftc + " --emit-code DIR`",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			var crd apiextensionsv1.CustomResourceDefinition
			if err := host.Get(ctx, client.ObjectKey{Name: tc.crd}, &crd); err != nil {
				t.Fatal(err)
			}
			if crd.Spec.Group != "types.kubefed.io" || crd.Spec.Scope != apiextensionsv1.NamespaceScoped || len(crd.Spec.Versions) != 1 || crd.Spec.Versions[0].Subresources == nil {
				t.Errorf("CRD spec: group %s scope %s versions %d", crd.Spec.Group, crd.Spec.Scope, len(crd.Spec.Versions))
			}
			ftc := &corev1beta1.FederatedTypeConfig{}
			if err := host.Get(ctx, client.ObjectKey{Namespace: corev1beta1.DefaultNamespace, Name: tc.ftc}, ftc); err != nil {
				t.Fatal(err)
			}
			if ftc.Spec.Propagation != corev1beta1.Enabled || ftc.Spec.FederatedType.Kind != crd.Spec.Names.Kind || ftc.Spec.TargetType.Scope != "Namespaced" {
				t.Errorf("FederatedTypeConfig spec %+v", ftc.Spec)
			}
			// Idempotent.
			mustCtl(t, "enable", tc.arg)
		})
	}

	federatedStatefulSets := dyn.Resource(schema.GroupVersionResource{Group: "types.kubefed.io", Version: "v1beta1", Resource: "federatedstatefulsets"}).Namespace("shop")
	federatedPDBs := dyn.Resource(schema.GroupVersionResource{Group: "types.kubefed.io", Version: "v1beta1", Resource: "federatedpoddisruptionbudgets"}).Namespace("shop")

	t.Run("a full template is accepted and kept", func(t *testing.T) {
		for _, tc := range []struct {
			kind     string
			res      dynamic.ResourceInterface
			template map[string]any
		}{
			{"FederatedStatefulSet", federatedStatefulSets, templateOf(t, fullStatefulSet())},
			{"FederatedPodDisruptionBudget", federatedPDBs, templateOf(t, &policyv1.PodDisruptionBudget{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "db"}},
				Spec: policyv1.PodDisruptionBudgetSpec{
					MinAvailable:               ptr.To(intstr.FromString("50%")),
					Selector:                   &metav1.LabelSelector{MatchLabels: map[string]string{"app": "db"}},
					UnhealthyPodEvictionPolicy: ptr.To(policyv1.AlwaysAllow),
				},
			})},
		} {
			obj := federatedObject(tc.kind, "db", tc.template)
			created, err := tc.res.Create(ctx, obj, metav1.CreateOptions{FieldValidation: "Strict"})
			if err != nil {
				t.Fatalf("create a %s with a full template: %v", tc.kind, err)
			}
			got, _, _ := unstructured.NestedMap(created.Object, "spec", "template")
			if missing := notIn(tc.template, got, "template"); len(missing) > 0 {
				t.Errorf("%s: the API server dropped or changed template fields:\n  %s", tc.kind, strings.Join(missing, "\n  "))
			}
		}
	})

	t.Run("a template with a wrong field type is refused", func(t *testing.T) {
		template := templateOf(t, fullStatefulSet())
		if err := unstructured.SetNestedField(template, "three", "spec", "replicas"); err != nil {
			t.Fatal(err)
		}
		_, err := federatedStatefulSets.Create(ctx, federatedObject("FederatedStatefulSet", "wrong", template), metav1.CreateOptions{})
		if !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), "spec.template.spec.replicas") || !strings.Contains(err.Error(), "must be of type integer") {
			t.Errorf("wrong type: %v", err)
		} else {
			t.Logf("refused: %v", err)
		}

		template = templateOf(t, fullStatefulSet())
		if err := unstructured.SetNestedField(template, int64(1), "spec", "replicaz"); err != nil {
			t.Fatal(err)
		}
		_, err = federatedStatefulSets.Create(ctx, federatedObject("FederatedStatefulSet", "typo", template), metav1.CreateOptions{FieldValidation: "Strict"})
		if err == nil || !strings.Contains(err.Error(), `unknown field "spec.template.spec.replicaz"`) {
			t.Errorf("unknown field with strict validation: %v", err)
		}
	})

	t.Run("bad TYPEs are refused and nothing is installed", func(t *testing.T) {
		before := typeConfigs()
		for _, tc := range []struct{ arg, want string }{
			{"gizmos.example.com", `the host cluster has no resource type "gizmos.example.com"`},
			{"statefulsets.apps/status", `"statefulsets.apps/status" is the status subresource of statefulsets.apps, not a type of objects`},
			{"deployments.apps/scale", `"deployments.apps/scale" is the scale subresource of deployments.apps`},
			{"bindings", "bindings cannot be federated: the host serves it with the verbs create"},
		} {
			out, err := ctl("enable", tc.arg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("enable %s: %v, want an error containing %q\n%s", tc.arg, err, tc.want, out)
			}
		}
		if crdExists("federatedbindings.types.kubefed.io") || !reflect.DeepEqual(typeConfigs(), before) {
			t.Errorf("a refused enable installed something: FederatedTypeConfigs %v, were %v", typeConfigs(), before)
		}
	})

	t.Run("disable works on them", func(t *testing.T) {
		out := mustCtl(t, "disable", "statefulsets.apps")
		if !strings.Contains(out, "propagation of statefulsets.apps disabled (FederatedTypeConfig kube-federation-system/statefulsets.apps)") {
			t.Errorf("disable: %s", out)
		}
		if got := typeConfigs(); !reflect.DeepEqual(got, []string{"poddisruptionbudgets.policy=Enabled", "statefulsets.apps=Disabled"}) {
			t.Errorf("FederatedTypeConfigs %v", got)
		}
		// enable turns it on again.
		mustCtl(t, "enable", "statefulsets.apps")
		if got := typeConfigs(); !reflect.DeepEqual(got, []string{"poddisruptionbudgets.policy=Enabled", "statefulsets.apps=Enabled"}) {
			t.Errorf("FederatedTypeConfigs after enabling again %v", got)
		}

		if out, err := ctl("disable", "poddisruptionbudgets.policy", "--delete-crd"); err == nil || !strings.Contains(err.Error(), "1 FederatedPodDisruptionBudget object(s) exist (shop: 1)") {
			t.Errorf("disable --delete-crd with an object left: %v\n%s", err, out)
		}
		for _, arg := range []string{"poddisruptionbudgets.policy", "statefulsets.apps"} {
			out := mustCtl(t, "disable", arg, "--delete-crd", "--force")
			if !strings.Contains(out, "FederatedTypeConfig kube-federation-system/"+arg+" deleted") {
				t.Errorf("disable %s --delete-crd --force: %s", arg, out)
			}
		}
		for _, name := range []string{"federatedstatefulsets.types.kubefed.io", "federatedpoddisruptionbudgets.types.kubefed.io"} {
			eventually(t, name+" deleted", func(context.Context) error {
				if crdExists(name) {
					return fmt.Errorf("still there")
				}
				return nil
			})
		}
		if got := typeConfigs(); len(got) != 0 {
			t.Errorf("FederatedTypeConfigs left: %v", got)
		}
	})
}

// fullStatefulSet sets most of what a StatefulSet can hold: int-or-string values,
// quantities, map-type lists, a pod template's metadata and volume claim templates.
func fullStatefulSet() *appsv1.StatefulSet {
	labels := map[string]string{"app": "db"}
	return &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Labels: labels, Annotations: map[string]string{"team": "storage"}},
		Spec: appsv1.StatefulSetSpec{
			Replicas:            ptr.To[int32](3),
			Selector:            &metav1.LabelSelector{MatchLabels: labels},
			ServiceName:         "db",
			PodManagementPolicy: appsv1.ParallelPodManagement,
			MinReadySeconds:     5,
			Ordinals:            &appsv1.StatefulSetOrdinals{Start: 1},
			UpdateStrategy: appsv1.StatefulSetUpdateStrategy{
				Type:          appsv1.RollingUpdateStatefulSetStrategyType,
				RollingUpdate: &appsv1.RollingUpdateStatefulSetStrategy{Partition: ptr.To[int32](0), MaxUnavailable: ptr.To(intstr.FromString("50%"))},
			},
			PersistentVolumeClaimRetentionPolicy: &appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy{
				WhenDeleted: appsv1.DeletePersistentVolumeClaimRetentionPolicyType, WhenScaled: appsv1.RetainPersistentVolumeClaimRetentionPolicyType,
			},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels, Annotations: map[string]string{"prometheus.io/scrape": "true"}},
				Spec: corev1.PodSpec{
					TerminationGracePeriodSeconds: ptr.To[int64](30),
					SecurityContext:               &corev1.PodSecurityContext{FSGroup: ptr.To[int64](999), RunAsNonRoot: ptr.To(true)},
					Affinity: &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{
						PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{{Weight: 100, PodAffinityTerm: corev1.PodAffinityTerm{
							LabelSelector: &metav1.LabelSelector{MatchLabels: labels}, TopologyKey: "kubernetes.io/hostname",
						}}},
					}},
					Tolerations:    []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "db", Effect: corev1.TaintEffectNoSchedule}},
					InitContainers: []corev1.Container{{Name: "init", Image: "busybox:1.36", Command: []string{"sh", "-c", "true"}}},
					Containers: []corev1.Container{{
						Name:  "db",
						Image: "postgres:16",
						Args:  []string{"-c", "max_connections=200"},
						Ports: []corev1.ContainerPort{{Name: "pg", ContainerPort: 5432, Protocol: corev1.ProtocolTCP}},
						Env: []corev1.EnvVar{
							{Name: "PGDATA", Value: "/var/lib/postgresql/data/pgdata"},
							{Name: "PASSWORD", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "db"}, Key: "password"}}},
						},
						Resources: corev1.ResourceRequirements{
							Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("250m"), corev1.ResourceMemory: resource.MustParse("512Mi")},
							Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("1Gi")},
						},
						VolumeMounts:   []corev1.VolumeMount{{Name: "data", MountPath: "/var/lib/postgresql/data"}, {Name: "config", MountPath: "/etc/db", ReadOnly: true}},
						ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString("pg")}}, PeriodSeconds: 5},
						LivenessProbe:  &corev1.Probe{ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"pg_isready"}}}, InitialDelaySeconds: 10},
					}},
					Volumes: []corev1.Volume{{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
						LocalObjectReference: corev1.LocalObjectReference{Name: "db-config"}, DefaultMode: ptr.To[int32](0o444),
					}}}},
				},
			},
			VolumeClaimTemplates: []corev1.PersistentVolumeClaim{{
				ObjectMeta: metav1.ObjectMeta{Name: "data", Labels: labels},
				Spec: corev1.PersistentVolumeClaimSpec{
					AccessModes:      []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
					StorageClassName: ptr.To("fast"),
					Resources:        corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("10Gi")}},
				},
			}},
		},
	}
}

// templateOf is what a Federated<Kind>'s template holds of obj: all but its type,
// name, namespace and status.
func templateOf(t *testing.T, obj runtime.Object) map[string]any {
	t.Helper()
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		t.Fatal(err)
	}
	delete(u, "status")
	md, _ := u["metadata"].(map[string]any)
	u["metadata"] = map[string]any{"labels": md["labels"], "annotations": md["annotations"]}
	if md["annotations"] == nil {
		delete(u["metadata"].(map[string]any), "annotations")
	}
	// A round trip through JSON makes numbers what the API server returns.
	data, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	dropNulls(out)
	return out
}

// dropNulls removes null values (a zero metav1.Time), which a template need not
// carry.
func dropNulls(v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if e == nil {
				delete(v, k)
				continue
			}
			dropNulls(e)
		}
	case []any:
		for _, e := range v {
			dropNulls(e)
		}
	}
}

func federatedObject(kind, name string, template map[string]any) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "types.kubefed.io/v1beta1", "kind": kind,
		"metadata": map[string]any{"name": name, "namespace": "shop"},
		"spec": map[string]any{
			"template":  template,
			"placement": map[string]any{"clusters": []any{map[string]any{"name": "member1"}}},
		},
	}}
}

// notIn lists the values of want that got does not hold the same (got may hold
// more: defaults the API server added).
func notIn(want, got any, path string) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: %v, want an object", path, got)}
		}
		var out []string
		for k, v := range w {
			out = append(out, notIn(v, g[k], path+"."+k)...)
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s: %v, want %v", path, got, want)}
		}
		var out []string
		for i := range w {
			out = append(out, notIn(w[i], g[i], fmt.Sprintf("%s[%d]", path, i))...)
		}
		return out
	case float64:
		if g, ok := got.(int64); ok && float64(g) == w {
			return nil
		}
	}
	if !reflect.DeepEqual(want, got) {
		return []string{fmt.Sprintf("%s: %v, want %v", path, got, want)}
	}
	return nil
}
