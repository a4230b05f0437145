#!/usr/bin/env bash
# Builds the real binaries the tests and the quickstart run on from the Go module
# proxy, because prebuilt release archives cannot be assumed reachable:
#   etcd, kube-apiserver, kubectl                   every cluster
#   kube-controller-manager, kube-scheduler, kwok    members that run workloads
#                                                    (test/clusters Workloads)
# plus kwok-stages.yaml, the stages kwok plays (nodes become Ready, pods Running).
# The result goes to an ignored folder. Each binary is checked on its own against
# the version it was built from (DEST/.versions, one name=version line each), so a
# folder that already holds some of them builds only the missing or outdated ones.
#
# Cold build times on 2 cores: etcd about 1 minute; kube-apiserver and kubectl
# about 10 minutes. The workload binaries add about 11 minutes: after those,
# kube-controller-manager about 7 (it shares much of kube-apiserver's build cache,
# not its controllers), kube-scheduler under 1, kwok about 3 (measured on 2 cores
# shared with other builds).
#
# Usage: hack/install-test-binaries.sh [DEST]   (default: bin/k8s, or $KUBEFED_TEST_BIN)
set -euo pipefail

KUBE_VERSION=v1.37.2
STAGING_VERSION=v0.37.2
ETCD_MODULE=go.etcd.io/etcd/server/v3
ETCD_VERSION=v3.7.3
KWOK_MODULE=sigs.k8s.io/kwok
KWOK_VERSION=v0.8.0

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dest=${1:-${KUBEFED_TEST_BIN:-$root/bin/k8s}}
stamp="$dest/.versions"

# shellcheck source=lib/binaries.sh
source "$root/hack/lib/binaries.sh"

# An older version of this script wrote one line for all three binaries it built.
if [[ -f $stamp && $(cat "$stamp") == "kubernetes=$KUBE_VERSION etcd=$ETCD_VERSION" ]]; then
  printf '%s\n' "etcd=$ETCD_VERSION" "kube-apiserver=$KUBE_VERSION" "kubectl=$KUBE_VERSION" > "$stamp"
fi


kube_bins=(kube-apiserver kubectl kube-controller-manager kube-scheduler)
need_etcd=0 need_kwok=0 need_kube=()
built etcd "$ETCD_VERSION" || need_etcd=1
built kwok "$KWOK_VERSION" && built kwok-stages.yaml "$KWOK_VERSION" || need_kwok=1
for b in "${kube_bins[@]}"; do
  built "$b" "$KUBE_VERSION" || need_kube+=("$b")
done
if ((!need_etcd && !need_kwok && ${#need_kube[@]} == 0)); then
  log "test binaries (kubernetes $KUBE_VERSION, etcd $ETCD_VERSION, kwok $KWOK_VERSION) already in $dest; nothing to build"
  exit 0
fi

workspace


if ((need_etcd)); then
  log "building etcd $ETCD_VERSION from $ETCD_MODULE (about 1 minute cold)"
  mkdir -p "$work/etcd" && cd "$work/etcd"
  go mod init kubefed.local/etcd >/dev/null 2>&1
  fetch "$ETCD_MODULE@$ETCD_VERSION" >/dev/null
  go get "$ETCD_MODULE@$ETCD_VERSION" >/dev/null 2>&1 \
    || die "go get $ETCD_MODULE@$ETCD_VERSION failed; is the Go module proxy ($proxy) reachable?"
  build etcd "$ETCD_MODULE"
  record etcd "$ETCD_VERSION"
else
  log "etcd $ETCD_VERSION already built"
fi

if ((${#need_kube[@]})); then
  log "building ${need_kube[*]} $KUBE_VERSION from k8s.io/kubernetes (cold on 2 cores: kube-apiserver and kubectl about 8 minutes, then kube-controller-manager about 3 and kube-scheduler under 1)"
  mkdir -p "$work/kube" && cd "$work/kube"
  kdir=$(fetch "k8s.io/kubernetes@$KUBE_VERSION")
  [[ -n $kdir && -f $kdir/go.mod ]] || die "k8s.io/kubernetes@$KUBE_VERSION has no go.mod in the module cache"
  {
    echo "module kubefed.local/kube"
    echo
    echo "go 1.26"
    echo
    echo "require k8s.io/kubernetes $KUBE_VERSION"
    echo
    # k8s.io/kubernetes points every staging module at ./staging; outside its own
    # tree the same code is published as k8s.io/<name> at the matching v0 tag.
    grep -oE '^[[:space:]]*k8s\.io/[a-z0-9-]+ => \./staging/' "$kdir/go.mod" \
      | awk -v v="$STAGING_VERSION" '{print "replace " $1 " => " $1 " " v}'
  } > go.mod
  # Every command is resolved, not only the missing ones, so that the module graph,
  # and with it the build cache's keys, is the same whichever are built.
  pkgs=()
  for b in "${kube_bins[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$b@$KUBE_VERSION"); done
  go get "${pkgs[@]}" >/dev/null 2>&1 \
    || die "resolving k8s.io/kubernetes@$KUBE_VERSION dependencies failed; is the Go module proxy ($proxy) reachable?"

  ver=${KUBE_VERSION#v}
  ldflags=""
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=${ver%%.*}"
    ldflags+=" -X $pkg.gitMinor=$(cut -d. -f2 <<<"$ver") -X $pkg.gitTreeState=clean"
  done
  for b in "${need_kube[@]}"; do
    build "$b" "k8s.io/kubernetes/cmd/$b" -ldflags "$ldflags"
    if [[ $b != kubectl ]]; then
      got=$("$dest/$b" --version)
      [[ $got == "Kubernetes $KUBE_VERSION" ]] || die "built $b reports '$got', want 'Kubernetes $KUBE_VERSION'"
    fi
    record "$b" "$KUBE_VERSION"
  done
else
  log "${kube_bins[*]} $KUBE_VERSION already built"
fi

if ((need_kwok)); then
  # kwok's go.mod needs no replace directives: its own requirements (k8s.io/*
  # v0.36) are what gets built, exactly as `go install` would.
  log "building kwok $KWOK_VERSION from $KWOK_MODULE (about 2 minutes cold on 2 cores)"
  mkdir -p "$work/kwok" && cd "$work/kwok"
  go mod init kubefed.local/kwok >/dev/null 2>&1
  kwdir=$(fetch "$KWOK_MODULE@$KWOK_VERSION")
  go get "$KWOK_MODULE/cmd/kwok@$KWOK_VERSION" >/dev/null 2>&1 \
    || die "go get $KWOK_MODULE/cmd/kwok@$KWOK_VERSION failed; is the Go module proxy ($proxy) reachable?"
  build kwok "$KWOK_MODULE/cmd/kwok"
  got=$("$dest/kwok" --version)
  [[ $got == "kwok version $KWOK_VERSION "* ]] || die "built kwok reports '$got', want 'kwok version $KWOK_VERSION'"
  record kwok "$KWOK_VERSION"
  # kwok plays no stage it is not given: these are the ones kwokctl gives it by
  # default (nodes initialise and renew their leases; pods become Ready, complete
  # and are deleted), taken from the same module version.
  for f in node/fast/node-initialize node/heartbeat-with-lease/node-heartbeat-with-lease \
    pod/fast/pod-ready pod/fast/pod-complete pod/fast/pod-delete; do
    [[ -f $kwdir/kustomize/stage/$f.yaml ]] || die "$KWOK_MODULE@$KWOK_VERSION has no kustomize/stage/$f.yaml"
    echo "---"
    cat "$kwdir/kustomize/stage/$f.yaml"
  done > "$dest/kwok-stages.yaml"
  record kwok-stages.yaml "$KWOK_VERSION"
else
  log "kwok $KWOK_VERSION already built"
fi

log "test binaries ready in $dest"
