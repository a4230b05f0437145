package cluster

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Identity returns the identity of a cluster: the UID of its kube-system
// namespace, which every cluster has from birth and keeps. It tells apart two
// host federations, and finds one member joined under two names.
func Identity(ctx context.Context, c client.Reader) (string, error) {
	ns := &metav1.PartialObjectMetadata{}
	ns.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Namespace"))
	if err := c.Get(ctx, client.ObjectKey{Name: metav1.NamespaceSystem}, ns); err != nil {
		return "", fmt.Errorf("read the cluster's identity (the UID of namespace %s): %w", metav1.NamespaceSystem, err)
	}
	return string(ns.UID), nil
}
