package status

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/dispatch"
)

// explain says, for every cluster of the report, why the object is or is not
// propagated there.
func (r *statusReport) explain() {
	for i := range r.Clusters {
		r.Clusters[i].Explanation = r.explainCluster(&r.Clusters[i])
	}
}

// explainCluster says, in words, what is wrong in cluster c and what to do.
func (r *statusReport) explainCluster(c *clusterReport) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if !c.Joined {
		add("the placement names cluster %s, but it is not joined (no KubeFedCluster %s in %s)", c.Name, c.Name, r.kubefedNamespace)
		return out
	}
	if c.Ready != string(metav1.ConditionTrue) {
		add("the cluster is not ready (%s): the object is not updated there until it is", orDash(c.ReadyMessage))
	}
	if !c.Placed {
		switch c.NotPlacedReason {
		case namespaceNotFederated:
			add("not placed: namespace %s has no FederatedNamespace", r.Namespace)
		case namespaceNotPlaced:
			add("not placed: the FederatedNamespace of %s does not place it on this cluster", r.Namespace)
		}
		if c.Present == presentYes {
			if *c.Managed {
				add("a managed copy is still there: the controller deletes it from clusters the object is no longer placed on")
			} else {
				add("an object of the same name exists there, not managed by federation: it is left alone")
			}
		}
		return out
	}
	if c.Status != "" && c.Status != statusOK {
		add("%s: %s", c.Status, orDash(c.Message))
	}
	if c.DesiredError != "" && c.Status != string(fedv1beta1.ApplyOverridesFailed) {
		add("the overrides for this cluster cannot be applied: %s", c.DesiredError)
	}
	switch {
	case c.Status != "" || r.Deleting:
	case r.TypePropagation == string(corev1beta1.Disabled):
		add("the status has no entry for this cluster: propagation of %s is Disabled", r.Type)
	default:
		add("the status has no entry for this cluster: the controller has not propagated the object yet (is a controller manager with this type running?)")
	}
	switch c.Present {
	case presentNo:
		if c.Status == statusOK {
			add("the status says OK, but the object is missing in the member: it was deleted there; the controller creates it again")
		} else {
			add("the object does not exist in the member")
		}
	case presentUnreachable:
		add("the member cannot be reached with the joined credentials: %s", c.MemberError)
	case presentUnknown:
		if c.MemberError != "" {
			add("the object cannot be read in the member: %s", c.MemberError)
		}
	case presentYes:
		if !*c.Managed {
			add("the object in the member lacks the label %s=true: federation does not manage it (see adoptResources in the KubeFedConfig)", fedv1beta1.ManagedLabel)
		}
		if c.InSync != nil && !*c.InSync {
			n := len(c.Differences) + c.MoreDifferences
			add("the member object differs from the desired object in %d field(s):", n)
			for _, d := range c.Differences {
				add("  %s", describeDiff(d))
			}
			if c.MoreDifferences > 0 {
				add("  ... and %d more", c.MoreDifferences)
			}
			switch {
			case r.TypePropagation == string(corev1beta1.Disabled):
				add("propagation of %s is Disabled, so the difference is not corrected", r.Type)
			case r.UpdateStrategy == string(dispatch.ReadOnly), r.UpdateStrategy == string(dispatch.CreateOnly):
				add("the update strategy is %s, so the difference is not corrected", r.UpdateStrategy)
			case r.UpdateStrategyError != "":
				add("the update strategy is invalid, so nothing is written: %s", r.UpdateStrategyError)
			case r.StatusStale:
				add("the controller has not processed the latest change yet")
			default:
				add("the controller corrects drift on its next sync of the object")
			}
		}
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "no message"
	}
	return s
}
