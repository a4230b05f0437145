package main

import (
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
)

// globalOptions are the flags every command shares, named as kubectl names them.
type globalOptions struct {
	kubeconfig       string
	hostContext      string
	kubefedNamespace string
}

func newRootCommand() *cobra.Command {
	g := &globalOptions{}
	cmd := &cobra.Command{
		Use:           "kubefedctl",
		Short:         "Join clusters to a federation and manage federated types",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	f := cmd.PersistentFlags()
	f.StringVar(&g.kubeconfig, "kubeconfig", "", "path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)")
	f.StringVar(&g.hostContext, "host-cluster-context", "", "kubeconfig context of the host cluster (default: the current context)")
	f.StringVar(&g.kubefedNamespace, "kubefed-namespace", corev1beta1.DefaultNamespace, "namespace of the federation control plane in the host cluster")
	cmd.AddCommand(newJoinCommand(g), newUnjoinCommand(g), newVersionCommand())
	cmd.AddCommand(newFederateCommand(g), newOrphaningCommand(g), newDisableCommand(g), newStatusCommand(g))
	cmd.AddCommand(newEnableCommand(g))
	return cmd
}

// restConfig loads the kubeconfig context named ctx (the current one when empty).
func (g *globalOptions) restConfig(ctx string) (*rest.Config, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = g.kubeconfig
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: ctx}).ClientConfig()
	if err != nil {
		if ctx == "" {
			return nil, fmt.Errorf("load kubeconfig: %w", err)
		}
		return nil, fmt.Errorf("load kubeconfig context %q: %w", ctx, err)
	}
	return cfg, nil
}
