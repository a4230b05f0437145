package federation

import (
	"bytes"
	"strings"
	"sync"
)

// logTail keeps the last lines the controller manager logged, so that a test that
// fails (in CI above all) says what the controllers did before it.
type logTail struct {
	mu    sync.Mutex
	lines []string // a ring of cap lines; next is the oldest once full
	next  int
	cap   int
}

func newLogTail(lines int) *logTail { return &logTail{cap: lines} }

func (l *logTail) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for line := range bytes.Lines(p) {
		s := strings.TrimRight(string(line), "\n")
		if len(l.lines) < l.cap {
			l.lines = append(l.lines, s)
			continue
		}
		l.lines[l.next] = s
		l.next = (l.next + 1) % l.cap
	}
	return len(p), nil
}

// String returns the lines kept, oldest first.
func (l *logTail) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(append(append([]string{}, l.lines[l.next:]...), l.lines[:l.next]...), "\n")
}
