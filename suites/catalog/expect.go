package catalog

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// AlertID is an ALERT Code and Subcode.
type AlertID struct {
	Code    omp.AlertCode `json:"code"`
	Subcode omp.Subcode   `json:"subcode"`
}

// String is "OMP_ERR_HEADER/OMP_SUB_ERR_HEADER_LENGTH".
func (a AlertID) String() string {
	return a.Code.String() + "/" + a.Code.SubcodeName(a.Subcode)
}

// MarshalText prints the ALERT by its draft names.
func (a AlertID) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText reads an ALERT by its draft names, as MarshalText writes it.
func (a *AlertID) UnmarshalText(b []byte) error {
	for c := omp.AlertCode(0); c < 16; c++ {
		for s := 0; s < 16; s++ {
			if (AlertID{c, omp.Subcode(s)}).String() == string(b) {
				*a = AlertID{c, omp.Subcode(s)}
				return nil
			}
		}
	}
	return fmt.Errorf("ALERT %q: not CODE/SUBCODE by the draft's names", b)
}

// AllAlerts lists every Code/Subcode of the draft's ALERT table (section
// 3.1.4): each code with its subcodes, and the codes without subcodes
// (INV, HOLDTIME, FSM) with OMP_SUB_ERR_NONE.
func AllAlerts() []AlertID {
	var out []AlertID
	for _, c := range omp.AlertCodes() {
		subs := c.Subcodes()
		if len(subs) == 0 {
			out = append(out, AlertID{c, omp.SubErrNone})
		}
		for _, s := range subs {
			out = append(out, AlertID{c, s})
		}
	}
	return out
}

// Expectation judges what the DUT does after a step.
type Expectation interface {
	check(x *Exec, peer int) Verdict
	// String is the expectation in words.
	String() string
	// Alerts are the ALERTs a conforming DUT sends here.
	Alerts() []AlertID
}

// ---- ALERT --------------------------------------------------------------

// AlertExp expects an ALERT. Build it with Alert.
type AlertExp struct {
	want     []AlertID
	any      bool // any ALERT passes
	close    bool
	orAccept bool
	within   float64 // seconds; 0: Env.Answer
}

// Alert expects the DUT to answer with the ALERT code/sub. The right code
// with another subcode is NON-STRICT; so is a close without an ALERT.
func Alert(code omp.AlertCode, sub omp.Subcode) AlertExp {
	return AlertExp{want: []AlertID{{code, sub}}}
}

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
	a.want = append(slices.Clip(a.want), AlertID{code, sub})
	return a
}

// OrAccept also passes a DUT that accepts the message silently: for what
// the draft allows either way, where only the ALERT, if any, is judged.
func (a AlertExp) OrAccept() AlertExp { a.orAccept = true; return a }

// Within waits s seconds (scaled) instead of Env.Answer.
func (a AlertExp) Within(s float64) AlertExp { a.within = s; return a }

// Alerts lists the ALERTs that pass.
func (a AlertExp) Alerts() []AlertID { return a.want }

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
	if a.orAccept {
		s += ", or silent acceptance"
	}
	return s
}

func (a AlertExp) check(x *Exec, peer int) Verdict {
	wait := x.Env.Answer
	if a.within > 0 {
		wait = x.Env.Seconds(a.within)
	}
	if a.orAccept && a.within == 0 {
		wait = x.Env.Settle
	}
	ev, skipped := x.await(peer, wait, a.String(), func(ev Event) bool { _, ok := ev.Alert(); return ok })
	switch ev.Kind {
	case EvTimeout:
		if a.orAccept {
			return verdict(Pass, a, "no ALERT, session up"+skipped, "accepted silently")
		}
		return verdict(Fail, a, "no ALERT within "+wait.String()+skipped, "")
	case EvClosed, EvReset:
		return verdict(NonStrict, a, ev.String()+" without an ALERT"+skipped, "closed without the ALERT")
	case EvBadMessage:
		return verdict(Fail, a, ev.String(), "")
	}
	al, _ := ev.Alert()
	got := AlertID{al.Code, al.Subcode}
	v := verdict(Pass, a, ev.String(), "")
	v.Alert = &got
	switch {
	case a.any, slices.Contains(a.want, got):
	case slices.ContainsFunc(a.want, func(w AlertID) bool { return w.Code == got.Code }):
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

// Accept expects the DUT to take the message: no ALERT, no close, for
// Env.Settle.
func Accept() Expectation { return acceptExp{} }

// Ignore expects the DUT to discard the message without a word: no
// ALERT, no close.
func Ignore() Expectation { return acceptExp{ignore: true} }

func (a acceptExp) String() string {
	if a.ignore {
		return "the message is ignored: no ALERT, session stays up"
	}
	return "the message is accepted: no ALERT, session stays up"
}

func (acceptExp) Alerts() []AlertID { return nil }

func (a acceptExp) check(x *Exec, peer int) Verdict {
	ev, skipped := x.await(peer, x.Env.Settle, a.String(), func(ev Event) bool { _, ok := ev.Alert(); return ok })
	switch ev.Kind {
	case EvTimeout:
		return verdict(Pass, a, "no ALERT, session up"+skipped, "")
	case EvMessage:
		v := verdict(Fail, a, ev.String(), "")
		al, _ := ev.Alert()
		v.Alert = &AlertID{al.Code, al.Subcode}
		return v
	}
	return verdict(Fail, a, ev.String(), "")
}

// ---- close --------------------------------------------------------------

type closedExp struct{}

// Closed expects the DUT to close the connection without answering: what
// a BGP speaker does on a NOTIFICATION.
func Closed() Expectation { return closedExp{} }

func (closedExp) String() string    { return "the DUT closes the session without an ALERT" }
func (closedExp) Alerts() []AlertID { return nil }

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
	none   bool
	first  bool
}

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

func (m MessageExp) Alerts() []AlertID { return nil }

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
		return "no " + s + fmt.Sprintf(" for %gs, session up", m.within)
	}
	if m.within > 0 {
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
	var near string
	start := time.Now()
	ev, skipped := x.await(peer, wait, m.String(), func(ev Event) bool {
		if ev.Kind != EvMessage {
			return true
		}
		if _, ok := ev.Alert(); ok {
			return true
		}
		if ev.Msg.Type() == m.typ && !m.match(x.Env, ev.Msg) {
			near = ev.String()
		}
		return m.first || m.match(x.Env, ev.Msg)
	})
	if ev.Kind == EvMessage && m.match(x.Env, ev.Msg) {
		if m.none {
			return verdict(Fail, m, ev.String()+fmt.Sprintf(" after %s", ev.At.Sub(start).Round(time.Millisecond)), "")
		}
		v := verdict(Pass, m, ev.String(), "")
		if m.within > 0 {
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
		v.Alert = &AlertID{al.Code, al.Subcode}
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
		if !e.any && !e.orAccept {
			return KindAlert
		}
	case acceptExp:
		return KindAccept
	case closedExp:
		return KindClose
	}
	return KindOther
}
