#!/usr/bin/env bash
# Builds the real control-plane binaries the tests and the quickstart run on
# (etcd, kube-apiserver, kubectl) from the Go module proxy, because prebuilt
# release archives cannot be assumed reachable. The result goes to an ignored
# folder and is reused while the pinned versions do not change.
#
# Usage: hack/install-test-binaries.sh [DEST]   (default: bin/k8s, or $KUBEFED_TEST_BIN)
set -euo pipefail

KUBE_VERSION=v1.37.2
STAGING_VERSION=v0.37.2
ETCD_MODULE=go.etcd.io/etcd/server/v3
ETCD_VERSION=v3.7.3

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dest=${1:-${KUBEFED_TEST_BIN:-$root/bin/k8s}}
stamp="$dest/.versions"
want="kubernetes=$KUBE_VERSION etcd=$ETCD_VERSION"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

if [[ -x $dest/etcd && -x $dest/kube-apiserver && -x $dest/kubectl && -f $stamp && $(cat "$stamp") == "$want" ]]; then
  log "test binaries ($want) already in $dest; nothing to build"
  exit 0
fi

command -v go >/dev/null || die "go is not on PATH; install Go 1.26 first"
mkdir -p "$dest"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GOFLAGS=-mod=mod GOWORK=off CGO_ENABLED=0

# fetch MODULE@VERSION: prints the module's directory in the module cache, or
# fails with a message that points at the proxy, the usual reason.
fetch() {
  local out
  if ! out=$(go mod download -json "$1" 2>&1); then
    die "cannot download $1 from the Go module proxy ($(go env GOPROXY)): $out"
  fi
  printf '%s' "$out" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p'
}

log "building etcd $ETCD_VERSION from $ETCD_MODULE (about 1 minute cold)"
mkdir -p "$work/etcd" && cd "$work/etcd"
go mod init kubefed.local/etcd >/dev/null 2>&1
fetch "$ETCD_MODULE@$ETCD_VERSION" >/dev/null
go get "$ETCD_MODULE@$ETCD_VERSION" >/dev/null 2>&1 || die "go get $ETCD_MODULE@$ETCD_VERSION failed; is the Go module proxy reachable?"
go build -trimpath -o "$dest/etcd" "$ETCD_MODULE"

log "building kube-apiserver and kubectl $KUBE_VERSION from k8s.io/kubernetes (about 10 minutes cold on 2 cores)"
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
go get "k8s.io/kubernetes/cmd/kube-apiserver@$KUBE_VERSION" "k8s.io/kubernetes/cmd/kubectl@$KUBE_VERSION" >/dev/null 2>&1 \
  || die "resolving k8s.io/kubernetes@$KUBE_VERSION dependencies failed; is the Go module proxy reachable?"

ver=${KUBE_VERSION#v}
ldflags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=${ver%%.*}"
  ldflags+=" -X $pkg.gitMinor=$(cut -d. -f2 <<<"$ver") -X $pkg.gitTreeState=clean"
done
log "  kube-apiserver"
go build -trimpath -ldflags "$ldflags" -o "$dest/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
log "  kubectl"
go build -trimpath -ldflags "$ldflags" -o "$dest/kubectl" k8s.io/kubernetes/cmd/kubectl

got=$("$dest/kube-apiserver" --version)
[[ $got == "Kubernetes $KUBE_VERSION" ]] || die "built kube-apiserver reports '$got', want 'Kubernetes $KUBE_VERSION'"
echo "$want" > "$stamp"
log "test binaries ready in $dest ($got)"
