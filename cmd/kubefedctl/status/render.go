package status

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"sigs.k8s.io/yaml"

	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/orphaning"
	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/dispatch"
	"github.com/kubefed-gen/kubefed/runtime/drift"
)

func describeDiff(d drift.Difference) string {
	if d.Missing {
		return fmt.Sprintf("%s: desired %s, missing in the member", d.Path, short(d.Desired))
	}
	return fmt.Sprintf("%s: desired %s, the member has %s", d.Path, short(d.Desired), short(d.Actual))
}

func short(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if s := string(data); len(s) <= 80 {
		return s
	}
	return string(data[:77]) + "..."
}

func (r *statusReport) write(out io.Writer, format string) error {
	switch format {
	case "json":
		data, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(out, "%s\n", data)
		return err
	case "yaml":
		data, err := yaml.Marshal(r)
		if err != nil {
			return err
		}
		_, err = out.Write(data)
		return err
	}
	return r.writeText(out)
}

// writeText prints the report the way kubectl describe prints objects.
func (r *statusReport) writeText(out io.Writer) error {
	w := tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)
	field := func(name, format string, args ...any) {
		fmt.Fprintf(w, "%s:\t%s\n", name, fmt.Sprintf(format, args...))
	}
	field("Name", "%s", r.Name)
	if r.Namespace != "" {
		field("Namespace", "%s", r.Namespace)
	}
	field("Kind", "%s (%s), federates %s", r.Kind, r.APIVersion, r.Type)
	gen := fmt.Sprintf("%d, status observed generation %d", r.Generation, r.ObservedGeneration)
	if r.StatusStale {
		gen += " (stale: the controller has not processed the latest change"
		if r.TypePropagation == string(corev1beta1.Disabled) {
			gen += ", and propagation of the type is disabled"
		}
		gen += ")"
	}
	field("Generation", "%s", gen)
	if c := r.Propagation; c != nil {
		field("Propagation", "%s %s: %s", c.Status, c.Reason, c.Message)
	} else {
		field("Propagation", "no condition yet")
	}
	if c := r.Ready; c != nil {
		field("Ready", "%s %s: %s", c.Status, c.Reason, c.Message)
	}
	typeLine := r.TypePropagation
	if r.TypeConfig != "" {
		typeLine += " (FederatedTypeConfig " + r.TypeConfig + ")"
	} else {
		typeLine += " (no FederatedTypeConfig)"
	}
	field("Type propagation", "%s", typeLine)
	field("Orphaning", "%s", r.Orphaning)
	if r.UpdateStrategyError != "" {
		field("Update strategy", "invalid: %s", r.UpdateStrategyError)
	} else {
		field("Update strategy", "%s (%s)", r.UpdateStrategy, strategySource[r.UpdateStrategySource])
	}
	if r.Deleting {
		field("Deleting", "yes: member objects are being %s", map[bool]string{true: "released (orphaned)", false: "deleted"}[r.Orphaning == orphaning.Enabled])
	}
	field("Placement", "%s", r.Placement)
	if r.PlacementError != "" {
		field("Placement error", "%s", r.PlacementError)
	}
	if r.NamespacePlacement != "" {
		field("Namespace placement", "%s", r.NamespacePlacement)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(out)
	w = tabwriter.NewWriter(out, 0, 8, 3, ' ', 0)
	fmt.Fprintln(w, "CLUSTER\tREADY\tPLACED\tSTATUS\tPRESENT\tDIFF")
	for _, c := range r.Clusters {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", c.Name, orValue(c.Ready, "not joined"), c.placedColumn(), orValue(c.Status, "-"), c.presentColumn(), c.diffColumn())
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := r.writeHealth(out); err != nil {
		return err
	}
	for _, c := range r.Clusters {
		if len(c.Explanation) == 0 && len(c.OtherManagers) == 0 {
			continue
		}
		fmt.Fprintf(out, "\n%s:\n", c.Name)
		for _, line := range c.Explanation {
			fmt.Fprintf(out, "  %s\n", line)
		}
		if len(c.OtherManagers) > 0 {
			fmt.Fprintf(out, "  fields other field managers own (kept under Apply; Replace removes those not shared with %s):\n", dispatch.FieldManager)
			for _, m := range c.OtherManagers {
				fmt.Fprintf(out, "    %s (%s): %s\n", m.Manager, m.Operation, ownedFields(m))
			}
		}
	}
	if r.Scheduling != nil {
		if err := r.Scheduling.writeText(out); err != nil {
			return err
		}
	}
	if r.DNS != nil {
		fmt.Fprintln(out, "\nDNS:")
		return r.DNS.writeText(out)
	}
	return nil
}

func orValue(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

func (c *clusterReport) placedColumn() string {
	switch c.NotPlacedReason {
	case "":
		return "yes"
	case notInPlacement:
		return "no: not in placement"
	case namespaceNotFederated:
		return "no: namespace not federated"
	}
	return "no: namespace not placed"
}

func (c *clusterReport) presentColumn() string {
	switch c.Present {
	case presentYes:
		if c.Managed != nil && !*c.Managed {
			return "yes, unmanaged"
		}
		return "yes"
	case presentNo:
		return "no"
	case presentUnreachable:
		return "unreachable"
	}
	if c.Joined {
		return "unknown"
	}
	return "-"
}

func (c *clusterReport) diffColumn() string {
	switch {
	case !c.Placed:
		return "-"
	case c.DesiredError != "":
		return "overrides failed"
	case c.InSync == nil:
		if c.Present == presentNo {
			return "missing"
		}
		return "-"
	case *c.InSync:
		return "in sync"
	}
	return fmt.Sprintf("%d field(s) differ", len(c.Differences)+c.MoreDifferences)
}

var strategySource = map[string]string{
	"object":              "annotation " + fedv1beta1.UpdateStrategyAnnotation + " on the object",
	"FederatedTypeConfig": "annotation " + fedv1beta1.UpdateStrategyAnnotation + " on the FederatedTypeConfig",
	"default":             "the default",
}

// ownedFields lists a manager's fields, the shared ones marked.
func ownedFields(m dispatch.ManagerFields) string {
	fields := slices.Clone(m.Fields)
	for _, f := range m.Shared {
		fields = append(fields, f+" (shared)")
	}
	return strings.Join(fields, ", ")
}
