//go:build unix

package clusters

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// HangAPIServer stops the cluster's kube-apiserver with SIGSTOP: its port stays
// open and its connections stay established, but nothing is answered, as with a
// hung server or a network path that drops packets. ResumeAPIServer undoes it;
// a test that hangs a server should resume it in t.Cleanup, since a stopped
// server cannot be stopped cleanly.
func (c *Cluster) HangAPIServer() error { return c.signalAPIServer(syscall.SIGSTOP) }

// ResumeAPIServer continues a kube-apiserver stopped by HangAPIServer; it does
// nothing to one that runs.
func (c *Cluster) ResumeAPIServer() error { return c.signalAPIServer(syscall.SIGCONT) }

func (c *Cluster) signalAPIServer(sig syscall.Signal) error {
	pid, err := c.APIServerPID()
	if err != nil {
		return err
	}
	if err := syscall.Kill(pid, sig); err != nil {
		return fmt.Errorf("cluster %s: signal kube-apiserver (pid %d): %w", c.Name, pid, err)
	}
	return nil
}

// APIServerPID returns the process ID of the cluster's kube-apiserver. envtest
// keeps its process handle unexported, so it is found in /proc (Linux only): the
// child of this process that runs kube-apiserver on the cluster's secure port.
func (c *Cluster) APIServerPID() (int, error) {
	if c.apiServer == nil {
		return 0, fmt.Errorf("cluster %s is not running", c.Name)
	}
	pid, err := childPID("kube-apiserver", "--secure-port="+c.apiServer.SecureServing.Port)
	if err != nil {
		return 0, fmt.Errorf("cluster %s: %w", c.Name, err)
	}
	return pid, nil
}

// pids returns the process IDs of the cluster's processes: its kube-apiserver,
// its etcd unless it keeps its data in a shared one, and the components of its
// Workloads.
func (c *Cluster) pids() ([]int, error) {
	pid, err := c.APIServerPID()
	if err != nil {
		return nil, err
	}
	pids := []int{pid}
	if c.etcd != nil {
		pid, err := etcdPID(c.etcd)
		if err != nil {
			return nil, fmt.Errorf("cluster %s: %w", c.Name, err)
		}
		pids = append(pids, pid)
	}
	for _, p := range c.components {
		pids = append(pids, p.cmd.Process.Pid)
	}
	return pids, nil
}

// etcdPID returns the process ID of etcd e, a child of this process, found in
// /proc by the client URL it listens on.
func etcdPID(e *envtest.Etcd) (int, error) {
	if e == nil || e.URL == nil {
		return 0, errors.New("etcd is not running")
	}
	return childPID("etcd", "--listen-client-urls="+e.URL.String())
}

// childPID returns the process ID of the child of this process that runs the
// binary named name with the argument arg.
func childPID(name, arg string) (int, error) {
	want := []byte(arg)
	dirs, err := filepath.Glob("/proc/[0-9]*")
	if err != nil {
		return 0, err
	}
	for _, dir := range dirs {
		pid, err := strconv.Atoi(filepath.Base(dir))
		if err != nil || parentPID(dir) != os.Getpid() {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join(dir, "cmdline"))
		if err != nil {
			continue // exited meanwhile
		}
		args := bytes.Split(bytes.TrimRight(cmdline, "\x00"), []byte{0})
		if filepath.Base(string(args[0])) != name {
			continue
		}
		for _, a := range args[1:] {
			if bytes.Equal(a, want) {
				return pid, nil
			}
		}
	}
	return 0, fmt.Errorf("no %s child of this process runs with %s", name, arg)
}

// parentPID reads the parent's PID from /proc/<pid>/stat; -1 if it cannot.
func parentPID(dir string) int {
	stat, err := os.ReadFile(filepath.Join(dir, "stat"))
	if err != nil {
		return -1
	}
	// "pid (comm) state ppid ...": comm may hold spaces and parentheses, so
	// the fields are counted from the last ')'.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return -1
	}
	fields := bytes.Fields(stat[i+1:])
	if len(fields) < 2 {
		return -1
	}
	ppid, err := strconv.Atoi(string(fields[1]))
	if err != nil {
		return -1
	}
	return ppid
}

// KillAPIServer kills the cluster's kube-apiserver with SIGKILL, as a crash
// would, and returns once it is gone: connections to it are refused from then
// on. Its etcd, folders and certificates stay, for RestartAPIServer.
func (c *Cluster) KillAPIServer() error {
	pid, err := c.APIServerPID()
	if err != nil {
		return err
	}
	args, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
	if err != nil {
		return fmt.Errorf("cluster %s: read the kube-apiserver's arguments: %w", c.Name, err)
	}
	c.apiServerArgs = strings.Split(strings.TrimRight(string(args), "\x00"), "\x00")
	restarted := c.restartedAPIServer
	if restarted != nil {
		restarted.stopping.Store(true) // its exit is expected
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		return fmt.Errorf("cluster %s: kill kube-apiserver (pid %d): %w", c.Name, pid, err)
	}
	if restarted != nil {
		<-restarted.done
		c.restartedAPIServer = nil
	}
	// Gone once reaped (by envtest or by the component), which ends its /proc
	// entry's arguments.
	return wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, stopTimeout, true, func(context.Context) (bool, error) {
		_, err := c.APIServerPID()
		return err != nil, nil
	})
}

// RestartAPIServer starts the kube-apiserver KillAPIServer killed again, with
// the same arguments: the same port, certificates, service account keys (so
// tokens it issued stay valid) and etcd. It returns once the API server serves
// the administrator.
func (c *Cluster) RestartAPIServer() error {
	if len(c.apiServerArgs) == 0 {
		return fmt.Errorf("cluster %s: no kube-apiserver was killed", c.Name)
	}
	if _, err := c.APIServerPID(); err == nil {
		return fmt.Errorf("cluster %s: kube-apiserver runs already", c.Name)
	}
	var out, errOut io.Writer
	if attachOutput() {
		out, errOut = os.Stdout, os.Stderr
	}
	comp, err := startComponent("kube-apiserver", c.apiServerArgs[0], c.apiServerArgs[1:], nil, out, errOut)
	if err != nil {
		return fmt.Errorf("cluster %s: %w", c.Name, err)
	}
	c.restartedAPIServer = comp
	if err := waitDefaultNamespace(c.Config); err != nil {
		return fmt.Errorf("cluster %s: restarted kube-apiserver: %w; its last output:\n%s", c.Name, err, comp.tail)
	}
	return nil
}
