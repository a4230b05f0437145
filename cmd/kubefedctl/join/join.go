package join

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/client-go/rest"

	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/host"
	"github.com/kubefed-gen/kubefed/runtime/cluster"
)

// NewCommand returns the join command.
func NewCommand(hostOpts *host.Options) *cobra.Command {
	var (
		clusterContext string
		labels         map[string]string
		endpoint       string
		zones          []string
		region         string
		access         string
		types          []string
		timeout        time.Duration
	)
	cmd := &cobra.Command{
		Use:   "join CLUSTER_NAME --cluster-context CONTEXT [--host-cluster-context HOST]",
		Short: "Register a member cluster with the host cluster",
		Long: `join registers a member cluster with the federation, as KubeFed did: in the member
it creates a service account with full access (see --member-access) and takes a token
for it; in the host it stores the token in a Secret and creates the KubeFedCluster.
Joining again refreshes the token and the KubeFedCluster. The controller manager
renews the token before it expires; the Secret's annotation
kubefed.io/token-expiration says when it does.

--zones and --region say where the member is, for multicluster DNS (the zone and
region names of ServiceDNSRecords). They are written into the KubeFedCluster's
status, as KubeFed's users set them, and kept in its annotations kubefed.io/zones
and kubefed.io/region, which win over the topology labels of the member's nodes
(topology.kubernetes.io/zone and region) that the controller manager reads
otherwise. Without them, joining again keeps what the KubeFedCluster has.

--member-access=types grants the service account only what the controller
manager does in the member: the propagation verbs (get, list, watch, create,
update, patch, delete) on namespaces and on the target type of every
FederatedTypeConfig enabled in the host and of every --type, reads of pods,
services and ingresses (replica scheduling and multicluster DNS), nodes (zones
and region), health and version probes, and a token for itself alone (renewal).
A type enabled later is forbidden in the member until join runs again; the
KubeFedCluster's TypesAllowed condition and the federated objects' status for
that cluster say so.`,
		Example: `  kubefedctl join member1 --cluster-context member1 --host-cluster-context host
  kubefedctl join eu-west --cluster-context eu-west --labels region=eu
  kubefedctl join eu-west --cluster-context eu-west --region europe-west1 --zones europe-west1-b,europe-west1-c
  kubefedctl join member1 --member-access=types --type configmaps --type deployments.apps`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, hostConfig, memberConfig, err := inputs(hostOpts, args[0], clusterContext)
			if err != nil {
				return err
			}
			opts.Labels, opts.APIEndpoint = labels, endpoint
			opts.Zones, opts.Region = zones, region
			opts.Access, opts.Types = cluster.Access(access), types
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			if err := cluster.Join(ctx, hostConfig, memberConfig, opts); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "cluster %q joined (KubeFedCluster %s/%s)\n", args[0], opts.KubeFedNamespace, args[0])
			return nil
		},
	}
	cmd.Flags().StringVar(&clusterContext, "cluster-context", "", "kubeconfig context of the member cluster (default: the cluster name)")
	cmd.Flags().StringToStringVar(&labels, "labels", nil, "labels of the KubeFedCluster, for clusterSelector placement (region=eu,tier=gold)")
	cmd.Flags().StringVar(&endpoint, "api-endpoint", "", "the member's API server address as the host reaches it (default: from the member's kubeconfig context)")
	cmd.Flags().StringSliceVar(&zones, "zones", nil, "zones the member is in, for multicluster DNS; win over its nodes' topology.kubernetes.io/zone labels")
	cmd.Flags().StringVar(&region, "region", "", "region the member is in, for multicluster DNS; wins over its nodes' topology.kubernetes.io/region label")
	cmd.Flags().StringVar(&access, "member-access", string(cluster.AccessFull), fmt.Sprintf("what the member grants the federation: one of %v; types grants the federated types only", cluster.Accesses))
	cmd.Flags().StringSliceVar(&types, "type", nil, "with --member-access=types, a target type to grant besides those enabled in the host, as resource[.group] (deployments.apps); repeatable")
	cmd.Flags().DurationVar(&timeout, "timeout", time.Minute, "give up after this long")
	return cmd
}

// NewUnjoinCommand returns the unjoin command.
func NewUnjoinCommand(hostOpts *host.Options) *cobra.Command {
	var (
		clusterContext string
		timeout        time.Duration
	)
	cmd := &cobra.Command{
		Use:     "unjoin CLUSTER_NAME --cluster-context CONTEXT [--host-cluster-context HOST]",
		Short:   "Remove a member cluster from the host cluster",
		Long:    "unjoin removes the KubeFedCluster and its Secret from the host and the service account and its access from the member. Objects propagated to the member stay there.",
		Example: "  kubefedctl unjoin member1 --cluster-context member1 --host-cluster-context host",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, hostConfig, memberConfig, err := inputs(hostOpts, args[0], clusterContext)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			if err := cluster.Unjoin(ctx, hostConfig, memberConfig, opts); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "cluster %q unjoined\n", args[0])
			return nil
		},
	}
	cmd.Flags().StringVar(&clusterContext, "cluster-context", "", "kubeconfig context of the member cluster (default: the cluster name)")
	cmd.Flags().DurationVar(&timeout, "timeout", time.Minute, "give up after this long")
	return cmd
}

// inputs are what join and unjoin work with: the options and the configs of the
// host and of the member.
func inputs(hostOpts *host.Options, name, clusterContext string) (cluster.JoinOptions, *rest.Config, *rest.Config, error) {
	if clusterContext == "" {
		clusterContext = name
	}
	hostConfig, err := hostOpts.RESTConfig(hostOpts.HostContext)
	if err != nil {
		return cluster.JoinOptions{}, nil, nil, err
	}
	memberConfig, err := hostOpts.RESTConfig(clusterContext)
	if err != nil {
		return cluster.JoinOptions{}, nil, nil, err
	}
	hostName := hostOpts.HostContext
	if hostName == "" {
		hostName = "host"
	}
	return cluster.JoinOptions{ClusterName: name, KubeFedNamespace: hostOpts.KubefedNamespace, HostClusterName: hostName}, hostConfig, memberConfig, nil
}
