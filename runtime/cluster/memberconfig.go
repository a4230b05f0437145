package cluster

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
)

// MemberConfig returns the client configuration the control plane uses for the
// member kfc describes: its API endpoint and TLS settings, and the credentials of
// the Secret it names (read from the KubeFedCluster's namespace with c). Tools such
// as kubefedctl use it to see a member as the controller sees it.
func MemberConfig(ctx context.Context, c client.Reader, kfc *corev1beta1.KubeFedCluster) (*rest.Config, error) {
	name := kfc.Spec.SecretRef.Name
	if name == "" {
		return nil, fmt.Errorf("KubeFedCluster %s/%s: spec.secretRef.name is empty", kfc.Namespace, kfc.Name)
	}
	secret := &corev1.Secret{}
	if err := c.Get(ctx, client.ObjectKey{Namespace: kfc.Namespace, Name: name}, secret); err != nil {
		return nil, fmt.Errorf("KubeFedCluster %s/%s: get secret %s: %w", kfc.Namespace, kfc.Name, name, err)
	}
	cfg, err := restConfig(kfc, secret)
	if err != nil {
		return nil, fmt.Errorf("KubeFedCluster %s/%s: %w", kfc.Namespace, kfc.Name, err)
	}
	return cfg, nil
}
