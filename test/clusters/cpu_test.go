//go:build linux

package clusters

import (
	"os"
	"syscall"
	"testing"
	"time"
)

func TestProcessCPU(t *testing.T) {
	for start := time.Now(); time.Since(start) < 300*time.Millisecond; {
	}
	got, err := ProcessCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	want := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	// /proc counts whole ticks, and the two reads are not at the same instant.
	if got < 250*time.Millisecond || got > want+50*time.Millisecond || got < want-50*time.Millisecond {
		t.Fatalf("ProcessCPU = %v, getrusage says %v", got, want)
	}
}
