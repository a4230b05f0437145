// Package host connects kubefedctl to the host cluster of a federation: the
// kubeconfig flags every command shares, and one connection (clients, a discovery
// snapshot and a TYPE resolver) per command.
package host
