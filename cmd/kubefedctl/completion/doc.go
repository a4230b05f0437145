// Package completion completes kubefedctl's TYPE and NAME arguments in shells,
// from what the host cluster federates.
package completion
