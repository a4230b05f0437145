// Package status is kubefedctl's status command: it explains where a federated
// object is propagated and why not elsewhere. It gathers what the host and the
// member clusters hold (gather.go), compares it with what the controller would
// write (compare.go), explains each cluster in words (explain.go) and renders the
// report as text, YAML or JSON (render.go).
package status
