#!/usr/bin/env bash
# The end-to-end demo on local clusters. It starts a host and two member clusters
# (hack/local-up.sh) and shows that each answers.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
hack/local-up.sh
for ctx in host member1 member2; do
  echo "--- $ctx"
  bin/k8s/kubectl --kubeconfig .local/kubeconfig --context "$ctx" version
done
