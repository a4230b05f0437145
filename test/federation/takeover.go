package federation

import (
	"testing"

	"k8s.io/apimachinery/pkg/runtime"

	typesv1beta1 "github.com/kubefed-gen/kubefed/cmd/controller-manager/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/cmd/controller-manager/fedtypes"
	"github.com/kubefed-gen/kubefed/runtime/manager"
	"github.com/kubefed-gen/kubefed/test/clusters"
)

// TakeOver starts the default controller manager, with its RBAC and admission
// policy, against clusters another control plane ran until now: set's host
// already has the CRDs, the KubeFed namespace and the members' KubeFedClusters,
// as KubeFed left them. It returns once every member is Ready; the manager stops
// when the test ends. Stopping the clusters stays with the caller.
func TakeOver(t testing.TB, set *clusters.Set, opts manager.Options) *Federation {
	t.Helper()
	setLogger(t)
	f := connect(t, set, fedtypes.Descriptors, []func(*runtime.Scheme) error{typesv1beta1.AddToScheme})
	f.run(t, opts)
	return f
}
