package propagation

import (
	"context"
	"errors"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/status"
)

// typeSettings are what the type's FederatedTypeConfig says.
type typeSettings struct {
	// propagate: spec.propagation is not Disabled.
	propagate bool
	// collect: spec.statusCollection is not Disabled.
	collect bool
	// config is the FederatedTypeConfig, nil when there is none.
	config *corev1beta1.FederatedTypeConfig
}

// typeConfig reads the type's FederatedTypeConfig. A type compiled into the
// manager propagates, and has its status collected, unless its
// FederatedTypeConfig says Disabled; KubeFed collected status only when told
// Enabled, but a status that cannot tell a running object from a failing one
// is what users of federation asked to have fixed first, and coalescing keeps
// its cost bounded.
func (r *reconciler) typeConfig(ctx context.Context) (typeSettings, error) {
	var ftc corev1beta1.FederatedTypeConfig
	err := r.host.Get(ctx, client.ObjectKey{Namespace: r.opts.Namespace, Name: r.info.Name}, &ftc)
	if apierrors.IsNotFound(err) {
		return typeSettings{propagate: true, collect: true}, nil
	}
	if err != nil {
		return typeSettings{}, fmt.Errorf("get FederatedTypeConfig %s: %w", r.info.Name, err)
	}
	return typeSettings{
		propagate: ftc.Spec.Propagation != corev1beta1.Disabled,
		collect:   ftc.Spec.StatusCollection == nil || *ftc.Spec.StatusCollection != corev1beta1.Disabled,
		config:    &ftc,
	}, nil
}

// adoptResources reads syncController.adoptResources of the KubeFedConfig (default
// Enabled, as in KubeFed).
func (r *reconciler) adoptResources(ctx context.Context) (bool, error) {
	var cfg corev1beta1.KubeFedConfig
	err := r.host.Get(ctx, client.ObjectKey{Namespace: r.opts.Namespace, Name: r.opts.ConfigName}, &cfg)
	if apierrors.IsNotFound(err) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("get KubeFedConfig %s: %w", r.opts.ConfigName, err)
	}
	sc := cfg.Spec.SyncController
	return sc == nil || sc.AdoptResources == nil || *sc.AdoptResources == corev1beta1.Enabled, nil
}

type clusterResult struct {
	name    string
	status  fedv1beta1.PropagationStatus
	message string
	// remote is what status collection observed; nil without collection.
	remote *status.Remote
}

func setClusters(st *fedv1beta1.GenericFederatedStatus, generation int64, results []clusterResult) bool {
	clusters := make([]status.Cluster, 0, len(results))
	for _, r := range results {
		clusters = append(clusters, status.Cluster{Name: r.name, Status: r.status, Message: r.message, Remote: r.remote})
	}
	return status.Set(st, generation, clusters)
}

func setFailed(st *fedv1beta1.GenericFederatedStatus, generation int64, reason, message string) bool {
	st.Clusters, st.PlacedClusters, st.ReadyClusters = nil, 0, 0
	return status.SetFailed(st, generation, reason, message)
}

// retryable returns an error naming the clusters whose failure a retry may fix.
// Failures that need the user (overrides, adoption, a ReadOnly member that
// differs) or the cluster (readiness, which re-triggers on its own) are not
// retried.
func retryable(results []clusterResult) error {
	var msgs []string
	for _, r := range results {
		switch r.status {
		case fedv1beta1.ClusterPropagationOK, fedv1beta1.ApplyOverridesFailed, fedv1beta1.AlreadyExists, fedv1beta1.ClusterNotReady,
			fedv1beta1.Drifted, fedv1beta1.Missing:
			continue
		}
		msgs = append(msgs, fmt.Sprintf("cluster %s: %s: %s", r.name, r.status, r.message))
	}
	if len(msgs) == 0 {
		return nil
	}
	return errors.New("propagation incomplete, retrying: " + strings.Join(msgs, "; "))
}

func allOK(results []clusterResult) bool {
	for _, r := range results {
		if r.status != fedv1beta1.ClusterPropagationOK {
			return false
		}
	}
	return true
}
