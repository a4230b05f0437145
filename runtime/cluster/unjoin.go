package cluster

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
)

// Unjoin removes what Join created: the KubeFedCluster and its Secret in the host,
// then the ClusterRoleBinding, ClusterRole and ServiceAccount in the member (which
// revokes the token). The KubeFed namespace in the member is kept, since it may hold
// other things. Objects already gone are fine, so Unjoin is idempotent.
//
// member may be nil when the member cluster no longer exists; an unreachable member
// still has its host side removed, and Unjoin then returns the member's error.
func Unjoin(ctx context.Context, host, member *rest.Config, opts JoinOptions) error {
	opts, err := opts.withDefaults()
	if err != nil {
		return fmt.Errorf("unjoin cluster: %w", err)
	}
	hostClient, memberClient, err := joinClients(host, member)
	if err != nil {
		return fmt.Errorf("unjoin cluster %s: create clients: %w", opts.ClusterName, err)
	}
	var errs []error
	if err := unjoinHost(ctx, hostClient, opts); err != nil {
		errs = append(errs, fmt.Errorf("unjoin cluster %s: in the host: %w", opts.ClusterName, err))
	}
	if memberClient != nil {
		if err := unjoinMember(ctx, memberClient, opts); err != nil {
			errs = append(errs, fmt.Errorf("unjoin cluster %s: in the member: %w", opts.ClusterName, err))
		}
	}
	return errors.Join(errs...)
}

func unjoinHost(ctx context.Context, c client.Client, opts JoinOptions) error {
	secrets := []string{SecretName(opts.ClusterName)}
	kfc := &corev1beta1.KubeFedCluster{ObjectMeta: metav1.ObjectMeta{Namespace: opts.KubeFedNamespace, Name: opts.ClusterName}}
	switch err := c.Get(ctx, client.ObjectKeyFromObject(kfc), kfc); {
	case err == nil:
		if name := kfc.Spec.SecretRef.Name; name != "" && name != secrets[0] {
			secrets = append(secrets, name)
		}
		if err := c.Delete(ctx, kfc); err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("delete the KubeFedCluster: %w", err)
		}
	case !apierrors.IsNotFound(err):
		return fmt.Errorf("get the KubeFedCluster: %w", err)
	}
	for _, name := range secrets {
		secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: opts.KubeFedNamespace, Name: name}}
		if err := c.Delete(ctx, secret); err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("delete Secret %s: %w", name, err)
		}
	}
	return nil
}

func unjoinMember(ctx context.Context, c client.Client, opts JoinOptions) error {
	saName := ServiceAccountName(opts.ClusterName, opts.HostClusterName)
	for _, o := range []struct {
		kind string
		obj  client.Object
	}{
		{"ClusterRoleBinding", &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: RoleName(saName)}}},
		{"ClusterRole", &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: RoleName(saName)}}},
		// Written only by a join of scope Namespaced or of access types.
		{"RoleBinding", &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: opts.KubeFedNamespace, Name: RoleName(saName)}}},
		{"Role", &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: opts.KubeFedNamespace, Name: RoleName(saName)}}},
		{"ServiceAccount", &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: opts.KubeFedNamespace, Name: saName}}},
	} {
		if err := c.Delete(ctx, o.obj); err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("delete %s %s: %w", o.kind, client.ObjectKeyFromObject(o.obj), err)
		}
	}
	return nil
}
