// Package schedule is the ReplicaSchedulingPreference controller: for every
// preference (scheduling.kubefed.io/v1alpha1) it reads how many replicas of its
// federated workload are ready in each member cluster and how many each cluster
// can run, has package scheduling plan the spread, and writes the plan into the
// federated object as its spec.placement.clusters and one /spec/replicas override
// per cluster, which the sync controller then propagates. It works for every
// federated type of the manager whose target has spec.replicas.
//
// It follows KubeFed v0.10's scheduler:
//
//   - Candidates are the ready member clusters; with intersectWithClusterSelector,
//     only those the federated object's spec.placement.clusterSelector selects.
//   - A cluster's current replicas are its object's status.readyReplicas.
//   - Pods of the workload (matched by its spec.selector) that have been
//     unschedulable for longer than a threshold (one minute, as in KubeFed)
//     lower the cluster's capacity: its spec.replicas minus those pods.
//   - Each candidate is placed and gets the replicas the plan gives it plus its
//     overflow (the replicas beyond its capacity stay there, pending, and start
//     if room appears, while the other clusters run them meanwhile); a candidate
//     the plan gives none is placed with 0 replicas. Overrides of other paths are
//     kept, a /spec/replicas override of a cluster that is no longer a candidate
//     is removed.
//   - Deleting a preference changes nothing in the federated object: it keeps the
//     placement and replicas last written, and the user takes them over.
//
// Where it differs from KubeFed:
//
//   - Any scalable federated type can be scheduled, not only FederatedDeployment
//     and FederatedReplicaSet; an unknown or unscalable targetKind is reported.
//   - Current replicas are always status.readyReplicas; KubeFed counted Running
//     and Ready pods matching the selector when they differed.
//   - intersectWithClusterSelector intersects with the selector every time;
//     KubeFed intersected with the placement, which after its first write was the
//     clusters list it wrote itself, so that clusters joining later were never
//     added.
//   - A namespaced workload is scheduled only on clusters its namespace is
//     placed on (its FederatedNamespace), since it cannot run elsewhere.
//   - The preference has a status: the plan per cluster and a Scheduled
//     condition saying why not when it cannot schedule. KubeFed wrote none.
//   - The federated object is written with a merge patch of spec.placement.clusters
//     and spec.overrides only, with optimistic locking, and only when they change.
package schedule
