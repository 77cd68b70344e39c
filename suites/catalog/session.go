package catalog

import (
	"context"
	"errors"
	"net/netip"
	"time"

	"github.com/ompconform/ompconform/dut/control"
	"github.com/ompconform/ompconform/internal/defaults"
	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/peers/fake"
)

// Session is one fake peer's connection to the DUT, as cases drive it.
// The runner implements it (over TCP or TLS, recording a transcript).
type Session interface {
	// Name is the fake peer's name in the transcript: "peer0".
	Name() string
	// Send writes one message.
	Send(w Wire) error
	// Await waits at most d for an event that stop accepts, or for the
	// end of the connection, whichever comes first; on timeout it returns
	// an EvTimeout. stop sees every message the DUT sends (HELLOs
	// included) and every undecodable one; skipped lists those it did not
	// accept. what says what the wait is for, for the transcript.
	// Once the connection has ended, Await returns its end at once.
	Await(d time.Duration, what string, stop func(Event) bool) (ev Event, skipped []Event)
	// Close closes the connection (FIN).
	Close()
	// Reset aborts the connection (RST): the peer "dies" without a word.
	Reset()
	// Keepalive makes the fake peer send a HELLO every `every` on its
	// own, from now on, until Close; 0 stops it.
	Keepalive(every time.Duration)
}

// RoundTripper is a Session that knows its connection's round-trip time
// (peers/fake: the kernel's estimate). A timer the DUT starts on a
// message of the harness, seen to end by the DUT's answer, arrives one
// round trip after it ran out: the timer cases take it off.
type RoundTripper interface {
	RTT() time.Duration
}

// Event is what a Session's Await returns: the fake peer's own event
// (peers/fake), one model from the socket to the verdict.
type Event = fake.Event

// EventKind says what an Event is.
type EventKind = fake.EventKind

// The kinds of Event.
const (
	EvMessage    = fake.EvMessage
	EvBadMessage = fake.EvBadMessage
	EvClosed     = fake.EvClosed
	EvReset      = fake.EvReset
	EvTimeout    = fake.EvTimeout
)

// Driver is what a case needs of the runner: sessions with the DUT, the
// environment, and (for some cases) control of the DUT.
type Driver interface {
	// Connect opens the transport to the DUT for fake peer i, nothing sent.
	Connect(ctx context.Context, i int) (Session, error)
	// Control triggers an operator action on the DUT; control.ErrUnsupported if
	// the DUT offers none.
	Control(ctx context.Context, r control.Request) ([]byte, error)
}

// ErrNoDial is Driver.Connect's answer (wrapped, saying why) when the
// harness cannot reach the DUT for that fake peer: a DUT that only dials
// in serves one session, so a case that needs a second fake peer is
// UNSUPPORTED, not a setup ERROR.
var ErrNoDial = errors.New("the harness cannot connect to the DUT")

// PeerID is the identity of one fake peer within one case run.
type PeerID struct {
	RouterID netip.Addr   // Peer Router ID of its HANDSHAKE, and ORIGINATOR
	SiteID   uint32       // Site ID of its HANDSHAKE
	PeerType omp.PeerType // IDENTITY capability
	TLOC     netip.Addr   // the TLOC address it advertises as next hop
	TLOC6    netip.Addr   // an IPv6 TLOC address of its own (OMP_AF_TLOC_IPv6)
}

// Env is the environment of one case run: the DUT as the probe session
// saw it, and the identities and timings the case uses.
type Env struct {
	// Role is the DUT's personality.
	Role Role
	// DUT is the HANDSHAKE the DUT sent on the probe session, nil if
	// none yet (the probe itself).
	DUT *omp.Handshake
	// Seq numbers case runs so that identities, VPNs and prefixes never
	// collide between cases that share a DUT.
	Seq int
	// HoldTime is the Hold Time fake peers offer unless a case says
	// otherwise: long enough that no case needs HELLOs to stay up.
	HoldTime uint16
	// Answer is how long to wait for an answer (an ALERT, a message).
	Answer time.Duration
	// Settle is how long silence must last to count as acceptance.
	Settle time.Duration
	// Tolerance is the slack allowed on a measured timer.
	Tolerance time.Duration
	// Scale multiplies every timer a case declares in seconds: 1 against
	// a real DUT; tests of the harness shrink it.
	Scale float64
	// NoInitialEOR says the DUT sent no OMP_INFORM_EOR after its initial
	// advertisement on the probe session (Probe sets it): openings then
	// do not wait for one (INF-013 judges it).
	NoInitialEOR bool
	// Foreign, if set, is told of an undecodable UPDATE a case received
	// whose ATTR_TYPE_ORIGINATOR names another case run's fake peer (seq
	// is that run's Seq): the DUT accepted a malformed message of that
	// case and reflected it. The receiving case skips it.
	Foreign func(seq int, ev Event)
	// OwnRoute is a vRoute the DUT originates, from its initial
	// advertisement on the probe session (Probe sets it); nil if it
	// advertised none.
	OwnRoute *DUTRoute
}

// DUTRoute is a vRoute the DUT advertised: its VPN, prefix and TLOC.
type DUTRoute struct {
	VPN    uint64
	Prefix netip.Prefix
	TLOC   netip.Addr
}

// DefaultEnv returns an Env with the default timings.
func DefaultEnv(role Role) *Env {
	return &Env{Role: role, HoldTime: 90, Answer: 3 * time.Second, Settle: 750 * time.Millisecond, Tolerance: time.Second, Scale: 1}
}

// Seconds converts a timer a case declares in seconds to a duration,
// scaled by Scale. A value past what a time.Duration holds saturates (at
// about 292 years either way) rather than wraps; NaN is 0.
func (e *Env) Seconds(s float64) time.Duration {
	sc := e.Scale
	defaults.Positive(&sc, 1)
	ns := s * sc * float64(time.Second)
	switch {
	case ns != ns: // NaN
		return 0
	case ns >= 1<<63: // 2^63 ns: past the largest Duration
		return 1<<63 - 1
	case ns <= -1<<63:
		return -1 << 63
	}
	return time.Duration(ns)
}

// HarnessRole is the personality fake peers take: an edge towards a
// controller DUT, a controller towards an edge or hub DUT.
func (e *Env) HarnessRole() Role {
	if e.Role == 0 {
		return Edge // a DUT of unknown role is taken as a controller
	}
	return RoleSet(e.Role.Personality().Counterpart())
}

// Peer returns the identity of fake peer i (0..63) in this case run.
// Router IDs are 10.a.b.c and TLOCs 100.64.0.0/10 addresses, with a.b from
// Seq, so concurrent cases never share one.
func (e *Env) Peer(i int) PeerID {
	s := e.Seq & 0xFFFF
	return PeerID{
		RouterID: netip.AddrFrom4([4]byte{10, byte(s >> 8), byte(s), byte(1 + i&63)}),
		SiteID:   uint32(100000 + s*64 + i&63),
		PeerType: e.HarnessRole().Personality().PeerType(),
		TLOC:     addr4(0x64400000 | uint32(s)<<6 | uint32(i&63)),
		TLOC6:    netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 0, 0x64, byte(s >> 8), byte(s), 15: byte(1 + i&63)}),
	}
}

// Clashes reports whether a fake peer of this case run would take the
// DUT's own Router ID (which the DUT refuses: OMPID) or Site ID (a peer of
// its own site): the runner skips such a Seq. A DUT configured as
// 10.1.1.1 met the case run 257's peer0 so.
func (e *Env) Clashes() bool {
	if e.DUT == nil {
		return false
	}
	s := e.Seq & 0xFFFF
	if seq, _, ok := RunOfRouterID(e.DUT.PeerRouterID); ok && seq == s {
		return true
	}
	site := uint64(100000 + s*64)
	return uint64(e.DUT.SiteID) >= site && uint64(e.DUT.SiteID) < site+64
}

func addr4(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// DomainID is the DUT's Domain ID (from its HANDSHAKE), 1 if unknown.
func (e *Env) DomainID() uint32 {
	if e.DUT != nil {
		return e.DUT.DomainID
	}
	return 1
}

// VPN is the VPN ID the case's routes go in: one per case run, so a
// controller's routes of concurrent cases never mix.
func (e *Env) VPN() uint64 { return 10000 + uint64(e.Seq&0xFFFF) }
