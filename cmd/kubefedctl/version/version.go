package version

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	moduleversion "github.com/kubefed-gen/kubefed/runtime/version"
)

// NewCommand returns the version command: the kubefed module version kubefedctl
// was built from (set at build time with -ldflags "-X
// github.com/kubefed-gen/kubefed/runtime/version.version=v1.2.3", else taken from
// the build information) and the API versions it reads and writes.
func NewCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the kubefedctl version and the API versions it speaks",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "kubefedctl %s\n", moduleversion.Get())
			fmt.Fprintf(out, "module: %s %s\n", moduleversion.Module, moduleversion.Get())
			fmt.Fprintf(out, "KubeFed APIs: %s\n", strings.Join(moduleversion.APIVersions(), ", "))
			fmt.Fprintf(out, "Federated types: %s (kubefed-gen's default group version)\n", moduleversion.FederatedAPIVersion)
		},
	}
}
