// Package e2e holds end-to-end tests on real API servers.
package e2e
