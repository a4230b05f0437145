// Package bench measures propagation on real local clusters against a floor
// measured in the same run: the same objects written straight to the member API
// servers with client-go at the same concurrency. Run it with make bench.
package bench
