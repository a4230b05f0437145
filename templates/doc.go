// Package templates holds the text templates of every non-Go artefact kubefed-gen
// writes (Dockerfile, RBAC, install manifests, kustomizations), embedded in the
// binary. Go code is emitted with jennifer instead; emitters choose what goes into
// a file, the templates only how it is laid out.
package templates
