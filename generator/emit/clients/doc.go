// Package clients emits the typed clientset, listers and informers for one API
// group-version package. It does not template them itself: it runs
// k8s.io/code-generator's client-gen, lister-gen and informer-gen as libraries, so the
// output is exactly what the Kubernetes ecosystem expects and follows code-generator
// upgrades for free.
//
// The API package must look like any code-generator input (see Generate for the list).
// Apply configurations are not generated, so the clients have no Apply methods.
package clients
