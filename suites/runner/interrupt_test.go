package runner

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ompconform/ompconform/dut"
	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/peers/reference"
	"github.com/ompconform/ompconform/suites/catalog"
	"github.com/ompconform/ompconform/transcript"
)

// A run interrupted while timer cases wait judges none of them on the
// cut-off traffic: a correct DUT gets no FAIL; the cases that were
// running are ERROR "interrupted", the ones not started "not run" (or
// SKIPPED, if not for the DUT's role); the report says it was
// interrupted.
func TestInterruptedRunFailsNothing(t *testing.T) {
	var cases []catalog.Case
	var other catalog.Case // a case not for a controller
	for _, c := range catalog.All() {
		if strings.HasPrefix(c.ID, "HLD-") {
			cases = append(cases, c)
		}
		if other.ID == "" && !c.AppliesTo(catalog.Controller) {
			other = c
		}
	}
	cases = append(cases, other)
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
	if g := rep.Results[len(rep.Results)-1].Grade; g != catalog.Skipped {
		t.Errorf("%s, not for a controller: %s, want SKIPPED", other.ID, g)
	}
	if !rep.Interrupted || len(rep.Notes) == 0 || !strings.HasPrefix(rep.Notes[0], "interrupted (context canceled): ") {
		t.Errorf("the report does not say it was interrupted: %v %q", rep.Interrupted, rep.Notes)
	}
}

// An interrupt during the liveness check after a case is no verdict on
// the DUT: the case is ERROR "interrupted", not FAIL for a DUT that
// "did not open a fresh session". (The DUT here serves the start's two
// probes and the case's session, then stays silent: the check waits.)
func TestInterruptDuringLivenessFailsNothing(t *testing.T) {
	d := startDUT(t, deafLater)
	cases, err := catalog.Select(catalog.All(), "", []string{"HDR-002"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started := make(chan struct{})
	go func() {
		<-started
		time.Sleep(time.Second) // the check's first try alone waits longer
		cancel()
	}()
	var once sync.Once
	rep, err := Run(ctx, Config{Factory: func(context.Context) (DUT, error) { once.Do(func() { close(started) }); return d, nil }, Env: fastEnv()}, cases)
	if err != nil {
		t.Fatal(err)
	}
	if r := rep.Results[0]; r.Grade != catalog.Error || !strings.Contains(r.Reason, "liveness") {
		t.Errorf("HDR-002 interrupted during its liveness check: %s (%s; %s)", r.Grade, r.Reason, r.Liveness)
	}
}

// A case that needs the DUT's operator, against a DUT the harness cannot
// operate, is UNSUPPORTED before it sends anything.
func TestNoControlIsUnsupportedBeforeTraffic(t *testing.T) {
	sp, err := reference.Start(context.Background(), dut.ReferenceConfig(omp.RoleController))
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	var cases []catalog.Case
	for _, c := range catalog.All() {
		if c.ID == "RDO-001" || c.ID == "OPR-001" {
			cases = append(cases, c)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rep, err := Run(ctx, Config{Factory: dut.Remote(Target{Addr: sp.Addr().String()}), Env: fastEnv()}, cases)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Results {
		sent := 0
		for _, e := range r.Transcript {
			if e.Dir == transcript.Sent {
				sent++
			}
		}
		if r.Grade != catalog.Unsupported || !strings.Contains(r.Reason, "--dut-control") || sent > 0 {
			t.Errorf("%s: %s (%s), %d messages sent", r.ID, r.Grade, r.Reason, sent)
		}
	}
}

// A case that runs into its time bound is the harness's ERROR, not a
// verdict on a session the bound closed. (BP-003 waits 3 s for the
// DUT's answers; it is not a timer case, whose bound grows with the
// DUT's Hold Time.)
func TestCaseTimeoutIsError(t *testing.T) {
	var cases []catalog.Case
	for _, c := range catalog.All() {
		if c.ID == "BP-003" {
			cases = append(cases, c)
		}
	}
	rep, err := Run(context.Background(), Config{Factory: dut.Reference(catalog.Controller, nil), CaseTimeout: 300 * time.Millisecond}, cases)
	if err != nil {
		t.Fatal(err)
	}
	if r := rep.Results[0]; r.Grade != catalog.Error || !strings.Contains(r.Reason, "time bound") {
		t.Errorf("%s: %s (%s / %s)", r.ID, r.Grade, r.Received, r.Reason)
	}
}

// A timer case may run two of the DUT's own Hold Times past the bound:
// the cases that wait on the DUT's offer are judged, not cut off, for a
// DUT that offers more than the bound.
func TestTimerCaseBoundFollowsTheDUTsHoldTime(t *testing.T) {
	env := &catalog.Env{Scale: 1, DUT: &omp.Handshake{HoldTime: 180}}
	timer, plain := &catalog.Case{ID: "T", Timer: true}, &catalog.Case{ID: "P"}
	if got, want := caseBound(2*time.Minute, timer, env), 8*time.Minute; got != want {
		t.Errorf("timer case against a DUT offering 180 s: bound %s, want %s", got, want)
	}
	env.DUT.HoldTime = 65535 // 18 h: the cases that wait on it are UNSUPPORTED
	if got, want := caseBound(2*time.Minute, timer, env), 12*time.Minute; got != want {
		t.Errorf("timer case against a DUT offering 65535 s: bound %s, want %s", got, want)
	}
	if got := caseBound(2*time.Minute, plain, env); got != 2*time.Minute {
		t.Errorf("ordinary case: bound %s, want the base", got)
	}
	if got := caseBound(2*time.Minute, timer, &catalog.Env{}); got != 2*time.Minute {
		t.Errorf("no HANDSHAKE from the DUT yet: bound %s, want the base", got)
	}
}
