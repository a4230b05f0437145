package clusters

import (
	"context"
	"io"
	"time"
)

// Process is a program that a test runs beside its clusters (a DNS server, a
// controller), started, watched and stopped the way a cluster's own components
// are: its last output is kept for error messages, an exit is noticed at once,
// and an exit before Stop is reported as an error.
type Process struct{ c *component }

// StartProcess starts the binary at path with args and, besides this process's
// environment, env. Its output goes to out (nil discards it); name is what error
// messages call it.
func StartProcess(name, path string, args, env []string, out io.Writer) (*Process, error) {
	c, err := startComponent(name, path, args, env, out, out)
	if err != nil {
		return nil, err
	}
	return &Process{c: c}, nil
}

// Name is what error messages call the process.
func (p *Process) Name() string { return p.c.name }

// WaitHealthy polls url until it answers 200, failing early if the process exits.
// Servers with self-signed certificates are accepted.
func (p *Process) WaitHealthy(ctx context.Context, url string) error {
	return p.c.waitHealthy(ctx, url)
}

// WaitFor polls cond every 100ms until it holds, it fails, the process exits or
// ctx ends; what says what is waited for, in error messages, which end with the
// process's last output.
func (p *Process) WaitFor(ctx context.Context, what string, cond func(context.Context) (bool, error)) error {
	return p.c.waitFor(ctx, what, cond)
}

// Done is closed once the process has exited, for whatever reason.
func (p *Process) Done() <-chan struct{} { return p.c.done }

// ExitErr is how the process exited (nil for status 0); valid once Done is closed.
func (p *Process) ExitErr() error { return p.c.exitErr }

// Output returns the last few KiB the process wrote to stdout and stderr.
func (p *Process) Output() string { return p.c.tail.String() }

// Stop sends SIGTERM and waits up to timeout for the process to exit, then kills
// it. It fails, with the process's last output, if the process had already
// exited on its own.
func (p *Process) Stop(timeout time.Duration) error { return p.c.stop(timeout) }

// FreePort returns a free TCP port on the loopback address, never the same twice
// in this process, including the ports the clusters' components were given.
func FreePort() (int, error) { return freePort() }
