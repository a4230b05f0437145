#!/usr/bin/env bash
# Stops the clusters started by hack/local-up.sh (and the quickstart's controller
# manager) and removes their state. It returns only once every process of theirs has
# exited, so their ports and folders are free: after a grace period (LOCAL_DOWN_TIMEOUT
# seconds, default 60) what is left is killed. State whose process is gone, or whose
# pid now belongs to another process, is removed without signalling anything.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$root/hack/lib/local-state.sh"
timeout=${LOCAL_DOWN_TIMEOUT:-60}

# The quickstart's controller manager talks to these clusters: stop it first.
cm=$(recorded "$cm_pidfile")
if [[ -n $cm ]] && ours "$cm"; then
  terminate 30 "$cm" || { echo "error: controller manager (pid $cm) survived SIGKILL" >&2; exit 1; }
fi
rm -f "$cm_pidfile"

pid=$(recorded "$pidfile")
# The control planes: those recorded at start, and any child that appeared since.
children=
[[ -f $childrenfile ]] && children=$(grep -E '^[0-9]+$' "$childrenfile" || true)
running=0
if [[ -n $pid ]] && ours "$pid"; then
  running=1
  children="$children $(descendants "$pid")"
fi

if ((running)); then
  # It stops its own control planes and removes their folders.
  terminate "$timeout" "$pid" || { echo "error: local-clusters (pid $pid) survived SIGKILL" >&2; exit 1; }
fi
# Control planes left behind, by a local-clusters that was killed or died: API
# servers (and the controller managers, schedulers and kwok of members that run
# workloads) before their etcd, which API servers otherwise wait for while
# shutting down.
others=() etcds=()
for p in $(printf '%s\n' $children | sort -un); do
  ours "$p" || continue
  if [[ $(ps -o comm= -p "$p") == etcd ]]; then etcds+=("$p"); else others+=("$p"); fi
done
left=$((${#others[@]} + ${#etcds[@]}))
if ((left)); then
  echo "stopping $left control-plane processes left behind by local-clusters (pid ${pid:-unknown})"
  terminate 30 "${others[@]}" && terminate 30 "${etcds[@]}" ||
    { echo "error: control-plane processes survived SIGKILL" >&2; exit 1; }
fi
if ((running || left)); then
  echo "local clusters stopped"
else
  echo "no local clusters running"
fi
rm -rf "$pidfile" "$readyfile" "$childrenfile" "$kubeconfig" "$state/tmp"
