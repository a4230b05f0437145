#!/usr/bin/env bash
# Stops the clusters started by hack/local-up.sh and removes their state.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
state=$root/.local
# The quickstart's controller manager talks to these clusters: stop it first.
if [[ -f $state/controller-manager.pid ]]; then
  kill "$(cat "$state/controller-manager.pid")" 2>/dev/null || true
  rm -f "$state/controller-manager.pid"
fi
pidfile=$state/local-clusters.pid
if [[ ! -f $pidfile ]] || ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
  echo "no local clusters running"
  rm -f "$pidfile"
  exit 0
fi
pid=$(cat "$pidfile")
kill -TERM "$pid"
for _ in $(seq 1 120); do
  kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile" "$state/kubeconfig"; echo "local clusters stopped"; exit 0; }
  sleep 0.5
done
echo "error: local clusters (pid $pid) did not stop within a minute; see $state/local-clusters.log" >&2
exit 1
