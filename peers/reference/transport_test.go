package reference

import (
	"context"
	"crypto/tls"
	"net"
	"net/netip"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ompconform/ompconform/internal/testdut"
	"github.com/ompconform/ompconform/omp"
)

// edgeConfig is an edge that dials addr.
func edgeConfig(addr string) Config {
	cfg := testConfig()
	cfg.Role = omp.RoleEdge
	cfg.RouterID = edgeID
	cfg.SiteID = 100
	cfg.Listen = nil
	cfg.Neighbors = []Neighbor{{Address: addr}}
	return cfg
}

// Two speakers, mutual TLS: the edge dials the controller.
func TestTLSSession(t *testing.T) {
	pki := testdut.NewPKI()
	ccfg := testConfig()
	ccfg.TLS = pki.Config("controller")
	ctrl := startSpeaker(t, ccfg)
	ecfg := edgeConfig(ctrl.Addr().String())
	ecfg.TLS = pki.Config("edge")
	edge := startSpeaker(t, ecfg)
	waitPeerState(t, ctrl, edgeID.String(), StateEstablished)
	ps := waitPeerState(t, edge, ctrlID.String(), StateEstablished)
	if !ps.Outbound || ps.Negotiated.PeerRole != omp.RoleController {
		t.Errorf("edge's view %+v", ps)
	}

	// A client without a certificate is refused by the TLS layer.
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: testTimeout}, "tcp", ctrl.Addr().String(), &tls.Config{RootCAs: pki.Pool, ServerName: "127.0.0.1"})
	if err == nil {
		c.SetReadDeadline(time.Now().Add(testTimeout))
		_, err = c.Read(make([]byte, 1))
		c.Close()
	}
	if err == nil {
		t.Fatal("a client without a certificate got data")
	}

	// A plain TCP peer gets no OMP message from a TLS listener.
	p := dialPeer(t, ctrl.Addr())
	p.sendRaw([]byte("not a TLS ClientHello, not OMP either......"))
	if m, err := p.recvErr(testTimeout); err == nil {
		t.Fatalf("plain TCP peer got %s", m.Type())
	}
}

// A session over IPv6 loopback.
func TestIPv6Session(t *testing.T) {
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	ln.Close()
	cfg := testConfig()
	cfg.Listen = []string{"[::1]:0"}
	sp := startSpeaker(t, cfg)
	p, ps := establishedPeer(t, sp, edgeHandshake())
	if ap := netip.MustParseAddrPort(ps.Remote); !ap.Addr().Is6() || !ap.Addr().IsLoopback() {
		t.Errorf("remote %s", ps.Remote)
	}
	// And an edge speaker dialling the controller over IPv6.
	edge := startSpeaker(t, edgeConfig(sp.Addr().String()))
	_ = edge
	waitFor(t, "second session refused while the first holds the router ID", func() bool {
		ps, _ := edge.Peer(ctrlID.String())
		return ps.LastAlertIn.Is(omp.ErrHandshake, omp.SubErrHandshakeOMPID)
	})
	p.conn.Close()
	waitPeerState(t, edge, ctrlID.String(), StateEstablished)
}

// Two speakers over plain TCP: active and passive open, the negotiated
// parameters on both sides, and reconnection after a clear.
func TestSpeakerToSpeaker(t *testing.T) {
	ccfg := testConfig()
	ccfg.HoldTime = u16p(90)
	ctrl := startSpeaker(t, ccfg)
	ecfg := edgeConfig(ctrl.Addr().String())
	ecfg.HoldTime = u16p(60)
	ecfg.GRInterval = u32p(200)
	edge := startSpeaker(t, ecfg)
	cps := waitPeerState(t, ctrl, edgeID.String(), StateEstablished)
	eps := waitPeerState(t, edge, ctrlID.String(), StateEstablished)
	for _, n := range []*negotiated{cps.Negotiated, eps.Negotiated} {
		if n.HoldTime != 60 || n.GRInterval != 200 || !n.GR || !n.Refresh {
			t.Errorf("negotiated %+v", n)
		}
	}
	if err := ctrl.Clear(edgeID.String()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the edge to record the CLEAR", func() bool {
		ps, _ := edge.Peer(ctrlID.String())
		return ps.LastAlertIn.Is(omp.ErrOper, omp.SubErrOperClear)
	})
	waitFor(t, "the edge to reconnect", func() bool {
		ps, _ := ctrl.Peer(edgeID.String())
		return ps.State == StateEstablished && ps.Established == 2
	})
}

// Configuration change: ALERT OPER/CFG_CHANGE, and the session comes
// back with the new parameters.
func TestReconfigureSendsCfgChange(t *testing.T) {
	ctrl := startSpeaker(t, testConfig())
	ecfg := edgeConfig(ctrl.Addr().String())
	edge := startSpeaker(t, ecfg)
	waitPeerState(t, ctrl, edgeID.String(), StateEstablished)
	p := dialPeer(t, ctrl.Addr())
	h := edgeHandshake()
	h.PeerRouterID = netip.MustParseAddr("10.0.0.3")
	p.establish(h)
	waitPeerState(t, ctrl, "10.0.0.3", StateEstablished)

	// Nothing that matters to sessions: nothing dropped.
	same := testConfig()
	same.Routing = ctrl.Routing()
	same.Listen = ctrl.settings().Listen
	same.WriteTimeout = 3 * time.Second
	if err := ctrl.Reconfigure(same); err != nil {
		t.Fatal(err)
	}
	if m, err := p.recvErr(200 * time.Millisecond); err == nil && m.Type() == omp.TypeAlert {
		t.Fatal("ALERT after a change that does not touch sessions")
	}

	changed := same
	changed.HoldTime = u16p(500)
	if err := ctrl.Reconfigure(changed); err != nil {
		t.Fatal(err)
	}
	p.expectAlert(omp.ErrOper, omp.SubErrOperCfgChange)
	waitFor(t, "the edge back with the new hold time", func() bool {
		ps, _ := edge.Peer(ctrlID.String())
		return ps.State == StateEstablished && ps.Negotiated.HoldTime == 500 && ps.LastAlertIn.Is(omp.ErrOper, omp.SubErrOperCfgChange)
	})

	bad := changed
	bad.Listen = []string{"127.0.0.1:1"}
	if err := ctrl.Reconfigure(bad); err == nil {
		t.Error("listen change accepted")
	}

	// Removing the edge's neighbor drops the session and stops dialling.
	ecfg2 := ecfg
	ecfg2.Neighbors = nil
	if err := edge.Reconfigure(ecfg2); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the edge's neighbor gone", func() bool {
		s := edge.Snapshot()
		return len(s.Neighbors) == 0 && len(s.Peers) == 1 && s.Peers[0].State == StateIdle
	})
}

// floodRouting has an endless Adj-RIB-Out of POLICY messages.
type floodRouting struct {
	nullRouting
	calls atomic.Int64
}

func newFloodRouting() *floodRouting {
	return &floodRouting{nullRouting: nullRouting{received: map[string]int{}}}
}

// startFlooding starts a speaker on a floodRouting that gives up a write
// after 300 ms.
func startFlooding(t *testing.T) (*Speaker, *floodRouting) {
	t.Helper()
	fr := newFloodRouting()
	return startWith(t, func(c *Config) { c.Routing, c.WriteTimeout = fr, 300*time.Millisecond }), fr
}

type floodPeer struct {
	nullPeer
	calls *atomic.Int64
}

func (f *floodRouting) Up(PeerInfo) (PeerRouting, error) {
	p := &floodPeer{nullPeer: nullPeer{ready: make(chan struct{}, 1)}, calls: &f.calls}
	p.ready <- struct{}{}
	return p, nil
}

func (p *floodPeer) Receive(omp.Message) ([]byte, error) { return nil, nil }

func (p *floodPeer) Next(dst []byte) ([]byte, bool) {
	p.calls.Add(1)
	for range 16 {
		dst, _ = omp.Append(dst, &omp.Policy{PolicyType: omp.PolicyMore, Data: make([]byte, omp.MaxPolicyData)})
	}
	return dst, true
}

// A peer that stops reading: the writer blocks, the routing half is no
// longer asked for output (nothing queues up), and the session is dropped
// after WriteTimeout.
func TestStalledPeerDropped(t *testing.T) {
	sp, fr := startFlooding(t)
	p := dialPeer(t, sp.Addr())
	p.establish(edgeHandshake())
	// Read nothing more. The kernel buffers fill; Next stops being called.
	ps := waitPeerState(t, sp, edgeID.String(), StateIdle)
	if ps.LastReason == "" || ps.Established != 1 {
		t.Errorf("peer %+v", ps)
	}
	calls := fr.calls.Load()
	// Each call writes 64 KiB; loopback buffers hold a few MiB at most.
	if calls > 400 {
		t.Errorf("Next called %d times for a peer that reads nothing", calls)
	}
	t.Logf("reason %q after %d calls of Next", ps.LastReason, calls)
}

// A REFRESH_REQUEST to a speaker that offered no REFRESH capability is
// ignored; one that offered it answers (End-of-RIB again), also a peer
// that offered none itself (RFC 2918 4).
func TestRefreshRequest(t *testing.T) {
	sp := startSpeaker(t, testConfig())
	p := dialPeer(t, sp.Addr())
	p.establish(edgeHandshake())
	p.recvType(omp.TypeInform)
	p.send(&omp.Inform{InformType: omp.InformRefreshRequest, AllFamilies: true})
	in := p.recvType(omp.TypeInform).(*omp.Inform)
	if in.InformType != omp.InformEOR {
		t.Errorf("answer %s", in.InformType)
	}
	p1 := dialPeer(t, sp.Addr())
	p1.establish(hsWith(func(h *omp.Handshake) {
		h.PeerRouterID = netip.AddrFrom4([4]byte{10, 0, 0, 9})
		setCaps(h, &omp.CapMP{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}, &omp.CapMP{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC}, identity(omp.PeerTypeVEdge))
	}))
	p1.recvType(omp.TypeInform)
	p1.send(&omp.Inform{InformType: omp.InformRefreshRequest, AllFamilies: true})
	if in := p1.recvType(omp.TypeInform).(*omp.Inform); in.InformType != omp.InformEOR {
		t.Errorf("answer to a peer that offered no REFRESH: %s", in.InformType)
	}

	cfg := testConfig()
	cfg.NoRefresh = true
	sp2 := startSpeaker(t, cfg)
	p2 := dialPeer(t, sp2.Addr())
	p2.establish(edgeHandshake())
	ps := waitPeerState(t, sp2, edgeID.String(), StateEstablished)
	if ps.Negotiated.Refresh {
		t.Fatal("REFRESH negotiated though not offered")
	}
	p2.recvType(omp.TypeInform)
	p2.send(&omp.Inform{InformType: omp.InformRefreshRequest, AllFamilies: true})
	if m, err := p2.recvErr(300 * time.Millisecond); err == nil {
		t.Errorf("got %s after an unnegotiated REFRESH_REQUEST", m.Type())
	}
}

// answerRouting floods like floodRouting and answers every QUERY with a
// message, through the control queue.
type answerRouting struct{ floodRouting }

type answerPeer struct{ *floodPeer }

func (a *answerRouting) Up(p PeerInfo) (PeerRouting, error) {
	pr, _ := a.floodRouting.Up(p)
	return answerPeer{pr.(*floodPeer)}, nil
}

func (answerPeer) Receive(m omp.Message) ([]byte, error) {
	b, err := omp.Encode(&omp.Update{})
	return b, err
}

// The control queue is bounded: a peer that sends QUERYs and reads
// nothing fills it, and the session is dropped (OPER/CLEAR attempted).
func TestSendQueueOverflow(t *testing.T) {
	ar := &answerRouting{floodRouting{nullRouting: nullRouting{received: map[string]int{}}}}
	cfg := testConfig()
	cfg.Routing = ar
	cfg.QueueLen = 4
	cfg.WriteTimeout = time.Minute // the queue, not the write timeout, must end it
	sp := startSpeaker(t, cfg)
	p := dialPeer(t, sp.Addr())
	p.establish(edgeHandshake())
	q, _ := omp.Encode(&omp.Query{})
	for i := 0; i < 2000; i++ {
		p.conn.SetWriteDeadline(time.Now().Add(testTimeout))
		if _, err := p.conn.Write(q); err != nil {
			break // the speaker closed the connection
		}
		if ps, _ := sp.Peer(edgeID.String()); ps.State == StateIdle {
			break
		}
	}
	ps := waitPeerState(t, sp, edgeID.String(), StateIdle)
	if !ps.LastAlertOut.Is(omp.ErrOper, omp.SubErrOperClear) || !strings.Contains(ps.LastReason, "send queue full") {
		t.Errorf("alert %+v reason %q", ps.LastAlertOut, ps.LastReason)
	}
}

// Close returns only when every goroutine of the speaker has.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	pki := testdut.NewPKI()
	ccfg := ribCtrlConfig()
	ccfg.TLS = pki.Config("controller")
	ctrl, err := Start(context.Background(), ccfg)
	if err != nil {
		t.Fatal(err)
	}
	ecfg := edgeConfig(ctrl.Addr().String())
	ecfg.Routing = nil
	ecfg.TLS = pki.Config("edge")
	edge, err := Start(context.Background(), ecfg)
	if err != nil {
		t.Fatal(err)
	}
	waitPeerState(t, ctrl, edgeID.String(), StateEstablished)
	// A connection stuck in the TLS handshake, and one in HandshakeSent.
	raw, err := net.Dial("tcp", ctrl.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	edge.Close()
	ctrl.Close()
	waitFor(t, "goroutines to end", func() bool { return runtime.NumGoroutine() <= before+1 })
}
