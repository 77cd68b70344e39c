package main

import (
	"strings"
	"testing"
)

// --dut-wait bounds each start of --dut-cmd: zero or less is a usage
// error, said before anything starts, for run and fuzz alike.
func TestDUTWaitMustBePositive(t *testing.T) {
	for _, cmd := range [][]string{
		{"run", "--target", "127.0.0.1:1", "--dut-cmd", "true"},
		{"fuzz", "--target", "127.0.0.1:1", "--dut-cmd", "true", "--out", t.TempDir()},
	} {
		for _, bad := range []string{"0", "-1s"} {
			args := append(append([]string{}, cmd...), "--dut-wait", bad)
			code, _, stderr := runCmd(t, nil, args...)
			if code != ExitUsage || !strings.Contains(stderr, "--dut-wait must be positive") {
				t.Errorf("%s: code %d, stderr %q; want a usage error naming --dut-wait", strings.Join(args, " "), code, stderr)
			}
		}
	}
}
