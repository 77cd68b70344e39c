package runner

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/suites/catalog"
	"github.com/ompconform/ompconform/transcript"
)

// probe opens and closes one session with the standard HANDSHAKE.
func (r *run) probe(ctx context.Context, t Target) (*omp.Handshake, error) {
	return r.probeInto(ctx, t, nil)
}

// addSat is a+b for durations that are not negative, at most the
// largest Duration (a sum past it wrapped to a negative timeout).
func addSat(a, b time.Duration) time.Duration {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// probeInto is probe recording into rec, a case's transcript, as the
// liveness check after the case (fake peer LivenessPeer); nil records
// nowhere.
func (r *run) probeInto(ctx context.Context, t Target, rec *recording) (*omp.Handshake, error) {
	env := r.env()
	wait := r.cfg.ConnectTimeout
	if r.ln != nil {
		wait = r.cfg.AcceptTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, addSat(wait, addSat(env.Answer, addSat(env.Answer, env.Answer))))
	defer cancel()
	d := r.driver(t, env, &transcript.Transcript{})
	if rec != nil {
		rec.addOwn(env.Seq)
		d.tr, d.name = rec.tr, LivenessPeer
		rec.tr.Add(transcript.Entry{Dir: transcript.Event, Peer: LivenessPeer, Note: "liveness check after the case: does the DUT open a fresh session with the standard HANDSHAKE?"})
	}
	hs, err := catalog.Probe(ctx, env, d)
	if rec != nil {
		note := "liveness check: a fresh session opened"
		if err != nil {
			note = "liveness check: no fresh session"
		}
		rec.tr.Add(transcript.Entry{Dir: transcript.Event, Peer: LivenessPeer, Note: note, Err: err})
	}
	if err == nil {
		r.mu.Lock()
		r.probedNoEOR = r.probedNoEOR || env.NoInitialEOR
		if r.ownRoute == nil {
			r.ownRoute = env.OwnRoute
		}
		r.mu.Unlock()
	}
	return hs, err
}

// live checks that the DUT opens a fresh session, trying three times
// over about a second before it calls the DUT down (once in listen mode,
// where the wait for the DUT to redial is already long). Each try is
// recorded in rec, if not nil.
func (r *run) live(ctx context.Context, t Target, rec *recording) error {
	var err error
	for try := 0; try < 3; try++ {
		if _, err = r.probeInto(ctx, t, rec); err == nil || ctx.Err() != nil || r.ln != nil {
			return err
		}
		select {
		case <-time.After(time.Duration(try+1) * 200 * time.Millisecond):
		case <-ctx.Done():
			return err
		}
	}
	return err
}

// checkLive runs the liveness check after a case: a DUT that no longer
// opens a session is reported against the first case after which that
// was seen, and replaced (the factory is called again) so the run goes on.
// The cases that ran beside it while the DUT died are not judged on what
// the death did to their sessions: their FAIL becomes ERROR, the first
// case's reason names them, and --parallel 1 tells which case kills it.
func (r *run) checkLive(ctx context.Context, res *Result, c *catalog.Case, t Target, gen int, rec *recording) {
	err := r.live(ctx, t, rec)
	if err == nil {
		res.Liveness = "a fresh session opened after the case"
		r.mu.Lock()
		replaced, after := gen != r.gen, r.replaced
		r.mu.Unlock()
		if replaced {
			res.Liveness += ", on the DUT restarted after " + after
			r.diedBeside(res, after)
		}
		return
	}
	if ctx.Err() != nil {
		// Interrupted during the check: nothing is known of the DUT.
		res.Liveness = "not known: the run was interrupted during the liveness check"
		if res.Grade == catalog.Pass {
			res.Grade, res.Reason = catalog.Error, fmt.Sprintf("interrupted (%v) during the liveness check after the case", ctx.Err())
		}
		return
	}
	if terminates(c) {
		// The operator terminated the DUT on the case's behalf: gone is
		// what it should be. A DUT the harness starts is started again.
		res.Liveness = "the case's operator action terminated the DUT"
		r.replace(ctx, res.ID)
		return
	}
	res.Liveness = "no fresh session after the case: " + err.Error()
	r.mu.Lock()
	first := gen == r.gen && r.blame == ""
	if first {
		r.blame = res.ID
	}
	blamed := r.blame
	if gen != r.gen {
		blamed = r.replaced
	}
	var beside []string
	for id := range r.running {
		if id != res.ID {
			beside = append(beside, id)
		}
	}
	r.mu.Unlock()
	if !first {
		r.diedBeside(res, blamed)
		return
	}
	res.Grade = catalog.Fail
	res.Reason = "after this case the DUT did not open a fresh session: it died or went deaf"
	if len(beside) > 0 {
		slices.Sort(beside)
		res.Reason += fmt.Sprintf(" (%s ran at the same time: with --parallel 1 the case that kills the DUT is the one named)", strings.Join(beside, ", "))
	}
	r.notef("%s: the DUT did not open a fresh session after the case (%v)", res.ID, err)
	r.replace(ctx, res.ID)
}

// diedBeside grades a case that ran while the DUT died, the death first
// seen after case blamed: a verdict it reached is not kept (its session
// may have ended with the DUT), and it is ERROR; a SKIPPED, UNSUPPORTED,
// INFO or ERROR stays.
func (r *run) diedBeside(res *Result, blamed string) {
	switch res.Grade {
	case catalog.Pass, catalog.Fail, catalog.NonStrict:
		why := ""
		if res.Reason != "" {
			why = ": " + res.Reason
		}
		res.Reason = fmt.Sprintf("the DUT went down while this case ran (first seen after %s): its verdict (%s%s) is not kept; with --parallel 1 the case that kills the DUT is the one named", blamed, res.Grade, why)
		res.Grade, res.Alert = catalog.Error, nil
	}
}

// replace asks the factory for a new DUT after case id killed the old one.
func (r *run) replace(ctx context.Context, id string) {
	r.mu.Lock()
	old := r.dut
	r.mu.Unlock()
	old.Close()
	var dut DUT
	d, err := r.cfg.Factory(ctx)
	if err == nil {
		dut = &closeOnce{DUT: d}
		if err = r.live(ctx, dut.Target(), nil); err != nil {
			dut.Close()
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gen++
	r.blame, r.replaced = "", id
	if err != nil {
		r.down = id
		r.notes = append(r.notes, fmt.Sprintf("the DUT stayed down after %s (%v): any case run after it is ERROR", id, err))
		return
	}
	r.dut = dut
	r.notes = append(r.notes, fmt.Sprintf("the DUT was restarted after %s", id))
}

// closeOnce closes its DUT once, however often it is asked.
type closeOnce struct {
	DUT
	once sync.Once
	err  error
}

func (c *closeOnce) Close() error {
	c.once.Do(func() { c.err = c.DUT.Close() })
	return c.err
}
