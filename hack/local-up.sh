#!/usr/bin/env bash
# Starts a host and member clusters in the background for use with kubectl, and
# returns once they answer and the kubeconfig names them all. State (kubeconfig, pid,
# log) lives in .local/ (see hack/lib/local-state.sh); hack/local-down.sh stops them.
#
# It waits for the ready file of the very process it started, holding that process's
# pid, and never for anything an earlier run may have left behind: state of a run
# whose process is gone is cleared (and any of its control planes stopped) first.
# If the clusters do not come up, what was started is stopped again.
#
# Members run workloads unless LOCAL_WORKLOADS=0: each also runs a controller
# manager, a scheduler and kwok with one fake node, so that pods become Running
# (about 1 s more to start and 220 MiB more memory per member; see test/clusters).
# MEMBERS (default 2) is how many members start. The members keep their data in one
# etcd, each under a prefix of its own (LOCAL_SHARED_ETCD=0: an etcd each), so that
# many are affordable: a bare member then takes about 280 MiB (its kube-apiserver),
# and 20 bare members start in about a minute on 2 cores.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
source hack/lib/local-state.sh
members=${MEMBERS:-2}
workloads=${LOCAL_WORKLOADS:-1}
shared_etcd=${LOCAL_SHARED_ETCD:-1}
timeout=${LOCAL_UP_TIMEOUT:-300}
kubectl() { bin/k8s/kubectl --kubeconfig "$kubeconfig" "$@"; }

# wait_ready PID: wait until PID has written its ready file; fail if it exits first.
wait_ready() {
  local pid=$1 i
  for ((i = 0; i < timeout * 4; i++)); do
    if ! ours "$pid"; then
      echo "error: local clusters (pid $pid) exited before they were ready; log follows" >&2
      cat "$logfile" >&2
      return 1
    fi
    if [[ $(recorded "$readyfile") == "$pid" ]]; then
      return 0
    fi
    sleep 0.25
  done
  echo "error: local clusters (pid $pid) not ready after ${timeout}s; see $logfile" >&2
  return 1
}

# check_clusters: the kubeconfig names the host and every member, and each answers.
check_clusters() {
  local c
  for c in host $(seq -f 'member%g' 1 "$members"); do
    kubectl config get-contexts "$c" >/dev/null 2>&1 || {
      echo "error: $kubeconfig has no context $c" >&2
      return 1
    }
    kubectl --context "$c" --request-timeout 30s get --raw /readyz >/dev/null || {
      echo "error: cluster $c does not answer" >&2
      return 1
    }
  done
}

usage() {
  cat <<MSG

Local clusters are up. Use them with:
  export KUBECONFIG=$kubeconfig
  kubectl --context host get namespaces      (contexts: host, member1 .. member$members)
MSG
  # Whether members run pods is read from the clusters, which may be an earlier run's.
  if ((members)) && [[ -n $(kubectl --context member1 get nodes -o name 2>/dev/null) ]]; then
    echo "Members run pods, on fake nodes (kwok): kubectl --context member1 get nodes,pods -A"
  fi
  echo "Stop them with: make local-down"
}

pid=$(recorded "$pidfile")
if [[ -n $pid ]] && ours "$pid"; then
  echo "local clusters already running (pid $pid); kubeconfig: $kubeconfig"
  wait_ready "$pid" || { echo "stop them with: make local-down" >&2; exit 1; }
  members=$(kubectl config get-contexts -o name | grep -c '^member' || true)
  check_clusters
  kubectl config get-contexts
  usage
  exit 0
fi
# Whatever an earlier run left (a stale pid file, orphaned control planes, an old
# kubeconfig or ready file) goes before anything new starts.
hack/local-down.sh >/dev/null

hack/install-test-binaries.sh
go build -o bin/local-clusters ./hack/local-clusters
mkdir -p "$state/tmp"
workload_flag=--workloads
[[ $workloads == 0 ]] && workload_flag=--workloads=false
etcd_flag=--shared-etcd
[[ $shared_etcd == 0 ]] && etcd_flag=--shared-etcd=false
TMPDIR=$state/tmp nohup bin/local-clusters --members "$members" "$workload_flag" "$etcd_flag" \
  --kubeconfig "$kubeconfig" --ready-file "$readyfile" >"$logfile" 2>&1 &
pid=$!
echo "$pid" >"$pidfile"

# Interrupted or failed before the clusters are up: leave nothing running.
trap 'echo "stopping what was started" >&2; hack/local-down.sh >&2 || true; exit 1' INT TERM
if ! wait_ready "$pid" || ! check_clusters; then
  echo "stopping what was started" >&2
  hack/local-down.sh >&2 || true
  exit 1
fi
trap - INT TERM
descendants "$pid" >"$childrenfile"
cat "$logfile"
kubectl config get-contexts
usage
