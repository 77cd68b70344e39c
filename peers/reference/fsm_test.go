package reference

import (
	"net"
	"testing"
	"time"

	"github.com/ompconform/ompconform/internal/testdut"
	"github.com/ompconform/ompconform/omp"
)

// Connect (passive): the speaker sends its HANDSHAKE first and waits in
// HandshakeSent.
func TestPassiveOpenSendsHandshake(t *testing.T) {
	sp := startSpeaker(t, testConfig())
	p := dialPeer(t, sp.Addr())
	m := p.recv()
	hs, ok := m.(*omp.Handshake)
	if !ok {
		t.Fatalf("first message %s, want HANDSHAKE", m.Type())
	}
	if hs.PeerRouterID != ctrlID || hs.HoldTime != 1000 || hs.DomainID != 1 || hs.SiteID != 1 || hs.Version != omp.Version {
		t.Errorf("HANDSHAKE %+v", hs)
	}
	var mp, id, gr, refresh int
	for _, c := range hs.Capabilities() {
		switch c := c.(type) {
		case *omp.CapMP:
			mp++
		case *omp.CapIdentity:
			id++
			if c.PeerType != omp.PeerTypeVSmart {
				t.Errorf("IDENTITY %s, want VSMART", c.PeerType)
			}
		case *omp.CapGracefulRestart:
			gr++
			if c.GRInterval != 500 {
				t.Errorf("GR interval %d, want 500", c.GRInterval)
			}
		case *omp.CapRefresh:
			refresh++
		}
	}
	if mp != len(omp.DefaultFamilies()) || id != 1 || gr != 1 || refresh != 1 {
		t.Errorf("capabilities: %d MP, %d IDENTITY, %d GR, %d REFRESH", mp, id, gr, refresh)
	}
	waitPeerState(t, sp, sessionKey(p), StateHandshakeSent)
}

// HandshakeSent -> HandshakeConfirm: an accepted HANDSHAKE is answered by
// HELLO.
func TestHandshakeAcceptedAnswersHello(t *testing.T) {
	sp := startSpeaker(t, testConfig())
	p := dialPeer(t, sp.Addr())
	p.open(edgeHandshake())
	if m := p.recv(); m.Type() != omp.TypeHello {
		t.Fatalf("after HANDSHAKE got %s, want HELLO", m.Type())
	}
	ps := waitPeerState(t, sp, edgeID.String(), StateHandshakeConfirm)
	if ps.Negotiated == nil || ps.Negotiated.PeerRole != omp.RoleEdge {
		t.Fatalf("negotiated %+v", ps.Negotiated)
	}
}

// HandshakeConfirm -> Established on the first HELLO; the null routing
// half then sends End-of-RIB.
func TestFirstHelloEstablishes(t *testing.T) {
	sp := startSpeaker(t, testConfig())
	p, ps := establishedPeer(t, sp, edgeHandshake())
	in := p.recvType(omp.TypeInform).(*omp.Inform)
	if in.InformType != omp.InformEOR {
		t.Errorf("INFORM %s, want EOR", in.InformType)
	}
	n := ps.Negotiated
	if n.HoldTime != 1000 || !n.GR || n.GRInterval != 300 || !n.Refresh || len(n.Families) != 2 {
		t.Errorf("negotiated %+v", n)
	}
	if ps.Counters.In["HANDSHAKE"] != 1 || ps.Counters.In["HELLO"] != 1 || ps.Counters.Out["HANDSHAKE"] != 1 || ps.Counters.Out["HELLO"] < 1 {
		t.Errorf("counters %+v", ps.Counters)
	}
	if ps.Established != 1 {
		t.Errorf("established count %d", ps.Established)
	}
}

// Established -> Idle on an ALERT received; it is recorded.
func TestAlertReceivedCloses(t *testing.T) {
	sp := startSpeaker(t, testConfig())
	p, _ := establishedPeer(t, sp, edgeHandshake())
	p.recvType(omp.TypeInform)
	p.send(&omp.Alert{Code: omp.ErrOper, Subcode: omp.SubErrOperShut, Data: []byte("bye")})
	p.expectClosed()
	ps := waitPeerState(t, sp, edgeID.String(), StateIdle)
	if !ps.LastAlertIn.Is(omp.ErrOper, omp.SubErrOperShut) || ps.LastAlertIn.Data != "627965" {
		t.Errorf("last alert received %+v", ps.LastAlertIn)
	}
	if ps.LastAlertOut != nil {
		t.Errorf("an ALERT was answered with %+v", ps.LastAlertOut)
	}
}

// Established -> Idle when the peer closes the connection.
func TestPeerCloseEndsSession(t *testing.T) {
	sp := startSpeaker(t, testConfig())
	p, _ := establishedPeer(t, sp, edgeHandshake())
	p.recvType(omp.TypeInform)
	p.conn.Close()
	ps := waitPeerState(t, sp, edgeID.String(), StateIdle)
	if ps.LastReason != "connection closed by the peer" {
		t.Errorf("reason %q", ps.LastReason)
	}
}

// HandshakeSent -> Idle when no HANDSHAKE comes within HandshakeTimeout:
// ALERT OMP_ERR_HOLDTIME.
func TestHandshakeTimeout(t *testing.T) {
	cfg := testConfig()
	cfg.HandshakeTimeout = 200 * time.Millisecond
	sp := startSpeaker(t, cfg)
	p := dialPeer(t, sp.Addr())
	p.recvType(omp.TypeHandshake)
	if d := p.holdtimeAlertAfter(); d < 150*time.Millisecond {
		t.Errorf("ALERT after %s, before the 200 ms timeout", d)
	}
}

// HandshakeConfirm -> Idle when the first HELLO does not come within the
// negotiated hold time.
func TestHoldTimerInHandshakeConfirm(t *testing.T) {
	sp := startSpeaker(t, testConfig())
	p := dialPeer(t, sp.Addr())
	p.open(withHold(30)) // 300 ms
	p.expectAlert(omp.ErrHoldtime, omp.SubErrNone)
	ps := waitPeerState(t, sp, edgeID.String(), StateIdle)
	if !ps.LastAlertOut.Is(omp.ErrHoldtime, omp.SubErrNone) || !ps.LastAlertOut.Written {
		t.Errorf("last alert sent %+v", ps.LastAlertOut)
	}
}

// Established -> Idle on hold timer expiry: ALERT OMP_ERR_HOLDTIME.
func TestHoldTimerExpiry(t *testing.T) {
	sp := startSpeaker(t, testConfig())
	p, _ := establishedPeer(t, sp, withHold(30))
	if d := p.holdtimeAlertAfter(); d < 200*time.Millisecond {
		t.Errorf("hold timer expired after %s, want about 300 ms", d)
	}
}

// A peer that sends HELLOs keeps the session; the speaker sends HELLO
// every third of the hold time.
func TestHelloCadence(t *testing.T) {
	sp := startSpeaker(t, testConfig())
	p := dialPeer(t, sp.Addr())
	p.open(withHold(30)) // 300 ms: HELLO every 100 ms
	p.recvType(omp.TypeHello)
	p.send(&omp.Hello{})
	var times []time.Time
	deadline := time.Now().Add(testTimeout)
	for len(times) < 6 && time.Now().Before(deadline) {
		m := p.recv()
		if m.Type() == omp.TypeHello {
			times = append(times, time.Now())
			p.send(&omp.Hello{})
		}
	}
	if len(times) < 6 {
		t.Fatalf("%d HELLOs", len(times))
	}
	total := times[len(times)-1].Sub(times[0])
	avg := total / time.Duration(len(times)-1)
	if avg < 70*time.Millisecond || avg > 160*time.Millisecond {
		t.Errorf("HELLO every %s on average, want 100 ms", avg)
	}
	if ps, _ := sp.Peer(edgeID.String()); ps.State != StateEstablished {
		t.Errorf("state %s after 600 ms of HELLOs with a 300 ms hold time", ps.State)
	}
}

// Hold time 0: no HELLOs and no hold timer.
func TestHoldTimeZero(t *testing.T) {
	sp := startSpeaker(t, testConfig())
	p, ps := establishedPeer(t, sp, withHold(0))
	if ps.Negotiated.HoldTime != 0 {
		t.Fatalf("negotiated hold time %d", ps.Negotiated.HoldTime)
	}
	p.recvType(omp.TypeInform) // EOR
	if m, err := p.recvErr(400 * time.Millisecond); err == nil {
		t.Fatalf("got %s with hold time 0", m.Type())
	}
	if ps, _ := sp.Peer(edgeID.String()); ps.State != StateEstablished {
		t.Errorf("state %s", ps.State)
	}
}

// The hold time is the smaller of the two offered.
func TestHoldTimeNegotiatedMin(t *testing.T) {
	for _, tc := range []struct{ ours, theirs, want uint16 }{{1000, 600, 600}, {90, 1000, 90}, {0, 600, 0}} {
		cfg := testConfig()
		cfg.HoldTime = u16p(tc.ours)
		sp := startSpeaker(t, cfg)
		p := dialPeer(t, sp.Addr())
		p.open(withHold(tc.theirs))
		ps := waitPeerState(t, sp, edgeID.String(), StateHandshakeConfirm)
		if ps.Negotiated.HoldTime != tc.want {
			t.Errorf("ours %d theirs %d: negotiated %d, want %d", tc.ours, tc.theirs, ps.Negotiated.HoldTime, tc.want)
		}
		sp.Close()
	}
}

// Active open: the speaker dials its neighbor, retrying with backoff
// until the neighbor listens (Active -> Connect -> HandshakeSent).
func TestActiveOpenRetries(t *testing.T) {
	addr := testdut.FreeAddr(t)
	cfg := testConfig()
	cfg.Role = omp.RoleEdge
	cfg.RouterID = edgeID
	cfg.Listen = nil
	cfg.Neighbors = []Neighbor{{Address: addr}}
	sp := startSpeaker(t, cfg)
	waitFor(t, "a failed dial", func() bool {
		n := sp.Snapshot().Neighbors
		return len(n) == 1 && n[0].State == StateActive && n[0].LastError != ""
	})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen again on %s: %v", addr, err)
	}
	defer ln.Close()
	ln.(*net.TCPListener).SetDeadline(time.Now().Add(testTimeout))
	c, err := ln.Accept()
	if err != nil {
		t.Fatalf("the speaker did not dial again: %v", err)
	}
	p := newPeer(t, c)
	h := edgeHandshake()
	h.PeerRouterID = ctrlID
	h.Options[0].(*omp.CapabilitiesOption).Capabilities[2] = &omp.CapIdentity{PeerType: omp.PeerTypeVSmart}
	hs := p.establish(h)
	if hs.PeerRouterID != edgeID {
		t.Errorf("speaker's HANDSHAKE names %s", hs.PeerRouterID)
	}
	waitFor(t, "neighbor Established", func() bool {
		n := sp.Snapshot().Neighbors
		return n[0].State == StateEstablished && n[0].RouterID == ctrlID
	})
	ps := waitPeerState(t, sp, ctrlID.String(), StateEstablished)
	if !ps.Outbound {
		t.Error("session not marked outbound")
	}
	// Dropped: the speaker dials again.
	c.Close()
	ln.(*net.TCPListener).SetDeadline(time.Now().Add(testTimeout))
	c2, err := ln.Accept()
	if err != nil {
		t.Fatalf("no redial after the session dropped: %v", err)
	}
	c2.Close()
}

// holdtimeAlertAfter reads ALERT OMP_ERR_HOLDTIME (expectAlert) and
// returns how long it took to come.
func (p *peer) holdtimeAlertAfter() time.Duration {
	p.t.Helper()
	start := time.Now()
	p.expectAlert(omp.ErrHoldtime, omp.SubErrNone)
	return time.Since(start)
}
