// Package runtime is the shared runtime every generated federation controller links
// against. Everything that is the same for every federated type lives here once,
// written with Go generics; generated code only instantiates it for its own types.
package runtime
