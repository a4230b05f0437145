// Package propagatedversions is kubefedctl's delete-propagated-versions command:
// it deletes the PropagatedVersion and ClusterPropagatedVersion objects KubeFed
// kept in the host, which this control plane neither writes nor reads.
package propagatedversions
