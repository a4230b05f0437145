# Shared by hack/local-up.sh, hack/local-down.sh and hack/quickstart.sh: where the
# local clusters keep their state and how to tell whether a recorded process is
# really ours. Source it after setting root (the repository's top folder).
#
# .local/ holds, for the clusters of one run:
#   local-clusters.pid       pid of bin/local-clusters, written by local-up
#   local-clusters.ready     the same pid, written by local-clusters itself once the
#                            clusters answer and the kubeconfig is in place
#   local-clusters.children  pids of its etcd and kube-apiserver processes, and of
#                            the kube-controller-manager, kube-scheduler and kwok of
#                            members that run workloads
#   kubeconfig               contexts host, member1..N
#   tmp/                     TMPDIR of local-clusters: every etcd and API server folder,
#                            and the workload components' kubeconfigs
#   local-clusters.log       its output
state=$root/.local
pidfile=$state/local-clusters.pid
readyfile=$state/local-clusters.ready
childrenfile=$state/local-clusters.children
kubeconfig=$state/kubeconfig
logfile=$state/local-clusters.log
cm_pidfile=$state/controller-manager.pid

# ours PID: PID is a live process started for this checkout's clusters: its command
# line names this checkout's .local folder (the kubeconfig or tmp/). A pid file left
# behind by a process that died, whose pid now belongs to something else, is not ours.
ours() {
  local pid=$1 stat args
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  stat=$(ps -o stat= -p "$pid" 2>/dev/null) || return 1
  [[ $stat != Z* ]] || return 1
  args=$(ps -ww -o args= -p "$pid" 2>/dev/null) || return 1
  [[ $args == *"$state/"* ]]
}

# recorded FILE: the pid in FILE, if FILE exists and holds one.
recorded() {
  [[ -f $1 ]] && head -n1 "$1" 2>/dev/null | grep -E '^[0-9]+$' || true
}

# descendants PID: the pids of PID's children, grandchildren and so on.
descendants() {
  local child
  for child in $(pgrep -P "$1" 2>/dev/null || true); do
    echo "$child"
    descendants "$child"
  done
}

# terminate TIMEOUT PID...: SIGTERM to each pid, wait up to TIMEOUT seconds for all
# of them to exit, then SIGKILL whatever is left and wait for that too. Only pids
# that are ours are signalled. Returns non-zero if one survives SIGKILL.
terminate() {
  local timeout=$1 pid i
  shift
  for pid in "$@"; do ours "$pid" && kill -TERM "$pid" 2>/dev/null || true; done
  wait_gone "$timeout" "$@" && return 0
  for pid in "$@"; do
    if ours "$pid"; then
      echo "pid $pid ($(ps -o comm= -p "$pid")) did not stop within ${timeout}s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  wait_gone 10 "$@"
}

# wait_gone TIMEOUT PID...: wait up to TIMEOUT seconds until none of the pids is ours.
wait_gone() {
  local timeout=$1 pid i left
  shift
  for ((i = 0; i <= timeout * 4; i++)); do
    left=0
    for pid in "$@"; do ours "$pid" && left=1 && break; done
    ((left)) || return 0
    sleep 0.25
  done
  return 1
}
