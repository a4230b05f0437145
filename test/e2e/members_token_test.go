package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	typesv1beta1 "github.com/kubefed-gen/kubefed/cmd/controller-manager/apis/types/v1beta1"
	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/cluster"
	"github.com/kubefed-gen/kubefed/runtime/manager"
	"github.com/kubefed-gen/kubefed/test/federation"
)

// TestMembersTokenRenewal runs the manager, with its generated RBAC, renewing
// member tokens after 3% of their lifetime, and joins member1 with access to
// configmaps only and the shortest token lifetime the API server grants (10
// minutes): the manager renews the token within a minute, writes it and its
// expiry into the Secret, and keeps propagating to member1 with it.
func TestMembersTokenRenewal(t *testing.T) {
	f := federation.Start(t, manager.Options{TokenRenewAfter: 0.03})
	ctx := context.Background()
	member1 := f.Set.Members[0]
	if err := cluster.Join(ctx, f.Set.Host.Config, member1.Config, cluster.JoinOptions{
		ClusterName: "member1", HostClusterName: "host", KubeFedNamespace: federation.KubefedNamespace,
		Labels: federation.MemberLabels["member1"], TokenTTL: 10 * time.Minute,
		Access: cluster.AccessTypes, Types: []string{"configmaps"},
	}); err != nil {
		t.Fatal(err)
	}
	key := client.ObjectKey{Namespace: federation.KubefedNamespace, Name: cluster.SecretName("member1")}
	issued := func(ctx context.Context) (iat, exp int64, annotation string, err error) {
		var s corev1.Secret
		if err := f.Host.Get(ctx, key, &s); err != nil {
			return 0, 0, "", err
		}
		parts := strings.Split(string(s.Data[corev1beta1.SecretTokenKey]), ".")
		if len(parts) != 3 {
			return 0, 0, "", fmt.Errorf("token is no JWT")
		}
		payload, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err != nil {
			return 0, 0, "", err
		}
		var c struct{ Iat, Exp int64 }
		if err := json.Unmarshal(payload, &c); err != nil {
			return 0, 0, "", err
		}
		return c.Iat, c.Exp, s.Annotations[cluster.TokenExpirationAnnotation], nil
	}
	joinedAt, joinedExp, _, err := issued(ctx)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	var last error
	err = wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
		iat, exp, annotation, err := issued(ctx)
		switch {
		case err != nil:
			last = err
		case iat == joinedAt:
			last = fmt.Errorf("token issued at %d not renewed", iat)
		case exp-iat != joinedExp-joinedAt:
			return false, fmt.Errorf("renewed token lives %ds, the joined one %ds", exp-iat, joinedExp-joinedAt)
		case annotation != time.Unix(exp, 0).UTC().Format(time.RFC3339):
			last = fmt.Errorf("%s %q, want %v", cluster.TokenExpirationAnnotation, annotation, time.Unix(exp, 0).UTC())
		default:
			t.Logf("token renewed %v after waiting began (%ds after it was issued); expires %s", time.Since(start).Round(time.Millisecond), iat-joinedAt, annotation)
			return true, nil
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("renewal: %v (%v)", err, last)
	}

	f.WaitClusterReady(t, "member1")
	ns := "renewed"
	f.FederateNamespace(t, ns, "member1", "member2")
	cm := &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "after-renewal", Namespace: ns}}
	cm.Spec.Template.Data = map[string]string{"k": "v"}
	cm.Spec.Placement = federation.PlacementOn("member1", "member2")
	if err := f.Host.Create(ctx, cm); err != nil {
		t.Fatal(err)
	}
	f.WaitStatus(t, cm, map[string]fedv1beta1.PropagationStatus{"member1": ok, "member2": ok})
	if err := f.Members["member1"].Get(ctx, client.ObjectKeyFromObject(cm), &corev1.ConfigMap{}); err != nil {
		t.Errorf("member1 after the renewal: %v", err)
	}
}
