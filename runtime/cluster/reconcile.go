package cluster

import (
	"context"
	"fmt"
	"maps"

	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
)

// reconcile keeps the member of one KubeFedCluster in step with it.
func (r *Registry) reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	log := ctrl.LoggerFrom(ctx).WithValues("cluster", req.Name)
	kfc := &corev1beta1.KubeFedCluster{}
	if err := r.hostCache.Get(ctx, req.NamespacedName, kfc); err != nil {
		if apierrors.IsNotFound(err) {
			r.remove(req.Name)
			return ctrl.Result{}, nil
		}
		return ctrl.Result{}, fmt.Errorf("get KubeFedCluster %s: %w", req.NamespacedName, err)
	}
	if !kfc.DeletionTimestamp.IsZero() {
		r.remove(req.Name)
		return ctrl.Result{}, nil
	}
	if first, err := r.firstWithIdentity(ctx, kfc); err != nil {
		return ctrl.Result{}, err
	} else if first != kfc.Name {
		// Using both names would have each remove what the other propagates.
		r.remove(kfc.Name)
		r.setRefused(kfc.Name, true)
		msg := fmt.Sprintf("this cluster is already joined as %s (same %s %s), so this KubeFedCluster is not used; unjoin it",
			first, corev1beta1.ClusterIDAnnotation, kfc.Annotations[corev1beta1.ClusterIDAnnotation])
		log.Info("duplicate member cluster is not used", "joinedAs", first)
		return ctrl.Result{}, r.writeStatus(ctx, kfc.Name, probe{malformed, msg}, &memberState{})
	}

	r.setRefused(kfc.Name, false)
	secret, configErr, err := r.secretOf(ctx, kfc)
	if err != nil {
		return ctrl.Result{}, err
	}
	fp := fingerprint(kfc, secret)

	r.mu.Lock()
	old := r.members[kfc.Name]
	if old != nil && old.state.fingerprint == fp {
		relabeled := !maps.Equal(old.Labels, kfc.Labels)
		if relabeled {
			r.members[kfc.Name] = old.withLabels(kfc.Labels)
		}
		r.mu.Unlock()
		if relabeled {
			r.notify(kfc.Name)
		}
		if t := old.state.token; t != nil && secret != nil {
			if token := string(secret.Data[corev1beta1.SecretTokenKey]); token != t.get() {
				t.set(token)
				log.Info("member cluster token replaced; its clients and caches are kept")
			}
		}
		if err := old.state.configErr; err != nil {
			// Again, in case the last write of this status failed.
			return ctrl.Result{}, r.writeStatus(ctx, kfc.Name, probe{malformed, err.Error()}, old.state)
		}
		return ctrl.Result{}, nil
	}
	r.mu.Unlock()

	var m *Member
	if configErr == nil {
		m, configErr = newMember(kfc, secret, r.opts)
	}
	if configErr != nil {
		log.Error(configErr, "member cluster configuration is unusable; it stays not ready")
		m = brokenMember(kfc, configErr)
	} else {
		log.Info("member cluster (re)built", "apiEndpoint", kfc.Spec.APIEndpoint)
	}
	m.state.fingerprint = fp
	m.start(r.ctx, log)

	r.mu.Lock()
	old = r.members[kfc.Name]
	r.members[kfc.Name] = m
	r.mu.Unlock()
	if old != nil {
		old.stop()
	}
	clusterReady.WithLabelValues(kfc.Name).Set(0)
	r.notify(kfc.Name)

	if configErr != nil {
		return ctrl.Result{}, r.writeStatus(ctx, kfc.Name, probe{malformed, configErr.Error()}, m.state)
	}
	go r.ensureWatches(m)
	// A first probe right away, so a new member gets ready without waiting a period.
	go r.check(m)
	return ctrl.Result{}, nil
}

// firstWithIdentity returns the name of the oldest KubeFedCluster with kfc's
// identity (kfc's own name when it has none, or is the oldest).
func (r *Registry) firstWithIdentity(ctx context.Context, kfc *corev1beta1.KubeFedCluster) (string, error) {
	peers, err := r.sameIdentity(ctx, kfc)
	if err != nil {
		return "", err
	}
	first := kfc
	for i := range peers {
		p := &peers[i]
		if p.CreationTimestamp.Before(&first.CreationTimestamp) ||
			(p.CreationTimestamp.Equal(&first.CreationTimestamp) && p.Name < first.Name) {
			first = p
		}
	}
	return first.Name, nil
}

// sameIdentity lists the other KubeFedClusters recording kfc's identity.
func (r *Registry) sameIdentity(ctx context.Context, kfc *corev1beta1.KubeFedCluster) ([]corev1beta1.KubeFedCluster, error) {
	id := kfc.Annotations[corev1beta1.ClusterIDAnnotation]
	if id == "" {
		return nil, nil
	}
	var list corev1beta1.KubeFedClusterList
	if err := r.hostCache.List(ctx, &list, client.InNamespace(kfc.Namespace)); err != nil {
		return nil, fmt.Errorf("list KubeFedClusters: %w", err)
	}
	var out []corev1beta1.KubeFedCluster
	for _, other := range list.Items {
		if other.Name != kfc.Name && other.DeletionTimestamp.IsZero() && other.Annotations[corev1beta1.ClusterIDAnnotation] == id {
			out = append(out, other)
		}
	}
	return out, nil
}

// clustersWithSameIdentity maps a KubeFedCluster to itself and to the others
// with its identity: when the first of them goes, the next one takes over.
func (r *Registry) clustersWithSameIdentity(ctx context.Context, kfc *corev1beta1.KubeFedCluster) []ctrl.Request {
	reqs := []ctrl.Request{{NamespacedName: client.ObjectKeyFromObject(kfc)}}
	peers, err := r.sameIdentity(ctx, kfc)
	if err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "find KubeFedClusters of the same cluster", "cluster", kfc.Name)
	}
	for _, p := range peers {
		reqs = append(reqs, ctrl.Request{NamespacedName: client.ObjectKeyFromObject(&p)})
	}
	return reqs
}

// secretOf returns the KubeFedCluster's Secret, or why the cluster cannot be
// configured (a user error, reported in its status), or a host error to retry.
func (r *Registry) secretOf(ctx context.Context, kfc *corev1beta1.KubeFedCluster) (*corev1.Secret, error, error) {
	name := kfc.Spec.SecretRef.Name
	if name == "" {
		return nil, fmt.Errorf("spec.secretRef.name is empty"), nil
	}
	secret := &corev1.Secret{}
	err := r.hostCache.Get(ctx, types.NamespacedName{Namespace: kfc.Namespace, Name: name}, secret)
	switch {
	case apierrors.IsNotFound(err):
		return nil, fmt.Errorf("secret %s/%s not found", kfc.Namespace, name), nil
	case err != nil:
		return nil, nil, fmt.Errorf("get secret %s/%s: %w", kfc.Namespace, name, err)
	}
	return secret, nil, nil
}

// clustersUsingSecret maps a Secret to the KubeFedClusters referring to it.
func (r *Registry) clustersUsingSecret(ctx context.Context, secret *corev1.Secret) []ctrl.Request {
	var list corev1beta1.KubeFedClusterList
	if err := r.hostCache.List(ctx, &list, client.InNamespace(secret.Namespace)); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "list KubeFedClusters for a changed Secret", "secret", secret.Name)
		return nil
	}
	var reqs []ctrl.Request
	for _, kfc := range list.Items {
		if kfc.Spec.SecretRef.Name == secret.Name {
			reqs = append(reqs, ctrl.Request{NamespacedName: client.ObjectKeyFromObject(&kfc)})
		}
	}
	return reqs
}

// setRefused records whether the KubeFedCluster name is deliberately not used.
func (r *Registry) setRefused(name string, refused bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if refused {
		r.refused[name] = true
	} else {
		delete(r.refused, name)
	}
}

// remove drops a member and stops its cache.
func (r *Registry) remove(name string) {
	r.mu.Lock()
	m, ok := r.members[name]
	delete(r.members, name)
	delete(r.refused, name)
	r.mu.Unlock()
	if !ok {
		return
	}
	m.stop()
	clusterReady.DeleteLabelValues(name)
	healthCheckSeconds.DeleteLabelValues(name)
	tokenExpiration.DeleteLabelValues(name)
	tokenRenewals.DeletePartialMatch(prometheus.Labels{"cluster": name})
	r.log.Info("member cluster removed", "cluster", name)
	r.notify(name)
}
