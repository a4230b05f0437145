package federation

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/fedtype"
)

// installAdmission installs the default manager's generated admission policy
// (config/admission), which puts the sync finalizer on new federated objects, as
// it would be generated for types: the policy of a manager built with them. It
// returns once the API server applies it.
func installAdmission(t testing.TB, host client.Client, types []fedtype.Descriptor) {
	t.Helper()
	var plurals []string
	var probe fedtype.Info
	for _, typ := range types {
		info := typ.TypeInfo()
		plurals = append(plurals, info.Federated.Plural)
		if info.Target.Namespaced && probe.Federated.Plural == "" {
			probe = info
		}
	}
	files, err := filepath.Glob(filepath.Join("..", "..", "cmd", "controller-manager", "config", "admission", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, file := range files {
		obj := readManifest(t, file)
		if obj == nil {
			continue
		}
		if obj.GetKind() == "MutatingAdmissionPolicy" && len(plurals) > 0 {
			rules, _, _ := unstructured.NestedSlice(obj.Object, "spec", "matchConstraints", "resourceRules")
			if len(rules) != 1 {
				t.Fatalf("%s: %d resource rules, want 1", file, len(rules))
			}
			if err := unstructured.SetNestedStringSlice(rules[0].(map[string]any), plurals, "resources"); err != nil {
				t.Fatal(err)
			}
			if err := unstructured.SetNestedSlice(obj.Object, rules, "spec", "matchConstraints", "resourceRules"); err != nil {
				t.Fatal(err)
			}
		}
		if err := host.Create(ctx, obj); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
	}
	waitAdmission(t, host, probe)
	waitValidation(t, host, KubefedNamespace)
}

// WithoutAdmissionPolicy runs fn with the admission policy's binding removed, so
// that federated objects are created as plain objects, then puts it back.
func (f *Federation) WithoutAdmissionPolicy(t testing.TB, fn func()) {
	t.Helper()
	ctx := context.Background()
	// The validation policies stay: they are not about federated objects.
	var bindings admissionv1.MutatingAdmissionPolicyBindingList
	if err := f.Host.List(ctx, &bindings); err != nil {
		t.Fatal(err)
	}
	for _, b := range bindings.Items {
		if err := f.Host.Delete(ctx, &b); err != nil {
			t.Fatal(err)
		}
	}
	probe := namespacedProbe(f.types)
	eventually(t, "admission policy out of effect", func(ctx context.Context) error {
		if mutated(ctx, f.Host, probe) {
			return fmt.Errorf("a new %s still gets finalizer %s", probe.Federated.Kind, fedv1beta1.SyncFinalizer)
		}
		return nil
	})
	fn()
	for _, b := range bindings.Items {
		b.ResourceVersion, b.UID = "", ""
		if err := f.Host.Create(ctx, &b); err != nil {
			t.Fatal(err)
		}
	}
	waitAdmission(t, f.Host, probe)
}

// useNamespacedAdmission replaces the admission policy's binding by the one of
// config/admission-namespaced, which selects the KubeFed namespace only, and
// returns once a new federated object elsewhere gets no finalizer.
func (f *Federation) useNamespacedAdmission(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	binding := readManifest(t, filepath.Join("..", "..", "cmd", "controller-manager", "config", "admission-namespaced", "finalizer_policy_binding.yaml"))
	if err := f.Host.Delete(ctx, binding.DeepCopy()); client.IgnoreNotFound(err) != nil {
		t.Fatal(err)
	}
	if err := f.Host.Create(ctx, binding); err != nil {
		t.Fatal(err)
	}
	probe := namespacedProbe(f.types)
	eventually(t, "namespaced admission policy in effect", func(ctx context.Context) error {
		if mutatedIn(ctx, f.Host, probe, "default") || !mutatedIn(ctx, f.Host, probe, KubefedNamespace) {
			return fmt.Errorf("a new %s still gets finalizer %s outside namespace %s, or none in it", probe.Federated.Kind, fedv1beta1.SyncFinalizer, KubefedNamespace)
		}
		return nil
	})
	f.UseNamespacedValidation(t)
}

// UseNamespacedValidation replaces the bindings of the validation policies by
// those of config/admission-namespaced, which select the KubeFed namespace
// only, and returns once an invalid KubeFedCluster is refused there and
// accepted in namespace default.
func (f *Federation) UseNamespacedValidation(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	files, err := filepath.Glob(filepath.Join("..", "..", "cmd", "controller-manager", "config", "admission-namespaced", "validation_*_binding.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no validation policy bindings in config/admission-namespaced: %v", err)
	}
	for _, file := range files {
		binding := readManifest(t, file)
		if err := f.Host.Delete(ctx, binding.DeepCopy()); client.IgnoreNotFound(err) != nil {
			t.Fatal(err)
		}
		if err := f.Host.Create(ctx, binding); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "namespaced validation policies in effect", func(ctx context.Context) error {
		if !validatedIn(ctx, f.Host, KubefedNamespace) || validatedIn(ctx, f.Host, "default") {
			return fmt.Errorf("an invalid KubeFedCluster is accepted in namespace %s, or refused in namespace default", KubefedNamespace)
		}
		return nil
	})
}

// waitValidation returns once the API server applies the validation policies
// in namespace ns: it loads policies asynchronously.
func waitValidation(t testing.TB, host client.Client, ns string) {
	t.Helper()
	eventually(t, "validation policies in effect", func(ctx context.Context) error {
		if !validatedIn(ctx, host, ns) {
			return fmt.Errorf("an invalid KubeFedCluster is accepted in namespace %s", ns)
		}
		return nil
	})
}

// validatedIn says whether a KubeFedCluster with an ftp apiEndpoint is refused
// in namespace ns, by a dry run.
func validatedIn(ctx context.Context, host client.Client, ns string) bool {
	kfc := &corev1beta1.KubeFedCluster{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "validation-probe"}}
	kfc.Spec.APIEndpoint = "ftp://10.0.0.1:6443"
	kfc.Spec.SecretRef.Name = "probe"
	return apierrors.IsInvalid(host.Create(ctx, kfc, client.DryRunAll))
}

// namespacedProbe is the first namespaced federated type of types.
func namespacedProbe(types []fedtype.Descriptor) fedtype.Info {
	for _, typ := range types {
		if info := typ.TypeInfo(); info.Target.Namespaced {
			return info
		}
	}
	return fedtype.Info{}
}

// waitAdmission returns once the API server applies the policy: it loads
// policies asynchronously.
func waitAdmission(t testing.TB, host client.Client, probe fedtype.Info) {
	t.Helper()
	if probe.Federated.Plural == "" {
		return
	}
	eventually(t, "admission policy in effect", func(ctx context.Context) error {
		if !mutated(ctx, host, probe) {
			return fmt.Errorf("a new %s gets no finalizer %s", probe.Federated.Kind, fedv1beta1.SyncFinalizer)
		}
		return nil
	})
}

// mutated says whether a new federated object of type probe gets the sync
// finalizer, by a dry run.
func mutated(ctx context.Context, host client.Client, probe fedtype.Info) bool {
	return mutatedIn(ctx, host, probe, KubefedNamespace)
}

// mutatedIn is mutated, for an object in namespace ns.
func mutatedIn(ctx context.Context, host client.Client, probe fedtype.Info, ns string) bool {
	obj := &unstructured.Unstructured{}
	obj.SetGroupVersionKind(probe.Federated.GroupVersionKind)
	obj.SetNamespace(ns)
	obj.SetName("admission-probe")
	return host.Create(ctx, obj, client.DryRunAll) == nil && slices.Contains(obj.GetFinalizers(), fedv1beta1.SyncFinalizer)
}
