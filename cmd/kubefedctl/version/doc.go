// Package version is kubefedctl's version command: the version it was built as.
package version
