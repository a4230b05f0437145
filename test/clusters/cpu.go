//go:build unix

package clusters

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"time"
)

// clockTick is the unit of the CPU times in /proc/<pid>/stat: USER_HZ, which
// Linux fixes at 100 on every architecture it exports to user space.
const clockTick = 10 * time.Millisecond

// ProcessCPU returns the user and system CPU time the process pid has used
// (Linux only).
func ProcessCPU(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// "pid (comm) state ppid ...": comm may hold spaces, so count fields from
	// its closing parenthesis; utime and stime are the 14th and 15th fields.
	fields := bytes.Fields(data[bytes.LastIndexByte(data, ')')+1:])
	if len(fields) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields after the command name", pid, len(fields))
	}
	var ticks int64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseInt(string(f), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * clockTick, nil
}

// CPU returns the CPU time the cluster's processes have used since they
// started: its kube-apiserver, its etcd unless it keeps its data in a shared
// one, and the components of its Workloads.
func (c *Cluster) CPU() (time.Duration, error) {
	pids, err := c.pids()
	if err != nil {
		return 0, err
	}
	return processesCPU(pids)
}

// MemberCPU returns the CPU time all the members' processes have used, their
// shared etcd included.
func (s *Set) MemberCPU() (time.Duration, error) {
	var sum time.Duration
	for _, c := range s.Members {
		cpu, err := c.CPU()
		if err != nil {
			return 0, err
		}
		sum += cpu
	}
	if s.etcd != nil {
		pid, err := etcdPID(s.etcd)
		if err != nil {
			return 0, fmt.Errorf("the members' etcd: %w", err)
		}
		cpu, err := ProcessCPU(pid)
		if err != nil {
			return 0, err
		}
		sum += cpu
	}
	return sum, nil
}

func processesCPU(pids []int) (time.Duration, error) {
	var sum time.Duration
	for _, pid := range pids {
		cpu, err := ProcessCPU(pid)
		if err != nil {
			return 0, err
		}
		sum += cpu
	}
	return sum, nil
}
