// Package join is kubefedctl's join and unjoin commands: they register a member
// cluster with the host cluster, and remove it.
package join
