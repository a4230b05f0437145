package e2e

import (
	"flag"
	"fmt"
	"os"
	"testing"
)

// TestMain leaves the end-to-end tests out of the fast tier (go test -short,
// make test-unit): they start several real clusters and build binaries.
func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		fmt.Println("e2e: skipped in -short mode; make test runs them")
		os.Exit(0)
	}
	os.Exit(m.Run())
}
