package completion

import (
	"slices"
	"sort"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/host"
)

// Types completes a TYPE argument with the types the host federates.
func Types(hostOpts *host.Options) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		h, err := hostOpts.Connect(cmd.Context())
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		return h.Resolver.TypeNames(), cobra.ShellCompDirectiveNoFileComp
	}
}

// TypeAndName completes TYPE, then NAME with the names of objects of that
// type in the namespace of the -n flag: federated objects when federated is true,
// else target objects.
func TypeAndName(hostOpts *host.Options, federated bool) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		switch len(args) {
		case 0:
			return Types(hostOpts)(cmd, args, toComplete)
		case 1:
		default:
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		h, err := hostOpts.Connect(cmd.Context())
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		t, err := h.Resolver.Resolve(args[0])
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		ns := ""
		if f := cmd.Flags().Lookup("namespace"); f != nil {
			ns = hostOpts.Namespace(f.Value.String())
		}
		var list *unstructured.UnstructuredList
		switch {
		case federated && t.Installed && t.IsNamespace():
			list, err = h.FederatedClient(t, "").List(cmd.Context(), metav1.ListOptions{})
		case federated && t.Installed:
			list, err = h.FederatedClient(t, ns).List(cmd.Context(), metav1.ListOptions{})
		case !federated:
			list, err = h.TargetClient(t, ns).List(cmd.Context(), metav1.ListOptions{})
		default:
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		var names []string
		for _, item := range list.Items {
			names = append(names, item.GetName())
		}
		sort.Strings(names)
		return slices.Compact(names), cobra.ShellCompDirectiveNoFileComp
	}
}
