// Command local-clusters runs a host and member clusters on this machine until it is
// told to stop (SIGINT or SIGTERM). hack/local-up.sh starts it in the background;
// hack/local-down.sh stops it.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/kubefed-gen/kubefed/test/clusters"
)

func main() {
	// A flag set of its own: controller-runtime registers --kubeconfig globally.
	flags := flag.NewFlagSet("local-clusters", flag.ExitOnError)
	members := flags.Int("members", 2, "number of member clusters besides the host")
	kubeconfig := flags.String("kubeconfig", ".local/kubeconfig", "where to write the kubeconfig (one context per cluster)")
	_ = flags.Parse(os.Args[1:])

	set, err := clusters.Start(clusters.Options{Members: *members})
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	if err := set.WriteKubeconfig(*kubeconfig); err != nil {
		fmt.Fprintln(os.Stderr, "error: write kubeconfig:", err)
		_ = set.Stop()
		os.Exit(1)
	}
	for _, c := range set.All() {
		fmt.Printf("cluster %s at %s\n", c.Name, c.Config.Host)
	}
	fmt.Printf("ready: kubeconfig %s\n", *kubeconfig)

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
	if err := set.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	fmt.Println("stopped")
}
