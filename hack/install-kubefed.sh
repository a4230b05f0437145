#!/usr/bin/env bash
# Builds KubeFed's own controller manager, v0.10.0, from the Go module proxy into
# the same ignored folder as the other test binaries, for the end-to-end test that
# takes over a running KubeFed control plane (test/e2e/takeover_test.go):
#   kubefed-controller-manager   KubeFed's cmd/controller-manager
#   kubefed-chart/               the manifests its Helm chart installs, copied as
#                                they are: core-crds.yaml (core.kubefed.io,
#                                scheduling.kubefed.io), types-crds.yaml
#                                (types.kubefed.io), federatedtypeconfigs.yaml
# Both are checked against the version they were built from (DEST/.versions), so
# a second run builds nothing.
#
# KubeFed v0.10.0 (Kubernetes v0.22 libraries, go 1.16) builds with today's Go
# once two of its dependencies are raised: github.com/json-iterator/go to v1.1.12
# and github.com/modern-go/reflect2 to v1.0.2: the reflect2 that v1.1.11 asks for
# reaches into the runtime's map iteration as it was before Go 1.18 and crashes
# on today's. Everything else is as KubeFed's go.mod asks. The build happens in
# a throwaway module that requires it.
#
# Cold build: 142 s on an otherwise idle 2-core machine after the other test
# binaries, module downloads included (14 minutes with a load average of 20);
# 15 seconds with a warm build cache.
#
# Usage: hack/install-kubefed.sh [DEST]   (default: bin/k8s, or $KUBEFED_TEST_BIN)
set -euo pipefail

KUBEFED_MODULE=sigs.k8s.io/kubefed
KUBEFED_VERSION=v0.10.0
PINS=(github.com/json-iterator/go@v1.1.12 github.com/modern-go/reflect2@v1.0.2)
NAME=kubefed-controller-manager
CHART=kubefed-chart

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dest=${1:-${KUBEFED_TEST_BIN:-$root/bin/k8s}}
stamp="$dest/.versions"

# shellcheck source=lib/binaries.sh
source "$root/hack/lib/binaries.sh"

if built "$NAME" "$KUBEFED_VERSION" && built "$CHART" "$KUBEFED_VERSION"; then
  log "$NAME and $CHART $KUBEFED_VERSION already in $dest; nothing to build"
  exit 0
fi

workspace

cd "$work"
go mod init kubefed.local/kubefed >/dev/null 2>&1
dir=$(fetch "$KUBEFED_MODULE@$KUBEFED_VERSION")
[[ -n $dir && -d $dir/charts/kubefed ]] || die "$KUBEFED_MODULE@$KUBEFED_VERSION has no charts/kubefed in the module cache"
go get "$KUBEFED_MODULE@$KUBEFED_VERSION" "${PINS[@]}" >/dev/null 2>&1 \
  || die "go get $KUBEFED_MODULE@$KUBEFED_VERSION ${PINS[*]} failed; is the Go module proxy ($(go env GOPROXY)) reachable?"
if ! built "$NAME" "$KUBEFED_VERSION"; then
  log "building $NAME $KUBEFED_VERSION from $KUBEFED_MODULE (2 to 3 minutes cold on 2 cores)"
  build "$NAME" "$KUBEFED_MODULE/cmd/controller-manager" \
    -ldflags "-X $KUBEFED_MODULE/pkg/version.version=$KUBEFED_VERSION"
  got=$("$dest/$NAME" --version 2>&1 | head -1)
  [[ $got == *"Version:\"$KUBEFED_VERSION\""* ]] || die "built $NAME reports '$got', want version $KUBEFED_VERSION"
  record "$NAME" "$KUBEFED_VERSION"
fi

rm -rf "${dest:?}/$CHART" && mkdir -p "$dest/$CHART"
cp "$dir/charts/kubefed/charts/controllermanager/crds/crds.yaml" "$dest/$CHART/core-crds.yaml"
cp "$dir/charts/kubefed/crds/crds.yaml" "$dest/$CHART/types-crds.yaml"
cp "$dir/charts/kubefed/templates/federatedtypeconfig.yaml" "$dest/$CHART/federatedtypeconfigs.yaml"
# The module cache is read-only; the copies need not be.
chmod -R u+w "$dest/$CHART"
! grep -q '{{' "$dest/$CHART"/*.yaml || die "$CHART $KUBEFED_VERSION: a copied manifest is a Helm template, not plain YAML"
record "$CHART" "$KUBEFED_VERSION"
log "$NAME and $CHART $KUBEFED_VERSION ready in $dest"
