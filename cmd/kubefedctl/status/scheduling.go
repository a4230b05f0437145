package status

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/host"
	schedulingv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/scheduling/v1alpha1"
	"github.com/kubefed-gen/kubefed/runtime/schedule"
)

// schedulingReport is the plan of the ReplicaSchedulingPreference that schedules
// the object, as its status records it.
type schedulingReport struct {
	// Preference is the ReplicaSchedulingPreference's namespace/name.
	Preference    string `json:"preference"`
	TotalReplicas int32  `json:"totalReplicas"`
	Rebalance     bool   `json:"rebalance"`
	// Stale says the status describes an older generation of the preference.
	Stale     bool                `json:"stale,omitempty"`
	Condition *metav1.Condition   `json:"condition,omitempty"`
	Clusters  []scheduledClusters `json:"clusters,omitempty"`
}

// scheduledClusters is one cluster of the plan.
type scheduledClusters struct {
	Name     string `json:"name"`
	Planned  int64  `json:"planned"`
	Overflow int64  `json:"overflow,omitempty"`
	// Current is the ready replicas last seen; nil when the workload is not there.
	Current *int64 `json:"current,omitempty"`
	// Why is the controller's own explanation (schedule.Explain).
	Why string `json:"why"`
}

// readScheduling fills r.Scheduling when a ReplicaSchedulingPreference of the
// object's namespace and name targets its kind.
func (r *statusReport) readScheduling(ctx context.Context, h *host.Host) error {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(schedulingv1alpha1.SchemeGroupVersion.WithKind("ReplicaSchedulingPreference"))
	err := h.Client.Get(ctx, client.ObjectKey{Namespace: r.Namespace, Name: r.Name}, u)
	switch {
	case apierrors.IsNotFound(err), meta.IsNoMatchError(err):
		return nil
	case err != nil:
		return fmt.Errorf("get ReplicaSchedulingPreference %s/%s: %w", r.Namespace, r.Name, err)
	}
	var rsp schedulingv1alpha1.ReplicaSchedulingPreference
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &rsp); err != nil {
		return fmt.Errorf("read ReplicaSchedulingPreference %s/%s: %w", r.Namespace, r.Name, err)
	}
	if rsp.Spec.TargetKind != r.Kind {
		return nil
	}
	s := &schedulingReport{
		Preference: r.Namespace + "/" + r.Name, TotalReplicas: rsp.Spec.TotalReplicas, Rebalance: rsp.Spec.Rebalance,
		Stale:     rsp.Status.ObservedGeneration < rsp.Generation,
		Condition: meta.FindStatusCondition(rsp.Status.Conditions, schedule.ConditionScheduled),
	}
	for _, e := range rsp.Status.Clusters {
		s.Clusters = append(s.Clusters, scheduledClusters{
			Name: e.Name, Planned: e.PlannedReplicas, Overflow: e.OverflowReplicas, Current: e.CurrentReplicas,
			Why: schedule.Explain(rsp.Spec, rsp.Status.Clusters, e),
		})
	}
	r.Scheduling = s
	return nil
}

// writeText prints the plan after the propagation table.
func (s *schedulingReport) writeText(out io.Writer) error {
	fmt.Fprintf(out, "\nScheduling: ReplicaSchedulingPreference %s, %d replicas, rebalance %v\n", s.Preference, s.TotalReplicas, s.Rebalance)
	if c := s.Condition; c != nil {
		fmt.Fprintf(out, "  %s %s: %s\n", c.Status, c.Reason, c.Message)
	} else {
		fmt.Fprintln(out, "  no Scheduled condition yet (is a controller manager with SchedulerPreferences running?)")
	}
	if s.Stale {
		fmt.Fprintln(out, "  (stale: the controller has not processed the preference's latest change)")
	}
	if len(s.Clusters) == 0 {
		return nil
	}
	w := tabwriter.NewWriter(out, 0, 8, 3, ' ', 0)
	fmt.Fprintln(w, "  CLUSTER\tPLANNED\tOVERFLOW\tREADY\tWHY")
	for _, c := range s.Clusters {
		ready := "-"
		if c.Current != nil {
			ready = fmt.Sprint(*c.Current)
		}
		fmt.Fprintf(w, "  %s\t%d\t%d\t%s\t%s\n", c.Name, c.Planned, c.Overflow, ready, c.Why)
	}
	return w.Flush()
}
