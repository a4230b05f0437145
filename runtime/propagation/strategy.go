package propagation

import (
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/dispatch"
)

// ReasonInvalidUpdateStrategy is the Propagation condition's reason when the
// update strategy annotation of the object or its FederatedTypeConfig has a
// value that is not a strategy: nothing is written to member clusters until it
// is fixed.
const ReasonInvalidUpdateStrategy = "InvalidUpdateStrategy"

// ReadOnlyRecheck is how often an object under the ReadOnly strategy is
// compared with its member objects again: member objects federation did not
// write are not watched, so their changes, and their creation, are seen only then.
const ReadOnlyRecheck = 5 * time.Minute

// StrategyChoice is the update strategy of a federated object and where it
// comes from.
type StrategyChoice struct {
	Strategy dispatch.Strategy
	// Source is "object", "FederatedTypeConfig" or "default".
	Source string
}

// UpdateStrategy is the update strategy of obj, a federated object of kind:
// its fedv1beta1.UpdateStrategyAnnotation, else that of its type's
// FederatedTypeConfig ftc (nil when there is none), else Apply. An invalid
// value is an error that names the object it is on.
func UpdateStrategy(kind string, obj metav1.Object, ftc *corev1beta1.FederatedTypeConfig) (StrategyChoice, error) {
	if value, ok := obj.GetAnnotations()[fedv1beta1.UpdateStrategyAnnotation]; ok {
		s, err := dispatch.ParseStrategy(value)
		if err != nil {
			return StrategyChoice{}, fmt.Errorf("annotation %s of %s %s: %w; nothing is written to member clusters until it is fixed",
				fedv1beta1.UpdateStrategyAnnotation, kind, key(obj), err)
		}
		return StrategyChoice{Strategy: s, Source: "object"}, nil
	}
	if ftc != nil {
		if value, ok := ftc.Annotations[fedv1beta1.UpdateStrategyAnnotation]; ok {
			s, err := dispatch.ParseStrategy(value)
			if err != nil {
				return StrategyChoice{}, fmt.Errorf("annotation %s of FederatedTypeConfig %s: %w; nothing is written to member clusters until it is fixed",
					fedv1beta1.UpdateStrategyAnnotation, key(ftc), err)
			}
			return StrategyChoice{Strategy: s, Source: "FederatedTypeConfig"}, nil
		}
	}
	return StrategyChoice{Strategy: dispatch.Apply, Source: "default"}, nil
}

func key(obj metav1.Object) string {
	if obj.GetNamespace() == "" {
		return obj.GetName()
	}
	return obj.GetNamespace() + "/" + obj.GetName()
}
