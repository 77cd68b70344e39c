package netfuzz

import (
	"context"
	"github.com/ompconform/ompconform/mutators"
	"sync"
)

// ahead dials a worker's next established session while the worker's
// current input is sent and judged (Config.DialAhead): one session at a
// time, opened through the whole exchange and the DUT's first End-of-RIB,
// held until the worker takes it or the epoch ends.
type ahead struct {
	ch     chan aheadResult // unbuffered: the session waits in the dialler
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

type aheadResult struct {
	s   *sess
	err error
}

// startAhead starts w's dialler for the epoch of ctx, when the run dials
// ahead and sends established-phase inputs.
func (w *worker) startAhead(ctx context.Context) {
	cfg := &w.f.cfg
	if !cfg.DialAhead || cfg.Phase == mutators.PhaseOpening || len(w.f.estab) == 0 {
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	ah := &ahead{ch: make(chan aheadResult), cancel: cancel}
	ah.wg.Add(1)
	go func() {
		defer ah.wg.Done()
		for {
			s, err := w.c.open(ctx, mutators.PhaseEstablished)
			if ctx.Err() != nil {
				if s != nil {
					s.close()
				}
				return
			}
			select {
			case ah.ch <- aheadResult{s, err}:
				if err != nil {
					return // the worker reports it; the epoch ends
				}
			case <-ctx.Done():
				if s != nil {
					s.close()
				}
				return
			}
		}
	}()
	w.ah = ah
}

// stopAhead stops w's dialler and closes the session it held.
func (w *worker) stopAhead() {
	if w.ah == nil {
		return
	}
	w.ah.cancel()
	w.ah.wg.Wait()
	w.ah = nil
}

// take is a session for an input of the phase: for an established one,
// the session dialled ahead (a fresh one if it has ended meanwhile);
// else a new one.
func (w *worker) take(ctx context.Context, phase mutators.Phase) (*sess, error) {
	if phase == mutators.PhaseEstablished && w.ah != nil {
		select {
		case r := <-w.ah.ch:
			if r.err != nil {
				return nil, r.err
			}
			if _, closed := r.s.p.Closed(); !closed {
				return r.s, nil
			}
			r.s.close()
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return w.c.open(ctx, phase)
}
