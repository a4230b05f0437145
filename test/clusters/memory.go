//go:build unix

package clusters

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
)

// Memory is how much memory some processes take, read from /proc (Linux only).
type Memory struct {
	// RSS sums the processes' resident set sizes, in bytes. A page that
	// several of them share (the code of a binary they all run, mostly)
	// counts once for each.
	RSS uint64
	// PSS sums their proportional set sizes, in bytes: a page shared by n
	// processes counts 1/n for each, so what several processes take together
	// is their PSS, not their RSS.
	PSS uint64
}

func (m *Memory) add(o Memory) { m.RSS += o.RSS; m.PSS += o.PSS }

// ProcessMemory returns the memory of the process pid.
func ProcessMemory(pid int) (Memory, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return Memory{}, err
	}
	var m Memory
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		// "Rss:     123456 kB"
		fields := bytes.Fields(sc.Bytes())
		if len(fields) != 3 {
			continue
		}
		var into *uint64
		switch string(fields[0]) {
		case "Rss:":
			into = &m.RSS
		case "Pss:":
			into = &m.PSS
		default:
			continue
		}
		kb, err := strconv.ParseUint(string(fields[1]), 10, 64)
		if err != nil {
			return Memory{}, fmt.Errorf("/proc/%d/smaps_rollup: %w", pid, err)
		}
		*into = kb << 10
	}
	return m, nil
}

// Memory returns the memory of the cluster's processes: its kube-apiserver,
// its etcd unless it keeps its data in a shared one, and the components of its
// Workloads.
func (c *Cluster) Memory() (Memory, error) {
	pids, err := c.pids()
	if err != nil {
		return Memory{}, err
	}
	var sum Memory
	for _, pid := range pids {
		m, err := ProcessMemory(pid)
		if err != nil {
			return Memory{}, fmt.Errorf("cluster %s: %w", c.Name, err)
		}
		sum.add(m)
	}
	return sum, nil
}

// MemberMemory returns the memory of all the members' processes, their shared
// etcd included.
func (s *Set) MemberMemory() (Memory, error) {
	var sum Memory
	for _, c := range s.Members {
		m, err := c.Memory()
		if err != nil {
			return Memory{}, err
		}
		sum.add(m)
	}
	if s.etcd != nil {
		pid, err := etcdPID(s.etcd)
		if err != nil {
			return Memory{}, fmt.Errorf("the members' etcd: %w", err)
		}
		m, err := ProcessMemory(pid)
		if err != nil {
			return Memory{}, fmt.Errorf("the members' etcd: %w", err)
		}
		sum.add(m)
	}
	return sum, nil
}
