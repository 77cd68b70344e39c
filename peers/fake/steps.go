package fake

import (
	"fmt"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// Predicate selects the message a step waits for. Desc names it in errors
// ("expected <Desc> within 2s").
type Predicate struct {
	Desc  string
	Match func(*Event) bool
}

// Func is a Predicate from a description and a function.
func Func(desc string, f func(*Event) bool) Predicate { return Predicate{Desc: desc, Match: f} }

// decision is what a step makes of one received message.
type decision uint8

const (
	skip   decision = iota // not it: record in Seen and go on
	accept                 // the step got what it waited for
	fail                   // the step fails on it (ErrUnexpected...)
)

// outcome is how a wait ended.
type outcome struct {
	r        *Event     // accept or fail: the message
	matched  bool       // r was accepted
	closed   *CloseInfo // the connection ended
	timedOut bool
}

func isHello(r *Event) bool {
	_, ok := r.Msg.(*omp.Hello)
	return ok
}

// begin starts a step and records it.
func (p *Peer) begin(name, expected string, within time.Duration) *Step {
	st := &Step{Peer: p.cfg.Name, Name: name, Expected: expected, Within: within, Start: p.Since()}
	p.event(nil, "%s: expecting %s within %s", name, expected, within)
	return st
}

// failed records a step's error and returns it.
func (p *Peer) failed(err error) error {
	p.event(err, "step failed")
	return err
}

// next returns the next message, the end of the connection, or nil and
// nil when timer fires first. Queued messages win over the timer.
func (p *Peer) next(timer <-chan time.Time) (*Event, *CloseInfo) {
	if len(p.pushback) > 0 {
		r := p.pushback[0]
		p.pushback = p.pushback[1:]
		return r, nil
	}
	select {
	case r, ok := <-p.ch:
		if !ok {
			return nil, &p.info
		}
		return r, nil
	default:
	}
	select {
	case r, ok := <-p.ch:
		if !ok {
			return nil, &p.info
		}
		return r, nil
	case <-timer:
		return nil, nil
	}
}

// await runs the step's wait: every message goes to decide, auto-answered
// HELLOs that decide skips are counted, not listed.
func (p *Peer) await(st *Step, timeout time.Duration, decide func(*Event) decision) outcome {
	timer := time.NewTimer(max(timeout, 0))
	defer timer.Stop()
	for {
		r, ci := p.next(timer.C)
		switch {
		case ci != nil:
			c := *ci
			return outcome{closed: &c}
		case r == nil:
			return outcome{timedOut: true}
		}
		switch decide(r) {
		case accept:
			return outcome{r: r, matched: true}
		case fail:
			return outcome{r: r}
		}
		if isHello(r) && p.autoHello() {
			st.Hellos++
		} else {
			st.skipped++
			if st.keepAll || len(st.Seen) < keptSeen {
				st.Seen = append(st.Seen, r)
			}
		}
		if n := st.skipped + st.Hellos; n == p.cfg.MaxSeen+1 {
			p.drop(fmt.Errorf("flood: the DUT sent more than %d messages during %s without %s", p.cfg.MaxSeen, st.Name, st.Expected))
		}
	}
}

// stepError turns an outcome that is not a match into the step's error.
func (p *Peer) stepError(st *Step, o outcome) error { return p.failed(stepEnd(st, o, p.partial())) }

// stepEnd is how a step's wait ended without what it waited for, as an
// error: the connection's end, the deadline, or a message it does not
// allow.
func stepEnd(st *Step, o outcome, partial int) error {
	switch {
	case o.closed != nil:
		return &ErrClosed{Step: *st, CloseInfo: *o.closed}
	case o.timedOut:
		return &ErrTimeout{Step: *st, Partial: partial}
	}
	return &ErrUnexpected{Step: *st, Event: o.r}
}

// partial is how many received bytes are not yet part of a whole message.
func (p *Peer) partial() int {
	return int(max(p.rx.Load()-p.framed.Load(), 0))
}

// Expect waits up to timeout for the first message that pred matches and
// returns it. Other messages are consumed and listed in the error if the
// step fails; auto-answered HELLOs are skipped. Errors: *ErrTimeout,
// *ErrClosed.
func (p *Peer) Expect(timeout time.Duration, pred Predicate) (*Event, error) {
	return p.expect("Expect", pred.Desc, pred, timeout)
}

// expect is the step named name: the first message pred matches.
func (p *Peer) expect(name, desc string, pred Predicate, timeout time.Duration) (*Event, error) {
	st := p.begin(name, desc, timeout)
	o := p.await(st, timeout, func(r *Event) decision {
		if pred.Match(r) {
			return accept
		}
		return skip
	})
	if o.matched {
		return o.r, nil
	}
	return nil, p.stepError(st, o)
}

// Await waits up to timeout for an event that stop accepts, and returns
// it with the events stop saw and did not accept (HELLOs included: stop
// sees every message and every undecodable one). A wait that gets
// nothing ends in an event too: EvTimeout at its deadline, EvClosed or
// EvReset at the end of the connection (at once, if it has already
// ended). It is Expect for a caller that judges events rather than
// errors: the catalogue's Session.
func (p *Peer) Await(timeout time.Duration, what string, stop func(Event) bool) (Event, []Event) {
	var skipped []Event
	st := p.begin("Expect", what, timeout)
	o := p.await(st, timeout, func(r *Event) decision {
		if stop(*r) {
			return accept
		}
		if len(skipped) < keptSeen {
			skipped = append(skipped, *r)
		} else {
			// A flood: past keptSeen, each message keeps its kind, time
			// and header (its type), not its bytes.
			skipped = append(skipped, Event{Kind: r.Kind, At: r.At, Since: r.Since, Raw: append([]byte(nil), r.Raw[:min(len(r.Raw), omp.HeaderLen)]...)})
		}
		return skip
	})
	if o.matched {
		return *o.r, skipped
	}
	// The end of the wait is an event for the caller to judge (a case
	// may wait for the close), not a failed step: the transcript says how
	// it ended, and no more.
	p.event(nil, "wait ended: %v", stepEnd(st, o, p.partial()))
	if o.closed != nil {
		return endOf(*o.closed, p.Since()), skipped
	}
	return Event{Kind: EvTimeout, At: time.Now(), Since: p.Since()}, skipped
}

// ExpectType waits up to timeout for a message of type t that decodes.
func (p *Peer) ExpectType(t omp.MsgType, timeout time.Duration) (*Event, error) {
	return p.expect("ExpectType", t.String(), Func(t.String(), func(r *Event) bool {
		return r.Msg != nil && r.Msg.Type() == t
	}), timeout)
}

// Drain returns and discards every message queued now, without waiting.
func (p *Peer) Drain() []*Event {
	out := p.pushback
	p.pushback = nil
	for {
		select {
		case r, ok := <-p.ch:
			if !ok {
				return out
			}
			out = append(out, r)
		default:
			return out
		}
	}
}

// Open runs the opening exchange with the peer's own HANDSHAKE: see
// OpenWith.
func (p *Peer) Open(timeout time.Duration) (*omp.Handshake, error) {
	return p.OpenWith(p.Handshake(), timeout)
}

// OpenWith runs the opening exchange within timeout: send hs, receive the
// DUT's HANDSHAKE, send HELLO, receive the DUT's HELLO; the session is
// then established (MarkEstablished). It returns the DUT's HANDSHAKE, so a
// case can see what the DUT negotiated.
//
// Before the DUT's HANDSHAKE any other message (an ALERT, a HELLO, one
// that does not decode) fails the step with *ErrUnexpected. Waiting for
// the HELLO, an ALERT or a message that does not decode fails it too;
// other messages (UPDATEs sent early) are kept for the next steps.
func (p *Peer) OpenWith(hs *omp.Handshake, timeout time.Duration) (*omp.Handshake, error) {
	deadline := time.Now().Add(timeout)
	if err := p.Send(hs); err != nil {
		return nil, err
	}
	st := p.begin("Open", "HANDSHAKE", timeout)
	o := p.await(st, time.Until(deadline), func(r *Event) decision {
		if _, ok := r.Msg.(*omp.Handshake); ok {
			return accept
		}
		return fail
	})
	if !o.matched {
		return nil, p.stepError(st, o)
	}
	theirs := o.r.Msg.(*omp.Handshake)
	if err := p.Send(&omp.Hello{}); err != nil {
		return theirs, err
	}
	st = p.begin("Open", "HELLO after the HANDSHAKE exchange", time.Until(deadline))
	st.keepAll = true // what came before the HELLO is pushed back for the next steps
	o = p.await(st, time.Until(deadline), func(r *Event) decision {
		switch {
		case isHello(r):
			return accept
		case r.Msg == nil || r.Type() == omp.TypeAlert:
			return fail
		}
		return skip
	})
	if !o.matched {
		return theirs, p.stepError(st, o)
	}
	p.pushback = append(st.Seen, p.pushback...)
	p.establish(1)
	p.event(nil, "established")
	return theirs, nil
}
