package catalog

import (
	"fmt"
	"slices"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// The timer expectations measure: each puts what it measured into the
// verdict, so a report shows the value next to the grade.

// watch reads peer i's events for d, sending m every `every` (if m is not
// nil and every > 0). on sees each event; returning true ends the watch
// early. It returns the event that ended the watch (EvTimeout at the end
// of d).
func (x *Exec) watch(i int, d, every time.Duration, m Msg, what string, on func(Event) bool) Event {
	end := time.Now().Add(d)
	next := time.Now().Add(every)
	for {
		now := time.Now()
		if !now.Before(end) || x.Ctx.Err() != nil {
			// The window is over, or the case is (an interrupted run, its
			// time bound): waiting on would spin.
			return Event{Kind: EvTimeout, At: now}
		}
		if m != nil && every > 0 && !now.Before(next) {
			if err := x.send(i, m); err != nil {
				return Event{Kind: EvReset, Err: err, At: time.Now()}
			}
			next = now.Add(every)
		}
		wait := time.Until(end)
		if m != nil && every > 0 {
			wait = min(wait, time.Until(next))
		}
		ev, _ := x.await(i, max(wait, time.Millisecond), what, func(Event) bool { return true })
		if ev.Kind == EvTimeout {
			continue
		}
		if on(ev) || ev.Kind != EvMessage {
			return ev
		}
	}
}

// MaxOwnHold is the longest negotiated hold time, in seconds, that a case
// waits on: a DUT that offers more than 5 minutes is UNSUPPORTED in the
// cases that wait on its own offer (HLD-010, HLD-011), and HLD-007
// watches a third of this at the most.
const MaxOwnHold = 300

// tooLong is the verdict of a case whose wait on the negotiated hold time
// would pass MaxOwnHold; nil when it does not.
// MaxRTT bounds the round trip a timer case takes off: a path longer
// than that (or a DUT that holds back its ACKs to look far away) wants
// a larger --tolerance instead.
const MaxRTT = time.Second

// rtt is fake peer i's round-trip time, at most MaxRTT; 0 where its
// session cannot tell.
func (x *Exec) rtt(i int) time.Duration {
	if r, ok := x.sess[i].(RoundTripper); ok {
		return min(max(r.RTT(), 0), MaxRTT)
	}
	return 0
}

func tooLong(x *Exec, hold time.Duration, e Expectation) *Verdict {
	if hold <= x.Env.Seconds(MaxOwnHold) {
		return nil
	}
	return &Verdict{Grade: Unsupported, Expected: e.String(), Received: fmt.Sprintf("a negotiated hold time of %s", hold),
		Reason: fmt.Sprintf("past the %d s the harness waits on a hold time", MaxOwnHold)}
}

// ---- hold timer expiry -------------------------------------------------

type holdExpiryExp struct {
	unconfirmed bool // from the fake peer's HANDSHAKE, no HELLO sent
}

// HoldTimerExpires expects the DUT, hearing nothing for the session's
// negotiated hold time (the smaller of the two offered), to send ALERT
// OMP_ERR_HOLDTIME and close, neither earlier than hold - Tolerance nor
// later than hold + Tolerance after the harness's last message. The fake
// peer's keepalive stops, and one last HELLO marks the start.
func HoldTimerExpires() Expectation { return holdExpiryExp{} }

// HoldTimerExpiresUnconfirmed is HoldTimerExpires on a session the fake
// peer never confirmed (OpenUnconfirmed): the hold time runs from its
// HANDSHAKE, its last message (RFC 4271 8.2.2: the HoldTimer is set to the
// negotiated value when the OPEN is received, and runs in OpenConfirm).
func HoldTimerExpiresUnconfirmed() Expectation { return holdExpiryExp{unconfirmed: true} }

func (h holdExpiryExp) String() string {
	last := "the last message"
	if h.unconfirmed {
		last = "the HANDSHAKE, no HELLO sent"
	}
	return fmt.Sprintf("ALERT %s (or %s) one negotiated hold time after %s, then close",
		omp.AlertID{Code: omp.ErrHoldtime, Subcode: omp.SubErrNone}, omp.AlertID{Code: omp.ErrOper, Subcode: omp.SubErrOperHoldtimeExp}, last)
}

func (holdExpiryExp) Alerts() []omp.AlertID {
	return []omp.AlertID{{Code: omp.ErrHoldtime, Subcode: omp.SubErrNone}, {Code: omp.ErrOper, Subcode: omp.SubErrOperHoldtimeExp}}
}

func (h holdExpiryExp) check(x *Exec, peer int) Verdict {
	hold, tol := x.neg[peer].Hold, x.Env.Tolerance
	if hold <= 0 {
		return Verdict{Grade: Unsupported, Expected: h.String(), Received: "the DUT negotiated a hold time of 0", Reason: "no hold timer to expire"}
	}
	if v := tooLong(x, hold, h); v != nil {
		return *v
	}
	if !h.unconfirmed {
		x.sess[peer].Keepalive(0)
		if err := x.send(peer, Hello()); err != nil {
			return verdict(Fail, h, "the session ended before the hold timer ran: "+err.Error(), "")
		}
	}
	// The DUT's timer starts when our last message reaches it and its
	// ALERT reaches us after: what we see is one round trip longer.
	since, rtt := x.sent[peer], x.rtt(peer)
	ev, skipped := x.await(peer, time.Until(since.Add(hold+2*tol+rtt)), h.String(), func(ev Event) bool {
		_, ok := ev.Alert()
		return ok
	})
	elapsed := ev.At.Sub(since) - rtt
	m := Measurement{Name: "hold timer expiry", Value: elapsed, Limit: fmt.Sprintf("%s ± %s", hold, tol)}
	timely := elapsed >= hold-tol && elapsed <= hold+tol
	trip := ""
	if rtt >= time.Millisecond {
		trip = fmt.Sprintf(" (less the round trip, %s)", rtt.Round(time.Millisecond))
	}
	v := verdict(Pass, h, fmt.Sprintf("%s after %s%s%s", ev, elapsed.Round(time.Millisecond), trip, skipped), "")
	switch ev.Kind {
	case EvTimeout:
		v.Grade, v.Received = Fail, fmt.Sprintf("no ALERT within %s%s", (hold+2*tol+rtt).Round(time.Millisecond), skipped)
		m.Name = "hold timer (never expired)"
	case EvClosed, EvReset:
		v.Grade, v.Reason = NonStrict, "closed without the ALERT"
	case EvBadMessage:
		v.Grade = Fail
	default:
		al, _ := ev.Alert()
		id := al.ID()
		v.Alert = &id
		switch {
		case slices.Contains(h.Alerts(), id):
		case id.Code == omp.ErrHoldtime:
			// The draft defines no subcode of OMP_ERR_HOLDTIME, and "Subcode
			// of 0 means OMP_SUB_ERR_NONE" (3.1.4); RFC 4271 4.5: without an
			// appropriate subcode, zero is used.
			v.Grade, v.Reason = NonStrict, "right code, wrong subcode"
		case h.unconfirmed && id.Code == omp.ErrHandshake && elapsed < hold-tol:
			// It sent its HANDSHAKE, then refused the fake peer's
			// before any hold time ran (RFC 4271 4.2: it MAY reject a
			// Hold Time): the session the case needs never opened, as
			// when TryOpen sees the refusal first.
			v.Grade, v.Reason = Unsupported, "the DUT refused the session the case needs"
			return v
		default:
			v.Grade, v.Reason = Fail, "wrong ALERT"
		}
	}
	if v.Grade != Fail && !timely {
		v.Grade = Fail
		if elapsed < hold-tol {
			v.Reason = "the hold timer expired early"
		} else {
			v.Reason = "the hold timer expired late"
		}
	}
	v.Measured = []Measurement{m}
	return v
}

// ---- HELLO timing ------------------------------------------------------------

type helloExp struct {
	window float64 // in negotiated hold times; in seconds with floor
	floor  bool    // judge the count (at most one per second) instead of the largest gap
}

// HellosWithin expects the DUT's HELLOs, over `holds` negotiated hold
// times, to come at most a third of the negotiated hold time (+
// Tolerance) apart (RFC 4271 4.4). Any other message the DUT sends
// counts as one: RFC 4271 8.2.2 restarts the KeepaliveTimer on every
// UPDATE sent, and a controller may be sending other cases' routes on
// the session meanwhile. The fake peer's keepalive keeps the session up.
func HellosWithin(holds float64) Expectation { return helloExp{window: holds} }

// HellosAtMostOncePerSecond expects the DUT to send HELLOs no more often
// than once per second (RFC 4271 4.4, "MUST NOT be sent more frequently
// than one per second"): at most window+1 of them in window seconds.
func HellosAtMostOncePerSecond(window float64) Expectation {
	return helloExp{window: window, floor: true}
}

func (h helloExp) String() string {
	if h.floor {
		return fmt.Sprintf("HELLOs no more often than once per second over %gs", h.window)
	}
	return fmt.Sprintf("HELLOs (or other messages) at most a third of the negotiated hold time apart over %g hold times", h.window)
}

func (helloExp) Alerts() []omp.AlertID { return nil }

func (h helloExp) check(x *Exec, peer int) Verdict {
	start := time.Now()
	var times []time.Time // the HELLOs; with the largest gap, every message
	others := 0
	n := x.neg[peer]
	keep, window := n.HelloEvery(), time.Duration(h.window*float64(n.Hold))
	if h.floor {
		window = x.Env.Seconds(h.window)
	}
	if window <= 0 {
		return Verdict{Grade: Unsupported, Expected: h.String(), Received: "the DUT negotiated a hold time of 0", Reason: "no HELLOs to time"}
	}
	ev := x.watch(peer, window, 0, nil, h.String(), func(ev Event) bool {
		if _, ok := ev.Alert(); ok {
			return true
		}
		switch {
		case ev.Kind != EvMessage:
		case ev.Msg.Type() == omp.TypeHello:
			times = append(times, ev.At)
		case !h.floor:
			times = append(times, ev.At)
			others++
		}
		return false
	})
	if ev.Kind != EvTimeout {
		return verdict(Fail, h, ev.String(), "the session did not stay up")
	}
	if h.floor {
		// Judged by count, not by the smallest gap, which the harness's
		// own scheduling can shrink: at most one HELLO per second means
		// at most window+1 of them in the window.
		limit := int(window/time.Second) + 1
		v := verdict(Pass, h, fmt.Sprintf("%d HELLOs in %s", len(times), window), "")
		if len(times) > 0 {
			v.Measured = []Measurement{{Name: "mean HELLO interval", Value: window / time.Duration(len(times)), Limit: fmt.Sprintf("at most %d HELLOs in %s", limit, window)}}
		}
		if len(times) > limit {
			v.Grade, v.Reason = Fail, "HELLOs more often than once per second"
		}
		return v
	}
	// The largest gap, counting from the start of the watch to the first
	// message and from the last message to the end.
	largest, prev := time.Duration(0), start
	for _, t := range append(times, time.Now()) {
		largest = max(largest, t.Sub(prev))
		prev = t
	}
	limit := keep + x.Env.Tolerance
	v := verdict(Pass, h, fmt.Sprintf("%d HELLOs and %d other messages, largest interval %s", len(times)-others, others, largest.Round(time.Millisecond)), "")
	v.Measured = []Measurement{{Name: "largest HELLO interval", Value: largest, Limit: "at most " + limit.String()}}
	if largest > limit {
		v.Grade, v.Reason = Fail, "HELLOs too far apart for the hold time"
	}
	return v
}

// ---- the smaller offer -------------------------------------------------------

type helloWithinHoldExp struct{}

// HelloWithinHold expects two HELLOs from the DUT after the opening, each
// within one negotiated hold time (+ Tolerance) of the one before (the
// first, of the opening). Offered more than the DUT offers itself, the
// negotiated hold time is the DUT's own offer (RFC 4271 4.2, the smaller
// of the two): a DUT that took the larger offer sends its HELLOs a third
// of that apart. Two, because a DUT may send one more HELLO at once after
// the one that confirms the session. Any other message counts as a HELLO
// (RFC 4271 8.2.2: an UPDATE sent restarts the KeepaliveTimer), as in
// HellosWithin. The fake peer's keepalive goes on.
func HelloWithinHold() Expectation { return helloWithinHoldExp{} }

func (helloWithinHoldExp) String() string {
	return "two HELLOs (or other messages) after the opening, each within one negotiated hold time (the smaller offer) of the one before"
}

func (helloWithinHoldExp) Alerts() []omp.AlertID { return nil }

func (h helloWithinHoldExp) check(x *Exec, peer int) Verdict {
	hold := x.neg[peer].Hold
	if hold <= 0 {
		return Verdict{Grade: Unsupported, Expected: h.String(), Received: "the DUT negotiated a hold time of 0", Reason: "no HELLOs to time"}
	}
	if v := tooLong(x, hold, h); v != nil {
		return *v
	}
	limit := hold + x.Env.Tolerance
	m := Measurement{Name: "largest interval between messages", Limit: "at most " + limit.String()}
	v := verdict(Pass, h, "", "")
	start := time.Now()
	prev := start
	for n := 1; n <= 2; n++ {
		ev := x.watch(peer, limit, 0, nil, h.String(), func(ev Event) bool {
			_, alert := ev.Alert()
			return alert || ev.Kind == EvMessage
		})
		gap, first := ev.At.Sub(prev), prev.Sub(start)
		m.Value, prev = max(m.Value, gap), ev.At
		switch _, alert := ev.Alert(); {
		case ev.Kind == EvTimeout:
			v.Grade, v.Reason = Fail, "the DUT did not keep the smaller hold time"
			v.Received = fmt.Sprintf("no message within %s of the opening", limit.Round(time.Millisecond))
			if n == 2 {
				v.Received = fmt.Sprintf("a message %s after the opening, then none within %s", first.Round(time.Millisecond), limit.Round(time.Millisecond))
			}
		case alert, ev.Kind != EvMessage:
			v.Grade, v.Reason = Fail, "the session did not stay up"
			v.Received = fmt.Sprintf("%s after %s", ev, gap.Round(time.Millisecond))
		default:
			v.Received = fmt.Sprintf("two messages, largest interval %s", m.Value.Round(time.Millisecond))
			continue
		}
		break
	}
	v.Measured = []Measurement{m}
	return v
}

// ---- staying up -------------------------------------------------------------

type staysUpExp struct {
	holds float64 // the window, in negotiated hold times; seconds if fixed
	fixed bool
	msg   Msg // sent every third of the hold time instead of the keepalive
	// noPeriodic: no HELLO but the one that confirms the session, over
	// a window of at least a third of the DUT's own Hold Time, plus
	// twice the tolerance
	noPeriodic bool
}

// StaysUp expects the session to stay up (no ALERT, no close) for `holds`
// negotiated hold times while the harness sends m every third of the
// hold time, its keepalive HELLOs stopped (m nil: the keepalive goes on).
func StaysUp(holds float64, m Msg) Expectation {
	return staysUpExp{holds: holds, msg: m}
}

// NoPeriodicHellos expects, with a negotiated hold time of 0 (RFC 4271
// 4.4: "periodic KEEPALIVE messages MUST NOT be sent"), at most one HELLO
// (the one that may confirm the session), and the session up, for window
// seconds, or longer: a third of the hold time the DUT offered itself and
// twice the tolerance, by when a DUT that took the 0 for unset (and used
// its own offer) would have sent its first periodic HELLO.
func NoPeriodicHellos(window float64) Expectation {
	return staysUpExp{holds: window, fixed: true, noPeriodic: true}
}

func (s staysUpExp) String() string {
	str := fmt.Sprintf("the session stays up for %g negotiated hold times", s.holds)
	if s.fixed {
		str = fmt.Sprintf("the session stays up for %gs", s.holds)
	}
	if s.noPeriodic {
		str += " (or a third of the DUT's own Hold Time, if longer)"
	}
	if s.msg != nil {
		str += fmt.Sprintf(" while the harness sends only %s every third of it", s.msg)
	}
	if s.noPeriodic {
		str += ", with no HELLO but the one that confirms the session"
	}
	return str
}

func (staysUpExp) Alerts() []omp.AlertID { return nil }

func (s staysUpExp) check(x *Exec, peer int) Verdict {
	hellos := 0
	n := x.neg[peer]
	window, every := time.Duration(s.holds*float64(n.Hold)), n.HelloEvery()
	if s.fixed {
		window = x.Env.Seconds(s.holds)
	}
	if hs := x.dut[peer]; s.noPeriodic && hs != nil {
		window = max(window, x.Env.Seconds(float64(min(hs.HoldTime, MaxOwnHold)))/3+2*x.Env.Tolerance)
	}
	if window <= 0 {
		return Verdict{Grade: Unsupported, Expected: s.String(), Received: "the DUT negotiated a hold time of 0", Reason: "no hold timer to keep up"}
	}
	if s.msg != nil {
		x.sess[peer].Keepalive(0)
	}
	allowed := 1 // the HELLO that confirms the session
	if x.got[peer]&(1<<omp.TypeHello) != 0 {
		allowed = 0 // the opening read it: any other is periodic
	}
	start := time.Now()
	ev := x.watch(peer, window, every, s.msg, s.String(), func(ev Event) bool {
		if _, ok := ev.Alert(); ok {
			return true
		}
		if ev.Kind == EvMessage && ev.Msg.Type() == omp.TypeHello {
			hellos++
		}
		return false
	})
	up := time.Since(start)
	m := Measurement{Name: "session up", Value: up, Limit: fmt.Sprintf("at least %s", window)}
	if ev.Kind != EvTimeout {
		v := verdict(Fail, s, fmt.Sprintf("%s after %s", ev, up.Round(time.Millisecond)), "")
		if al, ok := ev.Alert(); ok {
			v.Alert = new(al.ID())
		}
		v.Measured = []Measurement{m}
		return v
	}
	got := fmt.Sprintf("up for %s, %d HELLOs", up.Round(time.Millisecond), hellos)
	if s.noPeriodic && allowed == 0 {
		got += " after the one that confirmed the session"
	}
	v := verdict(Pass, s, got, "")
	v.Measured = []Measurement{m}
	if s.noPeriodic && hellos > allowed {
		v.Grade, v.Reason = Fail, "periodic HELLOs with a hold time of 0"
	}
	return v
}
