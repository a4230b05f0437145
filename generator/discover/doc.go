// Package discover turns what a user asks kubefed-gen to federate (a resource name
// as kubectl spells it, a Go type, or a Go package whose types carry the
// +kubefed:federate marker) into model.Targets. Go types are read with gengo.
package discover
