// Package bad holds types kubefed-gen must refuse, each with a clear error.
// +groupName=bad.example.com
package bad
