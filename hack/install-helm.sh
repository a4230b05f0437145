#!/usr/bin/env bash
# Builds helm from the Go module proxy into the ignored test-binary folder, for
# the chart's end-to-end test (test/e2e/helm_test.go) and for installing the
# chart locally. helm's own go.mod is built as it is, exactly as `go install`
# would (its k8s.io modules, not this repository's), so no replace is needed.
# The version it was built from is recorded in DEST/.versions; a second run
# builds nothing. A cold build took 104 s on an otherwise idle 2-core machine
# after the other test binaries (14 minutes with a load average of 14).
#
# Usage: hack/install-helm.sh [DEST]   (default: bin/k8s, or $KUBEFED_TEST_BIN)
set -euo pipefail

HELM_MODULE=helm.sh/helm/v3
HELM_VERSION=v3.21.4

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dest=${1:-${KUBEFED_TEST_BIN:-$root/bin/k8s}}
stamp="$dest/.versions"

# shellcheck source=lib/binaries.sh
source "$root/hack/lib/binaries.sh"

if built helm "$HELM_VERSION"; then
  log "helm $HELM_VERSION already in $dest; nothing to build"
  exit 0
fi

workspace

log "building helm $HELM_VERSION from $HELM_MODULE (about 2 minutes cold on 2 cores)"
cd "$work"
go mod init kubefed.local/helm >/dev/null 2>&1
fetch "$HELM_MODULE@$HELM_VERSION" >/dev/null
go get "$HELM_MODULE/cmd/helm@$HELM_VERSION" >/dev/null 2>&1 \
  || die "go get $HELM_MODULE/cmd/helm@$HELM_VERSION failed; is the Go module proxy ($proxy) reachable?"
# helm prints the version it was stamped with; a module build is not stamped.
build helm "$HELM_MODULE/cmd/helm" -ldflags "-X $HELM_MODULE/internal/version.version=$HELM_VERSION"
got=$("$dest/helm" version --template '{{.Version}}')
[[ $got == "$HELM_VERSION" ]] || die "built helm reports '$got', want '$HELM_VERSION'"
record helm "$HELM_VERSION"
log "helm ready in $dest"
