package clusters

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// component is a process of a cluster that envtest does not start: the
// kube-controller-manager, kube-scheduler and kwok of a cluster with Workloads.
type component struct {
	name     string
	cmd      *exec.Cmd
	tail     *tail
	done     chan struct{} // closed once the process has exited
	exitErr  error         // how it exited; read only after done is closed
	stopping atomic.Bool   // set by stop, so an exit from then on is expected
}

// startComponent starts the binary at path. Its output goes to out and errOut (nil
// discards it), and its last lines are kept for error messages.
func startComponent(name, path string, args, env []string, out, errOut io.Writer) (*component, error) {
	t := &tail{}
	cmd := exec.Command(path, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout = io.MultiWriter(t, orDiscard(out))
	cmd.Stderr = io.MultiWriter(t, orDiscard(errOut))
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	c := &component{name: name, cmd: cmd, tail: t, done: make(chan struct{})}
	go func() {
		c.exitErr = cmd.Wait()
		close(c.done)
	}()
	return c, nil
}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

// healthClient reaches the components' own health endpoints on the loopback
// address. They serve with self-signed certificates made at start, which nothing
// could verify, and answer /healthz and /readyz without credentials.
var healthClient = &http.Client{
	Timeout:   2 * time.Second,
	Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
}

// waitHealthy polls url until it answers 200, failing early if the process exits.
func (c *component) waitHealthy(ctx context.Context, url string) error {
	return c.waitFor(ctx, "answer "+url, func(ctx context.Context) (bool, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return false, err
		}
		resp, err := healthClient.Do(req)
		if err != nil {
			return false, nil // not listening yet
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, nil
	})
}

// waitFor polls cond every 100ms until it holds, it fails, the process exits or
// ctx ends; what says what is waited for, in error messages.
func (c *component) waitFor(ctx context.Context, what string, cond func(context.Context) (bool, error)) error {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, err := cond(ctx)
		if err != nil {
			return fmt.Errorf("%s: wait to %s: %w", c.name, what, err)
		}
		if ok {
			return nil
		}
		select {
		case <-c.done:
			c.stopping.Store(true) // reported here, not again by stop
			return fmt.Errorf("%s exited before it could %s (%v); its last output:\n%s", c.name, what, c.exitErr, c.tail)
		case <-ctx.Done():
			return fmt.Errorf("%s did not %s in time; its last output:\n%s", c.name, what, c.tail)
		case <-tick.C:
		}
	}
}

// stop sends SIGTERM and waits up to timeout for the process to exit, then kills
// it. It fails if the process had already exited on its own, since whatever ran
// on the cluster from then on ran without it.
func (c *component) stop(timeout time.Duration) error {
	if c.stopping.Swap(true) {
		<-c.done
		return nil
	}
	select {
	case <-c.done:
		return fmt.Errorf("%s exited while the cluster ran (%v); its last output:\n%s", c.name, c.exitErr, c.tail)
	default:
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
		return nil
	case <-time.After(timeout):
	}
	_ = c.cmd.Process.Kill()
	<-c.done
	return fmt.Errorf("%s did not stop within %s of SIGTERM and was killed", c.name, timeout)
}

// tail keeps the last few KiB written to it.
type tail struct {
	mu  sync.Mutex
	buf []byte
}

const tailSize = 4 << 10

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > tailSize {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-tailSize:]...)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimRight(string(t.buf), "\n")
}

// ports hands out free loopback ports, never the same twice in this process (a
// port just closed may be free again before the component that was given it binds).
var ports struct {
	mu    sync.Mutex
	given map[int]bool
}

func freePort() (int, error) {
	ports.mu.Lock()
	defer ports.mu.Unlock()
	for range 10 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, fmt.Errorf("find a free port: %w", err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if !ports.given[port] {
			if ports.given == nil {
				ports.given = map[int]bool{}
			}
			ports.given[port] = true
			return port, nil
		}
	}
	return 0, errors.New("find a free port: every port offered was handed out before")
}
