package main

import (
	"strings"
	"testing"
)

func TestReferenceRegistered(t *testing.T) {
	// A configuration error is a usage error, reported before anything
	// listens.
	code, _, errs := runCmd(t, nil, "reference", "-role", "edge", "-system-ip", "0.0.0.0")
	if code != ExitUsage || !strings.Contains(errs, "router ID 0.0.0.0") {
		t.Fatalf("bad router ID: code %d, stderr %q", code, errs)
	}
}

// The named faults: -list-faults prints them, -fault takes one.
func TestReferenceFaults(t *testing.T) {
	code, out, _ := runCmd(t, nil, "reference", "-list-faults")
	if code != ExitOK || !strings.HasPrefix(out, "NAME") || !strings.Contains(out, "alert-never") || !strings.Contains(out, "edge-origin-order-reversed") {
		t.Fatalf("-list-faults: code %d, output %q", code, out)
	}
	code, _, errs := runCmd(t, nil, "reference", "-role", "edge", "-system-ip", "10.0.0.2", "-fault", "no-such-fault")
	if code != ExitUsage || !strings.Contains(errs, `fault "no-such-fault"`) {
		t.Fatalf("unknown fault: code %d, stderr %q", code, errs)
	}
}
