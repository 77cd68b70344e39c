package netfuzz

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/ompconform/ompconform/mutators"
	"github.com/ompconform/ompconform/omp"
)

// ReplayResult is what replaying a finding gave.
type ReplayResult struct {
	// Want is the finding's kind; Got what the replay found ("" for
	// none: the DUT did what the codec says).
	Want Kind
	Got  Kind
	// Stat is the outcome counter when Got is "".
	Stat string
	// Reproduced says Got is Want, with the same ALERT (or close) for a
	// mismatch.
	Reproduced bool
	// Input is the final input as replayed: expectation and observation.
	Input Input
	// Diverged says an earlier input of the session ended it (or could
	// not be sent), so the final input was not sent.
	Diverged string
	// Detail is the crash's reason.
	Detail string
	// Finding is the replay's own finding, when it found one (saved to
	// cfg.OutDir when set).
	Finding *Finding
	DUT     string
}

func (r *ReplayResult) String() string {
	switch {
	case r.Diverged != "":
		return fmt.Sprintf("not reproduced: the session diverged: %s", r.Diverged)
	case r.Reproduced:
		return fmt.Sprintf("reproduced: %s", r.Finding.Summary)
	case r.Got != "":
		return fmt.Sprintf("not reproduced as %s, found %s instead: %s", r.Want, r.Got, r.Finding.Summary)
	}
	return fmt.Sprintf("not reproduced: expected %s; received %s (%s)", r.Input.Expected, r.Input.Observed, r.Stat)
}

// Replay sends a finding's inputs again, on a session opened as the
// original was, and judges the last one as Run does; for a crash it then
// checks that a fresh session opens. The DUT is cfg.Target, else the
// finding's target, or, for a finding on the in-process reference, a
// fresh in-process reference in the finding's role, with the faults it
// had (Finding.Faults; cfg.Faults instead when set).
//
// cfg.Duration, when set, bounds the replay. When ctx ends or the bound
// passes before the last input is judged, the replay stops at once and
// the error is ErrInterrupted (with context.Canceled or
// context.DeadlineExceeded): a replay cut short gives no verdict.
func Replay(ctx context.Context, cfg Config, fd *Finding) (*ReplayResult, error) {
	if cfg.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, cfg.Duration,
			fmt.Errorf("the replay's time bound %s passed: %w", cfg.Duration, context.DeadlineExceeded))
		defer cancel()
	}
	c, err := findingDUT(ctx, cfg, fd)
	if err != nil {
		if ctx.Err() != nil {
			return nil, interrupted(ctx, 0, len(fd.History)+1)
		}
		return nil, err
	}
	defer c.d.close()
	res, err := replayOn(ctx, c, fd)
	if err == nil && res.Finding != nil && c.cfg.OutDir != "" {
		// Only here: the replays of the minimiser and of a crash's
		// culprit, which run with the run's OutDir, save nothing.
		err = res.Finding.Save(c.cfg.OutDir)
	}
	return res, err
}

// findingDUT starts (or reaches) the DUT a finding is replayed on: cfg's
// target, else the finding's, or a fresh in-process reference in the
// finding's role with the finding's faults (cfg.Faults, when given,
// instead). The caller closes c.d.
func findingDUT(ctx context.Context, cfg Config, fd *Finding) (*conn, error) {
	if cfg.Target == "" && !fd.InProcess {
		cfg.Target = fd.Target
	}
	if cfg.Target == "" && fd.InProcess && len(cfg.Faults) == 0 {
		cfg.Faults = fd.Faults
	}
	if cfg.Role == 0 && fd.Role != "" {
		if r, err := omp.ParseRole(fd.Role); err == nil {
			cfg.Role = r
		}
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	d, err := startDUT(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return newConn(cfg, d), nil
}

// ErrInterrupted says a replay (or a minimisation) was cut short: its
// context ended, or its time bound passed, before it could give a
// verdict.
var ErrInterrupted = errors.New("netfuzz: cut short")

// interrupted is the error of a replay that ctx ended before input i
// (from 0) of n was judged.
func interrupted(ctx context.Context, i, n int) error {
	return fmt.Errorf("%w at input %d of %d of the replay, before its verdict: %w", ErrInterrupted, i+1, n, context.Cause(ctx))
}

// openFor opens the replay's session in phase ph; ErrInterrupted (of the
// n inputs, none replayed) when ctx ends first.
func openFor(ctx context.Context, c *conn, ph mutators.Phase, n int) (*sess, error) {
	s, err := c.open(ctx, ph)
	if ctx.Err() != nil {
		if s != nil {
			s.close()
		}
		return nil, interrupted(ctx, 0, n)
	}
	if err != nil {
		return nil, fmt.Errorf("netfuzz: replay: %w", err)
	}
	return s, nil
}

// replayOn replays fd with c's DUT; a conn not yet calibrated is
// calibrated first, as the run was. When ctx ends, the wait on the DUT
// ends at once (the session is closed) and the error is ErrInterrupted.
func replayOn(ctx context.Context, c *conn, fd *Finding) (*ReplayResult, error) {
	d := c.d
	n := len(fd.History) + 1
	res := &ReplayResult{Want: fd.Kind, DUT: d.describe()}
	if fd.SessionPhase == mutators.PhaseEstablished && !c.isCalibrated() {
		// Learn whether the DUT sends End-of-RIB on a session of its own,
		// as the run did before its first input.
		s, err := openFor(ctx, c, mutators.PhaseEstablished, n)
		if err != nil {
			return nil, err
		}
		s.close()
	}
	s, err := openFor(ctx, c, fd.SessionPhase, n)
	if err != nil {
		return nil, err
	}
	defer s.close()
	defer s.closeWhenDone(ctx)()
	for i := range fd.History {
		if ctx.Err() != nil {
			return nil, interrupted(ctx, i, n)
		}
		in := fd.History[i]
		v := c.try(ctx, s, &in, probeOf(&in))
		if v.interrupted || ctx.Err() != nil {
			return nil, interrupted(ctx, i, n)
		}
		if o := in.Observed.Outcome; o == OutAlert || o == OutClose {
			res.Diverged = fmt.Sprintf("input %d of the history (iteration %d) got %s", i, in.Iteration, in.Observed)
			return res, nil
		}
	}
	if ctx.Err() != nil {
		return nil, interrupted(ctx, n-1, n)
	}
	in := fd.Input
	v := c.try(ctx, s, &in, probeOf(&in))
	if v.interrupted || ctx.Err() != nil {
		return nil, interrupted(ctx, n-1, n)
	}
	res.Input, res.Got, res.Stat = in, v.kind, v.stat
	if v.kind == "" || v.kind == KindMismatch && in.Observed.Outcome == OutClose || fd.Kind == KindCrash {
		// Does the DUT still take a session?
		s.close()
		ns, err := c.open(ctx, mutators.PhaseEstablished)
		switch {
		case ctx.Err() != nil:
			if ns != nil {
				ns.close()
			}
			return nil, interrupted(ctx, n-1, n)
		case err != nil:
			res.Got, res.Detail = KindCrash, err.Error()
		default:
			ns.close()
		}
	}
	if res.Got != "" {
		nf := &Finding{
			Kind: res.Got, Time: time.Now(), Target: d.addr, InProcess: d.inProcess, Faults: d.faults, Role: d.role.String(),
			SessionPhase: fd.SessionPhase, History: s.inputs[:len(s.inputs)-1], Input: in, Detail: res.Detail,
			Transcript: entries(s.tr),
		}
		nf.Signature = signature(nf.Kind, &in)
		nf.Summary = summary(nf.Kind, &in, res.Detail)
		res.Finding = nf
	}
	res.Reproduced = res.Got == res.Want
	if res.Reproduced && res.Want == KindMismatch {
		a, b := fd.Input.Observed, in.Observed
		res.Reproduced = a.Outcome == b.Outcome && (a.Alert == nil) == (b.Alert == nil) && (a.Alert == nil || a.Alert.Same(b.Alert))
	}
	return res, nil
}

func probeOf(in *Input) []byte {
	if !in.Probe {
		return nil
	}
	b, err := hex.DecodeString(in.ProbeHex)
	if err != nil {
		return nil
	}
	return b
}
