package runner

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ompconform/ompconform/dut"
	"github.com/ompconform/ompconform/suites/catalog"
)

// A run interrupted while timer cases wait judges none of them on the
// cut-off traffic: a correct DUT gets no FAIL; the cases that were
// running are ERROR "interrupted", the ones not started "not run".
func TestInterruptedRunFailsNothing(t *testing.T) {
	var cases []catalog.Case
	for _, c := range catalog.All() {
		if strings.HasPrefix(c.ID, "HLD-") {
			cases = append(cases, c)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(700*time.Millisecond, cancel)
	defer cancel()
	rep, err := Run(ctx, Config{Factory: dut.Reference(catalog.Controller, nil), Parallel: 2}, cases)
	if err != nil {
		t.Fatal(err)
	}
	interrupted := 0
	for _, r := range rep.Results {
		switch {
		case r.Grade == catalog.Fail || r.Grade == catalog.NonStrict:
			t.Errorf("%s: %s after the interrupt: %s / %s", r.ID, r.Grade, r.Received, r.Reason)
		case r.Grade == catalog.Error && strings.HasPrefix(r.Reason, "interrupted"):
			interrupted++
		}
	}
	if interrupted == 0 {
		t.Errorf("no case was running at the interrupt: %v", rep.Counts())
	}
}
