// Package propagation is the sync controller: for every Federated<Kind> in the host
// cluster it resolves the placement, applies the per-cluster overrides to the
// typed template, has package dispatch write the result into each member cluster,
// and reports per-cluster status back. It is level-triggered: member clusters
// joining, leaving or changing health, member objects changing (drift) and the
// federated object changing all lead to the same reconcile.
package propagation
