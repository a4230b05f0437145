// Command kubefed-gen generates typed KubeFed federation APIs, CRDs, clients and
// controllers for the Kubernetes types you name. It is what //go:generate calls.
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
