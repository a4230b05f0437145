// Package orphaning is kubefedctl's orphaning command: it sets, clears and reads
// the annotation that keeps a federated object's member objects when it is deleted.
package orphaning
