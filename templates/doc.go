// Package templates holds the text templates of the artefacts kubefed-gen writes
// that are text rather than Kubernetes objects or Go (today the Dockerfile),
// embedded in the binary. Go code is emitted with jennifer and manifests as typed
// objects marshalled to YAML; the templates only lay out what an emitter chose.
package templates
