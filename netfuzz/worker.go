package netfuzz

import (
	"context"
	"errors"
	"fmt"
	"github.com/ompconform/ompconform/mutators"
	"math/rand/v2"
	"sort"
	"sync"
	"time"
)

// worker is one of a run's Config.Workers. Worker w of W (from 0) sends
// the shard's inputs n = w+1, w+1+W, w+1+2W, ... in order, on sessions of
// its own (router IDs of its own range), reusing its established session
// while the DUT takes what it is sent. An input's bytes are a function of
// the run seed and its iteration; the session it goes on (the worker's
// earlier inputs on it) of the seed, the iteration and W.
type worker struct {
	f  *fuzzer
	c  *conn
	n  int // the next input of the shard (from 1) to send
	ah *ahead

	live   *sess     // the established session being reused
	last   *sess     // the session of the last input, blamed for a crash
	lastAt time.Time // when that input was judged
}

// loop runs the workers until a bound is reached, ctx ends or the DUT is
// dead for good. It runs them in epochs: when a worker finds that no
// session opens any more, the epoch ends for all of them, the crash is
// blamed and recorded, an in-process DUT restarted, and a new epoch goes
// on where each worker stopped.
func (f *fuzzer) loop(ctx context.Context) {
	var deadline time.Time
	if f.cfg.Duration > 0 {
		deadline = f.start.Add(f.cfg.Duration)
	}
	ws := make([]*worker, f.cfg.Workers)
	for i := range ws {
		ws[i] = &worker{f: f, c: f.c.fork(i, len(ws)), n: i + 1}
	}
	defer func() {
		for _, w := range ws {
			w.drop()
		}
	}()
	for {
		ectx, cancel := context.WithCancel(ctx)
		f.deadMu.Lock()
		f.deadErr, f.cancel = nil, cancel
		f.deadMu.Unlock()
		stops := make([]string, len(ws))
		var wg sync.WaitGroup
		for i, w := range ws {
			wg.Add(1)
			go func() {
				defer wg.Done()
				w.startAhead(ectx)
				stops[i] = w.run(ectx, deadline)
				w.stopAhead()
			}()
		}
		wg.Wait()
		cancel()
		f.deadMu.Lock()
		dead := f.deadErr
		f.deadMu.Unlock()
		switch {
		case ctx.Err() != nil:
			f.stop("canceled")
			return
		case dead == nil:
			why := "iterations"
			for _, s := range stops {
				if s == "duration" {
					why = "duration"
				}
			}
			f.stop(why)
			return
		case !f.crashed(ctx, ws, dead):
			f.stop("DUT dead")
			return
		}
	}
}

// dead reports that w found the DUT dead: the epoch ends.
func (f *fuzzer) dead(err error) {
	f.deadMu.Lock()
	defer f.deadMu.Unlock()
	if f.deadErr == nil {
		f.deadErr = err
	}
	f.cancel()
}

// run sends w's inputs until a bound or the end of the epoch; it says
// which bound.
func (w *worker) run(ctx context.Context, deadline time.Time) string {
	cfg := &w.f.cfg
	for {
		switch {
		case ctx.Err() != nil:
			return "canceled"
		case cfg.Iterations > 0 && w.n > cfg.Iterations:
			return "iterations"
		case !deadline.IsZero() && time.Now().After(deadline):
			return "duration"
		}
		judged, dead := w.iterate(ctx, cfg.iteration(w.n))
		if judged || ctx.Err() == nil && dead == nil {
			w.n += cfg.Workers
		}
		if dead != nil {
			w.f.dead(dead)
			return "dead"
		}
	}
}

// iterate sends iteration iter; judged says the input was sent and
// judged (else it is sent again in the next epoch), dead that a session
// with the DUT no longer opens.
func (w *worker) iterate(ctx context.Context, iter int) (judged bool, dead error) {
	f := w.f
	rng := rand.New(rand.NewPCG(f.cfg.Seed, uint64(iter)))
	phase := f.cfg.Phase
	if phase == 0 {
		phase = mutators.PhaseEstablished
		if len(f.opening) > 0 && rng.IntN(100) < f.cfg.OpeningPercent {
			phase = mutators.PhaseOpening
		}
	}
	if w.live != nil {
		w.live.p.Drain()
	}
	var s *sess
	if phase == mutators.PhaseEstablished && w.live != nil {
		s = w.live
	} else {
		var err error
		if s, err = w.open(ctx, phase); err != nil {
			if ctx.Err() != nil {
				return false, nil
			}
			return false, err
		}
	}
	in := f.draw(ctx, rng, iter, phase, w.c)
	v := w.c.try(ctx, s, &in, w.c.probe())
	if v.interrupted {
		w.forget(s)
		return false, nil
	}
	if v.kind == KindMismatch && in.Observed.Outcome == OutClose {
		// A close without the ALERT: did the DUT die? Check at once,
		// with the session the next iteration would open anyway.
		w.forget(s)
		ns, err := w.open(ctx, mutators.PhaseEstablished)
		if err != nil {
			if ctx.Err() != nil {
				return false, nil
			}
			w.judged(s, in)
			return true, err
		}
		w.drop() // an established session left idle by an opening-phase input
		w.live = ns
	}
	w.judged(s, in)
	f.keep(&in)
	ended := in.Observed.Outcome == OutAlert || in.Observed.Outcome == OutClose
	if v.kind != "" {
		f.record(v.kind, s, "")
	} else {
		f.count(v.stat)
		if a := in.Observed.Alert; a != nil && v.stat != StatAgreeAlert && v.stat != StatAgreeFSM && v.stat != StatAgreeData {
			f.mu.Lock()
			f.rep.Refusals[in.Phase.String()+" "+a.Name]++
			f.mu.Unlock()
		}
	}
	// The session goes when it ended, when what the DUT did leaves its
	// state unknown, and after maxHistory inputs (its transcript grows).
	if ended || phase == mutators.PhaseOpening || v.kind != "" || in.Expected.Refresh || v.stat == StatUnconfirmed || len(s.inputs) >= maxHistory {
		w.forget(s)
	} else if phase == mutators.PhaseEstablished {
		w.live = s
	}
	return true, nil
}

// judged counts an input sent on s and judged.
func (w *worker) judged(s *sess, in Input) {
	w.last, w.lastAt = s, time.Now()
	f := w.f
	if f.cfg.OnInput != nil {
		f.cbMu.Lock()
		f.cfg.OnInput(in)
		f.cbMu.Unlock()
	}
	f.mu.Lock()
	f.rep.Iterations++
	f.mu.Unlock()
}

// forget closes s, which is no longer w's live session.
func (w *worker) forget(s *sess) {
	if !s.ended {
		s.close()
	}
	if w.live == s {
		w.live = nil
	}
}

// drop closes w's sessions.
func (w *worker) drop() {
	if w.live != nil {
		w.live.close()
		w.live = nil
	}
}

// open opens a session for an input of the phase: an established one
// dialled ahead when there is one, else a new one.
func (w *worker) open(ctx context.Context, phase mutators.Phase) (*sess, error) {
	s, err := w.take(ctx, phase)
	if err == nil {
		w.f.mu.Lock()
		w.f.rep.Sessions++
		w.f.mu.Unlock()
	}
	return s, err
}

// crashed blames the crash that ended an epoch on the last input of one
// worker, records it, and restarts a DUT the fuzzer starts; false when
// the DUT stays dead. With one worker, its last input is blamed. With
// several, on a DUT the fuzzer starts (the in-process reference,
// --dut-cmd), each worker's last session is replayed alone on a fresh
// one, the latest first, and the first that crashes it is blamed; on a
// remote DUT, which cannot be restarted, the input judged last is.
func (f *fuzzer) crashed(ctx context.Context, ws []*worker, why error) bool {
	var cands []*worker
	for _, w := range ws {
		w.drop()
		if w.last != nil && len(w.last.inputs) > 0 {
			cands = append(cands, w)
		}
	}
	if len(cands) == 0 {
		// No input to blame: the DUT was never fuzzed on a session.
		f.mu.Lock()
		f.rep.SaveErrors = append(f.rep.SaveErrors, "no session with the DUT: "+why.Error())
		f.mu.Unlock()
		return false
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].lastAt.After(cands[j].lastAt) })
	blame, detail := cands[0], why.Error()
	if len(cands) > 1 {
		blame, detail = f.culprit(ctx, cands, detail)
	}
	f.record(KindCrash, blame.last, detail)
	for _, w := range ws {
		w.last = nil
	}
	return f.c.d.restart(ctx, f.cfg.Revive)
}

// culprit picks, among workers whose last inputs may have crashed the
// DUT (latest first), the one to blame, and says how in detail.
func (f *fuzzer) culprit(ctx context.Context, cands []*worker, detail string) (*worker, string) {
	d := f.c.d
	if !d.restarts {
		return cands[0], fmt.Sprintf("%s (%d workers were sending: the input judged last is blamed)", detail, len(cands))
	}
	if f.cfg.Duration > 0 {
		// The run's time bound bounds the search too.
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, f.start.Add(f.cfg.Duration))
		defer cancel()
	}
	for _, w := range cands {
		if ctx.Err() != nil || !d.restart(ctx, f.cfg.Revive) {
			break
		}
		res, err := replayOn(ctx, f.c, f.finding(KindCrash, w.last, detail))
		if errors.Is(err, ErrInterrupted) {
			break
		}
		if err == nil && res.Got == KindCrash {
			return w, fmt.Sprintf("%s (of %d workers' last sessions, this one crashes a fresh DUT alone)", detail, len(cands))
		}
	}
	if ctx.Err() != nil {
		return cands[0], fmt.Sprintf("%s (%d workers were sending, and the run ended before their last sessions were replayed alone: the input judged last is blamed)", detail, len(cands))
	}
	return cands[0], fmt.Sprintf("%s (no one of %d workers' last sessions crashes a fresh DUT alone: the input judged last is blamed)", detail, len(cands))
}

func (f *fuzzer) stop(why string) {
	f.mu.Lock()
	f.rep.Stopped = why
	f.mu.Unlock()
}

func (f *fuzzer) count(stat string) {
	f.mu.Lock()
	f.rep.Outcomes[stat]++
	f.mu.Unlock()
}
