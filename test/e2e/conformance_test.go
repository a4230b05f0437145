package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	typesv1beta1 "github.com/kubefed-gen/kubefed/cmd/controller-manager/apis/types/v1beta1"
	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/manager"
	"github.com/kubefed-gen/kubefed/runtime/propagation"
	"github.com/kubefed-gen/kubefed/test/clusters"
	"github.com/kubefed-gen/kubefed/test/federation"
)

// TestConformance checks, on a real host and two members with the default
// controller manager running, what KubeFed's own clients, manifests and scripts
// expect of the control plane's API: the wire shape of a healthy cluster's status,
// the PropagatedVersion CRDs, KubeFed's manifests applying unchanged and defaulted
// as KubeFed's webhook did, KubeFed's validation rules without a webhook (for
// a namespace-scoped control plane in its namespace only), the member's
// Kubernetes version in KubeFedCluster status, no PropagatedVersions without
// the option that writes them, and a feature gate taking effect from the
// KubeFedConfig.
func TestConformance(t *testing.T) {
	f := federation.Start(t, manager.Options{})
	ctx := context.Background()
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := f.Set.WriteKubeconfig(kubeconfig); err != nil {
		t.Fatal(err)
	}
	binDir, err := clusters.BinaryDir()
	if err != nil {
		t.Fatal(err)
	}
	kubectl := func(args ...string) (string, error) {
		out, err := exec.Command(filepath.Join(binDir, "kubectl"), append([]string{"--kubeconfig", kubeconfig, "--context", "host"}, args...)...).CombinedOutput()
		return string(out), err
	}
	const scratch = "conformance" // a namespace for objects that must not reach the manager
	if err := f.Host.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: scratch}}); err != nil {
		t.Fatal(err)
	}

	t.Run("a healthy cluster is {name} without a status on the wire", func(t *testing.T) {
		ns := "healthy"
		f.FederateNamespace(t, ns, "member1", "member2")
		cm := &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "settings", Namespace: ns}}
		cm.Spec.Template.Data = map[string]string{"color": "blue"}
		cm.Spec.Placement = federation.PlacementOn("member1", "member2")
		if err := f.Host.Create(ctx, cm); err != nil {
			t.Fatal(err)
		}
		f.WaitStatus(t, cm, map[string]fedv1beta1.PropagationStatus{"member1": fedv1beta1.ClusterPropagationOK, "member2": fedv1beta1.ClusterPropagationOK})
		want := []any{map[string]any{"name": "member1"}, map[string]any{"name": "member2"}}
		for _, obj := range []client.Object{cm, &typesv1beta1.FederatedNamespace{ObjectMeta: metav1.ObjectMeta{Name: ns, Namespace: ns}}} {
			gvk, err := f.Host.GroupVersionKindFor(obj)
			if err != nil {
				t.Fatal(err)
			}
			raw := &unstructured.Unstructured{}
			raw.SetGroupVersionKind(gvk)
			f.Eventually(t, gvk.Kind+" status on the wire", func(ctx context.Context) error {
				if err := f.Host.Get(ctx, client.ObjectKeyFromObject(obj), raw); err != nil {
					return err
				}
				got, _, _ := unstructured.NestedSlice(raw.Object, "status", "clusters")
				// What status collection adds (KubeFed's remoteStatus, and
				// health) is beside the point here: no status means OK.
				for _, c := range got {
					for _, collected := range []string{"health", "remoteStatus", "stale", "lastObservedTime"} {
						delete(c.(map[string]any), collected)
					}
				}
				if !reflect.DeepEqual(got, want) {
					return fmt.Errorf("status.clusters %v, want %v", got, want)
				}
				return nil
			})
			if ready, _, _ := unstructured.NestedInt64(raw.Object, "status", "readyClusters"); ready != 2 {
				t.Errorf("%s readyClusters %d, want 2", gvk.Kind, ready)
			}
		}
	})

	t.Run("without --write-propagated-versions no PropagatedVersion is written", func(t *testing.T) {
		// The previous case propagated a FederatedConfigMap and a
		// FederatedNamespace in namespace healthy; with the option on they
		// would have PropagatedVersions there.
		pvs, cpvs := &unstructured.UnstructuredList{}, &unstructured.UnstructuredList{}
		pvs.SetAPIVersion("core.kubefed.io/v1alpha1")
		pvs.SetKind("PropagatedVersionList")
		cpvs.SetAPIVersion("core.kubefed.io/v1alpha1")
		cpvs.SetKind("ClusterPropagatedVersionList")
		if err := f.Host.List(ctx, pvs); err != nil {
			t.Fatal(err)
		}
		if err := f.Host.List(ctx, cpvs); err != nil {
			t.Fatal(err)
		}
		if n := len(pvs.Items) + len(cpvs.Items); n != 0 {
			t.Errorf("%d (Cluster)PropagatedVersions written, want none", n)
		}
	})

	t.Run("PropagatedVersion and ClusterPropagatedVersion are installed and listable", func(t *testing.T) {
		for _, args := range [][]string{{"get", "propagatedversions", "--all-namespaces"}, {"get", "clusterpropagatedversions"}} {
			if out, err := kubectl(args...); err != nil {
				t.Errorf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
			}
		}
		// KubeFed's shape is accepted as it is, status included.
		pv := &unstructured.Unstructured{}
		pv.SetAPIVersion("core.kubefed.io/v1alpha1")
		pv.SetKind("PropagatedVersion")
		pv.SetNamespace(scratch)
		pv.SetName("configmap-settings")
		if err := f.Host.Create(ctx, pv, client.FieldValidation("Strict")); err != nil {
			t.Fatal(err)
		}
		status := map[string]any{
			"templateVersion": "b2a1f4", "overridesVersion": "",
			"clusterVersions": []any{map[string]any{"clusterName": "member1", "version": "rv:1234"}},
		}
		if err := unstructured.SetNestedMap(pv.Object, status, "status"); err != nil {
			t.Fatal(err)
		}
		if err := f.Host.Status().Update(ctx, pv, client.FieldValidation("Strict")); err != nil {
			t.Fatal(err)
		}
		if got, _, _ := unstructured.NestedMap(pv.Object, "status"); !reflect.DeepEqual(got, status) {
			t.Errorf("stored status %v, want %v", got, status)
		}
		for _, kind := range []string{"PropagatedVersionList", "ClusterPropagatedVersionList"} {
			list := &unstructured.UnstructuredList{}
			list.SetAPIVersion("core.kubefed.io/v1alpha1")
			list.SetKind(kind)
			if err := f.Host.List(ctx, list); err != nil {
				t.Errorf("list %s: %v", kind, err)
			}
		}
	})

	t.Run("KubeFed's sample KubeFedConfig applies unchanged and keeps every field", func(t *testing.T) {
		file := filepath.Join("testdata", "kubefed", "kubefedconfig.yaml")
		if out, err := kubectl("apply", "--server-side", "--validate=strict", "-f", file); err != nil {
			t.Fatalf("kubectl apply -f %s: %v\n%s", file, err, out)
		}
		sent := readYAML(t, file)
		stored := &unstructured.Unstructured{}
		stored.SetGroupVersionKind(sent.GroupVersionKind())
		if err := f.Host.Get(ctx, client.ObjectKeyFromObject(sent), stored); err != nil {
			t.Fatal(err)
		}
		// Every field is set in the sample, so defaulting adds nothing and nothing is
		// pruned: the stored spec is the sample's, value for value.
		if got, want := toJSON(t, stored.Object["spec"]), toJSON(t, sent.Object["spec"]); got != want {
			t.Errorf("stored spec differs from KubeFed's sample:\n got %s\nwant %s", got, want)
		}
		var typed corev1beta1.KubeFedConfig
		if err := f.Host.Get(ctx, client.ObjectKeyFromObject(sent), &typed); err != nil {
			t.Fatal(err)
		}
		if lock := typed.Spec.LeaderElect.ResourceLock; lock == nil || *lock != corev1beta1.ConfigMapsResourceLock {
			t.Errorf("resourceLock %v, want configmaps", lock)
		}
		if !typed.Spec.FeatureEnabled(corev1beta1.FeatureRawResourceStatusCollection) || len(typed.Spec.FeatureGates) != 3 {
			t.Errorf("feature gates %+v", typed.Spec.FeatureGates)
		}
	})

	t.Run("a KubeFedConfig without a spec gets KubeFed's defaults", func(t *testing.T) {
		kfc := &unstructured.Unstructured{}
		kfc.SetAPIVersion("core.kubefed.io/v1beta1")
		kfc.SetKind("KubeFedConfig")
		kfc.SetNamespace(scratch)
		kfc.SetName("kubefed")
		if err := f.Host.Create(ctx, kfc); err != nil {
			t.Fatal(err)
		}
		var got corev1beta1.KubeFedConfig
		if err := f.Host.Get(ctx, client.ObjectKeyFromObject(kfc), &got); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(filepath.Join("testdata", "kubefedconfig-defaults.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		var want corev1beta1.KubeFedConfigSpec
		if err := yaml.UnmarshalStrict(data, &want); err != nil {
			t.Fatal(err)
		}
		// Compared typed, so that 60s and 1m0s are one duration.
		if !reflect.DeepEqual(got.Spec, want) {
			gotYAML, _ := yaml.Marshal(got.Spec)
			wantYAML, _ := yaml.Marshal(want)
			t.Errorf("defaulted spec:\n%s\nwant:\n%s", gotYAML, wantYAML)
		}

		// A partial section is completed, and what was given is kept.
		partial := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "core.kubefed.io/v1beta1", "kind": "KubeFedConfig",
			"metadata": map[string]any{"name": "partial", "namespace": scratch},
			"spec": map[string]any{
				"scope":              "Namespaced",
				"clusterHealthCheck": map[string]any{"period": "30s"},
				"syncController":     map[string]any{"adoptResources": "Disabled"},
			},
		}}
		if err := f.Host.Create(ctx, partial); err != nil {
			t.Fatal(err)
		}
		if err := f.Host.Get(ctx, client.ObjectKeyFromObject(partial), &got); err != nil {
			t.Fatal(err)
		}
		hc, sc := got.Spec.ClusterHealthCheck, got.Spec.SyncController
		if got.Spec.Scope != corev1beta1.ScopeNamespaced || hc.Period.Duration.String() != "30s" || hc.Timeout == nil || *hc.FailureThreshold != 3 ||
			*sc.AdoptResources != corev1beta1.Disabled || *sc.MaxConcurrentReconciles != 1 || got.Spec.LeaderElect == nil || len(got.Spec.FeatureGates) != 3 {
			gotYAML, _ := yaml.Marshal(got.Spec)
			t.Errorf("partial spec not completed:\n%s", gotYAML)
		}
	})

	t.Run("KubeFed's FederatedTypeConfigs apply unchanged and run", func(t *testing.T) {
		file := filepath.Join("testdata", "kubefed", "federatedtypeconfigs.yaml")
		if out, err := kubectl("apply", "--server-side", "--validate=strict", "-n", federation.KubefedNamespace, "-f", file); err != nil {
			t.Fatalf("kubectl apply -f %s: %v\n%s", file, err, out)
		}
		var list corev1beta1.FederatedTypeConfigList
		if err := f.Host.List(ctx, &list, client.InNamespace(federation.KubefedNamespace)); err != nil {
			t.Fatal(err)
		}
		if len(list.Items) != 10 {
			t.Fatalf("%d FederatedTypeConfigs, want KubeFed's 10", len(list.Items))
		}
		// Every one names a type of the default manager, which reports it Running.
		for _, ftc := range list.Items {
			f.Eventually(t, "FederatedTypeConfig "+ftc.Name+" Running", func(ctx context.Context) error {
				var got corev1beta1.FederatedTypeConfig
				if err := f.Host.Get(ctx, client.ObjectKeyFromObject(&ftc), &got); err != nil {
					return err
				}
				if got.Status.PropagationController != propagation.ControllerRunning || got.Status.ObservedGeneration != got.Generation {
					return fmt.Errorf("status %+v", got.Status)
				}
				return nil
			})
		}
	})

	t.Run("invalid objects are refused by the API server with KubeFed's rules", func(t *testing.T) {
		ftc := func(name, targetGroup, fedGroup string, change func(spec map[string]any)) string {
			target := map[string]any{"version": "v1", "kind": "Widget", "pluralName": "widgets", "scope": "Namespaced"}
			if targetGroup != "" {
				target["group"] = targetGroup
			}
			federated := map[string]any{"group": fedGroup, "version": "v1beta1", "kind": "FederatedWidget", "pluralName": "federatedwidgets", "scope": "Namespaced"}
			spec := map[string]any{"targetType": target, "federatedType": federated, "propagation": "Enabled"}
			if change != nil {
				change(spec)
			}
			return toYAML(t, map[string]any{"apiVersion": "core.kubefed.io/v1beta1", "kind": "FederatedTypeConfig", "metadata": map[string]any{"name": name}, "spec": spec})
		}
		kfc := func(endpoint string, change func(spec map[string]any)) string {
			spec := map[string]any{"apiEndpoint": endpoint, "secretRef": map[string]any{"name": "member-token"}}
			if change != nil {
				change(spec)
			}
			return toYAML(t, map[string]any{"apiVersion": "core.kubefed.io/v1beta1", "kind": "KubeFedCluster", "metadata": map[string]any{"name": "member"}, "spec": spec})
		}
		config := func(spec map[string]any) string {
			return toYAML(t, map[string]any{"apiVersion": "core.kubefed.io/v1beta1", "kind": "KubeFedConfig", "metadata": map[string]any{"name": "invalid"}, "spec": spec})
		}
		set := func(path string, v any) func(map[string]any) {
			return func(spec map[string]any) {
				parts := strings.Split(path, ".")
				if err := unstructured.SetNestedField(spec, v, parts...); err != nil {
					t.Fatal(err)
				}
			}
		}
		del := func(path string) func(map[string]any) {
			return func(spec map[string]any) { unstructured.RemoveNestedField(spec, strings.Split(path, ".")...) }
		}

		for _, tc := range []struct {
			name, object, message string
		}{
			{"FTC with an empty federated group", ftc("widgets.example.com", "example.com", "", nil), "federatedType.group is required"},
			{"FTC with a federated group without a dot", ftc("widgets.example.com", "example.com", "types", nil), "should be a domain with at least one dot"},
			{"FTC named other than its target", ftc("gadgets.example.com", "example.com", "types.kubefed.io", nil), "name must be 'TARGET_PLURAL_NAME(.TARGET_GROUP_NAME)'"},
			{"FTC of a core type named with a group", ftc("widgets.example.com", "", "types.kubefed.io", nil), "name must be"},
			{"FTC without a target kind", ftc("widgets.example.com", "example.com", "types.kubefed.io", del("targetType.kind")), "spec.targetType.kind: Required value"},
			{"FTC with an invalid version", ftc("widgets.example.com", "example.com", "types.kubefed.io", set("targetType.version", "V1")), "spec.targetType.version"},
			{"FTC with an invalid scope", ftc("widgets.example.com", "example.com", "types.kubefed.io", set("targetType.scope", "Global")), `spec.targetType.scope: Unsupported value: "Global"`},
			{"FTC with an invalid propagation", ftc("widgets.example.com", "example.com", "types.kubefed.io", set("propagation", "On")), `spec.propagation: Unsupported value: "On"`},
			{"FTC with an invalid statusCollection", ftc("widgets.example.com", "example.com", "types.kubefed.io", set("statusCollection", "Maybe")), "spec.statusCollection"},
			{"KubeFedCluster with an empty apiEndpoint", kfc("", nil), "spec.apiEndpoint"},
			{"KubeFedCluster with an ftp apiEndpoint", kfc("ftp://10.0.0.1:6443", nil), "apiEndpoint must be an http or https URL"},
			{"KubeFedCluster with a port out of range", kfc("10.0.0.1:99999", nil), "apiEndpoint must be an http or https URL"},
			{"KubeFedCluster with a path in apiEndpoint", kfc("https://10.0.0.1:6443/api", nil), "apiEndpoint must be an http or https URL"},
			{"KubeFedCluster without a secret name", kfc("https://10.0.0.1:6443", set("secretRef.name", "")), "spec.secretRef.name"},
			{"KubeFedCluster with an invalid secret name", kfc("https://10.0.0.1:6443", set("secretRef.name", "Member_Token")), "spec.secretRef.name"},
			{"KubeFedCluster with * and another TLS validation", kfc("https://10.0.0.1:6443", set("disabledTLSValidations", []any{"*", "SubjectName"})), "when * is specified, it is expected to be the only option in list"},
			{"KubeFedCluster with an unknown TLS validation", kfc("https://10.0.0.1:6443", set("disabledTLSValidations", []any{"Hostname"})), "spec.disabledTLSValidations[0]"},
			{"KubeFedCluster with an ftp proxy", kfc("https://10.0.0.1:6443", set("proxyURL", "ftp://proxy:21")), "proxy URL scheme must be one of: [http, https, socks5]"},
			{"KubeFedConfig with an invalid scope", config(map[string]any{"scope": "Global"}), `spec.scope: Unsupported value: "Global"`},
			{"KubeFedConfig with a zero duration", config(map[string]any{"controllerDuration": map[string]any{"availableDelay": "0s"}}), "availableDelay should be greater than 0"},
			{"KubeFedConfig with a duration that is none", config(map[string]any{"leaderElect": map[string]any{"retryPeriod": "soon"}}), "spec.leaderElect.retryPeriod in body should match"},
			{"KubeFedConfig with a negative timeout", config(map[string]any{"clusterHealthCheck": map[string]any{"timeout": "-3s"}}), "spec.clusterHealthCheck.timeout in body should match"},
			{"KubeFedConfig with a zero failure threshold", config(map[string]any{"clusterHealthCheck": map[string]any{"failureThreshold": 0}}), "spec.clusterHealthCheck.failureThreshold"},
			{"KubeFedConfig with a lease not longer than its renew deadline", config(map[string]any{"leaderElect": map[string]any{"leaseDuration": "10s", "renewDeadline": "10s"}}), "leaseDuration must be greater than renewDeadline"},
			{"KubeFedConfig with a renew deadline within the retry jitter", config(map[string]any{"leaderElect": map[string]any{"renewDeadline": "5s", "retryPeriod": "5s"}}), "renewDeadline must be greater than retryPeriod*JitterFactor(1.2)"},
			{"KubeFedConfig with an unknown resource lock", config(map[string]any{"leaderElect": map[string]any{"resourceLock": "secrets"}}), `spec.leaderElect.resourceLock: Unsupported value: "secrets"`},
			{"KubeFedConfig with an unknown feature gate", config(map[string]any{"featureGates": []any{map[string]any{"name": "Teleport", "configuration": "Enabled"}}}), `Unsupported value: "Teleport"`},
			{"KubeFedConfig with a feature gate twice", config(map[string]any{"featureGates": []any{
				map[string]any{"name": "PushReconciler", "configuration": "Enabled"}, map[string]any{"name": "PushReconciler", "configuration": "Disabled"},
			}}), "Duplicate value"},
			{"KubeFedConfig with an invalid adoptResources", config(map[string]any{"syncController": map[string]any{"adoptResources": "Sometimes"}}), `Unsupported value: "Sometimes"`},
			{"KubeFedConfig with zero concurrent status reconciles", config(map[string]any{"statusController": map[string]any{"maxConcurrentReconciles": 0}}), "spec.statusController.maxConcurrentReconciles"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				obj := fromYAML(t, tc.object)
				obj.SetNamespace(scratch)
				err := f.Host.Create(ctx, obj)
				if err == nil {
					_ = f.Host.Delete(ctx, obj)
					t.Fatalf("accepted:\n%s", tc.object)
				}
				t.Log(err)
				if !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), tc.message) {
					t.Errorf("error %v, want Invalid with %q", err, tc.message)
				}
			})
		}

		// KubeFed's valid forms stay accepted.
		for _, object := range []string{
			ftc("widgets", "", "types.kubefed.io", nil),
			ftc("widgets", "", "types.kubefed.io", set("targetType.group", "")),
			ftc("widgets.example.com", "example.com", "types.kubefed.io", set("statusType", map[string]any{"group": "types.kubefed.io", "version": "v1beta1", "kind": "FederatedWidgetStatus", "pluralName": "federatedwidgetstatuses", "scope": "Namespaced"})),
			kfc("10.0.0.1:6443", nil),
			kfc("member.example.com", nil),
			kfc("http://member.example.com:8080/", set("proxyURL", "socks5://proxy:1080")),
			kfc("https://[fd00::1]:6443", set("disabledTLSValidations", []any{"*"})),
		} {
			obj := fromYAML(t, object)
			obj.SetNamespace(scratch)
			if err := f.Host.Create(ctx, obj); err != nil {
				t.Errorf("refused: %v\n%s", err, object)
				continue
			}
			if err := f.Host.Delete(ctx, obj); err != nil {
				t.Error(err)
			}
		}

		// scope cannot change after creation.
		cfg := &corev1beta1.KubeFedConfig{ObjectMeta: metav1.ObjectMeta{Namespace: scratch, Name: "immutable"}}
		cfg.Spec.Scope = corev1beta1.ScopeCluster
		if err := f.Host.Create(ctx, cfg); err != nil {
			t.Fatal(err)
		}
		cfg.Spec.Scope = corev1beta1.ScopeNamespaced
		if err := f.Host.Update(ctx, cfg); !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), "scope is immutable") {
			t.Errorf("changing scope: %v, want Invalid: scope is immutable", err)
		}
	})

	t.Run("KubeFedCluster status has the member's Kubernetes version", func(t *testing.T) {
		for _, m := range f.Set.Members {
			info, err := kubernetes.NewForConfigOrDie(m.Config).Discovery().ServerVersion()
			if err != nil {
				t.Fatal(err)
			}
			f.Eventually(t, m.Name+" kubernetesVersion", func(ctx context.Context) error {
				var kfc corev1beta1.KubeFedCluster
				if err := f.Host.Get(ctx, client.ObjectKey{Namespace: federation.KubefedNamespace, Name: m.Name}, &kfc); err != nil {
					return err
				}
				if kfc.Status.KubernetesVersion != info.GitVersion || info.GitVersion == "" {
					return fmt.Errorf("kubernetesVersion %q, want %q", kfc.Status.KubernetesVersion, info.GitVersion)
				}
				if c := meta.FindStatusCondition(kfc.Status.Conditions, corev1beta1.ClusterReady); c == nil || c.Status != metav1.ConditionTrue {
					return fmt.Errorf("not ready: %+v", kfc.Status.Conditions)
				}
				return nil
			})
		}
		out, err := kubectl("get", "kubefedclusters", "-n", federation.KubefedNamespace)
		if err != nil || !strings.Contains(out, "KUBERNETES-VERSION") {
			t.Errorf("kubectl get kubefedclusters: %v\n%s", err, out)
		}
	})

	t.Run("a namespace-scoped control plane validates its own namespace only, as KubeFed's webhook did", func(t *testing.T) {
		f.UseNamespacedValidation(t)
		invalid := func(ns string) *corev1beta1.KubeFedCluster {
			kfc := &corev1beta1.KubeFedCluster{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "ftp-member"}}
			kfc.Spec.APIEndpoint = "ftp://10.0.0.1:6443"
			kfc.Spec.SecretRef.Name = "member-token"
			return kfc
		}
		err := f.Host.Create(ctx, invalid(federation.KubefedNamespace))
		if !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), `spec.apiEndpoint: Invalid value: "ftp://10.0.0.1:6443": apiEndpoint must be an http or https URL`) {
			t.Errorf("in namespace %s: %v, want Invalid naming spec.apiEndpoint", federation.KubefedNamespace, err)
		}
		outside := invalid(scratch)
		if err := f.Host.Create(ctx, outside); err != nil {
			t.Errorf("in namespace %s: %v, want it accepted", scratch, err)
		} else if err := f.Host.Delete(ctx, outside); err != nil {
			t.Error(err)
		}
	})

	// Last: it restarts the manager with the sample KubeFedConfig applied above.
	t.Run("a feature gate set in the KubeFedConfig switches its controller", func(t *testing.T) {
		const ns = "gates"
		if err := f.Host.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
			t.Fatal(err)
		}
		record := fromYAML(t, `
apiVersion: multiclusterdns.kubefed.io/v1alpha1
kind: IngressDNSRecord
metadata: {name: shop, namespace: gates}
spec: {hosts: [shop.example.com], recordTTL: 60}
`)
		if err := f.Host.Create(ctx, record); err != nil {
			t.Fatal(err)
		}
		f.StopManager(t)
		// FederatedIngress (KubeFed v0.6.1's gate, off by default) runs the
		// IngressDNSRecord controller; the manager ran without it so far.
		if err := f.Host.Get(ctx, client.ObjectKeyFromObject(record), record); err != nil {
			t.Fatal(err)
		}
		if status, found, _ := unstructured.NestedMap(record.Object, "status"); found && len(status) > 0 {
			t.Fatalf("the IngressDNSRecord has a status without the FederatedIngress gate: %v", status)
		}
		patch := []byte(`{"spec":{"featureGates":[` +
			`{"name":"PushReconciler","configuration":"Enabled"},{"name":"RawResourceStatusCollection","configuration":"Enabled"},` +
			`{"name":"SchedulerPreferences","configuration":"Enabled"},{"name":"FederatedIngress","configuration":"Enabled"}]}}`)
		kfc := &corev1beta1.KubeFedConfig{ObjectMeta: metav1.ObjectMeta{Namespace: federation.KubefedNamespace, Name: corev1beta1.ConfigName}}
		if err := f.Host.Patch(ctx, kfc, client.RawPatch(types.MergePatchType, patch)); err != nil {
			t.Fatal(err)
		}
		f.StartManager(t)
		f.Eventually(t, "the IngressDNSRecord's status written by its controller", func(ctx context.Context) error {
			if err := f.Host.Get(ctx, client.ObjectKeyFromObject(record), record); err != nil {
				return err
			}
			observed, _, _ := unstructured.NestedInt64(record.Object, "status", "observedGeneration")
			conditions, _, _ := unstructured.NestedSlice(record.Object, "status", "conditions")
			if observed != record.GetGeneration() || len(conditions) == 0 {
				return fmt.Errorf("status %v", record.Object["status"])
			}
			return nil
		})
	})
}

func readYAML(t *testing.T, file string) *unstructured.Unstructured {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return fromYAML(t, string(data))
}

func fromYAML(t *testing.T, data string) *unstructured.Unstructured {
	t.Helper()
	obj := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(data), &obj.Object); err != nil {
		t.Fatal(err)
	}
	return obj
}

// toJSON renders v as JSON, in which every number is just a number.
func toJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func toYAML(t *testing.T, obj map[string]any) string {
	t.Helper()
	data, err := yaml.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
