package e2e

import (
	"bytes"
	"context"
	"time"

	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/app"
)

// runCtl runs kubefedctl in-process against the host context of kubeconfig, for
// at most a minute.
func runCtl(ctx context.Context, kubeconfig string, args ...string) (stdout, stderr string, err error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cmd := app.NewCommand()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(append([]string{"--kubeconfig", kubeconfig, "--host-cluster-context", "host"}, args...))
	err = cmd.ExecuteContext(ctx)
	return out.String(), errOut.String(), err
}
