package reference

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// The tests drive the speaker with a hand-written peer over loopback.
// One hold-time unit is 10 ms, so a hold time of 30 is 300 ms; the
// default test hold time (1000 = 10 s) never expires in a test.

const (
	testUnit    = 10 * time.Millisecond
	testTimeout = 5 * time.Second // every wait on the speaker
)

var (
	ctrlID = netip.MustParseAddr("10.0.0.1")
	edgeID = netip.MustParseAddr("10.0.0.2")
)

func u16p(v uint16) *uint16 { return &v }
func u32p(v uint32) *uint32 { return &v }

// testConfig is a controller on 127.0.0.1, port 0, with the null
// routing half (End-of-RIB only), so session tests do not depend on the
// RIB.
func testConfig() Config {
	return Config{
		Routing:          NullRouting(),
		Role:             omp.RoleController,
		RouterID:         ctrlID,
		SiteID:           1,
		DomainID:         1,
		Listen:           []string{"127.0.0.1:0"},
		HoldTime:         u16p(1000),
		GRInterval:       u32p(500),
		TimeUnit:         testUnit,
		HandshakeTimeout: 2 * time.Second,
		ConnectRetry:     20 * time.Millisecond,
		ConnectRetryMax:  200 * time.Millisecond,
		WriteTimeout:     2 * time.Second,
	}
}

func startSpeaker(t testing.TB, cfg Config) *Speaker {
	t.Helper()
	sp, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { sp.Close() })
	return sp
}

// peer is the hand-written peer.
type peer struct {
	t    testing.TB
	conn net.Conn
	r    *omp.Reader
}

// startWith starts a speaker of testConfig changed by change (nil: as
// it is).
func startWith(t testing.TB, change func(c *Config)) *Speaker {
	t.Helper()
	cfg := testConfig()
	if change != nil {
		change(&cfg)
	}
	return startSpeaker(t, cfg)
}

// establishedPeer is a session opened with h (edgeHandshake's router
// ID) that the speaker shows Established, and its state there.
func establishedPeer(t testing.TB, sp *Speaker, h *omp.Handshake) (*peer, PeerState) {
	t.Helper()
	p := dialPeer(t, sp.Addr())
	p.establish(h)
	return p, waitPeerState(t, sp, edgeID.String(), StateEstablished)
}

func dialPeer(t testing.TB, addr net.Addr) *peer {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr.String(), testTimeout)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return &peer{t: t, conn: c, r: omp.NewReader(c)}
}

func newPeer(t testing.TB, c net.Conn) *peer {
	t.Cleanup(func() { c.Close() })
	return &peer{t: t, conn: c, r: omp.NewReader(c)}
}

func (p *peer) send(m omp.Message) {
	p.t.Helper()
	b, err := omp.Encode(m)
	if err != nil {
		p.t.Fatalf("encode %s: %v", m.Type(), err)
	}
	p.sendRaw(b)
}

func (p *peer) sendRaw(b []byte) {
	p.t.Helper()
	p.conn.SetWriteDeadline(time.Now().Add(testTimeout))
	if _, err := p.conn.Write(b); err != nil {
		p.t.Fatalf("write: %v", err)
	}
}

// recv reads the next message, within testTimeout.
func (p *peer) recv() omp.Message {
	p.t.Helper()
	m, err := p.recvErr(testTimeout)
	if err != nil {
		p.t.Fatalf("read: %v", err)
	}
	return m
}

func (p *peer) recvErr(d time.Duration) (omp.Message, error) {
	p.conn.SetReadDeadline(time.Now().Add(d))
	m, _, err := p.r.ReadMessage()
	return m, err
}

// recvType reads messages until one of type t, skipping HELLOs and
// INFORMs unless asked for.
func (p *peer) recvType(t omp.MsgType) omp.Message {
	p.t.Helper()
	deadline := time.Now().Add(testTimeout)
	for time.Now().Before(deadline) {
		m := p.recv()
		if m.Type() == t {
			return m
		}
		if m.Type() == omp.TypeAlert {
			a := m.(*omp.Alert)
			p.t.Fatalf("want %s, got ALERT %s/%s", t, a.Code, a.Code.SubcodeName(a.Subcode))
		}
	}
	p.t.Fatalf("no %s within %s", t, testTimeout)
	return nil
}

// expectAlert reads until an ALERT, which must be code/sub, then
// expects the connection to close.
func (p *peer) expectAlert(code omp.AlertCode, sub omp.Subcode) *omp.Alert {
	p.t.Helper()
	deadline := time.Now().Add(testTimeout)
	for time.Now().Before(deadline) {
		m, err := p.recvErr(time.Until(deadline))
		if err != nil {
			p.t.Fatalf("want ALERT %s/%s, read: %v", code, code.SubcodeName(sub), err)
		}
		a, ok := m.(*omp.Alert)
		if !ok {
			continue
		}
		if a.Code != code || a.Subcode != sub {
			p.t.Fatalf("ALERT %s/%s, want %s/%s", a.Code, a.Code.SubcodeName(a.Subcode), code, code.SubcodeName(sub))
		}
		p.expectClosed()
		return a
	}
	p.t.Fatalf("no ALERT within %s", testTimeout)
	return nil
}

// expectClosed expects EOF (or a reset) within testTimeout, with no
// message before it.
func (p *peer) expectClosed() {
	p.t.Helper()
	m, err := p.recvErr(testTimeout)
	if err == nil {
		p.t.Fatalf("want the connection closed, got %s", m.Type())
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		p.t.Fatalf("connection still open after %s", testTimeout)
	}
	if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
		p.t.Logf("closed with %v", err)
	}
}

// edgeHandshake is a valid HANDSHAKE of an edge for the test controller.
func edgeHandshake() *omp.Handshake {
	return &omp.Handshake{
		Version: omp.Version, SiteID: 100, DomainID: 1, HoldTime: 1000, PeerRouterID: edgeID,
		Options: []omp.Option{&omp.CapabilitiesOption{Capabilities: []omp.Capability{
			&omp.CapMP{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute},
			&omp.CapMP{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC},
			&omp.CapIdentity{PeerType: omp.PeerTypeVEdge},
			&omp.CapGracefulRestart{GRInterval: 300},
			&omp.CapRefresh{},
		}}},
	}
}

// withHold is edgeHandshake offering hold time h.
func withHold(h uint16) *omp.Handshake {
	return hsWith(func(h2 *omp.Handshake) { h2.HoldTime = h })
}

// open reads the speaker's HANDSHAKE and sends h; it returns the
// speaker's HANDSHAKE.
func (p *peer) open(h *omp.Handshake) *omp.Handshake {
	p.t.Helper()
	m := p.recv()
	hs, ok := m.(*omp.Handshake)
	if !ok {
		p.t.Fatalf("first message is %s, want HANDSHAKE", m.Type())
	}
	p.send(h)
	return hs
}

// establish runs the whole opening: HANDSHAKE both ways, HELLO both ways.
func (p *peer) establish(h *omp.Handshake) *omp.Handshake {
	p.t.Helper()
	hs := p.open(h)
	p.recvType(omp.TypeHello)
	p.send(&omp.Hello{})
	return hs
}

// waitFor polls cond until it holds, or fails after testTimeout.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func waitPeerState(t testing.TB, sp *Speaker, key string, st State) PeerState {
	t.Helper()
	var ps PeerState
	waitFor(t, key+" in "+st.String(), func() bool {
		var ok bool
		ps, ok = sp.Peer(key)
		return ok && ps.State == st
	})
	return ps
}

// sessionKey is the Peer key of the live unregistered session from p.
func sessionKey(p *peer) string { return "session " + p.conn.LocalAddr().String() }
