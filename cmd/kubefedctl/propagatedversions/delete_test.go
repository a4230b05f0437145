package propagatedversions

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/host"
	corev1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1alpha1"
)

func TestDelete(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
		// left is what remains afterwards, as namespace/name (cluster-scoped: /name).
		left []string
		out  string
	}{
		{
			name: "one namespace",
			opts: Options{Namespace: "shop", DryRun: DryRunNone},
			left: []string{"/clusterroles-reader", "other/configmaps-b"},
			out: `propagatedversion.core.kubefed.io "configmaps-a" deleted from shop namespace
propagatedversion.core.kubefed.io "deployments.apps-web" deleted from shop namespace
`,
		},
		{
			name: "all namespaces and the cluster-scoped ones",
			opts: Options{AllNamespaces: true, DryRun: DryRunNone},
			left: nil,
			out: `propagatedversion.core.kubefed.io "configmaps-b" deleted from other namespace
propagatedversion.core.kubefed.io "configmaps-a" deleted from shop namespace
propagatedversion.core.kubefed.io "deployments.apps-web" deleted from shop namespace
clusterpropagatedversion.core.kubefed.io "clusterroles-reader" deleted
`,
		},
		{
			name: "client dry run deletes nothing",
			opts: Options{AllNamespaces: true, DryRun: DryRunClient},
			left: []string{"/clusterroles-reader", "other/configmaps-b", "shop/configmaps-a", "shop/deployments.apps-web"},
			out: `propagatedversion.core.kubefed.io "configmaps-b" deleted from other namespace (dry run)
propagatedversion.core.kubefed.io "configmaps-a" deleted from shop namespace (dry run)
propagatedversion.core.kubefed.io "deployments.apps-web" deleted from shop namespace (dry run)
clusterpropagatedversion.core.kubefed.io "clusterroles-reader" deleted (dry run)
`,
		},
		{
			name: "an empty namespace",
			opts: Options{Namespace: "empty", DryRun: DryRunNone},
			left: []string{"/clusterroles-reader", "other/configmaps-b", "shop/configmaps-a", "shop/deployments.apps-web"},
			out:  "No PropagatedVersions found in namespace empty.\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := fakeHost(t)
			var out bytes.Buffer
			if err := Delete(context.Background(), c, tc.opts, &out); err != nil {
				t.Fatal(err)
			}
			if out.String() != tc.out {
				t.Errorf("output:\n%s\nwant:\n%s", out.String(), tc.out)
			}
			if got := remaining(t, c); !slices.Equal(got, tc.left) {
				t.Errorf("left %v, want %v", got, tc.left)
			}
		})
	}
}

// TestCommandFlags checks the flag errors, which come before any connection.
func TestCommandFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--dry-run=maybe"}, `invalid --dry-run "maybe": must be "none", "client" or "server"`},
		{[]string{"-n", "shop", "-A"}, "--namespace and --all-namespaces cannot be used together"},
		{[]string{"extra"}, `unknown command "extra"`},
	} {
		cmd := NewCommand(&host.Options{})
		cmd.SetArgs(tc.args)
		cmd.SetOut(&bytes.Buffer{})
		cmd.SetErr(&bytes.Buffer{})
		err := cmd.Execute()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.args, err, tc.want)
		}
	}
}

func fakeHost(t *testing.T) client.Client {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := corev1alpha1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	pv := func(ns, name string) client.Object {
		return &corev1alpha1.PropagatedVersion{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID("uid-" + ns + "-" + name)}}
	}
	return fake.NewClientBuilder().WithScheme(scheme).WithObjects(
		pv("shop", "configmaps-a"), pv("shop", "deployments.apps-web"), pv("other", "configmaps-b"),
		&corev1alpha1.ClusterPropagatedVersion{ObjectMeta: metav1.ObjectMeta{Name: "clusterroles-reader", UID: "uid-reader"}},
	).Build()
}

func remaining(t *testing.T, c client.Client) []string {
	t.Helper()
	var left []string
	var pvs corev1alpha1.PropagatedVersionList
	var cpvs corev1alpha1.ClusterPropagatedVersionList
	if err := c.List(context.Background(), &pvs); err != nil {
		t.Fatal(err)
	}
	if err := c.List(context.Background(), &cpvs); err != nil {
		t.Fatal(err)
	}
	for _, o := range pvs.Items {
		left = append(left, o.Namespace+"/"+o.Name)
	}
	for _, o := range cpvs.Items {
		left = append(left, "/"+o.Name)
	}
	slices.Sort(left)
	return left
}
