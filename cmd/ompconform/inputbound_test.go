package main

import (
	"os"
	"strings"
	"testing"
)

// The files fuzz, show and report merge read are bounded (filein): a
// device such as /dev/zero is refused at once, not read forever.
func TestMyInputsBounded(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip(err)
	}
	for _, args := range [][]string{
		{"fuzz", "--replay", "/dev/zero"},
		{"fuzz", "promote", "/dev/zero"},
		{"show", "--report", "/dev/zero", "HDR-001"},
		{"report", "merge", "/dev/zero"},
	} {
		code, _, errs := runCmd(t, nil, args...)
		if code == ExitOK || !strings.Contains(errs, "not a regular file") {
			t.Errorf("%q: code %d, stderr %q", args, code, errs)
		}
	}
}
