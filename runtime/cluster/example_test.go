package cluster_test

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"

	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/cluster"
)

// Join registers a member with the host; running it again refreshes the token.
func ExampleJoin() {
	var host, member *rest.Config // e.g. from two kubeconfig contexts
	err := cluster.Join(context.Background(), host, member, cluster.JoinOptions{
		ClusterName:     "member1",
		HostClusterName: "host",
		Labels:          map[string]string{"region": "eu"},
	})
	if err != nil {
		fmt.Println(err)
	}
}

// A sync controller finds members in the registry, is told when they change, and
// watches its target type in all of them.
func ExampleRegistry() {
	var mgr ctrl.Manager // its scheme knows corev1 and core.kubefed.io
	registry, err := cluster.NewRegistry(mgr, cluster.Options{
		Namespace:          corev1beta1.DefaultNamespace,
		CacheLabelSelector: labels.SelectorFromSet(labels.Set{"kubefed.io/managed": "true"}),
	})
	if err != nil {
		panic(err)
	}
	registry.OnChange(func(name string) { fmt.Println("cluster changed:", name) })
	var syncController controller.Controller // e.g. from ctrl.NewControllerManagedBy(mgr)...Build(r)
	_ = registry.WatchMembers(context.Background(), cluster.MemberWatch{
		Object:     &corev1.ConfigMap{},
		Controller: syncController,
		// Member objects map to the federated object of the same name.
		Handler: func(string) handler.EventHandler { return &handler.EnqueueRequestForObject{} },
	})
	for _, m := range registry.Members() {
		if m.Ready() {
			fmt.Println(m.Name, m.Labels)
		}
	}
}
