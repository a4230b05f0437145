#!/usr/bin/env bash
# The end-to-end demo on local clusters: start a host and two members, run the
# default controller manager, join both members, federate a namespace and a
# Deployment with overrides, show what landed in each member, and schedule a second
# Deployment's replicas over the members with a ReplicaSchedulingPreference.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
source hack/lib/local-state.sh
ns=kube-federation-system
export KUBECONFIG=$kubeconfig
kubectl() { bin/k8s/kubectl "$@"; }
step() { printf '\n==> %s\n' "$*"; }

step "starting local clusters (host, member1, member2)"
hack/local-up.sh >/dev/null
kubectl config get-contexts

step "building kubefedctl and the controller manager"
go build -o bin/ ./cmd/kubefedctl
# The default manager's main package is generated into cmd/controller-manager/cmd/manager.
go build -o bin/controller-manager ./cmd/controller-manager/cmd/manager

step "installing the CRDs into the host (server-side apply: some are larger than client-side apply can store)"
kubectl --context host apply --server-side -f runtime/config/crd -f cmd/controller-manager/config/crd/bases >/dev/null
kubectl --context host wait --for condition=Established crd --all --timeout 60s >/dev/null
kubectl --context host create namespace "$ns" --dry-run=client -o yaml | kubectl --context host apply -f - >/dev/null
# The admission policy puts the sync finalizer on new federated objects, saving the
# manager a write per object.
kubectl --context host apply --server-side -k cmd/controller-manager/config/admission >/dev/null

step "starting the controller manager (log: $state/controller-manager.log)"
cm=$(recorded "$cm_pidfile")
if [[ -n $cm ]] && ours "$cm"; then
  terminate 30 "$cm"
fi
nohup bin/controller-manager --kubeconfig "$KUBECONFIG" --context host --kubefed-namespace "$ns" \
  --metrics-bind-address 0 --health-probe-bind-address 0 --cluster-health-check-period 2s --leader-elect \
  >"$state/controller-manager.log" 2>&1 &
echo $! >"$cm_pidfile"

step "joining member1 and member2"
bin/kubefedctl join member1 --cluster-context member1 --host-cluster-context host --labels region=eu
bin/kubefedctl join member2 --cluster-context member2 --host-cluster-context host --labels region=us
kubectl --context host -n "$ns" wait --for condition=Ready kubefedclusters --all --timeout 60s
kubectl --context host -n "$ns" get kubefedclusters

step "federating namespace demo and deployment demo/web"
kubectl --context host apply -f examples/quickstart/federated-namespace.yaml
kubectl --context host wait -n demo --for condition=Propagation federatednamespace/demo --timeout 60s >/dev/null
kubectl --context host apply -f examples/quickstart/federated-deployment.yaml
kubectl --context host wait -n demo --for condition=Propagation federateddeployment/web --timeout 60s >/dev/null

step "what landed in each member cluster"
for c in member1 member2; do
  echo "--- $c"
  kubectl --context "$c" -n demo get deployment web \
    -o custom-columns='NAME:.metadata.name,REPLICAS:.spec.replicas,IMAGE:.spec.template.spec.containers[0].image,MANAGED:.metadata.labels.kubefed\.io/managed,REGION:.metadata.annotations.region'
done

# Members run pods unless the clusters were started with LOCAL_WORKLOADS=0 (no nodes).
if [[ -n $(kubectl --context member1 get nodes -o name) ]]; then
  step "the members run the pods (on kwok's fake nodes: Running and Ready, no containers)"
  for c in member1 member2; do
    echo "--- $c"
    kubectl --context "$c" -n demo rollout status deployment/web --timeout 60s
    kubectl --context "$c" -n demo get pods -o wide
  done
fi

step "scheduling deployment demo/api: 9 replicas, weight 2 for member1, 1 for others (examples/scheduling)"
kubectl --context host apply -f examples/scheduling/scheduled-deployment.yaml
kubectl --context host -n demo wait --for condition=Scheduled rsp/api --timeout 60s >/dev/null
kubectl --context host -n demo get rsp api -o jsonpath='{.status.conditions[?(@.type=="Scheduled")].message}{"\n"}'
if [[ -n $(kubectl --context member1 get nodes -o name) ]]; then
  for c in member1 member2; do
    for _ in $(seq 60); do kubectl --context "$c" -n demo get deployment api >/dev/null 2>&1 && break; sleep 1; done
    kubectl --context "$c" -n demo rollout status deployment/api --timeout 60s >/dev/null
    printf '%s: ' "$c"
    kubectl --context "$c" -n demo get deployment api -o jsonpath='{.spec.replicas} replicas, {.status.readyReplicas} ready{"\n"}'
  done
fi
echo "(why: bin/kubefedctl status deployments.apps api -n demo)"

step "federated status in the host"
kubectl --context host get federated -n demo
# A healthy cluster has no propagation status (KubeFed's wire format); its health
# is what the controller collected from the member.
kubectl --context host -n demo get federateddeployment web -o jsonpath='{range .status.clusters[*]}{.name}: health {.health}{"\n"}{end}'

cat <<MSG

Done. The clusters and the controller manager keep running; look further with:
  export KUBECONFIG=$KUBECONFIG
  kubectl --context host -n demo get federateddeployment web -o yaml
  kubectl --context member2 -n demo get deployment web -o yaml
Stop everything with: make local-down
MSG
