package rib

import (
	"errors"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// churnPeer opens and closes (gracefully) a session of router ID 11.x.y.z
// number k, with a GR interval: its slot stays held by the window.
func churnPeer(t *testing.T, r *RIB, k int, gr time.Duration) (PeerID, error) {
	t.Helper()
	rid := netip.AddrFrom4([4]byte{11, byte(k >> 16), byte(k >> 8), byte(k)})
	id, err := r.PeerUp(PeerInfo{RouterID: rid, SiteID: uint32(k), Type: omp.PeerTypeVEdge, GracefulRestart: gr})
	if err == nil {
		r.PeerDown(id, true)
	}
	return id, err
}

// TestGRWindowsDoNotHoldEverySlot: peers that open a session under a new
// router ID each and close it without an ALERT (graceful restart
// negotiated, no route sent) held all MaxPeers slots for their GR
// interval, and every new router ID was refused (ErrTooManyPeers: the
// daemon's HANDSHAKE/OMPID). When the slots are all held, a window ends
// early to make room: one without paths first, so that a restarting peer
// that has routes keeps them; then the one with the earliest deadline.
func TestGRWindowsDoNotHoldEverySlot(t *testing.T) {
	now := time.Unix(1000, 0)
	r, err := New(Config{Role: omp.RoleController, RouterID: a("10.0.0.100"), SiteID: 100, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	// A real peer with routes restarts first: its window has the earliest deadline.
	e := peerUp(t, r, "1.1.1.1", 1, time.Hour)
	tl := tlocN("192.0.2.1", 1, 2)
	apply(t, r, e, advT([]omp.TLOCNLRI{tl}))
	apply(t, r, e, advV(tl, []omp.VRouteNLRI{vroute(1, "10.1.0.0/24", 1, 1)}))
	r.PeerDown(e, true)
	now = now.Add(time.Second)
	for k := 1; k < MaxPeers; k++ {
		if _, err := churnPeer(t, r, k, 12*time.Hour); err != nil {
			t.Fatalf("churn peer %d: %v", k, err)
		}
	}
	if s := r.Stats(); s.Peers != MaxPeers {
		t.Fatalf("%d peers held, want every slot (%d)", s.Peers, MaxPeers)
	}
	// A new router ID gets a slot: a window without paths made room.
	id, err := r.PeerUp(PeerInfo{RouterID: a("2.2.2.2"), SiteID: 2, Type: omp.PeerTypeVEdge})
	if err != nil {
		t.Fatalf("a new peer with every slot held by graceful-restart windows: %v", err)
	}
	if got := stale(r); got != 2 {
		t.Fatalf("%d stale paths, want the restarting peer's 2 kept", got)
	}
	r.PeerDown(id, false) // its slot is free again
	// Only windows with paths left (and sessions, which are never
	// ended): the earliest deadline's ends.
	r2, err := New(Config{Role: omp.RoleController, RouterID: a("10.0.0.100"), SiteID: 100, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	var windows []PeerID
	for k := 1; k <= 3; k++ {
		id := peerUp(t, r2, netip.AddrFrom4([4]byte{1, 1, 1, byte(k)}).String(), uint32(k), time.Hour)
		apply(t, r2, id, advT([]omp.TLOCNLRI{tlocN(netip.AddrFrom4([4]byte{192, 0, 2, byte(k)}).String(), 1, 2)}))
		windows = append(windows, id)
	}
	for _, k := range []int{2, 1, 3} { // 1.1.1.2's window has the earliest deadline
		r2.PeerDown(windows[k-1], true)
		now = now.Add(time.Second)
	}
	for k := 4; k <= MaxPeers; k++ {
		if _, err := r2.PeerUp(PeerInfo{RouterID: netip.AddrFrom4([4]byte{11, byte(k >> 16), byte(k >> 8), byte(k)}), SiteID: uint32(k), Type: omp.PeerTypeVEdge}); err != nil {
			t.Fatalf("peer %d: %v", k, err)
		}
	}
	if _, err := r2.PeerUp(PeerInfo{RouterID: a("2.2.2.2"), SiteID: 2, Type: omp.PeerTypeVEdge}); err != nil {
		t.Fatalf("a new peer with every slot held by sessions and windows with paths: %v", err)
	}
	var left []netip.Addr
	for _, rt := range r2.Routes(omp.Family{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC}) {
		left = append(left, rt.TLOC.Address)
	}
	if len(left) != 2 || left[0] == a("192.0.2.2") || left[1] == a("192.0.2.2") {
		t.Fatalf("TLOCs left %v, want those of 1.1.1.1 and 1.1.1.3: the earliest window (1.1.1.2's) alone ends", left)
	}
	if _, err := r2.PeerUp(PeerInfo{RouterID: a("2.2.2.3"), SiteID: 2, Type: omp.PeerTypeVEdge}); err != nil {
		t.Fatalf("a second new peer: %v", err)
	}
	if _, err := r2.PeerUp(PeerInfo{RouterID: a("2.2.2.4"), SiteID: 2, Type: omp.PeerTypeVEdge}); err != nil {
		t.Fatalf("a third new peer: %v", err)
	}
	if _, err := r2.PeerUp(PeerInfo{RouterID: a("2.2.2.5"), SiteID: 2, Type: omp.PeerTypeVEdge}); err != ErrTooManyPeers {
		t.Fatalf("a fourth new peer with every slot a session: %v, want ErrTooManyPeers", err)
	}
}

// TestGracefulDropWithoutPathsDoesNotScan: a graceful drop marks the
// peer's paths stale by a scan of every path in the RIB; a peer without
// paths to mark (none, or all stale already) scans nothing. Sessions
// that offered GR and closed after the HANDSHAKE, no route sent, cost a
// controller holding 1M routes 2.7 ms of RIB lock each
// (BenchmarkPeerChurn/gr-no-route), and a churning peer could keep the
// lock held.
func TestGracefulDropWithoutPathsDoesNotScan(t *testing.T) {
	r := newRIB(t, omp.RoleController, "10.0.0.100", 100)
	src := peerUp(t, r, "1.1.1.1", 1, 0)
	tl := tlocN("192.0.2.1", 1, 2)
	apply(t, r, src, advT([]omp.TLOCNLRI{tl}))
	apply(t, r, src, advV(tl, samePrefix(0, 10)))
	before := r.sweeps
	for k := range 100 {
		if _, err := churnPeer(t, r, k, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	if got := r.sweeps - before; got != 0 {
		t.Fatalf("100 graceful drops of peers without paths made %d scans of the table", got)
	}
	e := peerUp(t, r, "2.2.2.2", 2, time.Hour)
	apply(t, r, e, advT([]omp.TLOCNLRI{tlocN("192.0.2.2", 1, 2)}))
	before = r.sweeps
	r.PeerDown(e, true)
	if got := r.sweeps - before; got != 1 || staleCount(r, e) != 1 {
		t.Fatalf("a graceful drop with a path: %d scans, %d stale paths, want 1 and 1", got, staleCount(r, e))
	}
	// Back, nothing re-advertised, down again: its one path is stale already.
	e = peerUp(t, r, "2.2.2.2", 2, time.Hour)
	before = r.sweeps
	r.PeerDown(e, true)
	if got := r.sweeps - before; got != 0 || staleCount(r, e) != 1 {
		t.Fatalf("a graceful drop with its paths all stale: %d scans, %d stale paths, want 0 and 1", got, staleCount(r, e))
	}
}

// An operation that grows the output tells the peers that are up, not
// every slot: with 60,000 graceful-restart windows held (peers that
// opened a session and closed it, as TestGRWindowsDoNotHoldEverySlot's),
// each UPDATE of 100 vRoutes took 177 us instead of 30 us
// (BenchmarkApplyWithGRWindows), for as long as the windows last.
func TestFinishVisitsOnlyLivePeers(t *testing.T) {
	r := newRIB(t, omp.RoleController, "10.0.0.100", 100)
	for k := range 1000 {
		if _, err := churnPeer(t, r, k, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	src := peerUp(t, r, "1.1.1.1", 1, 0)
	rx := peerUp(t, r, "2.2.2.2", 2, 0)
	tl := tlocN("192.0.2.1", 1, 2)
	apply(t, r, src, advT([]omp.TLOCNLRI{tl}))
	before := r.visits
	for i := range 10 {
		apply(t, r, src, advV(tl, samePrefix(i*10, 10)))
	}
	if got := r.visits - before; got > 10*2 {
		t.Fatalf("10 UPDATEs with 2 peers up and 1000 windows: %d peers notified, want at most 20", got)
	}
	// The live set follows sessions going down and coming back.
	r.PeerDown(src, true)
	if len(r.live) != 1 || r.live[0].id != rx {
		t.Fatalf("after a drop: live %v", r.live)
	}
	if id := peerUp(t, r, "1.1.1.1", 1, 0); id != src || len(r.live) != 2 || r.live[r.peers[id].liveAt] != r.peers[id] {
		t.Fatalf("back up: id %d, %d live", id, len(r.live))
	}
}

// BenchmarkApplyWithGRWindows: an UPDATE of 100 vRoutes with no
// graceful-restart window held, and with 60,000.
//
//	go test -run '^$' -bench ApplyWithGRWindows -benchtime 2000x ./peers/reference/rib
func BenchmarkApplyWithGRWindows(b *testing.B) {
	for _, windows := range []int{0, 60000} {
		b.Run(fmt.Sprint(windows), func(b *testing.B) {
			r := newRIB(b, omp.RoleController, "10.0.0.100", 100)
			for k := 1; k <= windows; k++ {
				id, _ := r.PeerUp(PeerInfo{RouterID: netip.AddrFrom4([4]byte{11, byte(k >> 16), byte(k >> 8), byte(k)}), SiteID: uint32(k), Type: omp.PeerTypeVEdge, GracefulRestart: time.Hour})
				r.PeerDown(id, true)
			}
			src := peerUp(b, r, "1.1.1.1", 1, 0)
			ws := benchWire(b, 100*(b.N+1))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				m, _ := omp.Decode(ws[i])
				if err := r.Apply(src, m.(*omp.Update)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// A peer has at most MaxSetsPerPeer attribute sets of its own in use:
// an UPDATE that would make one more is refused whole (SetLimitError);
// one with the attributes of a set it has is taken; a set whose routes
// are withdrawn no longer counts; another peer, and a later peer of the
// same slot, count their own. Routes that each came with attributes of
// their own took 1,779 bytes each in the daemon where shared ones took
// 118 (200,000 routes), so 2M routes, the route limit, took 3.5 GB.
func TestMaxSetsPerPeer(t *testing.T) {
	defer func(m int) { compactMin = m }(compactMin)
	compactMin = 0 // withdrawn paths go at once once the peers have read them
	r, err := New(Config{Role: omp.RoleController, RouterID: a("10.0.0.100"), SiteID: 100, MaxSetsPerPeer: 3})
	if err != nil {
		t.Fatal(err)
	}
	tl := tlocN("192.0.2.1", 1, 2)
	send := func(id PeerID, pref uint32, prefix string) error {
		return r.Apply(id, wireUpdate(t, advV(tl, []omp.VRouteNLRI{vroute(1, prefix, 1, 1)}, &omp.AttrPref{Preference: pref})))
	}
	e := peerUp(t, r, "1.1.1.1", 1, 0)
	apply(t, r, e, advT([]omp.TLOCNLRI{tl})) // set 1
	for i, pref := range []uint32{10, 20} {  // sets 2 and 3
		if err := send(e, pref, fmt.Sprintf("10.%d.0.0/16", i)); err != nil {
			t.Fatal(err)
		}
	}
	var se *SetLimitError
	if err := send(e, 30, "10.9.0.0/16"); !errors.As(err, &se) || se.Max != 3 {
		t.Fatalf("a fourth set: %v, want SetLimitError of 3", err)
	}
	if got := len(r.Routes(omp.Family{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute})); got != 2 {
		t.Fatalf("%d vRoutes, want the refused UPDATE's not applied", got)
	}
	if err := send(e, 20, "10.8.0.0/16"); err != nil {
		t.Fatalf("attributes of a set it has: %v", err)
	}
	apply(t, r, e, wdV([]omp.VRouteNLRI{vroute(1, "10.0.0.0/16", 1, 1)})) // set 2 goes
	newView(t).drain(r, e)                                                // once its withdrawal is out
	if err := r.Inform(e, &omp.Inform{InformType: omp.InformEOR, AllFamilies: true}); err != nil {
		t.Fatal(err)
	}
	checkSetCounts(t, r)
	if err := send(e, 30, "10.9.0.0/16"); err != nil {
		t.Fatalf("a set once another is gone: %v", err)
	}
	f := peerUp(t, r, "2.2.2.2", 2, 0)
	for i, pref := range []uint32{10, 20} {
		if err := send(f, pref, fmt.Sprintf("10.%d.0.0/16", i)); err != nil {
			t.Fatalf("another peer: %v", err)
		}
	}
	// The first peer goes, its slot is taken by a new one: it starts at 0,
	// and the old peer's sets going do not count against it.
	r.PeerDown(e, false)
	g := peerUp(t, r, "3.3.3.3", 3, 0)
	for i, pref := range []uint32{41, 42, 43} {
		if err := send(g, pref, fmt.Sprintf("10.%d.0.0/16", 20+i)); err != nil {
			t.Fatalf("a new peer's set %d: %v", i+1, err)
		}
	}
	if err := send(g, 44, "10.30.0.0/16"); !errors.As(err, &se) {
		t.Fatalf("the new peer's fourth set: %v", err)
	}
	checkSetCounts(t, r)
}

// checkSetCounts checks each peer's count of attribute sets against the
// sets it owns.
func checkSetCounts(t testing.TB, r *RIB) {
	t.Helper()
	own := map[PeerID]int{}
	for _, s := range r.sets {
		if s != nil && s.owner != 0 && r.peers[s.owner].gen == s.ownerGen {
			own[s.owner]++
		}
	}
	for _, p := range r.peers[1:] {
		if p.sets != own[p.id] {
			t.Errorf("peer %d counts %d sets, owns %d", p.id, p.sets, own[p.id])
		}
	}
}

// checkSetLists checks each attribute set's path list: exactly the paths
// in use whose effective set it is, linked both ways.
func checkSetLists(t testing.TB, r *RIB) {
	t.Helper()
	want := map[uint32]int{}
	r.eachPath(func(pi uint32, p *path) { want[p.eff]++ })
	for id, s := range r.sets {
		if s == nil {
			continue
		}
		n, prev := 0, uint32(0)
		for pi := s.paths; pi != 0 && n <= len(want)+r.paths.live; pi = r.paths.at(pi).snext {
			p := r.paths.at(pi)
			if p.flags&fInUse == 0 || p.eff != uint32(id) || p.sprev != prev {
				t.Fatalf("set %d: path %d on its list has flags %x, eff %d, prev %d (want %d)", id, pi, p.flags, p.eff, p.sprev, prev)
			}
			n, prev = n+1, pi
		}
		if n != want[uint32(id)] {
			t.Fatalf("set %d lists %d paths, %d in use have it", id, n, want[uint32(id)])
		}
	}
}

// checkStaleCounts checks each peer's counts of stale paths, in all and
// by family, against its paths.
func checkStaleCounts(t testing.TB, r *RIB) {
	t.Helper()
	var fam = map[PeerID]*[nFam]int32{}
	r.eachPath(func(_ uint32, p *path) {
		if p.flags&fStale != 0 {
			if fam[p.peer] == nil {
				fam[p.peer] = &[nFam]int32{}
			}
			fam[p.peer][r.dests.at(p.dest).fam]++
		}
	})
	for _, p := range r.peers[1:] {
		want, n := [nFam]int32{}, 0
		if fam[p.id] != nil {
			want = *fam[p.id]
		}
		for _, c := range want {
			n += int(c)
		}
		if p.staleFam != want || p.stale != n {
			t.Errorf("peer %d counts %d stale %v, has %d %v", p.id, p.stale, p.staleFam, n, want)
		}
	}
}
