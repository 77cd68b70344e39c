package catalog

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ompconform/ompconform/dut/control"
	"github.com/ompconform/ompconform/omp"
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
	sent map[int]time.Time      // when each session last sent
	neg  map[int]Negotiated     // each session's negotiated timers
	fams map[int][]omp.Family   // each session's negotiated MP families
	// each session's message types, as header Type bits: those the
	// harness wrote, and those the DUT sent (judged or skipped)
	wrote, got map[int]uint16
	noEOR      bool      // an opening waited for the initial EOR in vain
	own        *DUTRoute // a vRoute of the DUT's own, from an initial advertisement
	v          Verdict
	n          int // verdicts folded
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
	return observe(c.Level, x.v)
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
	return &Exec{Ctx: ctx, Env: env, Driver: d, Case: c, sess: map[int]Session{}, dut: map[int]*omp.Handshake{},
		sent: map[int]time.Time{}, neg: map[int]Negotiated{}, fams: map[int][]omp.Family{}, wrote: map[int]uint16{}, got: map[int]uint16{}}
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
	x.sent[i] = time.Now()
	if t, ok := omp.TypeOf(w.Bytes); ok && t < 16 {
		x.wrote[i] |= 1 << t
	}
	return nil
}

// opened reports whether peer i's session has got as far as the DUT's
// HANDSHAKE and the harness's HELLO.
func (x *Exec) opened(i int) bool {
	return x.got[i]&(1<<omp.TypeHandshake) != 0 && x.wrote[i]&(1<<omp.TypeHello) != 0
}

// await reads peer i's events until stop accepts one, the connection
// ends, or d passes (EvTimeout). skipped lists the messages read and not
// accepted, for the verdict.
func (x *Exec) await(i int, d time.Duration, what string, stop func(Event) bool) (Event, string) {
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
	ev, skipped := s.Await(max(d, 0), what, func(ev Event) bool {
		if ev.Kind == EvBadMessage && x.foreign(ev) {
			return false // another case's, reflected: not judged here
		}
		if ev.Kind == EvMessage && ev.Msg.Type() < 16 {
			x.got[i] |= 1 << ev.Msg.Type()
		}
		return ev.Kind != EvMessage || stop(ev)
	})
	var seen []string
	counts := map[string]int{}
	for _, e := range skipped {
		t := "undecodable message"
		if e.Msg != nil {
			t = e.Msg.Type().String()
		}
		if counts[t] == 0 {
			seen = append(seen, t)
		}
		counts[t]++
	}
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

// ---- steps -----------------------------------------------------------------

type connectStep struct{ peer int }

// Connect opens fake peer i's transport to the DUT and sends nothing.
func Connect(i int) Step { return connectStep{i} }

func (s connectStep) String() string { return fmt.Sprintf("peer%d connects", s.peer) }

func (s connectStep) run(x *Exec) bool {
	if x.sess[s.peer] != nil {
		return true
	}
	sess, err := x.Driver.Connect(x.Ctx, s.peer)
	if errors.Is(err, ErrNoDial) {
		x.fold(Verdict{Grade: Unsupported, Expected: x.Case.Expected(), Received: err.Error(), Reason: fmt.Sprintf("peer%d cannot connect: the case needs a session the DUT does not offer", s.peer)})
		return false
	}
	if err != nil {
		return x.setup("peer%d cannot connect to the DUT: %v", s.peer, err)
	}
	x.sess[s.peer] = sess
	return true
}

type openStep struct {
	peer int
	hs   Msg
	// keepEOR leaves the DUT's initial EOR to the case's expectations.
	keepEOR bool
	// optional: a refusal means the DUT lacks what the case needs
	// (UNSUPPORTED), not a setup ERROR.
	optional bool
}

// Open opens a session for fake peer i: connect, send its HANDSHAKE
// (the standard one, changed by opts), read the DUT's HANDSHAKE, send a
// HELLO. A DUT that refuses is a setup ERROR, and one that lacks what the
// case needs makes it UNSUPPORTED.
func Open(i int, opts ...HSOpt) Step { return openStep{peer: i, hs: Handshake(opts...)} }

// OpenForEOR is Open without taking the DUT's initial EOR: for the cases
// that judge it.
func OpenForEOR(i int, opts ...HSOpt) Step {
	return openStep{peer: i, hs: Handshake(opts...), keepEOR: true}
}

// TryOpen is Open for a HANDSHAKE the DUT may refuse (a Hold Time of 0,
// a capability it lacks): a refusal makes the case UNSUPPORTED.
func TryOpen(i int, opts ...HSOpt) Step {
	return openStep{peer: i, hs: Handshake(opts...), optional: true}
}

func (s openStep) String() string { return fmt.Sprintf("peer%d opens a session with %s", s.peer, s.hs) }

func (s openStep) run(x *Exec) bool {
	if !(connectStep{s.peer}).run(x) {
		return false
	}
	w, err := s.hs.Build(x.Env, s.peer)
	if err != nil {
		return x.setup("peer%d cannot build its HANDSHAKE: %v", s.peer, err)
	}
	if err := x.write(s.peer, w); err != nil {
		return x.setup("peer%d cannot send its HANDSHAKE: %v", s.peer, err)
	}
	ours, _ := w.Message.(*omp.Handshake)
	ev, _ := x.await(s.peer, x.Env.Answer, "the DUT's HANDSHAKE", func(ev Event) bool {
		_, alert := ev.Alert()
		return alert || ev.Msg.Type() == omp.TypeHandshake
	})
	hs, ok := ev.Msg.(*omp.Handshake)
	if al, isAlert := ev.Alert(); isAlert && s.optional {
		x.fold(Verdict{Grade: Unsupported, Expected: x.Case.Expected(), Received: omp.Describe(al), Reason: "the DUT refused the session the case needs"})
		return false
	}
	if ev.Kind != EvMessage || !ok {
		return x.setup("peer%d: the DUT did not open the session: %s", s.peer, orTimeout(ev, x.Env.Answer))
	}
	x.dut[s.peer] = hs
	n := Negotiate(ours, hs, x.Env.Seconds(1))
	x.neg[s.peer], x.fams[s.peer] = n, Families(ours, hs)
	if miss := MissingNeeds(x.Case.Needs, hs); len(miss) > 0 {
		x.fold(Verdict{Grade: Unsupported, Expected: x.Case.Expected(), Received: "the DUT's HANDSHAKE lacks " + joinNeeds(miss), Reason: "the DUT did not negotiate what the case needs"})
		return false
	}
	if err := x.send(s.peer, Hello()); err != nil {
		return x.setup("peer%d cannot send its HELLO: %v", s.peer, err)
	}
	// The DUT confirms with a HELLO (RFC 4271's KEEPALIVE after OPEN) or
	// refuses with an ALERT. A DUT that sends nothing is taken as up.
	initial := newEORSet(x.fams[s.peer])
	ev, _ = x.await(s.peer, x.Env.Answer, "the DUT's HELLO", func(ev Event) bool {
		_, alert := ev.Alert()
		initial.see(ev.Msg)
		x.learn(ev.Msg)
		return alert || ev.Msg.Type() == omp.TypeHello
	})
	switch al, isAlert := ev.Alert(); {
	case isAlert && s.optional:
		x.fold(Verdict{Grade: Unsupported, Expected: x.Case.Expected(), Received: omp.Describe(al), Reason: "the DUT refused the session the case needs"})
		return false
	case isAlert, ev.Kind == EvClosed, ev.Kind == EvReset, ev.Kind == EvBadMessage:
		return x.setup("peer%d: the DUT did not open the session: %s", s.peer, ev)
	}
	// The fake peer keeps the session up as RFC 4271 4.4 says: a HELLO
	// every third of the negotiated hold time.
	x.sess[s.peer].Keepalive(n.HelloEvery())
	// A DUT that answers REFRESH_REQUEST ends its initial advertisement
	// with EOR (RFC 4724 2); the opening takes it, so that acceptance
	// proofs (Accept) see only the EOR that answers their own refresh.
	if !initial.done && x.offersRefresh(s.peer) && !s.keepEOR && !x.Env.NoInitialEOR {
		ev, _ = x.await(s.peer, x.Env.Answer, "the EORs after the DUT's initial advertisement", func(ev Event) bool {
			_, alert := ev.Alert()
			x.learn(ev.Msg)
			return alert || initial.see(ev.Msg)
		})
		if _, alert := ev.Alert(); alert || ev.Kind == EvClosed || ev.Kind == EvReset {
			return x.setup("peer%d: the DUT ended the session after opening it: %s", s.peer, ev)
		}
		x.noEOR = ev.Kind == EvTimeout
	}
	return true
}

type sendStep struct {
	peer int
	msg  Msg
}

// Send sends m on fake peer i's session.
func Send(i int, m Msg) Step { return sendStep{i, m} }

func (s sendStep) String() string { return fmt.Sprintf("peer%d sends %s", s.peer, s.msg) }

func (s sendStep) run(x *Exec) bool {
	ws, ok := x.build(s.peer, s.msg)
	if ok {
		// A write that fails means the DUT has gone already: the
		// expectation that follows judges that.
		x.write(s.peer, ws[0])
	}
	return ok
}

// build builds ms for peer i to send on its session; false (a setup
// ERROR recorded) if it has none or a message cannot be built.
func (x *Exec) build(i int, ms ...Msg) ([]Wire, bool) {
	if x.sess[i] == nil {
		return nil, x.setup("peer%d has no session to send on", i)
	}
	ws := make([]Wire, len(ms))
	for k, m := range ms {
		w, err := m.Build(x.Env, i)
		if err != nil {
			return nil, x.setup("peer%d cannot build %s: %v", i, m, err)
		}
		ws[k] = w
	}
	return ws, true
}

type expectStep struct {
	peer int
	exp  Expectation
}

// ExpectOn judges fake peer i's session with e.
func ExpectOn(i int, e Expectation) Step { return expectStep{i, e} }

func (s expectStep) String() string { return fmt.Sprintf("peer%d expects %s", s.peer, s.exp) }

func (s expectStep) run(x *Exec) bool {
	if x.sess[s.peer] == nil {
		return x.setup("peer%d has no session to judge", s.peer)
	}
	v := s.exp.check(x, s.peer)
	x.fold(v)
	return v.Grade == Pass || v.Grade == NonStrict
}

type sleepStep struct{ s float64 }

// Sleep waits s seconds (scaled by Env.Scale).
func Sleep(s float64) Step { return sleepStep{s} }

func (s sleepStep) String() string { return fmt.Sprintf("wait %gs", s.s) }

func (s sleepStep) run(x *Exec) bool {
	t := time.NewTimer(x.Env.Seconds(s.s))
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-x.Ctx.Done():
		return x.setup("interrupted while waiting")
	}
}

type sleepSpanStep struct{ s Span }

// SleepFor waits a span of the negotiated timers.
func SleepFor(s Span) Step { return sleepSpanStep{s} }

func (s sleepSpanStep) String() string { return "wait " + s.s.String() }

func (s sleepSpanStep) run(x *Exec) bool {
	d := s.s.duration(x)
	if d <= 0 {
		x.fold(Verdict{Grade: Unsupported, Expected: x.Case.Expected(), Received: "no negotiated GR interval", Reason: "the timer the case waits on was not negotiated"})
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-x.Ctx.Done():
		return x.setup("interrupted while waiting")
	}
}

type closeStep struct {
	peer  int
	reset bool
}

// Close closes fake peer i's connection (FIN) and forgets its session.
func Close(i int) Step { return closeStep{i, false} }

// Reset aborts fake peer i's connection (RST): it dies without a word.
func Reset(i int) Step { return closeStep{i, true} }

func (s closeStep) String() string {
	if s.reset {
		return fmt.Sprintf("peer%d's connection is reset", s.peer)
	}
	return fmt.Sprintf("peer%d closes its connection", s.peer)
}

func (s closeStep) run(x *Exec) bool {
	if sess := x.sess[s.peer]; sess != nil {
		if s.reset {
			sess.Reset()
		} else {
			sess.Close()
		}
		delete(x.sess, s.peer)
		delete(x.dut, s.peer)
		delete(x.wrote, s.peer)
		delete(x.got, s.peer)
		delete(x.fams, s.peer)
		// x.neg stays: a restart's timers (the GR interval) still run.
	}
	return true
}

type controlStep struct {
	a    control.Action
	peer int
}

// Operator has the DUT's operator perform a on fake peer i's session.
func Operator(a control.Action, i int) Step { return controlStep{a, i} }

func (s controlStep) String() string {
	return fmt.Sprintf("the DUT's operator performs %s on peer%d", s.a, s.peer)
}

func (s controlStep) run(x *Exec) bool {
	return x.control(control.Request{Action: s.a, Peer: x.Env.Peer(s.peer).RouterID})
}

// control has the DUT's operator perform r; false (with the case's
// verdict folded) when it could not.
func (x *Exec) control(r control.Request) bool {
	_, err := x.Driver.Control(x.Ctx, r)
	switch {
	case err == nil:
		return true
	case errors.Is(err, control.ErrUnsupported):
		x.fold(Verdict{Grade: Unsupported, Expected: x.Case.Expected(), Received: err.Error(), Reason: "needs operator action " + r.Action.String()})
		return false
	}
	return x.setup("operator action %s: %v", r.Action, err)
}

type policyStep struct{ text string }

// InstallPolicy has the DUT's operator install the control policy text
// (docs/policy.md's language; "{vpn}" stands for the case run's VPN ID);
// "" removes the policy.
func InstallPolicy(text string) Step { return policyStep{text} }

func (s policyStep) String() string {
	if s.text == "" {
		return "the DUT's operator removes its control policy"
	}
	return "the DUT's operator installs the control policy: " + s.text
}

func (s policyStep) run(x *Exec) bool {
	return x.control(control.Request{Action: control.Policy, Policy: policyText(x.Env, s.text)})
}

// policyText fills in the placeholders of a policy: {vpn}, the case
// run's VPN ID, and for fake peer N {peerN.site}, {peerN.tloc} and
// {peerN.id} (Site ID, TLOC address, Router ID).
func policyText(e *Env, text string) string {
	r := []string{"{vpn}", strconv.FormatUint(e.VPN(), 10)}
	for i := range 4 {
		id := e.Peer(i)
		n := fmt.Sprintf("{peer%d.", i)
		r = append(r, n+"site}", strconv.FormatUint(uint64(id.SiteID), 10), n+"tloc}", id.TLOC.String(), n+"id}", id.RouterID.String())
	}
	return strings.NewReplacer(r...).Replace(text)
}

type tlocStep struct{ a control.Action }

// OriginateTLOC has the DUT's operator originate a TLOC of its own, the
// case run's (OwnTLOC).
func OriginateTLOC() Step { return tlocStep{control.OriginateTLOC} }

// WithdrawTLOC has the DUT's operator withdraw it.
func WithdrawTLOC() Step { return tlocStep{control.WithdrawTLOC} }

func (s tlocStep) String() string {
	return "the DUT's operator performs " + s.a.String() + " of a TLOC of its own"
}

func (s tlocStep) run(x *Exec) bool {
	return x.control(control.Request{Action: s.a, TLOC: OwnTLOC(x.Env)})
}

// OwnTLOC is the TLOC a case run has the DUT originate: 198.19.S.S (S the
// run's Seq), color TLOCColor, encap TLOCEncap.
func OwnTLOC(e *Env) omp.TLOCNLRI {
	return omp.TLOCNLRI{Address: netip.AddrFrom4([4]byte{198, 19, byte(e.Seq >> 8), byte(e.Seq)}), Color: TLOCColor, Encap: TLOCEncap}
}

type routeStep struct {
	a      control.Action
	prefix string
}

// OriginateRoute has the DUT's operator originate prefix in the case
// run's VPN (Env.VPN), over the DUT's own TLOC.
func OriginateRoute(prefix string) Step { return routeStep{control.Originate, prefix} }

// WithdrawRoute has the DUT's operator withdraw the route it originated
// with OriginateRoute.
func WithdrawRoute(prefix string) Step { return routeStep{control.Withdraw, prefix} }

func (s routeStep) String() string {
	return fmt.Sprintf("the DUT's operator performs %s of %s", s.a, s.prefix)
}

func (s routeStep) run(x *Exec) bool {
	return x.control(control.Request{Action: s.a, VPN: x.Env.VPN(), Prefix: netip.MustParsePrefix(s.prefix)})
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

type splitStep struct {
	peer  int
	msgs  []Msg
	chunk int
}

// SendSplit sends m in pieces of chunk bytes, each its own write (and so
// its own TCP segment), a few milliseconds apart.
func SendSplit(i int, m Msg, chunk int) Step { return splitStep{i, []Msg{m}, chunk} }

// SendTogether sends the messages in one write: one TCP segment.
func SendTogether(i int, ms ...Msg) Step { return splitStep{i, ms, 0} }

func (s splitStep) String() string {
	var names []string
	for _, m := range s.msgs {
		names = append(names, m.String())
	}
	if s.chunk > 0 {
		return fmt.Sprintf("peer%d sends %s in pieces of %d bytes", s.peer, strings.Join(names, ", "), s.chunk)
	}
	return fmt.Sprintf("peer%d sends %s in one write", s.peer, strings.Join(names, " and "))
}

func (s splitStep) run(x *Exec) bool {
	ws, ok := x.build(s.peer, s.msgs...)
	if !ok {
		return false
	}
	var all []byte
	for _, w := range ws {
		all = append(all, w.Bytes...)
	}
	chunk := s.chunk
	if chunk <= 0 {
		chunk = len(all)
	}
	for at := 0; at < len(all); at += chunk {
		if at > 0 {
			time.Sleep(5 * time.Millisecond)
		}
		if x.write(s.peer, Wire{Bytes: all[at:min(at+chunk, len(all))], Note: s.String()}) != nil {
			return true // the expectation judges a DUT that went away
		}
	}
	x.sent[s.peer] = time.Now()
	return true
}
