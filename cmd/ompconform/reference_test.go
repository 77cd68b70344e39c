package main

import (
	"strings"
	"testing"
)

func TestReferenceRegistered(t *testing.T) {
	code, out, _ := runCmd(t, nil, "help", "reference")
	if code != ExitOK || !strings.HasPrefix(out, "usage: ompconform reference") || !strings.Contains(out, "-system-ip") {
		t.Fatalf("help reference: code %d, output %q", code, out)
	}
	// A configuration error is a usage error, reported before anything
	// listens.
	code, _, errs := runCmd(t, nil, "reference", "-role", "edge", "-system-ip", "0.0.0.0")
	if code != ExitUsage || !strings.Contains(errs, "router ID 0.0.0.0") {
		t.Fatalf("bad router ID: code %d, stderr %q", code, errs)
	}
}
