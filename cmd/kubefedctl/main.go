// Command kubefedctl is the user CLI of kubefed: it joins member clusters to a host
// cluster and manages federated types and objects, with KubeFed's verbs. The
// commands live in package app and the packages under this folder.
package main

import (
	"fmt"
	"os"

	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/app"
)

func main() {
	if err := app.NewCommand().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
