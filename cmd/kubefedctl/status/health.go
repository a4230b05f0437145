package status

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubefed-gen/kubefed/runtime/health"
)

// healthSummary is what status collection says of the object as a whole.
type healthSummary struct {
	// ReadyClusters of PlacedClusters have a Ready object (the READY column).
	ReadyClusters  int32 `json:"readyClusters"`
	PlacedClusters int32 `json:"placedClusters"`
	// Replicas and ReadyReplicas are summed over the clusters, for a type
	// with spec.replicas.
	Replicas      *int32 `json:"replicas,omitempty"`
	ReadyReplicas *int32 `json:"readyReplicas,omitempty"`
	// HealthCondition is the condition of the target that means healthy,
	// when the type names one; else each kind is judged by its own rule.
	HealthCondition string `json:"healthCondition,omitempty"`
}

// memberHealth is how the object is doing in one cluster.
type memberHealth struct {
	// Collected is the health the controller wrote in the federated object's
	// status; empty when the type's status is not collected.
	Collected string `json:"collected,omitempty"`
	// Stale says the controller could not read the member: Collected and
	// Status are as last observed, at LastObservedTime.
	Stale            bool         `json:"stale,omitempty"`
	LastObservedTime *metav1.Time `json:"lastObservedTime,omitempty"`
	// Now is the health of the member object as read now, judged by the
	// controller's own rules (package runtime/health).
	Now string `json:"now,omitempty"`
	// Status lists the key fields of the member object's status, as read now
	// when the member answered, else as collected.
	Status []string `json:"status,omitempty"`
}

// readHealth fills what the federated object's status says of health.
func (r *statusReport) readHealth() {
	st := r.fed.FederatedStatus()
	collected := st.Replicas != nil
	for _, c := range st.Clusters {
		collected = collected || c.Health != ""
	}
	if !collected {
		return
	}
	r.Health = &healthSummary{ReadyClusters: st.ReadyClusters, PlacedClusters: st.PlacedClusters, Replicas: st.Replicas, ReadyReplicas: st.ReadyReplicas,
		HealthCondition: r.healthCondition}
	for i := range r.Clusters {
		c := &r.Clusters[i]
		entry, ok := r.statuses[c.Name]
		if !ok || entry.Health == "" {
			continue
		}
		if c.Health == nil {
			c.Health = &memberHealth{}
		}
		c.Health.Collected, c.Health.Stale, c.Health.LastObservedTime = string(entry.Health), entry.Stale, entry.LastObservedTime
		if len(c.Health.Status) == 0 && entry.RemoteStatus != nil {
			var remote map[string]any
			if json.Unmarshal(entry.RemoteStatus.Raw, &remote) == nil {
				c.Health.Status = keyStatusFields(remote)
			}
		}
	}
}

// setLiveHealth records the health of actual, the member object as read now,
// judged by condition when the type names one (health.For).
func (c *clusterReport) setLiveHealth(actual *unstructured.Unstructured, condition string) {
	if c.Health == nil {
		c.Health = &memberHealth{}
	}
	c.Health.Now = string(health.For(actual, condition))
	if st, ok := actual.Object["status"].(map[string]any); ok {
		c.Health.Status = keyStatusFields(st)
	}
}

// keyStatusFields picks what tells how an object is doing from its status:
// counts (replicas, ready, succeeded...), the phase, load balancer addresses,
// and conditions, as name=value.
func keyStatusFields(st map[string]any) []string {
	var out []string
	for k, v := range st {
		switch v := v.(type) {
		case int64, float64:
			if k != "observedGeneration" && k != "collisionCount" {
				out = append(out, fmt.Sprintf("%s=%v", k, v))
			}
		case string:
			if k == "phase" {
				out = append(out, "phase="+v)
			}
		}
	}
	sort.Strings(out)
	if ingress, _, _ := unstructured.NestedSlice(st, "loadBalancer", "ingress"); len(ingress) > 0 {
		var addrs []string
		for _, i := range ingress {
			m, _ := i.(map[string]any)
			for _, k := range []string{"ip", "hostname"} {
				if s, ok := m[k].(string); ok {
					addrs = append(addrs, s)
				}
			}
		}
		out = append(out, "loadBalancer="+strings.Join(addrs, ","))
	}
	conditions, _, _ := unstructured.NestedSlice(st, "conditions")
	for _, c := range conditions {
		m, _ := c.(map[string]any)
		s := fmt.Sprintf("%v=%v", m["type"], m["status"])
		if reason, ok := m["reason"].(string); ok && reason != "" {
			s += "(" + reason + ")"
		}
		out = append(out, s)
	}
	return out
}

// writeHealth prints the health section of the text report, if the type's
// status is collected or some member object was read.
func (r *statusReport) writeHealth(out io.Writer) error {
	shown := r.Health != nil
	for _, c := range r.Clusters {
		shown = shown || c.Health != nil
	}
	if !shown {
		return nil
	}
	fmt.Fprintln(out)
	if h := r.Health; h != nil {
		line := fmt.Sprintf("Health: %d of %d placed cluster(s) ready", h.ReadyClusters, h.PlacedClusters)
		if h.Replicas != nil {
			line += fmt.Sprintf("; replicas %d/%d ready", *h.ReadyReplicas, *h.Replicas)
		}
		if h.HealthCondition != "" {
			line += fmt.Sprintf(" (healthy: condition %s True)", h.HealthCondition)
		}
		fmt.Fprintln(out, line)
	} else {
		fmt.Fprintln(out, "Health: none collected in the federated object's status (statusCollection Disabled, or not collected yet); as read now from the members:")
	}
	w := tabwriter.NewWriter(out, 0, 8, 3, ' ', 0)
	fmt.Fprintln(w, "CLUSTER\tHEALTH\tNOW\tOBSERVED\tSTATUS")
	for _, c := range r.Clusters {
		h := c.Health
		if h == nil {
			continue
		}
		observed := "-"
		if h.LastObservedTime != nil {
			observed = h.LastObservedTime.UTC().Format(time.RFC3339)
		}
		collected := orValue(h.Collected, "-")
		if h.Stale {
			collected += " (stale: member unreachable)"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", c.Name, collected, orValue(h.Now, "-"), observed, orValue(strings.Join(h.Status, " "), "-"))
	}
	return w.Flush()
}
