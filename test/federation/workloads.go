package federation

import (
	"testing"

	"github.com/kubefed-gen/kubefed/runtime/manager"
	"github.com/kubefed-gen/kubefed/test/clusters"
)

// StartMemberWorkloads starts the federation as Start does, with members that
// run pods: workloads names, by member name (clusters.MemberName), each one's
// fake nodes and their capacity; members left out are bare API servers.
func StartMemberWorkloads(t testing.TB, opts manager.Options, workloads map[string]clusters.Workloads) *Federation {
	t.Helper()
	return startFederation(t, opts, workloads)
}
