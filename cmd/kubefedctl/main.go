// Command kubefedctl is the user CLI of kubefed: it joins member clusters to a host
// cluster and manages federated types and objects, with KubeFed's verbs.
package main

import (
	"fmt"
	"os"
)

func main() {
	if err := newRootCommand().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
