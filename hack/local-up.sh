#!/usr/bin/env bash
# Starts a host and two member clusters in the background for use with kubectl.
# State (kubeconfig, pid, log) lives in .local/; hack/local-down.sh stops them.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
state=.local
members=${MEMBERS:-2}
mkdir -p "$state"

if [[ -f $state/local-clusters.pid ]] && kill -0 "$(cat "$state/local-clusters.pid")" 2>/dev/null; then
  echo "local clusters already running (pid $(cat "$state/local-clusters.pid")); kubeconfig: $root/$state/kubeconfig"
  exit 0
fi

hack/install-test-binaries.sh
go build -o bin/local-clusters ./hack/local-clusters
rm -f "$state/kubeconfig"
nohup bin/local-clusters --members "$members" --kubeconfig "$state/kubeconfig" >"$state/local-clusters.log" 2>&1 &
echo $! >"$state/local-clusters.pid"

for _ in $(seq 1 240); do
  if grep -q '^ready:' "$state/local-clusters.log"; then
    cat "$state/local-clusters.log"
    bin/k8s/kubectl --kubeconfig "$state/kubeconfig" config get-contexts
    cat <<MSG

Local clusters are up. Use them with:
  export KUBECONFIG=$root/$state/kubeconfig
  kubectl --context host get namespaces      (contexts: host, member1 .. member$members)
Stop them with: make local-down
MSG
    exit 0
  fi
  if ! kill -0 "$(cat "$state/local-clusters.pid")" 2>/dev/null; then
    echo "error: local clusters failed to start; log follows" >&2
    cat "$state/local-clusters.log" >&2
    exit 1
  fi
  sleep 0.5
done
echo "error: local clusters not ready after 2 minutes; see $state/local-clusters.log" >&2
exit 1
