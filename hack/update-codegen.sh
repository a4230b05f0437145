#!/usr/bin/env bash
# Regenerates every checked-in generated file: deepcopy of the runtime's own API
# types, and everything kubefed-gen produces (go:generate directives).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

echo "==> deepcopy, core.kubefed.io, scheduling.kubefed.io, multiclusterdns.kubefed.io and externaldns.k8s.io CRDs for runtime/apis"
go tool controller-gen object paths=./runtime/apis/...
go tool controller-gen crd paths=./runtime/apis/core/... paths=./runtime/apis/scheduling/... \
  paths=./runtime/apis/multiclusterdns/... paths=./runtime/apis/externaldns/... output:crd:artifacts:config=runtime/config/crd

echo "==> go generate ./..."
go generate ./...
