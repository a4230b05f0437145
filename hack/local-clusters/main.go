// Command local-clusters runs a host and member clusters on this machine until it is
// told to stop (SIGINT or SIGTERM). hack/local-up.sh starts it in the background;
// hack/local-down.sh stops it.
//
// Readiness is a file, not a log line: once every API server answers and the
// kubeconfig is in place, the ready file is written (atomically) holding this
// process's pid, so a starter waits for exactly the process it started and never
// mistakes an earlier run's state for it. The ready file is removed first on stop.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/kubefed-gen/kubefed/test/clusters"
)

func main() {
	// A flag set of its own: controller-runtime registers --kubeconfig globally.
	flags := flag.NewFlagSet("local-clusters", flag.ExitOnError)
	members := flags.Int("members", 2, "number of member clusters besides the host")
	kubeconfig := flags.String("kubeconfig", ".local/kubeconfig", "where to write the kubeconfig (one context per cluster)")
	readyFile := flags.String("ready-file", "", "file to write this process's pid to once the clusters are up and the kubeconfig is written (default: the kubeconfig path + .ready)")
	workloads := flags.Bool("workloads", false, "members run workloads: each has a controller manager, a scheduler and kwok with one fake node, so that pods become Running")
	sharedEtcd := flags.Bool("shared-etcd", false, "members keep their data in one etcd, each under a prefix of its own, instead of one etcd each")
	_ = flags.Parse(os.Args[1:])
	if *readyFile == "" {
		*readyFile = *kubeconfig + ".ready"
	}

	// Listen before starting: a stop that arrives while the clusters start must
	// still stop them, not kill the process and leave them behind.
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)

	opts := clusters.Options{Members: *members, SharedEtcd: *sharedEtcd}
	if *workloads {
		opts.Workloads = map[string]clusters.Workloads{}
		for i := 1; i <= *members; i++ {
			opts.Workloads[clusters.MemberName(i)] = clusters.Workloads{}
		}
	}
	set, err := clusters.Start(opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	pid := []byte(strconv.Itoa(os.Getpid()) + "\n")
	if err := set.WriteKubeconfig(*kubeconfig); err != nil {
		exit(set, fmt.Errorf("write kubeconfig: %w", err))
	}
	select {
	case <-stop: // asked to stop while starting: never report ready
		exit(set, nil)
	default:
	}
	if err := clusters.WriteFileAtomic(*readyFile, pid); err != nil {
		exit(set, fmt.Errorf("write ready file: %w", err))
	}
	for _, c := range set.All() {
		fmt.Printf("cluster %s at %s\n", c.Name, c.Config.Host)
	}
	fmt.Printf("ready: pid %d, kubeconfig %s\n", os.Getpid(), *kubeconfig)

	<-stop
	// Not ready any more from here on; a newer run's file is left alone.
	if data, err := os.ReadFile(*readyFile); err == nil && bytes.Equal(data, pid) {
		_ = os.Remove(*readyFile)
	}
	exit(set, nil)
}

// exit stops the clusters and exits, non-zero if err or stopping failed.
func exit(set *clusters.Set, err error) {
	if stopErr := set.Stop(); stopErr != nil {
		err = errors.Join(err, stopErr)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	fmt.Println("stopped")
	os.Exit(0)
}
