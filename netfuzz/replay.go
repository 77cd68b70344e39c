package netfuzz

import (
	"context"
	"encoding/hex"
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
// fresh in-process reference.
func Replay(ctx context.Context, cfg Config, fd *Finding) (*ReplayResult, error) {
	c, err := findingDUT(ctx, cfg, fd)
	if err != nil {
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
// finding's role. The caller closes c.d.
func findingDUT(ctx context.Context, cfg Config, fd *Finding) (*conn, error) {
	if cfg.Target == "" && !fd.InProcess {
		cfg.Target = fd.Target
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

// replayOn replays fd with c's DUT; a conn not yet calibrated is
// calibrated first, as the run was.
func replayOn(ctx context.Context, c *conn, fd *Finding) (*ReplayResult, error) {
	d := c.d
	res := &ReplayResult{Want: fd.Kind, DUT: d.describe()}
	if fd.SessionPhase == mutators.PhaseEstablished && !c.isCalibrated() {
		// Learn whether the DUT sends End-of-RIB on a session of its own,
		// as the run did before its first input.
		s, err := c.open(ctx, mutators.PhaseEstablished)
		if err != nil {
			return nil, fmt.Errorf("netfuzz: replay: %w", err)
		}
		s.close()
	}
	s, err := c.open(ctx, fd.SessionPhase)
	if err != nil {
		return nil, fmt.Errorf("netfuzz: replay: %w", err)
	}
	defer s.close()
	for i := range fd.History {
		in := fd.History[i]
		c.try(ctx, s, &in, probeOf(&in))
		if o := in.Observed.Outcome; o == OutAlert || o == OutClose {
			res.Diverged = fmt.Sprintf("input %d of the history (iteration %d) got %s", i, in.Iteration, in.Observed)
			return res, nil
		}
	}
	in := fd.Input
	v := c.try(ctx, s, &in, probeOf(&in))
	res.Input, res.Got, res.Stat = in, v.kind, v.stat
	if v.kind == "" || v.kind == KindMismatch && in.Observed.Outcome == OutClose || fd.Kind == KindCrash {
		// Does the DUT still take a session?
		s.close()
		ns, err := c.open(ctx, mutators.PhaseEstablished)
		if err != nil {
			res.Got, res.Detail = KindCrash, err.Error()
		} else {
			ns.close()
		}
	}
	if res.Got != "" {
		nf := &Finding{
			Kind: res.Got, Time: time.Now(), Target: d.addr, InProcess: d.inProcess, Role: d.role.String(),
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
