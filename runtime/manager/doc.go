// Package manager runs a federation controller manager: the cluster registry and a
// sync controller per federated type, with the flags, metrics, health probes and
// leader election users expect. A generated main.go is one call to Main.
package manager
