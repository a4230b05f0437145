// Package health says how a member object is doing, by its own status: Ready,
// Progressing, Degraded or Unknown. Built-in kinds are judged by their typed
// status (replicas available against desired, job conditions, load balancers);
// any other kind by a Ready or Available condition, and a kind without status
// is ready once it exists. A target type may define its own health by
// implementing Assessor, and a federated type may name the condition that
// means healthy (For). ReadyCondition sums the health of every placed cluster
// up in the federated object's Ready condition.
package health
