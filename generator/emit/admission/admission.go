// Package admission emits the manager's admission policies, which the API
// server runs, so that no webhook server is needed:
//
//   - a MutatingAdmissionPolicy that puts the sync controller's finalizer on
//     every federated object of the manager's types when the object is created,
//     so that the controller does not write the object a second time just to add
//     it: one host write fewer per federated object. It is an optimisation,
//     never a requirement: without it (an older host, or a failing policy, which
//     is ignored) the sync controller adds the finalizer itself;
//   - ValidatingAdmissionPolicies with the rules of KubeFed's validating webhook
//     for FederatedTypeConfigs, KubeFedClusters and KubeFedConfigs that the CRDs'
//     schemas do not hold (validation.go). These are required.
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
	policies, bindings := validationPolicies("")
	if err := writeFiles(gctx, Dir, about, policy, binding, policies, bindings); err != nil {
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
	// As KubeFed's webhook, which validated only its own namespace's objects
	// when the control plane was namespace-scoped.
	policies, bindings = validationPolicies(corev1beta1.DefaultNamespace)
	return writeFiles(gctx, NamespacedDir, append(about, "",
		"For a control plane of scope Namespaced (KubeFedConfig spec.scope), which",
		"handles the federated objects of its own namespace only: install this folder",
		"instead of config/admission, and change the namespace the bindings select if",
		"the control plane lives in another one."), policy, namespaced, policies, bindings)
}

// writeFiles writes the finalizer policy and its binding into dir, the
// validation policies and their bindings, and a kustomization.
func writeFiles(gctx *genall.GenerationContext, dir string, about []string, policy *admissionv1.MutatingAdmissionPolicy, binding *admissionv1.MutatingAdmissionPolicyBinding,
	validations []*admissionv1.ValidatingAdmissionPolicy, validationBindings []*admissionv1.ValidatingAdmissionPolicyBinding) error {
	if err := emit.OutputYAML(gctx, path.Join(dir, "finalizer_policy.yaml"), about, policy); err != nil {
		return err
	}
	if err := emit.OutputYAML(gctx, path.Join(dir, "finalizer_policy_binding.yaml"), nil, binding); err != nil {
		return err
	}
	files := []string{"finalizer_policy.yaml", "finalizer_policy_binding.yaml"}
	for i, p := range validations {
		plural := p.Spec.MatchConstraints.ResourceRules[0].Resources[0]
		file, bindingFile := "validation_"+plural+".yaml", "validation_"+plural+"_binding.yaml"
		if err := emit.OutputYAML(gctx, path.Join(dir, file), validationAbout(plural, validationBindings[i]), p); err != nil {
			return err
		}
		if err := emit.OutputYAML(gctx, path.Join(dir, bindingFile), nil, validationBindings[i]); err != nil {
			return err
		}
		files = append(files, file, bindingFile)
	}
	return emit.OutputKustomization(gctx, dir, nil, "", files...)
}

// validationAbout is the comment of the validation policy of plural.
func validationAbout(plural string, binding *admissionv1.ValidatingAdmissionPolicyBinding) []string {
	about := []string{
		"The rules of KubeFed's validating webhook for " + plural + " that the CRD's",
		"schema does not hold. Required: without it, such " + plural + " are accepted.",
	}
	if binding.Spec.MatchResources != nil {
		about = append(about, "Its binding selects the KubeFed namespace only, as KubeFed's webhook did for a",
			"control plane of scope Namespaced.")
	}
	return about
}
