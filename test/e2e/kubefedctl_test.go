package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	typesv1beta1 "github.com/kubefed-gen/kubefed/cmd/controller-manager/apis/types/v1beta1"
	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/manager"
	"github.com/kubefed-gen/kubefed/test/federation"
)

// ctlStatus is the part of `kubefedctl status -o json` the test reads.
type ctlStatus struct {
	Generation         int64 `json:"generation"`
	ObservedGeneration int64 `json:"observedGeneration"`
	StatusStale        bool  `json:"statusStale"`
	TypePropagation    string
	Clusters           []struct {
		Name        string
		Ready       string
		Placed      bool
		Status      string
		Message     string
		Present     string
		Managed     *bool
		InSync      *bool
		Differences []struct {
			Path            string
			Desired, Actual any
		}
	}
}

// TestKubefedctl drives kubefedctl's commands as a user would, in-process through
// its library (TestCLIWithCRDType runs the built binary), against a real host and
// two members with the default controller manager running; the subtests share the
// clusters and run in order.
func TestKubefedctl(t *testing.T) {
	f := federation.Start(t, manager.Options{})
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := f.Set.WriteKubeconfig(kubeconfig); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	// ctl runs kubefedctl against the host context.
	ctl := func(args ...string) (string, string, error) { return runCtl(ctx, kubeconfig, args...) }
	mustCtl := func(t *testing.T, args ...string) string {
		t.Helper()
		stdout, stderr, err := ctl(args...)
		if err != nil {
			t.Fatalf("kubefedctl %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, stdout, stderr)
		}
		return stdout
	}
	failCtl := func(t *testing.T, wantErr string, args ...string) {
		t.Helper()
		stdout, stderr, err := ctl(args...)
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("kubefedctl %s: err %v, want an error containing %q\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, wantErr, stdout, stderr)
		}
	}
	status := func(t *testing.T, args ...string) (ctlStatus, error) {
		t.Helper()
		stdout, stderr, err := ctl(append([]string{"status", "-o", "json"}, args...)...)
		if err != nil {
			return ctlStatus{}, fmt.Errorf("%v: %s", err, stderr)
		}
		var st ctlStatus
		if err := json.Unmarshal([]byte(stdout), &st); err != nil {
			return st, fmt.Errorf("%v: %s", err, stdout)
		}
		return st, nil
	}
	memberCM := func(member string) (*corev1.ConfigMap, error) {
		var cm corev1.ConfigMap
		err := f.Members[member].Get(ctx, client.ObjectKey{Namespace: "fedctl", Name: "settings"}, &cm)
		return &cm, err
	}
	hostFCM := &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "fedctl", Name: "settings"}}
	updateFCM := func(t *testing.T, change func(*typesv1beta1.FederatedConfigMap)) {
		t.Helper()
		f.Eventually(t, "update FederatedConfigMap", func(ctx context.Context) error {
			if err := f.Host.Get(ctx, client.ObjectKeyFromObject(hostFCM), hostFCM); err != nil {
				return err
			}
			change(hostFCM)
			return f.Host.Update(ctx, hostFCM)
		})
	}
	setTypePropagation := func(t *testing.T, s corev1beta1.Switch) {
		t.Helper()
		ftc := &corev1beta1.FederatedTypeConfig{}
		if err := f.Host.Get(ctx, client.ObjectKey{Namespace: federation.KubefedNamespace, Name: "configmaps"}, ftc); err != nil {
			t.Fatal(err)
		}
		ftc.Spec.Propagation = s
		if err := f.Host.Update(ctx, ftc); err != nil {
			t.Fatal(err)
		}
	}

	for _, obj := range []client.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "fedctl"}},
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "fedctl", Name: "settings", Labels: map[string]string{"app": "shop"}}, Data: map[string]string{"color": "blue"}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "fedctl", Name: "creds"}, StringData: map[string]string{"token": "s3cret"}},
		&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: "fedctl", Name: "robot"}},
	} {
		if err := f.Host.Create(ctx, obj); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("federate a namespace and a configmap", func(t *testing.T) {
		out := mustCtl(t, "federate", "namespaces", "fedctl")
		if !strings.Contains(out, "FederatedNamespace fedctl/fedctl created") {
			t.Errorf("output %q", out)
		}
		out = mustCtl(t, "federate", "cm", "settings", "-n", "fedctl")
		if !strings.Contains(out, "FederatedConfigMap fedctl/settings created") {
			t.Errorf("output %q", out)
		}
		for member := range f.Members {
			f.Eventually(t, "configmap in "+member, func(context.Context) error {
				cm, err := memberCM(member)
				if err != nil {
					return err
				}
				if cm.Data["color"] != "blue" || cm.Labels["app"] != "shop" || cm.Labels[fedv1beta1.ManagedLabel] != "true" {
					return fmt.Errorf("data %v labels %v", cm.Data, cm.Labels)
				}
				return nil
			})
		}
		failCtl(t, "already federated", "federate", "configmaps", "settings", "-n", "fedctl")
		failCtl(t, "did you mean configmaps", "federate", "configmapz", "settings", "-n", "fedctl")
		failCtl(t, "ConfigMap fedctl/nothing not found", "federate", "configmaps", "nothing", "-n", "fedctl")
	})

	t.Run("status: propagated to both clusters", func(t *testing.T) {
		f.Eventually(t, "status OK in both clusters", func(context.Context) error {
			st, err := status(t, "configmaps", "settings", "-n", "fedctl")
			if err != nil {
				return err
			}
			if len(st.Clusters) != 2 {
				return fmt.Errorf("clusters %+v", st.Clusters)
			}
			for _, c := range st.Clusters {
				if c.Ready != "True" || !c.Placed || c.Status != "OK" || c.Present != "Yes" || c.Managed == nil || !*c.Managed || c.InSync == nil || !*c.InSync {
					return fmt.Errorf("cluster %+v", c)
				}
			}
			if st.StatusStale {
				return fmt.Errorf("stale status: %+v", st)
			}
			return nil
		})
		out := mustCtl(t, "status", "configmaps", "settings", "-n", "fedctl")
		for _, want := range []string{
			`(?m)^member1\s+True\s+yes\s+OK\s+yes\s+in sync$`,
			`(?m)^member2\s+True\s+yes\s+OK\s+yes\s+in sync$`,
			`Propagation:\s+True Propagated`,
			`Namespace placement:\s+FederatedNamespace fedctl places namespace fedctl on member1, member2`,
		} {
			if !regexp.MustCompile(want).MatchString(out) {
				t.Errorf("status output does not match %s:\n%s", want, out)
			}
		}
		// Shell completion offers the federated types, then the objects.
		if out := mustCtl(t, "__complete", "status", ""); !strings.Contains(out, "configmaps\n") || !strings.Contains(out, "deployments.apps\n") {
			t.Errorf("completion of TYPE:\n%s", out)
		}
		if out := mustCtl(t, "__complete", "status", "configmaps", "-n", "fedctl", ""); !strings.HasPrefix(out, "settings\n") {
			t.Errorf("completion of NAME:\n%s", out)
		}
		out = mustCtl(t, "status", "namespaces", "fedctl", "-o", "yaml")
		if !strings.Contains(out, "kind: FederatedNamespace") || !strings.Contains(out, "status: OK") {
			t.Errorf("status of the namespace:\n%s", out)
		}
	})

	t.Run("status explains ApplyOverridesFailed", func(t *testing.T) {
		updateFCM(t, func(o *typesv1beta1.FederatedConfigMap) {
			o.Spec.Overrides = []fedv1beta1.GenericOverrideItem{{ClusterName: "member2", ClusterOverrides: []fedv1beta1.ClusterOverride{
				{Path: "/data/color/shade", Value: &apiextensionsv1.JSON{Raw: []byte(`"dark"`)}},
			}}}
		})
		var out string
		f.Eventually(t, "ApplyOverridesFailed in the status", func(context.Context) error {
			out = mustCtl(t, "status", "configmaps", "settings", "-n", "fedctl")
			if !regexp.MustCompile(`(?m)^member2\s+True\s+yes\s+ApplyOverridesFailed\s+yes\s+overrides failed$`).MatchString(out) {
				return fmt.Errorf("output:\n%s", out)
			}
			return nil
		})
		t.Logf("kubefedctl status configmaps settings -n fedctl:\n%s", out)
		for _, want := range []string{
			`(?m)^member1\s+True\s+yes\s+OK\s+yes\s+in sync$`,
			`(?m)^member2:\n  ApplyOverridesFailed: override 0 \(replace /data/color/shade\)`,
			`Propagation:\s+False CheckClusters`,
		} {
			if !regexp.MustCompile(want).MatchString(out) {
				t.Errorf("status output does not match %s:\n%s", want, out)
			}
		}
		updateFCM(t, func(o *typesv1beta1.FederatedConfigMap) { o.Spec.Overrides = nil })
		f.WaitStatus(t, hostFCM, map[string]fedv1beta1.PropagationStatus{"member1": fedv1beta1.ClusterPropagationOK, "member2": fedv1beta1.ClusterPropagationOK})
	})

	t.Run("disable stops propagation; status shows drift", func(t *testing.T) {
		out := mustCtl(t, "disable", "configmaps")
		if !strings.Contains(out, "propagation of configmaps disabled (FederatedTypeConfig kube-federation-system/configmaps created)") {
			t.Errorf("output %q", out)
		}
		ftc := &corev1beta1.FederatedTypeConfig{}
		if err := f.Host.Get(ctx, client.ObjectKey{Namespace: federation.KubefedNamespace, Name: "configmaps"}, ftc); err != nil {
			t.Fatal(err)
		}
		if ftc.Spec.Propagation != corev1beta1.Disabled || ftc.Spec.TargetType.Kind != "ConfigMap" || ftc.Spec.FederatedType.PluralName != "federatedconfigmaps" || ftc.Spec.FederatedType.Scope != "Namespaced" {
			t.Errorf("FederatedTypeConfig spec %+v", ftc.Spec)
		}
		if out := mustCtl(t, "disable", "configmaps"); !strings.Contains(out, "already disabled") {
			t.Errorf("disable again: %q", out)
		}

		// Drift by hand in member2 stays, and status lists it.
		f.Eventually(t, "status shows the drift", func(context.Context) error {
			cm, err := memberCM("member2")
			if err != nil {
				return err
			}
			if cm.Data["color"] != "red" {
				cm.Data["color"] = "red"
				if err := f.Members["member2"].Update(ctx, cm); err != nil {
					return err
				}
			}
			st, err := status(t, "configmaps", "settings", "-n", "fedctl")
			if err != nil {
				return err
			}
			c := st.Clusters[1]
			if c.Name != "member2" || c.InSync == nil || *c.InSync || len(c.Differences) != 1 ||
				c.Differences[0].Path != "/data/color" || c.Differences[0].Desired != "blue" || c.Differences[0].Actual != "red" {
				return fmt.Errorf("member2 %+v", c)
			}
			if st.TypePropagation != "Disabled" {
				return fmt.Errorf("type propagation %q", st.TypePropagation)
			}
			return nil
		})
		out = mustCtl(t, "status", "configmaps", "settings", "-n", "fedctl")
		t.Logf("kubefedctl status configmaps settings -n fedctl:\n%s", out)
		for _, want := range []string{
			`(?m)^member2\s+True\s+yes\s+OK\s+yes\s+1 field\(s\) differ$`,
			`/data/color: desired "blue", the member has "red"`,
			`propagation of configmaps is Disabled, so the difference is not corrected`,
		} {
			if !regexp.MustCompile(want).MatchString(out) {
				t.Errorf("status output does not match %s:\n%s", want, out)
			}
		}

		// A template change no longer reaches the members.
		updateFCM(t, func(o *typesv1beta1.FederatedConfigMap) { o.Spec.Template.Data["color"] = "green" })
		time.Sleep(2 * time.Second)
		if cm, err := memberCM("member1"); err != nil || cm.Data["color"] != "blue" {
			t.Errorf("member1 with propagation disabled: %v, %v", cm.Data, err)
		}
		if st, err := status(t, "configmaps", "settings", "-n", "fedctl"); err != nil || !st.StatusStale {
			t.Errorf("status not stale with propagation disabled: %+v, %v", st, err)
		}

		// Enabling it again (what `kubefedctl enable` does) resumes propagation.
		setTypePropagation(t, corev1beta1.Enabled)
		for member := range f.Members {
			f.Eventually(t, "template change in "+member, func(context.Context) error {
				cm, err := memberCM(member)
				if err != nil {
					return err
				}
				if cm.Data["color"] != "green" {
					return fmt.Errorf("data %v", cm.Data)
				}
				return nil
			})
		}
	})

	t.Run("disable --delete-crd is refused while objects exist", func(t *testing.T) {
		failCtl(t, "1 FederatedConfigMap object(s) exist (fedctl: 1); nothing was changed", "disable", "configmaps", "--delete-crd")
		ftc := &corev1beta1.FederatedTypeConfig{}
		if err := f.Host.Get(ctx, client.ObjectKey{Namespace: federation.KubefedNamespace, Name: "configmaps"}, ftc); err != nil || ftc.Spec.Propagation != corev1beta1.Enabled {
			t.Errorf("FederatedTypeConfig changed by a refused disable: %+v, %v", ftc.Spec, err)
		}
	})

	t.Run("orphaning keeps member objects", func(t *testing.T) {
		if out := mustCtl(t, "orphaning", "status", "configmaps", "settings", "-n", "fedctl"); out != "Disabled\n" {
			t.Errorf("orphaning status %q", out)
		}
		mustCtl(t, "orphaning", "enable", "configmaps", "settings", "-n", "fedctl")
		if out := mustCtl(t, "orphaning", "status", "FederatedConfigMap", "settings", "-n", "fedctl"); out != "Enabled\n" {
			t.Errorf("orphaning status %q", out)
		}
		if err := f.Host.Delete(ctx, hostFCM); err != nil {
			t.Fatal(err)
		}
		f.Eventually(t, "FederatedConfigMap gone", func(ctx context.Context) error {
			return ctlNotFound(f.Host.Get(ctx, client.ObjectKeyFromObject(hostFCM), &typesv1beta1.FederatedConfigMap{}))
		})
		for member := range f.Members {
			cm, err := memberCM(member)
			if err != nil {
				t.Fatalf("%s: orphaned configmap: %v", member, err)
			}
			if _, managed := cm.Labels[fedv1beta1.ManagedLabel]; managed || cm.Data["color"] != "green" {
				t.Errorf("%s: orphaned configmap labels %v data %v", member, cm.Labels, cm.Data)
			}
		}

		// On a namespace: enable, then disable again.
		mustCtl(t, "orphaning", "enable", "namespaces", "fedctl")
		mustCtl(t, "orphaning", "disable", "ns", "fedctl")
		if out := mustCtl(t, "orphaning", "status", "namespaces", "fedctl"); out != "Disabled\n" {
			t.Errorf("orphaning status of the namespace %q", out)
		}
		failCtl(t, "is not federated", "orphaning", "status", "configmaps", "settings", "-n", "fedctl")
	})

	t.Run("federate --contents -o yaml prints the namespace's objects", func(t *testing.T) {
		owner := &corev1.ConfigMap{}
		if err := f.Host.Get(ctx, client.ObjectKey{Namespace: "fedctl", Name: "settings"}, owner); err != nil {
			t.Fatal(err)
		}
		owned := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "fedctl", Name: "owned", OwnerReferences: []metav1.OwnerReference{{
			APIVersion: "v1", Kind: "ConfigMap", Name: "settings", UID: owner.UID, Controller: ptr.To(true),
		}}}}
		if err := f.Host.Create(ctx, owned); err != nil {
			t.Fatal(err)
		}
		stdout, stderr, err := ctl("federate", "namespaces", "fedctl", "--contents", "-o", "yaml")
		if err != nil {
			t.Fatalf("%v: %s", err, stderr)
		}
		var kinds []string
		for _, doc := range strings.Split(stdout, "---\n") {
			if strings.TrimSpace(doc) == "" {
				continue
			}
			var obj struct {
				Kind     string
				Metadata metav1.ObjectMeta
			}
			if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
				t.Fatalf("%v in\n%s", err, doc)
			}
			kinds = append(kinds, obj.Kind+" "+obj.Metadata.Namespace+"/"+obj.Metadata.Name)
		}
		want := "FederatedNamespace fedctl/fedctl,FederatedConfigMap fedctl/settings,FederatedSecret fedctl/creds,FederatedServiceAccount fedctl/robot"
		if strings.Join(kinds, ",") != want {
			t.Errorf("objects %v, want %s\n%s", kinds, want, stdout)
		}
		if !strings.Contains(stderr, "skipped ConfigMap owned: controlled by ConfigMap settings") {
			t.Errorf("stderr does not report the skipped object:\n%s", stderr)
		}
		if out := mustCtl(t, "federate", "secrets", "creds", "-n", "fedctl", "--dry-run"); !strings.Contains(out, "FederatedSecret fedctl/creds created (server dry run)") {
			t.Errorf("dry run: %q", out)
		}
		if err := f.Host.Get(ctx, client.ObjectKey{Namespace: "fedctl", Name: "creds"}, &typesv1beta1.FederatedSecret{}); ctlNotFound(err) != nil {
			t.Errorf("-o yaml or --dry-run created objects: %v", err)
		}
	})

	t.Run("disable --delete-crd --force leaves member objects", func(t *testing.T) {
		mustCtl(t, "federate", "serviceaccounts", "robot", "-n", "fedctl")
		for member := range f.Members {
			f.Eventually(t, "service account in "+member, func(ctx context.Context) error {
				return f.Members[member].Get(ctx, client.ObjectKey{Namespace: "fedctl", Name: "robot"}, &corev1.ServiceAccount{})
			})
		}
		failCtl(t, "1 FederatedServiceAccount object(s) exist", "disable", "serviceaccounts", "--delete-crd")
		out := mustCtl(t, "disable", "serviceaccounts", "--delete-crd", "--force")
		for _, want := range []string{"removed finalizer kubefed.io/sync-controller from 1 FederatedServiceAccount", "CustomResourceDefinition federatedserviceaccounts.types.kubefed.io deleted", "FederatedTypeConfig kube-federation-system/serviceaccounts deleted"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		if err := f.Host.Get(ctx, client.ObjectKey{Name: "federatedserviceaccounts.types.kubefed.io"}, &apiextensionsv1.CustomResourceDefinition{}); ctlNotFound(err) != nil {
			t.Errorf("CRD: %v", err)
		}
		for member := range f.Members {
			var sa corev1.ServiceAccount
			if err := f.Members[member].Get(ctx, client.ObjectKey{Namespace: "fedctl", Name: "robot"}, &sa); err != nil || sa.Labels[fedv1beta1.ManagedLabel] != "true" {
				t.Errorf("%s: service account %v, %v", member, sa.Labels, err)
			}
		}
		failCtl(t, "run `kubefedctl enable serviceaccounts` first", "federate", "serviceaccounts", "robot", "-n", "fedctl")
	})

	t.Run("unjoin and join are idempotent", func(t *testing.T) {
		for range 2 {
			mustCtl(t, "unjoin", "member2", "--cluster-context", "member2")
		}
		if err := f.Host.Get(ctx, client.ObjectKey{Namespace: federation.KubefedNamespace, Name: "member2"}, &corev1beta1.KubeFedCluster{}); ctlNotFound(err) != nil {
			t.Fatalf("KubeFedCluster member2 after unjoin: %v", err)
		}
		for range 2 {
			mustCtl(t, "join", "member2", "--cluster-context", "member2", "--labels", "region=us")
		}
		f.Eventually(t, "member2 ready again", func(context.Context) error {
			st, err := status(t, "namespaces", "fedctl")
			if err != nil {
				return err
			}
			for _, c := range st.Clusters {
				if c.Name == "member2" && c.Ready == "True" && c.Status == "OK" && c.Present == "Yes" {
					return nil
				}
			}
			return fmt.Errorf("clusters %+v", st.Clusters)
		})
	})

	t.Run("status says when a member is unreachable", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		endpoint := "https://" + l.Addr().String()
		l.Close()
		for _, obj := range []client.Object{
			&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: federation.KubefedNamespace, Name: "ghost-token"}, StringData: map[string]string{"token": "x"}},
			&corev1beta1.KubeFedCluster{ObjectMeta: metav1.ObjectMeta{Namespace: federation.KubefedNamespace, Name: "ghost"}, Spec: corev1beta1.KubeFedClusterSpec{
				APIEndpoint: endpoint, SecretRef: corev1beta1.LocalSecretReference{Name: "ghost-token"}, DisabledTLSValidations: []corev1beta1.TLSValidation{corev1beta1.TLSAll},
			}},
		} {
			if err := f.Host.Create(ctx, obj); err != nil {
				t.Fatal(err)
			}
		}
		var out string
		f.Eventually(t, "ghost reported", func(context.Context) error {
			out = mustCtl(t, "status", "namespaces", "fedctl")
			if !regexp.MustCompile(`(?m)^ghost\s+False\s+yes\s+ClusterNotReady\s+unreachable\s+-$`).MatchString(out) {
				return fmt.Errorf("output:\n%s", out)
			}
			return nil
		})
		if !strings.Contains(out, "the member cannot be reached with the joined credentials") || !regexp.MustCompile(`(?m)^member1\s+True\s+yes\s+OK\s+yes\s+in sync$`).MatchString(out) {
			t.Errorf("status output:\n%s", out)
		}
	})
}

// ctlNotFound turns "not found" into success and anything else into an error.
func ctlNotFound(err error) error {
	switch {
	case apierrors.IsNotFound(err):
		return nil
	case err == nil:
		return fmt.Errorf("still there")
	}
	return err
}
