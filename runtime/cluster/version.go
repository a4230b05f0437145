package cluster

import (
	"context"
	"encoding/json"
	"time"

	"k8s.io/apimachinery/pkg/version"
)

// versionRefresh is how long a member's Kubernetes version is trusted before the
// next healthy probe reads it again: an upgrade in place shows within it, and
// steady members cost one GET /version per member in that time.
const versionRefresh = 10 * time.Minute

// memberVersion is the Kubernetes version of one build of a member.
type memberVersion struct {
	state *memberState
	git   string
	read  time.Time
}

// readVersion records the git version m's API server reports, for
// KubeFedCluster status.kubernetesVersion as KubeFed's cluster controller wrote
// it. It reads once per build of the member and then every versionRefresh;
// failures keep what was known, since the version is informative only.
func (r *Registry) readVersion(m *Member) {
	if v, ok := r.versions.Load(m.Name); ok {
		if known := v.(memberVersion); known.state == m.state && time.Since(known.read) < versionRefresh {
			return
		}
	}
	ctx, cancel := context.WithTimeout(r.ctx, r.opts.HealthCheck.Timeout)
	defer cancel()
	// The discovery client's ServerVersion takes no context; the same request with one.
	body, err := m.state.kube.Discovery().RESTClient().Get().AbsPath("/version").Do(ctx).Raw()
	var info version.Info
	if err == nil {
		err = json.Unmarshal(body, &info)
	}
	if err != nil {
		r.log.V(1).Info("cannot read the Kubernetes version", "cluster", m.Name, "error", err.Error())
		return
	}
	r.versions.Store(m.Name, memberVersion{state: m.state, git: info.GitVersion, read: time.Now()})
}

// kubernetesVersion is the version last read from the build s of member name, or
// "" when none was.
func (r *Registry) kubernetesVersion(name string, s *memberState) string {
	if v, ok := r.versions.Load(name); ok && v.(memberVersion).state == s {
		return v.(memberVersion).git
	}
	return ""
}
