package catalog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/peers/fake"
)

// Step is one step of a case's script.
type Step interface {
	// run performs the step; false stops the script.
	run(x *Exec) bool
	String() string
}

// Exec is one run of one case: its sessions and its verdict so far.
type Exec struct {
	Ctx    context.Context
	Env    *Env
	Driver Driver
	Case   *Case

	sess map[int]Session
	dut  map[int]*omp.Handshake // each session's HANDSHAKE from the DUT
	ours map[int]*omp.Handshake // each session's HANDSHAKE from the fake peer, if it decodes
	sent map[int]time.Time      // when each session last sent
	neg  map[int]Negotiated     // each session's negotiated timers
	fams map[int][]omp.Family   // each session's negotiated MP families
	// each session's message types, as header Type bits: those the
	// harness wrote, and those the DUT sent (judged or skipped)
	wrote, got map[int]uint16
	noEOR      bool      // an opening waited for the initial EOR in vain
	own        *DUTRoute // a vRoute of the DUT's own, from an initial advertisement
	adjIn      map[int]adjIn
	// each session's first UPDATE or End-of-RIB of a family it did not
	// negotiate, whenever it came (the opening reads the initial
	// advertisement before any expectation does)
	stray map[int]omp.Message
	// overflow is how a session ended when the harness dropped it for a
	// full receive queue (fake.CloseOverflow): the harness's bound, not
	// a verdict on the DUT
	overflow *fake.CloseInfo
	v        Verdict
	n        int // verdicts folded
}

// Run plays case c against the DUT through d and returns its verdict.
// Every session the case opened is closed when it returns.
func Run(ctx context.Context, c *Case, env *Env, d Driver) Verdict {
	x := newExec(ctx, c, env, d)
	defer x.closeAll()
	if env.DUT != nil {
		if miss := MissingNeeds(c.Needs, env.DUT); len(miss) > 0 {
			return Verdict{Grade: Unsupported, Expected: c.Expected(), Received: "the DUT's HANDSHAKE lacks " + joinNeeds(miss), Reason: "the DUT did not negotiate what the case needs"}
		}
	}
	for _, s := range c.Steps() {
		if err := ctx.Err(); err != nil {
			x.fold(Verdict{Grade: Error, Reason: "case interrupted: " + err.Error()})
			break
		}
		if !s.run(x) {
			break
		}
	}
	if x.n == 0 {
		x.fold(Verdict{Grade: Error, Reason: "the case judged nothing"})
	}
	return observe(c.Level, x.overflowed(x.v))
}

// overflowed makes v an ERROR if it failed the DUT on a session the
// harness dropped for a full receive queue: the DUT sent more messages
// than the case read (a controller passing on other cases' routes one
// UPDATE each, or a flood), and the case judged what the drop left.
func (x *Exec) overflowed(v Verdict) Verdict {
	if x.overflow == nil || v.Grade != Fail && v.Grade != NonStrict {
		return v
	}
	v.Reason = joinText(fmt.Sprintf("%s: its verdict (%s) is not kept; run the case alone (ompconform run --parallel 1 %s) to judge it", x.overflow, v.Grade, x.Case.ID), v.Reason)
	v.Grade, v.Alert = Error, nil
	return v
}

// observe turns an INFORMATIONAL case's judgement into an observation:
// what the DUT did is kept, graded INFO, and fails nothing. A harness
// ERROR, UNSUPPORTED or SKIPPED stays what it is.
func observe(l Level, v Verdict) Verdict {
	if l != INFORMATIONAL {
		return v
	}
	switch v.Grade {
	case Pass, NonStrict, Fail:
		if v.Grade != Pass {
			v.Reason = joinText("observed; the expectation would grade it "+v.Grade.String(), v.Reason)
		}
		v.Grade = Info
	}
	return v
}

func joinText(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

func newExec(ctx context.Context, c *Case, env *Env, d Driver) *Exec {
	return &Exec{Ctx: ctx, Env: env, Driver: d, Case: c, sess: map[int]Session{}, dut: map[int]*omp.Handshake{}, ours: map[int]*omp.Handshake{},
		sent: map[int]time.Time{}, neg: map[int]Negotiated{}, fams: map[int][]omp.Family{}, wrote: map[int]uint16{}, got: map[int]uint16{}, adjIn: map[int]adjIn{}, stray: map[int]omp.Message{}}
}

// fold adds a verdict to the case's: the worst grade wins, and the
// expected and received texts of every step are kept in order.
func (x *Exec) fold(w Verdict) {
	x.n++
	if x.n == 1 {
		x.v = w
		return
	}
	v := &x.v
	exp, rec := joinText(v.Expected, w.Expected), joinText(v.Received, w.Received)
	v.combine(w)
	v.Expected, v.Received = exp, rec
}

func (x *Exec) setup(format string, args ...any) bool {
	x.fold(Verdict{Grade: Error, Reason: fmt.Sprintf(format, args...)})
	return false
}

func (x *Exec) closeAll() {
	for _, s := range x.sess {
		s.Close()
	}
}

// send builds m for peer i and writes it.
func (x *Exec) send(i int, m Msg) error {
	w, err := m.Build(x.Env, i)
	if err != nil {
		return err
	}
	return x.write(i, w)
}

// write sends w on peer i's session and notes when, and what type.
func (x *Exec) write(i int, w Wire) error {
	s := x.sess[i]
	if s == nil {
		return fmt.Errorf("peer%d has no session", i)
	}
	if err := s.Send(w); err != nil {
		return err
	}
	x.wrote1(i, w)
	return nil
}

// wrote1 notes that w, a whole message, went out on peer i's session:
// when, its type, and the harness's own HANDSHAKE.
func (x *Exec) wrote1(i int, w Wire) {
	x.sent[i] = time.Now()
	if hs, ok := w.Message.(*omp.Handshake); ok && len(w.Muts) == 0 {
		x.ours[i] = hs
	}
	if t, ok := omp.TypeOf(w.Bytes); ok && t < 16 {
		x.wrote[i] |= 1 << t
	}
}

// opened reports whether peer i's session has got as far as the DUT's
// HANDSHAKE and the harness's HELLO.
func (x *Exec) opened(i int) bool {
	return x.got[i]&(1<<omp.TypeHandshake) != 0 && x.wrote[i]&(1<<omp.TypeHello) != 0
}

// await reads peer i's events until stop accepts one, the connection
// ends, or d passes (EvTimeout). skipped names the messages read and not
// accepted, for the verdict. Other case runs' reflected UPDATEs are not
// this case's traffic: they are left out of it, counted as each one
// arrives (the session keeps only the first of a flood whole).
func (x *Exec) await(i int, d time.Duration, what string, stop func(Event) bool) (ev Event, skipped string) {
	s := x.sess[i]
	if s == nil {
		return Event{Kind: EvReset, Err: fmt.Errorf("peer%d has no session", i), At: time.Now()}, ""
	}
	if err := x.Ctx.Err(); err != nil {
		return Event{Kind: EvTimeout, At: time.Now()}, ""
	}
	if dl, ok := x.Ctx.Deadline(); ok && time.Until(dl) < d {
		d = time.Until(dl)
	}
	var seen []string
	counts := map[string]int{}
	defer func() {
		if ev.Close != nil && ev.Close.Kind == fake.CloseOverflow {
			x.overflow = ev.Close
		}
	}()
	ev, _ = s.Await(max(d, 0), what, func(ev Event) bool {
		if ev.Kind == EvBadMessage && x.foreign(ev) {
			return false // another case's, reflected: not judged here
		}
		if ev.Kind == EvMessage && ev.Msg.Type() < 16 {
			x.got[i] |= 1 << ev.Msg.Type()
		}
		if hs, ok := ev.Msg.(*omp.Handshake); ok && x.dut[i] == nil {
			x.dut[i] = hs
		}
		if ev.Kind == EvMessage && !x.otherRuns(ev) {
			x.adjIn[i] = x.adjIn[i].take(x.Env, ev.Msg)
		}
		if fams, ok := x.fams[i]; ok && ev.Kind == EvMessage && x.stray[i] == nil && strayFamily(ev.Msg, fams) {
			x.stray[i] = ev.Msg
		}
		if ev.Kind != EvMessage || stop(ev) {
			return true
		}
		if !x.otherRuns(ev) {
			t := ev.Type().String()
			if counts[t] == 0 {
				seen = append(seen, t)
			}
			counts[t]++
		}
		return false
	})
	return ev, skippedText(seen, counts)
}

func skippedText(seen []string, counts map[string]int) string {
	if len(seen) == 0 {
		return ""
	}
	var parts []string
	for _, t := range seen {
		if counts[t] > 1 {
			t = fmt.Sprintf("%s x%d", t, counts[t])
		}
		parts = append(parts, t)
	}
	return " (before it: " + strings.Join(parts, ", ") + ")"
}

// MissingNeeds returns the needs a DUT that sent hs does not meet. A DUT
// that sends no MP capability at all is taken to carry every family.
// Operator actions are not judged here.
func MissingNeeds(needs []Need, hs *omp.Handshake) []Need {
	var miss []Need
	caps, fams := hs.Capabilities(), hs.Families()
	for _, n := range needs {
		ok := true
		switch {
		case n.Cap != 0:
			ok = slices.ContainsFunc(caps, func(c omp.Capability) bool { return c.CapCode() == n.Cap })
		case n.Family != omp.Family{}:
			ok = len(fams) == 0 || slices.Contains(fams, n.Family)
		}
		if !ok {
			miss = append(miss, n)
		}
	}
	return miss
}

func joinNeeds(ns []Need) string {
	var s []string
	for _, n := range ns {
		s = append(s, n.String())
	}
	return strings.Join(s, ", ")
}

// Probe opens one session with the standard HANDSHAKE of fake peer 0 and
// closes it: the probe at the start of a run, which learns the DUT, and
// the liveness check after each case. A DUT that sends no EOR after its
// initial advertisement gets env.NoInitialEOR set. It returns the DUT's HANDSHAKE, or
// why no session opened; with an error, the DUT's HANDSHAKE is still
// returned if the DUT sent one before it refused the session.
func Probe(ctx context.Context, env *Env, d Driver) (*omp.Handshake, error) {
	x := newExec(ctx, &Case{ID: "probe"}, env, d)
	defer x.closeAll()
	if !(openStep{peer: 0, hs: Handshake()}).run(x) {
		// The DUT's own HANDSHAKE, if it came before the refusal, tells
		// the caller what the DUT is (its Domain ID, its role).
		return x.dut[0], errors.New(x.v.Reason)
	}
	env.NoInitialEOR = env.NoInitialEOR || x.noEOR
	if env.OwnRoute == nil {
		env.OwnRoute = x.own
	}
	return x.dut[0], nil
}
