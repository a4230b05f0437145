package version

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set at build time with
// -ldflags "-X github.com/kubefed-gen/kubefed/cmd/kubefedctl/version.version=v1.2.3";
// without it the module version from the build information is shown.
var version = ""

// NewCommand returns the version command.
func NewCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the kubefedctl version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			v := version
			if v == "" {
				v = "(devel)"
				if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
					v = info.Main.Version
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "kubefedctl %s\n", v)
		},
	}
}
