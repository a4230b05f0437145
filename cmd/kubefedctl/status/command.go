package status

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/completion"
	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/host"
)

// NewCommand returns the status command.
func NewCommand(hostOpts *host.Options) *cobra.Command {
	var (
		namespace string
		output    string
		timeout   time.Duration
	)
	cmd := &cobra.Command{
		Use:   "status TYPE NAME [-n NAMESPACE] [-o yaml|json]",
		Short: "Explain where a federated object is propagated, and why not elsewhere",
		Long: `status explains the propagation of one federated object. For every joined member
cluster (and every cluster its placement names) it shows:

  READY    the cluster's Ready condition (KubeFedCluster status)
  PLACED   yes; or no, with why: not in the object's placement, or (for a
           namespaced object) its namespace has no FederatedNamespace or that
           does not place it on the cluster
  STATUS   the cluster's entry in the federated object's status (OK,
           CreationFailed, ApplyOverridesFailed, AlreadyExists, ClusterNotReady...)
  PRESENT  whether the object exists in the member, read with the credentials the
           controller uses; "yes, unmanaged" when it lacks kubefed.io/managed
  DIFF     whether the member object holds the desired object: the template with
           the cluster's overrides applied, compared field by field (fields the
           member adds, such as defaults, are not differences)

then, when the type's status is collected or the member object could be read,
how the object is doing: clusters ready of those placed, replicas ready (for a
type with replicas), and per cluster the HEALTH the controller collected
(Ready, Progressing, Degraded, Unknown; stale, with the time it was last
observed, when the member is unreachable), the health NOW as read from the
member by the controller's own rules, and the key fields of the member's status;
followed, per cluster, by what is wrong and the differing fields (JSON pointers,
desired against actual), and the fields of the member object that field managers
other than federation's own (from its managedFields: manager, operation and
field paths; "shared" when federation sets the same value): kept under the
update strategy Apply, removed under Replace. It also shows the Propagation
condition, whether the status is stale (observed generation behind the object's
generation), whether propagation of the type is disabled, orphaning, and the
update strategy (Apply, Replace, CreateOnly or ReadOnly) and where it is set. For an object a
ReplicaSchedulingPreference schedules, it also shows the plan: each cluster's
planned, overflow and ready replicas and why (weight, min, max, capacity). -o yaml
or json prints the same data structured.

TYPE is the target type as kubectl names it (deployments.apps, deploy, configmaps)
or the federated type (FederatedDeployment); NAME is the object's name. For a
Service or Ingress that a ServiceDNSRecord or IngressDNSRecord of the same name
programs DNS for, the report ends with that record.

With TYPE servicednsrecords or ingressdnsrecords, status explains a multicluster
DNS record instead: its domain, TTL and Ready condition, the records its
DNSEndpoint holds (each name, its type and targets) and whether they are the ones
the record's status gives, and per joined cluster its readiness, region and zones,
its entry in the status, and why it gives a load balancer or not, read from the
member now and explained by the controller's own code (no Service, no load-balancer
address, no ready endpoint, cluster not ready, no region).`,
		Example: `  kubefedctl status configmaps settings -n shop
  kubefedctl status deploy web -n shop -o yaml
  kubefedctl status namespaces shop
  kubefedctl status servicednsrecords web -n shop`,
		Args:              cobra.ExactArgs(2),
		ValidArgsFunction: completion.TypeAndName(hostOpts, true),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch output {
			case "", "yaml", "json":
			default:
				return fmt.Errorf("--output %q is not supported: use yaml or json", output)
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			if err := runDNS(ctx, hostOpts, args[0], namespace, args[1], output, cmd.OutOrStdout()); !errors.Is(err, errNotDNS) {
				return err
			}
			h, t, ns, err := hostOpts.ConnectForObject(ctx, args[0], namespace)
			if err != nil {
				return err
			}
			report, err := gather(ctx, h, t, ns, args[1])
			if err != nil {
				return err
			}
			report.explain()
			return report.write(cmd.OutOrStdout(), output)
		},
	}
	cmd.Flags().StringVarP(&namespace, "namespace", "n", "", "namespace of the object (default: the namespace of the host context, else default)")
	cmd.Flags().StringVarP(&output, "output", "o", "", "print the report as yaml or json")
	cmd.Flags().DurationVar(&timeout, "timeout", 30*time.Second, "give up after this long (member clusters get at most 10s each)")
	return cmd
}
