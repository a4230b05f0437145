// Package admission emits the manager's MutatingAdmissionPolicy: it puts the sync
// controller's finalizer on every federated object of the manager's types when
// the object is created, so that the controller does not write the object a
// second time just to add it. That is one host write fewer per federated object.
//
// The policy is an optimisation, never a requirement: without it (an older host,
// or a failing policy, which is ignored) the sync controller adds the finalizer
// itself, as before.
package admission

import (
	"path"
	"slices"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-tools/pkg/genall"
	"sigs.k8s.io/controller-tools/pkg/markers"

	"github.com/kubefed-gen/kubefed/generator/emit"
	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
)

// Dir is where the policy is written below the output folder, and
// NamespacedDir its variant for a control plane of scope Namespaced, which
// handles federated objects in its own namespace only.
const (
	Dir           = "config/admission"
	NamespacedDir = "config/admission-namespaced"
)

// Generator writes config/admission: the policy, its binding and a kustomization.
type Generator struct{ Context *emit.Context }

// RegisterMarkers registers nothing: the policy is derived from the model.
func (Generator) RegisterMarkers(*markers.Registry) error { return nil }

// PolicyName is the name of the policy (and of its binding) of the manager called manager.
func PolicyName(manager string) string { return manager + "-finalizer" }

// Generate writes the policy and its binding.
func (g Generator) Generate(gctx *genall.GenerationContext) error {
	name := PolicyName(g.Context.ManagerName)
	var plurals []string
	for _, t := range g.Context.Set.Targets {
		plurals = append(plurals, t.FederatedPlural())
	}
	slices.Sort(plurals)
	policy := &admissionv1.MutatingAdmissionPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: admissionv1.SchemeGroupVersion.String(), Kind: "MutatingAdmissionPolicy"},
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: admissionv1.MutatingAdmissionPolicySpec{
			MatchConstraints: &admissionv1.MatchResources{ResourceRules: []admissionv1.NamedRuleWithOperations{{
				RuleWithOperations: admissionv1.RuleWithOperations{
					Operations: []admissionv1.OperationType{admissionv1.Create},
					Rule: admissionv1.Rule{
						APIGroups:   []string{g.Context.Set.Group},
						APIVersions: []string{g.Context.Set.Version},
						Resources:   plurals,
					},
				},
			}}},
			Mutations: []admissionv1.Mutation{{
				PatchType: admissionv1.PatchTypeApplyConfiguration,
				ApplyConfiguration: &admissionv1.ApplyConfiguration{
					// finalizers is a set: the user's own stay.
					Expression: `Object{metadata: Object.metadata{finalizers: ["` + fedv1beta1.SyncFinalizer + `"]}}`,
				},
			}},
			// The sync controller adds the finalizer when the policy could not.
			FailurePolicy:      ptr.To(admissionv1.Ignore),
			ReinvocationPolicy: admissionv1.NeverReinvocationPolicy,
		},
	}
	binding := &admissionv1.MutatingAdmissionPolicyBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: admissionv1.SchemeGroupVersion.String(), Kind: "MutatingAdmissionPolicyBinding"},
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       admissionv1.MutatingAdmissionPolicyBindingSpec{PolicyName: name},
	}
	about := []string{
		"Puts the sync controller's finalizer on federated objects of the manager's",
		"types as they are created, which saves the manager one write per object.",
		"Optional: without it the manager adds the finalizer itself. While the",
		"KubeFedConfig's PushReconciler feature gate is Disabled, no sync controller",
		"runs to remove the finalizer when such an object is deleted: remove this",
		"policy's binding for that time.",
	}
	if err := writeFiles(gctx, Dir, about, policy, binding); err != nil {
		return err
	}
	// A namespaced control plane removes the finalizer in its own namespace only.
	namespaced := binding.DeepCopy()
	// Cluster-scoped federated objects are not its own: a namespace selector
	// alone would not leave them out.
	namespaced.Spec.MatchResources = &admissionv1.MatchResources{
		NamespaceSelector: &metav1.LabelSelector{
			MatchLabels: map[string]string{corev1.LabelMetadataName: corev1beta1.DefaultNamespace},
		},
		ResourceRules: []admissionv1.NamedRuleWithOperations{{RuleWithOperations: admissionv1.RuleWithOperations{
			Operations: []admissionv1.OperationType{admissionv1.Create},
			Rule: admissionv1.Rule{
				APIGroups:   []string{g.Context.Set.Group},
				APIVersions: []string{g.Context.Set.Version},
				Resources:   []string{"*"},
				Scope:       ptr.To(admissionv1.NamespacedScope),
			},
		}}},
	}
	return writeFiles(gctx, NamespacedDir, append(about, "",
		"For a control plane of scope Namespaced (KubeFedConfig spec.scope), which",
		"handles the federated objects of its own namespace only: install this folder",
		"instead of config/admission, and change the namespace the binding selects if",
		"the control plane lives in another one."), policy, namespaced)
}

// writeFiles writes the policy and its binding into dir, with a kustomization.
func writeFiles(gctx *genall.GenerationContext, dir string, about []string, policy *admissionv1.MutatingAdmissionPolicy, binding *admissionv1.MutatingAdmissionPolicyBinding) error {
	if err := emit.OutputYAML(gctx, path.Join(dir, "finalizer_policy.yaml"), about, policy); err != nil {
		return err
	}
	if err := emit.OutputYAML(gctx, path.Join(dir, "finalizer_policy_binding.yaml"), nil, binding); err != nil {
		return err
	}
	return emit.OutputKustomization(gctx, dir, nil, "", "finalizer_policy.yaml", "finalizer_policy_binding.yaml")
}
