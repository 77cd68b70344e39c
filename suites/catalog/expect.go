package catalog

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// Expectation judges what the DUT does after a step.
type Expectation interface {
	check(x *Exec, peer int) Verdict
	// String is the expectation in words.
	String() string
	// Alerts are the ALERTs a conforming DUT sends here.
	Alerts() []omp.AlertID
}

// ---- ALERT --------------------------------------------------------------

// AlertExp expects an ALERT. Build it with Alert.
type AlertExp struct {
	want     []omp.AlertID
	any      bool // any ALERT passes
	close    bool
	orAccept bool
	orClose  bool    // a close without an ALERT passes too
	within   float64 // seconds; 0: Env.Answer
}

// Alert expects the DUT to answer with the ALERT code/sub. The right code
// with another subcode is NON-STRICT; so is a close without an ALERT.
func Alert(code omp.AlertCode, sub omp.Subcode) AlertExp {
	return AlertExp{want: []omp.AlertID{{Code: code, Subcode: sub}}}
}

// AnyAlert expects an ALERT, whichever: for what must be refused where
// neither the draft nor BGP names the subcode.
func AnyAlert() AlertExp { return AlertExp{any: true} }

// Survives is for what the draft leaves undefined (a bad fragment
// sequence, an unknown type): the DUT may ignore the message or refuse it
// with any ALERT; what is judged is that it stays sane, which the
// liveness check after the case proves.
func Survives() AlertExp { return AlertExp{any: true, orAccept: true} }

// ThenClose also expects the DUT to close the connection after the ALERT;
// an ALERT without the close is NON-STRICT.
func (a AlertExp) ThenClose() AlertExp { a.close = true; return a }

// Or accepts another ALERT as equally right, where the draft's table
// leaves the choice open.
func (a AlertExp) Or(code omp.AlertCode, sub omp.Subcode) AlertExp {
	a.want = append(slices.Clip(a.want), omp.AlertID{Code: code, Subcode: sub})
	return a
}

// OrClose also passes a DUT that closes without an ALERT: where BGP lets
// a speaker close without answering (RFC 4271 6.4: no NOTIFICATION in
// answer to a NOTIFICATION).
func (a AlertExp) OrClose() AlertExp { a.orClose = true; return a }

// OrAccept also passes a DUT that accepts the message, proven as Accept
// proves it (or, on a HANDSHAKE, by the session opening): for what the
// draft allows either way. An ALERT before the proof is judged as Alert
// judges it.
func (a AlertExp) OrAccept() AlertExp { a.orAccept = true; return a }

// Within waits s seconds (scaled) instead of Env.Answer.
func (a AlertExp) Within(s float64) AlertExp { a.within = s; return a }

// Alerts lists the ALERTs that pass.
func (a AlertExp) Alerts() []omp.AlertID { return a.want }

func (a AlertExp) String() string {
	var alts []string
	for _, w := range a.want {
		alts = append(alts, "ALERT "+w.String())
	}
	if a.any {
		alts = append(alts, "any ALERT")
	}
	s := strings.Join(alts, " or ")
	if a.close {
		s += ", then close"
	}
	if a.orClose {
		s += ", or a close without an ALERT"
	}
	if a.orAccept {
		s += ", or accepted"
	}
	return s
}

func (a AlertExp) check(x *Exec, peer int) Verdict {
	if a.orAccept {
		// Acceptance is proven as Accept proves it; an ALERT, a close or
		// garbage before the proof is judged as the answer.
		wait := x.Env.Answer
		if a.within > 0 {
			wait = max(wait, x.Env.Seconds(a.within))
		}
		v := x.barrierOr(peer, a, wait, func(ev Event, skipped string) Verdict { return a.judge(x, peer, ev, skipped) })
		if v.Grade == Pass && v.Alert == nil && v.Reason == "" {
			v.Reason = "accepted"
		}
		return v
	}
	wait := x.Env.Answer
	if a.within > 0 {
		wait = x.Env.Seconds(a.within)
	}
	ev, skipped := x.await(peer, wait, a.String(), func(ev Event) bool { _, ok := ev.Alert(); return ok })
	if ev.Kind == EvTimeout {
		return verdict(Fail, a, "no ALERT within "+wait.String()+skipped, "")
	}
	return a.judge(x, peer, ev, skipped)
}

// judge is the verdict on what ended the wait for the ALERT: the ALERT
// (then the close, where one is expected), a close, or garbage.
func (a AlertExp) judge(x *Exec, peer int, ev Event, skipped string) Verdict {
	switch ev.Kind {
	case EvClosed, EvReset:
		if a.orClose {
			return verdict(Pass, a, ev.String()+" without an ALERT"+skipped, "")
		}
		return verdict(NonStrict, a, ev.String()+" without an ALERT"+skipped, "closed without the ALERT")
	case EvBadMessage:
		return verdict(Fail, a, ev.String(), "")
	}
	al, _ := ev.Alert()
	got := al.ID()
	v := verdict(Pass, a, ev.String(), "")
	v.Alert = &got
	switch {
	case a.any, slices.Contains(a.want, got):
	case slices.ContainsFunc(a.want, func(w omp.AlertID) bool { return w.Code == got.Code }):
		v.Grade, v.Reason = NonStrict, "right code, wrong subcode"
	default:
		v.Grade, v.Reason = Fail, "wrong ALERT"
		return v
	}
	if a.close {
		end, more := x.await(peer, x.Env.Answer, "the close after the ALERT", func(Event) bool { return false })
		switch end.Kind {
		case EvClosed, EvReset:
			v.Received += ", then " + end.Kind.String()
		default:
			v.Received += ", then " + orTimeout(end, x.Env.Answer) + more
			if v.Grade == Pass {
				v.Grade, v.Reason = NonStrict, "the ALERT was not followed by a close"
			}
		}
	}
	return v
}

func orTimeout(ev Event, d time.Duration) string {
	if ev.Kind == EvTimeout {
		return "still open after " + d.String()
	}
	return ev.String()
}

// ---- acceptance ---------------------------------------------------------

type acceptExp struct{ ignore bool }

// Accept expects the DUT to take the message, and proves that it read it:
// the fake peer then sends an OMP_INFORM_REFRESH_REQUEST for every family
// and the DUT must answer it with its routes and OMP_INFORM_EOR, with no
// ALERT and no close before (TCP keeps order: the answer comes after the
// DUT has handled the message). Against a DUT that does not offer the
// REFRESH capability only silence for Env.Settle can be had, and the
// verdict says so. Cases that can observe more (a route reflected, a
// QUERY answered) say so with their own expectations.
func Accept() Expectation { return acceptExp{} }

// Ignore expects the DUT to discard the message without a word, proved
// the same way as Accept: no ALERT, no close, and the next message
// answered.
func Ignore() Expectation { return acceptExp{ignore: true} }

func (a acceptExp) String() string {
	if a.ignore {
		return "the message is ignored: no ALERT, session up, the next REFRESH_REQUEST answered with EOR"
	}
	return "the message is accepted: no ALERT, session up, the next REFRESH_REQUEST answered with EOR"
}

func (acceptExp) Alerts() []omp.AlertID { return nil }

func (a acceptExp) check(x *Exec, peer int) Verdict { return x.barrier(peer, a) }

// offersRefresh reports whether the DUT's HANDSHAKE on peer i's session
// carries the REFRESH capability.
func (x *Exec) offersRefresh(i int) bool {
	hs := x.dut[i]
	if hs == nil {
		hs = x.Env.DUT
	}
	if hs == nil {
		return false
	}
	_, ok := omp.CapOf[*omp.CapRefresh](hs)
	return ok
}

// barrier proves that the DUT has read everything peer i sent so far and
// refused none of it: a REFRESH_REQUEST answered with EOR (Env.Answer at
// most), or, without the REFRESH capability, silence for Env.Settle.
func (x *Exec) barrier(peer int, exp Expectation) Verdict {
	return x.barrierOr(peer, exp, x.Env.Answer, func(ev Event, skipped string) Verdict { return x.refused(exp, ev, skipped) })
}

// barrierOr is barrier waiting up to wait for the answer, with refused
// the verdict on what ends it before the proof: an ALERT, a close or
// garbage.
func (x *Exec) barrierOr(peer int, exp Expectation, wait time.Duration, refused func(ev Event, skipped string) Verdict) Verdict {
	if !x.opened(peer) {
		v := x.opens(peer, exp, wait, refused)
		// A message sent on a half-open session (FSM-020: an UPDATE
		// before the first HELLO) is not proven read by the opening: the
		// DUT's HELLO may come before its answer to it.
		if v.Grade != Pass || v.Alert != nil || x.wrote[peer]&^(1<<omp.TypeHandshake|1<<omp.TypeHello) == 0 {
			return v
		}
		// The opening's own EORs first, so the barrier sees only the one
		// that answers its refresh.
		x.fams[peer] = Families(x.ours[peer], x.dut[peer])
		if initial := newEORSet(x.fams[peer]); x.offersRefresh(peer) && !x.Env.NoInitialEOR {
			ev, skipped := x.await(peer, wait, "the EORs after the DUT's initial advertisement", func(ev Event) bool {
				_, alert := ev.Alert()
				return alert || initial.see(ev.Msg)
			})
			if ev.Kind != EvTimeout && !initial.done {
				return refused(ev, skipped)
			}
		}
	}
	// Without REFRESH there is nothing to ask. Where the fake peer's
	// HANDSHAKE has no MP capability and the DUT's has some, whether any
	// family was negotiated is this project's reading (every one the DUT
	// offers), not the draft's, and a DUT that reads it as none answers
	// no REFRESH_REQUEST.
	why := "the DUT does not offer REFRESH"
	ours, theirs := x.ours[peer], x.dut[peer]
	noMP := ours != nil && theirs != nil && len(ours.Families()) == 0 && len(theirs.Families()) > 0
	if noMP {
		why = "the fake peer offered no MP capability, so no family need have been negotiated"
	}
	if !x.offersRefresh(peer) || noMP {
		ev, skipped := x.await(peer, x.Env.Settle, exp.String(), func(ev Event) bool { _, ok := ev.Alert(); return ok })
		if ev.Kind == EvTimeout {
			return verdict(Pass, exp, "no ALERT, session up for "+x.Env.Settle.String()+skipped,
				"silence is the only evidence: "+why+", so nothing proves it read the message")
		}
		return refused(ev, skipped)
	}
	req, eors := x.refreshRequest(peer)
	if err := x.send(peer, req); err != nil {
		return x.ended(peer, exp, err, refused)
	}
	ev, skipped := x.await(peer, wait, "the EOR that answers the REFRESH_REQUEST", func(ev Event) bool {
		if _, ok := ev.Alert(); ok {
			return true
		}
		return eors.see(ev.Msg)
	})
	switch {
	case ev.Kind == EvTimeout:
		return verdict(Fail, exp, "no ALERT, but no EOR within "+wait.String()+" in answer to the "+req.String()+" sent after it"+skipped,
			"the DUT did not show that it read past the message")
	case eors.done:
		return verdict(Pass, exp, "no ALERT; the "+req.String()+" sent after it was answered with "+ev.String()+skipped, "")
	}
	return refused(ev, skipped)
}

// opens proves that the DUT accepted the HANDSHAKE the case sent on a
// connection it had not opened yet: the DUT answers with its own
// HANDSHAKE and, after the fake peer's HELLO, with a HELLO.
func (x *Exec) opens(peer int, exp Expectation, wait time.Duration, refused func(ev Event, skipped string) Verdict) Verdict {
	var seen []string
	for _, want := range []omp.MsgType{omp.TypeHandshake, omp.TypeHello} {
		if want == omp.TypeHello && x.wrote[peer]&(1<<omp.TypeHello) == 0 {
			if err := x.send(peer, Hello()); err != nil {
				return x.ended(peer, exp, err, refused)
			}
		}
		if x.got[peer]&(1<<want) != 0 {
			continue
		}
		ev, skipped := x.await(peer, wait, "the DUT's "+want.String(), func(ev Event) bool {
			_, alert := ev.Alert()
			return alert || ev.Msg.Type() == want
		})
		if ev.Kind != EvMessage || ev.Msg.Type() != want {
			if ev.Kind == EvTimeout {
				return verdict(Fail, exp, "no "+want.String()+" within "+wait.String()+skipped, "the DUT did not open the session")
			}
			return refused(ev, skipped)
		}
		seen = append(seen, ev.String())
	}
	if len(seen) == 0 {
		return verdict(Pass, exp, "the DUT opened the session (its HANDSHAKE and HELLO came before)", "")
	}
	return verdict(Pass, exp, "the DUT opened the session: "+strings.Join(seen, ", then "), "")
}

// ended is the verdict when the fake peer's write fails (err) because the
// DUT ended the session: on what the DUT sent before it ended, an ALERT
// or the close, which may still wait to be read; "the session ended" if
// nothing comes.
func (x *Exec) ended(peer int, exp Expectation, err error, refused func(ev Event, skipped string) Verdict) Verdict {
	ev, skipped := x.await(peer, x.Env.Answer, exp.String(), func(ev Event) bool { _, ok := ev.Alert(); return ok })
	if ev.Kind != EvTimeout {
		return refused(ev, skipped)
	}
	return verdict(Fail, exp, "the session ended: "+err.Error()+skipped, "")
}

// refused is the verdict on an ALERT, a close or garbage where acceptance
// was expected.
func (x *Exec) refused(exp Expectation, ev Event, skipped string) Verdict {
	v := verdict(Fail, exp, ev.String()+skipped, "")
	if al, ok := ev.Alert(); ok {
		v.Alert = new(al.ID())
	}
	return v
}

// ---- close --------------------------------------------------------------

type closedExp struct{}

// Closed expects the DUT to close the connection without answering: what
// a BGP speaker does on a NOTIFICATION.
func Closed() Expectation { return closedExp{} }

func (closedExp) String() string        { return "the DUT closes the session without an ALERT" }
func (closedExp) Alerts() []omp.AlertID { return nil }

func (c closedExp) check(x *Exec, peer int) Verdict {
	var alert *Event
	ev, skipped := x.await(peer, x.Env.Answer, c.String(), func(ev Event) bool {
		if _, ok := ev.Alert(); ok && alert == nil {
			e := ev
			alert = &e
		}
		return ev.Kind != EvMessage
	})
	switch ev.Kind {
	case EvClosed, EvReset:
		if alert != nil {
			return verdict(NonStrict, c, alert.String()+", then "+ev.Kind.String(), "answered an ALERT with an ALERT")
		}
		return verdict(Pass, c, ev.Kind.String()+skipped, "")
	case EvTimeout:
		return verdict(Fail, c, "still open after "+x.Env.Answer.String()+skipped, "")
	}
	return verdict(Fail, c, ev.String(), "")
}

// ---- messages -------------------------------------------------------------

// Pred is a named test of a received message.
type Pred struct {
	Desc string
	Fn   func(e *Env, m omp.Message) bool
}

// MessageExp expects a message of a type. Build it with ExpectMessage.
type MessageExp struct {
	typ    omp.MsgType
	preds  []Pred
	within float64
	span   *Span // overrides within
	none   bool
	first  bool
}

// Span is a wait a case declares in terms of a session's negotiated
// timers, so that it holds for whatever the DUT offered.
type Span struct {
	peer       int     // whose session's timers
	gr         float64 // GR intervals
	tolerances float64 // plus this many Env.Tolerance (may be negative)
}

// GRInterval is k times fake peer i's negotiated GR interval, plus tols
// times the harness's tolerance (negative: minus).
func GRInterval(i int, k, tols float64) Span { return Span{peer: i, gr: k, tolerances: tols} }

// duration is the span for x's sessions. A span that ends past the GR
// interval (tolerances > 0) is a deadline for what the DUT sends when its
// timer runs out, started by what the harness did: it also allows the
// round trip.
func (s Span) duration(x *Exec) time.Duration {
	d := time.Duration(s.gr*float64(x.neg[s.peer].GR)) + time.Duration(s.tolerances*float64(x.Env.Tolerance))
	if s.tolerances > 0 {
		d += x.rtt(s.peer)
	}
	return d
}

func (s Span) String() string {
	d := fmt.Sprintf("%g x peer%d's GR interval", s.gr, s.peer)
	if s.gr == 1 {
		d = fmt.Sprintf("peer%d's GR interval", s.peer)
	}
	switch {
	case s.gr == 0:
		d = fmt.Sprintf("%g x the tolerance", s.tolerances)
	case s.tolerances < 0:
		d += " less the tolerance"
	case s.tolerances > 0:
		d += " plus the tolerance"
	}
	return d
}

// For waits the span s instead of a fixed time.
func (m MessageExp) For(s Span) MessageExp { m.span = &s; return m }

// ExpectMessage expects the DUT to send a message of type t that passes
// every predicate, within Env.Answer. An ALERT or a close first fails.
func ExpectMessage(t omp.MsgType, preds ...Pred) MessageExp {
	return MessageExp{typ: t, preds: preds}
}

// NoMessage expects the DUT not to send a message of type t that passes
// every predicate for s seconds (scaled); an ALERT or a close fails too.
func NoMessage(t omp.MsgType, s float64, preds ...Pred) MessageExp {
	return MessageExp{typ: t, preds: preds, within: s, none: true}
}

// First also requires the message to be the first the DUT sends.
func (m MessageExp) First() MessageExp { m.first = true; return m }

// Within waits s seconds (scaled) instead of Env.Answer.
func (m MessageExp) Within(s float64) MessageExp { m.within = s; return m }

func (m MessageExp) Alerts() []omp.AlertID { return nil }

func (m MessageExp) String() string {
	var ps []string
	for _, p := range m.preds {
		ps = append(ps, p.Desc)
	}
	s := m.typ.String()
	if len(ps) > 0 {
		s += " where " + strings.Join(ps, " and ")
	}
	if m.none {
		if m.span != nil {
			return "no " + s + " for " + m.span.String() + ", session up"
		}
		return "no " + s + fmt.Sprintf(" for %gs, session up", m.within)
	}
	if m.span != nil {
		s += " within " + m.span.String()
	} else if m.within > 0 {
		s += fmt.Sprintf(" within %gs", m.within)
	}
	if m.first {
		s += ", before any other message"
	}
	return s
}

func (m MessageExp) match(e *Env, msg omp.Message) bool {
	if msg == nil || msg.Type() != m.typ {
		return false
	}
	for _, p := range m.preds {
		if !p.Fn(e, msg) {
			return false
		}
	}
	return true
}

func (m MessageExp) check(x *Exec, peer int) Verdict {
	wait := x.Env.Answer
	if m.within > 0 {
		wait = x.Env.Seconds(m.within)
	}
	if m.span != nil {
		wait = m.span.duration(x)
		if wait <= 0 {
			return Verdict{Grade: Unsupported, Expected: m.String(), Received: "no negotiated GR interval", Reason: "the timer the case waits on was not negotiated"}
		}
	}
	var near string
	start := time.Now()
	ev, skipped := x.await(peer, wait, m.String(), func(ev Event) bool {
		if ev.Kind != EvMessage {
			return true
		}
		if _, ok := ev.Alert(); ok {
			return true
		}
		if ev.Msg.Type() == m.typ && !m.match(x.Env, ev.Msg) && !x.otherRuns(ev) {
			near = ev.String()
		}
		// First: the first of this case run's own messages; another
		// run's, reflected meanwhile, is not judged here.
		return m.first && !x.otherRuns(ev) || m.match(x.Env, ev.Msg)
	})
	if ev.Kind == EvMessage && m.match(x.Env, ev.Msg) {
		if m.none {
			when := fmt.Sprintf(" after %s", ev.At.Sub(start).Round(time.Millisecond))
			if early := start.Sub(ev.At); early > 0 {
				// It came during the steps before, and waited to be read.
				when = fmt.Sprintf(", come %s before the wait began", early.Round(time.Millisecond))
			}
			return verdict(Fail, m, ev.String()+when, "")
		}
		v := verdict(Pass, m, ev.String(), "")
		if m.within > 0 || m.span != nil {
			v.Measured = append(v.Measured, Measurement{Name: "time to " + m.typ.String(), Value: ev.At.Sub(start), Limit: "at most " + wait.String()})
		}
		return v
	}
	if ev.Kind == EvTimeout {
		if m.none {
			return verdict(Pass, m, "none"+skipped, "")
		}
		recv := "nothing within " + wait.String() + skipped
		if near != "" {
			recv = "only " + near + skipped
		}
		return verdict(Fail, m, recv, "")
	}
	v := verdict(Fail, m, ev.String()+skipped, "")
	if al, ok := ev.Alert(); ok {
		v.Alert = new(al.ID())
	}
	return v
}

// Kind classifies an expectation, for those who phrase it (the ginkgo
// specs pick their matcher by it).
type Kind uint8

const (
	KindOther  Kind = iota // timers, messages, routes, or an ALERT that silence also satisfies
	KindAlert              // an ALERT, from Alerts()
	KindAccept             // Accept or Ignore
	KindClose              // Closed
)

// KindOf returns e's kind.
func KindOf(e Expectation) Kind {
	switch e := e.(type) {
	case AlertExp:
		if !e.any && !e.orAccept && !e.orClose {
			return KindAlert
		}
	case acceptExp:
		return KindAccept
	case closedExp:
		return KindClose
	}
	return KindOther
}
