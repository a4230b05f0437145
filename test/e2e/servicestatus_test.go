package e2e

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	typesv1beta1 "github.com/kubefed-gen/kubefed/cmd/controller-manager/apis/types/v1beta1"
	corev1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1alpha1"
	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/manager"
	"github.com/kubefed-gen/kubefed/test/federation"
)

const svcStatusNamespace = "svcstatus"

// TestServiceStatus: KubeFed's FederatedServiceStatus is written from a
// FederatedService's collected status only while the services
// FederatedTypeConfig sets statusType, lists both members' load balancers,
// follows a change, and goes with the opt-in and with the FederatedService.
func TestServiceStatus(t *testing.T) {
	f := federation.Start(t, manager.Options{})
	ctx := context.Background()
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, corev1beta1.AddToScheme, corev1alpha1.AddToScheme, typesv1beta1.AddToScheme} {
		if err := add(scheme); err != nil {
			t.Fatal(err)
		}
	}
	host, err := client.New(f.Set.Host.Config, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	key := client.ObjectKey{Namespace: svcStatusNamespace, Name: "web"}

	// The services FederatedTypeConfig, status collection Enabled, no statusType yet.
	ftc := federation.TypeInfo(t, "services").TypeConfig(federation.KubefedNamespace, corev1beta1.Enabled)
	ftc.Spec.StatusCollection = ptr.To(corev1beta1.Enabled)
	if err := host.Create(ctx, ftc); err != nil {
		t.Fatal(err)
	}
	setStatusType := func(on bool) {
		t.Helper()
		f.Eventually(t, fmt.Sprintf("statusType set: %v", on), func(ctx context.Context) error {
			var cur corev1beta1.FederatedTypeConfig
			if err := host.Get(ctx, client.ObjectKeyFromObject(ftc), &cur); err != nil {
				return err
			}
			cur.Spec.StatusType = nil
			if on {
				cur.Spec.StatusType = &corev1beta1.APIResource{
					Group: "core.kubefed.io", Version: "v1alpha1", Kind: "FederatedServiceStatus",
					PluralName: "federatedservicestatuses", Scope: string(corev1beta1.ScopeNamespaced),
				}
			}
			return host.Update(ctx, &cur)
		})
	}

	f.FederateNamespace(t, svcStatusNamespace, "member1", "member2")
	fs := &typesv1beta1.FederatedService{ObjectMeta: metav1.ObjectMeta{Namespace: key.Namespace, Name: key.Name}}
	fs.SetTemplate(&corev1.Service{Spec: corev1.ServiceSpec{
		Type:     corev1.ServiceTypeLoadBalancer,
		Selector: map[string]string{"app": "web"},
		Ports:    []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8080), Protocol: corev1.ProtocolTCP}},
	}})
	fs.Spec.Placement = federation.PlacementOn("member1", "member2")
	if err := host.Create(ctx, fs); err != nil {
		t.Fatal(err)
	}
	waitMembers(t, f, "Service web", present(&corev1.Service{}, key.Namespace, key.Name), "member1", "member2")
	lbs := map[string][]string{"member1": {"192.0.2.1"}, "member2": {"198.51.100.1"}}
	setLB := func(member string, ips ...string) {
		t.Helper()
		f.Eventually(t, "set the load balancer of Service web in "+member, func(ctx context.Context) error {
			var svc corev1.Service
			if err := f.Members[member].Get(ctx, key, &svc); err != nil {
				return err
			}
			svc.Status.LoadBalancer = loadBalancer(ips)
			return f.Members[member].Status().Update(ctx, &svc)
		})
	}
	for m, ips := range lbs {
		setLB(m, ips...)
	}
	// ips are the load-balancer IPs of each cluster's entry, in order.
	ips := func(entries []corev1alpha1.FederatedServiceClusterStatus) map[string][]string {
		out := map[string][]string{}
		for _, e := range entries {
			out[e.ClusterName] = []string{}
			for _, in := range e.Status.LoadBalancer.Ingress {
				out[e.ClusterName] = append(out[e.ClusterName], in.IP)
			}
		}
		return out
	}
	waitStatus := func(want map[string][]string) {
		t.Helper()
		f.Eventually(t, fmt.Sprintf("FederatedServiceStatus web lists %v", want), func(ctx context.Context) error {
			var st corev1alpha1.FederatedServiceStatus
			if err := host.Get(ctx, key, &st); err != nil {
				return err
			}
			names := make([]string, len(st.ClusterStatus))
			for i, e := range st.ClusterStatus {
				names[i] = e.ClusterName
			}
			if !slices.IsSorted(names) {
				return fmt.Errorf("clusters not sorted: %v", names)
			}
			if got := ips(st.ClusterStatus); fmt.Sprint(got) != fmt.Sprint(want) {
				return fmt.Errorf("load balancers %v", got)
			}
			if len(st.OwnerReferences) != 1 || st.OwnerReferences[0].Kind != "FederatedService" || st.OwnerReferences[0].Name != key.Name {
				return fmt.Errorf("owner references %v", st.OwnerReferences)
			}
			return nil
		})
	}
	waitGone := func(what string) {
		t.Helper()
		f.Eventually(t, what, func(ctx context.Context) error {
			return expectNotFound(host.Get(ctx, key, &corev1alpha1.FederatedServiceStatus{}))
		})
	}

	t.Run("without statusType none is written", func(t *testing.T) {
		f.Eventually(t, "both load balancers collected into the FederatedService's status", func(ctx context.Context) error {
			var got typesv1beta1.FederatedService
			if err := host.Get(ctx, key, &got); err != nil {
				return err
			}
			for m, want := range lbs {
				st, ok, err := got.RemoteStatus(m)
				if err != nil || !ok || len(st.LoadBalancer.Ingress) != 1 || st.LoadBalancer.Ingress[0].IP != want[0] {
					return fmt.Errorf("%s: %v %v %v", m, st, ok, err)
				}
			}
			return nil
		})
		time.Sleep(time.Second) // the controller has seen the collected status
		err := host.Get(ctx, key, &corev1alpha1.FederatedServiceStatus{})
		if !apierrors.IsNotFound(err) {
			t.Fatalf("FederatedServiceStatus without statusType: %v", err)
		}
	})

	t.Run("written with statusType, follows a change", func(t *testing.T) {
		setStatusType(true)
		waitStatus(lbs)
		setLB("member2", "203.0.113.7")
		waitStatus(map[string][]string{"member1": lbs["member1"], "member2": {"203.0.113.7"}})
	})

	t.Run("deleted when statusType goes, back when it returns", func(t *testing.T) {
		setStatusType(false)
		waitGone("FederatedServiceStatus deleted without statusType")
		setStatusType(true)
		waitStatus(map[string][]string{"member1": lbs["member1"], "member2": {"203.0.113.7"}})
	})

	t.Run("deleted with the FederatedService", func(t *testing.T) {
		if err := host.Delete(ctx, fs); err != nil {
			t.Fatal(err)
		}
		waitGone("FederatedServiceStatus deleted with its FederatedService")
	})
}
