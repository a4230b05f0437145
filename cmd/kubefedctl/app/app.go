package app

import (
	"github.com/spf13/cobra"

	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/disable"
	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/enable"
	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/federate"
	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/host"
	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/join"
	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/orphaning"
	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/propagatedversions"
	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/status"
	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/version"
)

// NewCommand returns the kubefedctl root command with every command under it.
// Commands write results to the command's OutOrStdout and notes and warnings to
// its ErrOrStderr, so that a caller can capture them with SetOut and SetErr; set
// the arguments with SetArgs and run it with Execute or ExecuteContext. It
// returns its error rather than printing it, and never exits.
func NewCommand() *cobra.Command {
	hostOpts := &host.Options{}
	cmd := &cobra.Command{
		Use:           "kubefedctl",
		Short:         "Join clusters to a federation and manage federated types",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	hostOpts.AddFlags(cmd.PersistentFlags())
	cmd.AddCommand(join.NewCommand(hostOpts), join.NewUnjoinCommand(hostOpts), version.NewCommand())
	cmd.AddCommand(federate.NewCommand(hostOpts), orphaning.NewCommand(hostOpts), disable.NewCommand(hostOpts), status.NewCommand(hostOpts))
	cmd.AddCommand(enable.NewCommand(hostOpts))
	cmd.AddCommand(propagatedversions.NewCommand(hostOpts))
	return cmd
}
