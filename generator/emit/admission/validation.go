package admission

import (
	"strings"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
)

// The rules of KubeFed's validating webhook that a CRD's OpenAPI schema cannot
// say, as ValidatingAdmissionPolicies, one per resource KubeFed validated. They
// are not CEL rules of the CRDs because KubeFed's webhook left objects outside
// the KubeFed namespace alone in a namespace-scoped control plane, and a CRD's
// rules hold in every namespace; a policy binding can select the namespace.
// Enums, patterns, bounds and required fields stay in the CRDs' schemas, which
// KubeFed's webhook checked too, and which hold everywhere.
//
// Every message starts with the field it is about, as the API server's own
// field errors do, and keeps KubeFed's wording where KubeFed had one.

// validated is one resource of core.kubefed.io and its rules.
type validated struct {
	plural      string
	variables   []admissionv1.Variable
	validations []admissionv1.Validation
}

// ValidationPolicyName is the name of the policy (and of its binding) that
// validates plural of core.kubefed.io: the resource's full name, shared by
// every manager of a host, since the rules do not depend on the manager.
func ValidationPolicyName(plural string) string {
	return plural + "." + corev1beta1.SchemeGroupVersion.Group
}

var validatedResources = []validated{
	{
		plural: "federatedtypeconfigs",
		variables: []admissionv1.Variable{{
			Name:       "expectedName",
			Expression: `has(object.spec.targetType.group) && size(object.spec.targetType.group) > 0 ? object.spec.targetType.pluralName + '.' + object.spec.targetType.group : object.spec.targetType.pluralName`,
		}},
		validations: []admissionv1.Validation{
			{
				Expression:        `object.metadata.name == variables.expectedName`,
				MessageExpression: `'metadata.name: Invalid value: "' + object.metadata.name + '": name must be \'TARGET_PLURAL_NAME(.TARGET_GROUP_NAME)\', here "' + variables.expectedName + '"'`,
			},
			groupWithDot("federatedType", ""),
			groupWithDot("statusType", `!has(object.spec.statusType)`),
		},
	},
	{
		plural: "kubefedclusters",
		variables: []admissionv1.Variable{{
			// A host[:port] is read as an https URL.
			Name:       "endpoint",
			Expression: `object.spec.apiEndpoint.contains('://') ? object.spec.apiEndpoint : 'https://' + object.spec.apiEndpoint`,
		}},
		validations: []admissionv1.Validation{
			{
				Expression: `size(object.spec.apiEndpoint) == 0 || (isURL(variables.endpoint) && url(variables.endpoint).getScheme() in ['http', 'https'] && ` +
					`size(url(variables.endpoint).getHostname()) > 0 && size(url(variables.endpoint).getEscapedPath()) <= 1 && ` +
					`(size(url(variables.endpoint).getPort()) == 0 || (int(url(variables.endpoint).getPort()) >= 1 && int(url(variables.endpoint).getPort()) <= 65535)))`,
				MessageExpression: `'spec.apiEndpoint: Invalid value: "' + object.spec.apiEndpoint + '": apiEndpoint must be an http or https URL without a path, or a host[:port]'`,
			},
			{
				Expression: `!has(object.spec.disabledTLSValidations) || !('*' in object.spec.disabledTLSValidations) || size(object.spec.disabledTLSValidations) == 1`,
				Message:    `spec.disabledTLSValidations: Invalid value: when * is specified, it is expected to be the only option in list`,
			},
			{
				Expression:        `!has(object.spec.proxyURL) || size(object.spec.proxyURL) == 0 || (isURL(object.spec.proxyURL) && url(object.spec.proxyURL).getScheme() in ['http', 'https', 'socks5'])`,
				MessageExpression: `'spec.proxyURL: Invalid value: "' + object.spec.proxyURL + '": proxy URL scheme must be one of: [http, https, socks5]'`,
			},
		},
	},
	{
		plural: "kubefedconfigs",
		validations: append([]admissionv1.Validation{
			{
				Expression:        `request.operation != 'UPDATE' || !has(oldObject.spec.scope) || !has(object.spec.scope) || object.spec.scope == oldObject.spec.scope`,
				MessageExpression: `'spec.scope: Invalid value: "' + object.spec.scope + '": scope is immutable (it is "' + oldObject.spec.scope + '")'`,
			},
			{
				Expression: missing("leaderElect.leaseDuration", "leaderElect.renewDeadline") + ` || duration(object.spec.leaderElect.leaseDuration) > duration(object.spec.leaderElect.renewDeadline)`,
				Message:    `spec.leaderElect.leaseDuration: Invalid value: leaseDuration must be greater than renewDeadline`,
			},
			{
				// client-go's leader election refuses what this refuses.
				Expression: missing("leaderElect.renewDeadline", "leaderElect.retryPeriod") + ` || duration(object.spec.leaderElect.renewDeadline).getMilliseconds() * 5 > duration(object.spec.leaderElect.retryPeriod).getMilliseconds() * 6`,
				Message:    `spec.leaderElect.renewDeadline: Invalid value: renewDeadline must be greater than retryPeriod*JitterFactor(1.2)`,
			},
		},
			positiveDuration("controllerDuration.availableDelay"),
			positiveDuration("controllerDuration.unavailableDelay"),
			positiveDuration("controllerDuration.cacheSyncTimeout"),
			positiveDuration("leaderElect.leaseDuration"),
			positiveDuration("leaderElect.renewDeadline"),
			positiveDuration("leaderElect.retryPeriod"),
			positiveDuration("clusterHealthCheck.period"),
			positiveDuration("clusterHealthCheck.timeout"),
		),
	},
}

// groupWithDot is KubeFed's rule that the group of the FederatedTypeConfig's
// field (federatedType, statusType) is a domain with a dot; unless, if not
// empty, is when the rule does not apply.
func groupWithDot(field, unless string) admissionv1.Validation {
	group := "object.spec." + field + ".group"
	expression := `has(` + group + `) && ` + group + `.contains('.')`
	if unless != "" {
		expression = unless + ` || (` + expression + `)`
	}
	return admissionv1.Validation{
		Expression:        expression,
		MessageExpression: `'spec.` + field + `.group: Invalid value: "' + (has(` + group + `) ? ` + group + ` : '') + '": ` + field + `.group is required and should be a domain with at least one dot'`,
	}
}

// positiveDuration is KubeFed's rule that the duration at path below spec, if
// set, is greater than 0.
func positiveDuration(path string) admissionv1.Validation {
	field := "object.spec." + path
	name := path[strings.LastIndex(path, ".")+1:]
	return admissionv1.Validation{
		Expression:        missing(path) + ` || duration(` + field + `) > duration('0s')`,
		MessageExpression: `'spec.` + path + `: Invalid value: "' + ` + field + ` + '": ` + name + ` should be greater than 0'`,
	}
}

// missing is a CEL condition that is true when one of the fields at paths
// below spec is missing, so that a rule about them is skipped; a missing
// parent of a field counts as missing too.
func missing(paths ...string) string {
	var missing []string
	for _, path := range paths {
		parts := strings.Split(path, ".")
		for i := range parts {
			missing = append(missing, "!has(object.spec."+strings.Join(parts[:i+1], ".")+")")
		}
	}
	return "(" + strings.Join(missing, " || ") + ")"
}

// validationPolicies returns the policy and binding of every validated resource;
// with namespace, the bindings select that namespace only.
func validationPolicies(namespace string) (policies []*admissionv1.ValidatingAdmissionPolicy, bindings []*admissionv1.ValidatingAdmissionPolicyBinding) {
	for _, v := range validatedResources {
		name := ValidationPolicyName(v.plural)
		policies = append(policies, &admissionv1.ValidatingAdmissionPolicy{
			TypeMeta:   metav1.TypeMeta{APIVersion: admissionv1.SchemeGroupVersion.String(), Kind: "ValidatingAdmissionPolicy"},
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: admissionv1.ValidatingAdmissionPolicySpec{
				MatchConstraints: &admissionv1.MatchResources{ResourceRules: []admissionv1.NamedRuleWithOperations{{
					RuleWithOperations: admissionv1.RuleWithOperations{
						Operations: []admissionv1.OperationType{admissionv1.Create, admissionv1.Update},
						Rule: admissionv1.Rule{
							APIGroups:   []string{corev1beta1.SchemeGroupVersion.Group},
							APIVersions: []string{corev1beta1.SchemeGroupVersion.Version},
							Resources:   []string{v.plural},
						},
					},
				}}},
				Variables:   v.variables,
				Validations: v.validations,
				// A rule that cannot be evaluated refuses, as KubeFed's
				// webhook (failurePolicy Fail) did when it could not answer.
				FailurePolicy: ptr.To(admissionv1.Fail),
			},
		})
		binding := &admissionv1.ValidatingAdmissionPolicyBinding{
			TypeMeta:   metav1.TypeMeta{APIVersion: admissionv1.SchemeGroupVersion.String(), Kind: "ValidatingAdmissionPolicyBinding"},
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: admissionv1.ValidatingAdmissionPolicyBindingSpec{
				PolicyName:        name,
				ValidationActions: []admissionv1.ValidationAction{admissionv1.Deny},
			},
		}
		if namespace != "" {
			binding.Spec.MatchResources = &admissionv1.MatchResources{NamespaceSelector: &metav1.LabelSelector{
				MatchLabels: map[string]string{corev1.LabelMetadataName: namespace},
			}}
		}
		bindings = append(bindings, binding)
	}
	return policies, bindings
}
