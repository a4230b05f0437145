// Package version tells which version of the kubefed module a binary was built
// from, and the API versions that module speaks, for kubefedctl version, the
// controller manager's start and --version, and the header of generated files.
package version
