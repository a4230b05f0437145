package app

import (
	"bytes"
	"strings"
	"testing"
)

// TestNewCommandInProcess runs commands in-process, each on a fresh command tree,
// with their output captured.
func TestNewCommandInProcess(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"version"}, {"--help"}} {
		cmd := NewCommand()
		var out, errOut bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(&errOut)
		cmd.SetArgs(args)
		if err := cmd.Execute(); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		if out.Len() == 0 || errOut.Len() != 0 {
			t.Errorf("%v: stdout %q, stderr %q", args, out.String(), errOut.String())
		}
	}
	cmd := NewCommand()
	cmd.SetArgs([]string{"status", "only-a-type"})
	if err := cmd.Execute(); err == nil || !strings.Contains(err.Error(), "accepts 2 arg(s)") {
		t.Errorf("status with one argument: %v", err)
	}
}
