//go:build unix

package clusters

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
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
	if c.env == nil || c.env.ControlPlane.APIServer == nil {
		return 0, fmt.Errorf("cluster %s is not running", c.Name)
	}
	port := c.env.ControlPlane.APIServer.SecureServing.Port
	want := []byte("--secure-port=" + port)
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
		if filepath.Base(string(args[0])) != "kube-apiserver" {
			continue
		}
		for _, arg := range args[1:] {
			if bytes.Equal(arg, want) {
				return pid, nil
			}
		}
	}
	return 0, fmt.Errorf("cluster %s: no kube-apiserver child of this process serves port %s", c.Name, port)
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
