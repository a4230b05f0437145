#!/usr/bin/env bash
# Builds the DNS servers that the multicluster DNS end-to-end tests run on
# (test/dnsstack) from the Go module proxy, into the same ignored folder as the
# control-plane binaries of hack/install-test-binaries.sh:
#   external-dns   reads DNSEndpoint objects from the host and writes the records
#                  to etcd (its coredns provider)
#   coredns        answers DNS queries from those records (its etcd plugin)
# The etcd they share is the one hack/install-test-binaries.sh builds. Each binary
# is checked on its own against the version it was built from (DEST/.versions,
# one name=version line each), so a second run builds nothing.
#
# external-dns does not build as the proxy serves it: three of its dependencies
# are refused (github.com/civo/civogo, github.com/exoscale/egoscale/v3 and its
# github.com/openshift/api pseudo-version). Its source is copied from the module
# cache and built without the civo and exoscale providers and the OpenShift route
# source, with the edits below; its go.mod needs Go 1.27, fetched as the
# go1.27.3 toolchain for that build only. CoreDNS is built from a main, written
# here, that plugs in only what test/dnsstack's Corefile uses.
#
# Cold builds: external-dns takes 14 minutes of CPU time, so about 8 minutes on
# 2 idle cores (plus the Go 1.27 toolchain download the first time); CoreDNS 2
# minutes of CPU time, about 1 minute. Measured on 2 cores shared with other
# builds (load average 20-30), they took 36 and 4 to 7 minutes.
#
# Usage: hack/install-dns-binaries.sh [DEST]   (default: bin/k8s, or $KUBEFED_TEST_BIN)
set -euo pipefail

EXTERNAL_DNS_MODULE=sigs.k8s.io/external-dns
EXTERNAL_DNS_VERSION=v0.23.0
EXTERNAL_DNS_TOOLCHAIN=go1.27.3
COREDNS_MODULE=github.com/coredns/coredns
COREDNS_VERSION=v1.15.0
# The plugins test/dnsstack's Corefile uses, and log for one written by hand to
# log queries, in CoreDNS's own order of execution (core/dnsserver/zdirectives.go):
# a plugin sees only what those after it do.
COREDNS_PLUGINS=(bind errors log etcd)

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dest=${1:-${KUBEFED_TEST_BIN:-$root/bin/k8s}}
stamp="$dest/.versions"

# shellcheck source=lib/binaries.sh
source "$root/hack/lib/binaries.sh"


need_external_dns=0 need_coredns=0
built external-dns "$EXTERNAL_DNS_VERSION" || need_external_dns=1
built coredns "$COREDNS_VERSION" || need_coredns=1
if ((!need_external_dns && !need_coredns)); then
  log "DNS binaries (external-dns $EXTERNAL_DNS_VERSION, coredns $COREDNS_VERSION) already in $dest; nothing to build"
  exit 0
fi

workspace


# edit FILE SED-SCRIPT: edits FILE in place and fails if nothing changed, so that
# an edit which no longer matches the source is reported, not skipped.
edit() {
  local file=$1 script=$2
  cp "$file" "$file.orig"
  sed -i "$script" "$file"
  ! cmp -s "$file" "$file.orig" || die "external-dns $EXTERNAL_DNS_VERSION: '$script' changed nothing in $file"
  rm "$file.orig"
}

if ((need_external_dns)); then
  log "building external-dns $EXTERNAL_DNS_VERSION from $EXTERNAL_DNS_MODULE with $EXTERNAL_DNS_TOOLCHAIN (about 8 minutes cold on 2 cores)"
  mkdir -p "$work/fetch" && cd "$work/fetch"
  edir=$(GOTOOLCHAIN=$EXTERNAL_DNS_TOOLCHAIN fetch "$EXTERNAL_DNS_MODULE@$EXTERNAL_DNS_VERSION")
  [[ -n $edir && -f $edir/go.mod ]] || die "$EXTERNAL_DNS_MODULE@$EXTERNAL_DNS_VERSION has no go.mod in the module cache"
  # The module cache is read-only; the copy is edited and built as a main module.
  cp -r "$edir" "$work/external-dns"
  chmod -R u+w "$work/external-dns"
  cd "$work/external-dns"

  # Without the civo and exoscale providers: their packages and the two lines
  # each that import and register them in the provider factory.
  rm -r provider/civo provider/exoscale
  edit provider/factory/provider.go '/"sigs.k8s.io\/external-dns\/provider\/\(civo\|exoscale\)"$/d'
  edit provider/factory/provider.go '/^\t\texternaldns\.Provider\(Civo\|Exoscale\): /d'
  # Without the OpenShift route source: its files, and in the source factory its
  # client (import, interface method, fields, constructor) and its case. The
  # source type's name stays known; asking for it fails as an unknown source would.
  rm source/openshift_route*.go
  edit source/store.go '/^\topenshift "github.com\/openshift\/client-go\//d'
  edit source/store.go '/^\tOpenShiftClient() (openshift\.Interface, error)$/d'
  edit source/store.go '/^\topenshift\(Client\|ClientErr\|Once\) /d'
  edit source/store.go '/^\/\/ OpenShiftClient generates/,/^}$/d'
  edit source/store.go '/^\tcase types\.OpenShiftRoute:$/,+1d'
  edit source/store.go '/^func buildOpenShiftRouteSource(/,/^}$/d'
  go mod edit \
    -droprequire github.com/civo/civogo \
    -droprequire github.com/exoscale/egoscale/v3 \
    -droprequire github.com/openshift/api \
    -droprequire github.com/openshift/client-go
  # Only tests and their helpers (internal/testutils, tests/) may still name them.
  if left=$(grep -rlE 'civogo|egoscale|github.com/openshift/(api|client-go)' --include='*.go' --exclude='*_test.go' . \
    | grep -vE '^\./(internal/testutils|tests)/'); then
    die "external-dns $EXTERNAL_DNS_VERSION still refers to a removed dependency in: $left"
  fi

  GOTOOLCHAIN=$EXTERNAL_DNS_TOOLCHAIN build external-dns . \
    -ldflags "-X $EXTERNAL_DNS_MODULE/pkg/apis/externaldns.Version=$EXTERNAL_DNS_VERSION"
  got=$("$dest/external-dns" --version 2>&1)
  [[ $got == "$EXTERNAL_DNS_VERSION" ]] || die "built external-dns reports '$got', want '$EXTERNAL_DNS_VERSION'"
  record external-dns "$EXTERNAL_DNS_VERSION"
else
  log "external-dns $EXTERNAL_DNS_VERSION already built"
fi

if ((need_coredns)); then
  log "building coredns $COREDNS_VERSION from $COREDNS_MODULE with the plugins ${COREDNS_PLUGINS[*]} (about 1 minute cold)"
  mkdir -p "$work/coredns" && cd "$work/coredns"
  go mod init kubefed.local/coredns >/dev/null 2>&1
  # CoreDNS's own main plugs in every plugin (core/plugin) and orders them by the
  # generated dnsserver.Directives; this one plugs in and orders only those named.
  {
    echo "package main"
    echo
    echo "import ("
    echo "	\"$COREDNS_MODULE/core/dnsserver\""
    echo "	\"$COREDNS_MODULE/coremain\""
    echo
    for p in "${COREDNS_PLUGINS[@]}"; do echo "	_ \"$COREDNS_MODULE/plugin/$p\""; done
    echo ")"
    echo
    echo "func init() {"
    echo "	dnsserver.Directives = []string{$(printf '"%s", ' "${COREDNS_PLUGINS[@]}" | sed 's/, $//')}"
    echo "}"
    echo
    echo "func main() { coremain.Run() }"
  } > main.go
  fetch "$COREDNS_MODULE@$COREDNS_VERSION" >/dev/null
  go get "$COREDNS_MODULE@$COREDNS_VERSION" >/dev/null 2>&1 \
    || die "go get $COREDNS_MODULE@$COREDNS_VERSION failed; is the Go module proxy ($proxy) reachable?"
  build coredns .
  got=$("$dest/coredns" -version | head -1)
  [[ $got == "CoreDNS-${COREDNS_VERSION#v}" ]] || die "built coredns reports '$got', want 'CoreDNS-${COREDNS_VERSION#v}'"
  record coredns "$COREDNS_VERSION"
else
  log "coredns $COREDNS_VERSION already built"
fi

log "DNS binaries ready in $dest"
