package reference

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/peers/reference/policy"
	"github.com/ompconform/ompconform/peers/reference/rib"
)

// countingRouting counts the full snapshots taken of its routing half.
type countingRouting struct {
	*ribRouting
	snaps int
}

func (c *countingRouting) Snapshot() any { c.snaps++; return c.ribRouting.Snapshot() }

// /peers and /state never take the routing half's full snapshot; the
// listings come page by page, at most limit entries each.
func TestStateAPIBounded(t *testing.T) {
	cfg := testConfig()
	cfg.Routing = nil
	cfg.TLOCs = []TLOCConfig{{TLOCKey: TLOCKey{Address: netip.MustParseAddr("192.0.2.1"), Color: 1, Encap: 2}}}
	for i := range 2500 {
		cfg.Routes = append(cfg.Routes, RouteConfig{VPN: 1, Prefix: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i >> 8), byte(i), 0}), 24)})
	}
	r, err := NewRIBRouting(&cfg)
	if err != nil {
		t.Fatal(err)
	}
	cr := &countingRouting{ribRouting: r.(*ribRouting)}
	cfg.Routing = cr
	sp := startSpeaker(t, cfg)
	srv := httptest.NewServer(StateHandler(sp))
	defer srv.Close()
	get := func(path string, v any) {
		t.Helper()
		getJSON(t, srv.URL+path, v)
	}
	var any map[string]any
	get("/peers", &any)
	get("/state", &any)
	get("/policy", &any)
	if cr.snaps != 0 {
		t.Errorf("/peers, /state and /policy took %d full snapshots of the RIB", cr.snaps)
	}
	// Pages of at most 1000 (the default), then 700 asked.
	total, pages := 0, 0
	for after := uint64(0); ; pages++ {
		var pg RoutePage
		get(fmt.Sprintf("/routes?after=%d", after), &pg)
		if len(pg.Routes) > DefaultListLimit {
			t.Fatalf("page of %d routes, limit %d", len(pg.Routes), DefaultListLimit)
		}
		total += len(pg.Routes)
		if pg.Done {
			break
		}
		after = pg.Next
		if pages > 10 {
			t.Fatal("listing does not end")
		}
	}
	if total != 2500 {
		t.Errorf("listed %d routes, want 2500", total)
	}
	var pg RoutePage
	get("/routes?limit=700", &pg)
	if len(pg.Routes) != 700 || pg.Done {
		t.Errorf("limit=700: %d routes, done %v", len(pg.Routes), pg.Done)
	}
	get("/tlocs", &pg)
	if len(pg.TLOCs) != 1 || !pg.Done {
		t.Errorf("tlocs %+v", pg)
	}
	if resp, _ := http.Get(srv.URL + "/routes?limit=x"); resp == nil || resp.StatusCode != 400 {
		t.Errorf("limit=x not refused")
	}
}

// Router-ID churn: a RIB slot is freed when its peer has neither a
// session nor a graceful-restart window, so 70,000 distinct router IDs
// (more than the 65,535 slots) all come up.
func TestPeerSlotsRecycled(t *testing.T) {
	r, err := rib.New(rib.Config{Role: omp.RoleController, RouterID: ctrlID})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 70000 {
		rid := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		id, err := r.PeerUp(rib.PeerInfo{RouterID: rid})
		if err != nil {
			t.Fatalf("router ID %d (%s): %v", i, rid, err)
		}
		r.PeerDown(id, i%2 == 0) // no GR negotiated: graceful or not, nothing kept
	}
	if st := r.Stats(); st.PeerSlots > 2 || st.Peers != 0 {
		t.Errorf("after churn: %+v", st)
	}
}

// Refused and ended sessions leave at most PeerHistory records; the
// live table holds sessions only.
func TestPeerTableBounded(t *testing.T) {
	cfg := testConfig()
	cfg.PeerHistory = 20
	sp := startSpeaker(t, cfg)
	for i := range 60 {
		p := dialPeer(t, sp.Addr())
		h := edgeHandshake()
		h.PeerRouterID = netip.AddrFrom4([4]byte{10, 9, byte(i >> 8), byte(i)})
		if i%2 == 0 {
			h.DomainID = 7 // refused
			p.open(h)
			p.expectAlert(omp.ErrHandshake, omp.SubErrHandshakeDomainMismatch)
		} else {
			p.establish(h)
			p.conn.Close()
		}
	}
	waitFor(t, "every session ended", func() bool {
		sp.mu.Lock()
		defer sp.mu.Unlock()
		return len(sp.sessions) == 0 && len(sp.peers) == 0 && sp.conns == 0 && len(sp.bySource) == 0
	})
	if n := len(sp.Snapshot().Peers); n > 20 {
		t.Errorf("%d peers listed, history %d", n, 20)
	}
}

// A peer past MaxRoutesPerPeer gets ALERT OPER/CLEAR with the limit as
// data; its routes go.
func TestRouteLimit(t *testing.T) {
	cfg := testConfig()
	cfg.MaxRoutesPerPeer = 5
	sp, p, o := limitedEdge(t, cfg)
	p.send(o.routeAdv(0, 0, "10.1.0.0/24", "10.1.1.0/24", "10.1.2.0/24"))
	p.send(o.routeAdv(0, 0, "10.1.3.0/24", "10.1.4.0/24"))
	expectLimitClear(t, sp, p, 5, "max-routes-per-peer 5")
}

// limitedEdge starts a speaker with cfg and the default routing half (a
// RIB), and an edge established on it that has advertised its TLOC: the
// start of a test of a per-peer limit.
func limitedEdge(t *testing.T, cfg Config) (*Speaker, *peer, origin) {
	t.Helper()
	cfg.Routing = nil
	sp := startSpeaker(t, cfg)
	p := dialPeer(t, sp.Addr())
	p.establish(edgeHandshake())
	o := originN(1)
	p.send(o.tlocAdv(0))
	return sp, p, o
}

// expectLimitClear checks what the edge of limitedEdge gets past a
// limit: ALERT OPER/CLEAR with the limit as data; its routes go, and its
// last reason names the limit (reason: "max-routes-per-peer 5").
func expectLimitClear(t *testing.T, sp *Speaker, p *peer, limit uint32, reason string) {
	t.Helper()
	a := p.expectAlert(omp.ErrOper, omp.SubErrOperClear)
	if string(a.Data) != string(u32b(limit)) {
		t.Errorf("ALERT data %x, want the limit %d", a.Data, limit)
	}
	r, _ := RIB(sp.Routing())
	waitFor(t, "routes withdrawn", func() bool { return r.Stats().Paths == 0 })
	ps, _ := sp.Peer(edgeID.String())
	if ps.LastAlertOut == nil || !strings.Contains(ps.LastReason, reason) {
		t.Errorf("peer %+v, want an ALERT sent and a reason with %q", ps, reason)
	}
}

// Connections over MaxConnectionsPerSource are closed before any
// HANDSHAKE; one more fits once one closed.
func TestConnectionLimits(t *testing.T) {
	cfg := testConfig()
	cfg.MaxConnectionsPerSource = 2
	sp := startSpeaker(t, cfg)
	idle := idleConns(t, sp, 2)
	dialPeer(t, sp.Addr()).expectClosed()
	idle[0].conn.Close()
	waitFor(t, "a slot free", func() bool { sp.mu.Lock(); defer sp.mu.Unlock(); return sp.conns == 1 })
	idleConns(t, sp, 1)
}

// idleConns opens n connections to sp, each of which reads the speaker's
// HANDSHAKE and sends nothing.
func idleConns(t *testing.T, sp *Speaker, n int) []*peer {
	t.Helper()
	ps := make([]*peer, n)
	for i := range ps {
		ps[i] = dialPeer(t, sp.Addr())
	}
	for _, p := range ps {
		p.recvType(omp.TypeHandshake)
	}
	return ps
}

// Over max-connections, a new connection takes the slot of the oldest
// one whose peer has sent no HANDSHAKE for idleGrace: idle connections
// from many sources cannot keep real peers out.
func TestIdleConnectionsMakeRoom(t *testing.T) {
	cfg := testConfig()
	cfg.MaxConnections = 2
	sp := startSpeaker(t, cfg)
	idle := idleConns(t, sp, 2)
	time.Sleep(idleGrace + 100*time.Millisecond)
	p := dialPeer(t, sp.Addr())
	p.establish(edgeHandshake())
	idle[0].expectClosed()
}

// A controller checks POLICY sequences from edges but keeps no data.
func TestControllerDoesNotBufferPolicy(t *testing.T) {
	cfg := testConfig()
	r, err := NewRIBRouting(&cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	pr, err := r.Up(PeerInfo{RouterID: edgeID, Role: omp.RoleEdge})
	if err != nil {
		t.Fatal(err)
	}
	rp := pr.(*ribPeer)
	data := make([]byte, omp.MaxPolicyData)
	if _, err := rp.Receive(&omp.Policy{PolicyType: omp.PolicyStart, Data: data}); err != nil {
		t.Fatal(err)
	}
	for range 10 {
		rp.Receive(&omp.Policy{PolicyType: omp.PolicyMore, Data: data})
	}
	if !rp.reasm.InSequence() || !rp.reasm.Discard {
		t.Fatalf("sequence not tracked in discard mode")
	}
	if _, err := rp.Receive(&omp.Policy{PolicyType: omp.PolicyComplete}); err == nil {
		t.Errorf("COMPLETE inside a sequence accepted")
	}
	var ra policy.Reassembler
	ra.Discard = true
	ra.Add(&omp.Policy{PolicyType: omp.PolicyStart, Data: data})
	if testing.AllocsPerRun(10, func() { ra.Add(&omp.Policy{PolicyType: omp.PolicyMore, Data: data[:1]}) }) > 0 {
		t.Errorf("discarding reassembler allocates")
	}
}

// A peer that stops reading is dropped after WriteTimeout with ALERT
// OPER/CLEAR after whole messages, which it reads once it reads again.
func TestSlowReceiverAlert(t *testing.T) {
	sp, _ := startFlooding(t)
	p := dialPeer(t, sp.Addr())
	if tc, ok := p.conn.(*net.TCPConn); ok {
		tc.SetReadBuffer(64 << 10)
	}
	p.establish(edgeHandshake())
	time.Sleep(600 * time.Millisecond) // past WriteTimeout: the speaker gives up
	p.expectAlert(omp.ErrOper, omp.SubErrOperClear)
	ps, _ := sp.Peer(edgeID.String())
	if ps.LastAlertOut == nil || !ps.LastAlertOut.Written {
		t.Errorf("ALERT not recorded as written: %+v", ps.LastAlertOut)
	}
}
