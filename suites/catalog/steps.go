package catalog

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/ompconform/ompconform/dut/control"
	"github.com/ompconform/ompconform/omp"
)

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
	// unconfirmed stops at the DUT's HANDSHAKE: no HELLO is sent.
	unconfirmed bool
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

// OpenUnconfirmed is TryOpen that stops at the DUT's HANDSHAKE: the fake
// peer sends no HELLO, so the session is never confirmed (RFC 4271's
// OpenConfirm state), and it keeps no keepalive.
func OpenUnconfirmed(i int, opts ...HSOpt) Step {
	return openStep{peer: i, hs: Handshake(opts...), optional: true, unconfirmed: true}
}

func (s openStep) String() string {
	if s.unconfirmed {
		return fmt.Sprintf("peer%d sends %s and no HELLO", s.peer, s.hs)
	}
	return fmt.Sprintf("peer%d opens a session with %s", s.peer, s.hs)
}

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
	delete(x.stray, s.peer)
	if miss := MissingNeeds(x.Case.Needs, hs); len(miss) > 0 {
		x.fold(Verdict{Grade: Unsupported, Expected: x.Case.Expected(), Received: "the DUT's HANDSHAKE lacks " + joinNeeds(miss), Reason: "the DUT did not negotiate what the case needs"})
		return false
	}
	if s.unconfirmed {
		return true
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
	// A DUT ends its initial advertisement with EOR (RFC 4724 2); the
	// opening takes it, so that acceptance proofs (Accept) see only the
	// EOR that answers their own refresh, and a case that fails on an EOR
	// (NEG-004) does not take the initial one for it: with or without
	// REFRESH offered (a DUT without it failed NEG-004 so). A DUT that
	// sends none is noticed once, by the run's first session.
	if !initial.done && !s.keepEOR && !x.Env.NoInitialEOR {
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

func (s sleepStep) run(x *Exec) bool { return x.sleep(x.Env.Seconds(s.s)) }

// sleep waits d, or until the case is interrupted (a setup ERROR).
func (x *Exec) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
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
	return x.sleep(d)
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

type tlocStep struct {
	a  control.Action
	v6 bool // the IPv6 TLOC (OwnTLOCV6)
}

// OriginateTLOC has the DUT's operator originate a TLOC of its own, the
// case run's (OwnTLOC).
func OriginateTLOC() Step { return tlocStep{a: control.OriginateTLOC} }

// WithdrawTLOC has the DUT's operator withdraw it.
func WithdrawTLOC() Step { return tlocStep{a: control.WithdrawTLOC} }

// OriginateTLOCV6 and WithdrawTLOCV6 are OriginateTLOC and WithdrawTLOC
// of the case run's IPv6 TLOC (OwnTLOCV6).
func OriginateTLOCV6() Step { return tlocStep{a: control.OriginateTLOC, v6: true} }

func WithdrawTLOCV6() Step { return tlocStep{a: control.WithdrawTLOC, v6: true} }

func (s tlocStep) String() string {
	if s.v6 {
		return "the DUT's operator performs " + s.a.String() + " of an IPv6 TLOC of its own"
	}
	return "the DUT's operator performs " + s.a.String() + " of a TLOC of its own"
}

func (s tlocStep) run(x *Exec) bool {
	t := OwnTLOC(x.Env)
	if s.v6 {
		t = OwnTLOCV6(x.Env)
	}
	return x.control(control.Request{Action: s.a, TLOC: t})
}

// OwnTLOC is the TLOC a case run has the DUT originate: 198.19.S.S (S the
// run's Seq), color TLOCColor, encap TLOCEncap.
func OwnTLOC(e *Env) omp.TLOCNLRI {
	return omp.TLOCNLRI{Address: netip.AddrFrom4([4]byte{198, 19, byte(e.Seq >> 8), byte(e.Seq)}), Color: TLOCColor, Encap: TLOCEncap}
}

// OwnTLOCV6 is the IPv6 TLOC a case run has the DUT originate:
// 2001:db8:19::S (S the run's Seq), color TLOCColor, encap TLOCEncap.
func OwnTLOCV6(e *Env) omp.TLOCNLRI {
	return omp.TLOCNLRI{Address: netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 0, 0x19, 14: byte(e.Seq >> 8), 15: byte(e.Seq)}), Color: TLOCColor, Encap: TLOCEncap}
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
	sess := x.sess[s.peer]
	if sess == nil {
		return x.setup("peer%d has no session", s.peer)
	}
	// A piece is not a message: what went out is noted below, by the
	// messages whole.
	if sess.Send(Wire{Bytes: all, Note: s.String(), Pieces: chunk}) != nil {
		return true // the expectation judges a DUT that went away
	}
	for _, w := range ws {
		x.wrote1(s.peer, w)
	}
	return true
}
