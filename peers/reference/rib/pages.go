package rib

import (
	"github.com/ompconform/ompconform/omp"
	"net/netip"
)

// trim returns what the tables no longer use (arena.trim), after a peer
// left. It is cheap: O(chunks).
func (r *RIB) trim() {
	r.dests.trim()
	r.dests.wide.trim()
	r.paths.trim()
	r.exps.trim()
}

// PeerRoutes is the number of paths in the peer's Adj-RIB-In (stale
// paths of a graceful restart included); 0 for an unknown peer.
func (r *RIB) PeerRoutes(id PeerID) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if int(id) >= len(r.peers) {
		return 0
	}
	return r.peers[id].routes
}

// Stats are the RIB's sizes, in O(peers): what the state API's summaries
// show without listing a route.
type Stats struct {
	Paths        int   `json:"paths"`
	Destinations int   `json:"destinations"`
	Exports      int   `json:"exports"`
	Peers        int   `json:"peers"`      // slots held: sessions and graceful-restart windows
	PeerSlots    int   `json:"peer_slots"` // slots ever made (free ones included)
	MappedBytes  int64 `json:"mapped_bytes"`
	// PathsByPeer are the paths of each peer holding a slot, by router ID.
	PathsByPeer map[netip.Addr]int `json:"-"`
}

// Stats returns the RIB's sizes.
func (r *RIB) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := Stats{Paths: r.paths.live - r.gone, Destinations: r.dests.live, Exports: r.exps.live,
		PeerSlots: len(r.peers) - 1, MappedBytes: r.idx.mem.size(), PathsByPeer: map[netip.Addr]int{}}
	for _, p := range r.peers[1:] {
		if !p.free {
			s.Peers++
			s.PathsByPeer[p.info.RouterID] = p.routes
		}
	}
	return s
}

// scanMax bounds the entries one page call looks at under the lock, so
// that a listing never holds the RIB for long.
const scanMax = 1 << 14

// RoutesPage lists at most limit paths of the families match selects,
// in the RIB's own order (path index; stable while a path lives, not
// sorted), starting after cursor after (0: from the start). It looks at
// no more than a bounded number of paths under the lock: next is the
// cursor to go on from, and done says there is nothing after it. A
// listing taken page by page is not a snapshot: a path added or removed
// meanwhile may or may not appear.
func (r *RIB) RoutesPage(after uint64, limit int, match func(omp.Family) bool) (rs []Route, next uint64, done bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	pi := uint32(min(after, 1<<32-1)) + 1
	for n := 0; n < scanMax && len(rs) < limit; n, pi = n+1, pi+1 {
		if pi >= r.paths.next {
			return rs, uint64(pi - 1), true
		}
		p := r.paths.at(pi)
		if p.flags&fInUse == 0 || !match(famList[r.dests.at(p.dest).fam]) {
			continue
		}
		rs = append(rs, r.route(pi))
	}
	return rs, uint64(pi - 1), pi >= r.paths.next
}

// FIBPage lists at most limit FIB entries (edges and hubs) after cursor
// after, in the RIB's own order (destination index), as RoutesPage does.
func (r *RIB) FIBPage(after uint64, limit int) (out []FIBEntry, next uint64, done bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.cfg.Role.Edge() {
		return nil, after, true
	}
	di := uint32(min(after, 1<<32-1)) + 1
	for n := 0; n < scanMax && len(out) < limit; n, di = n+1, di+1 {
		if di >= r.dests.next {
			return out, uint64(di - 1), true
		}
		d := r.dests.at(di)
		if d.fam == famFree || !isVR(int(d.fam)) {
			continue
		}
		if fe, ok := r.fibEntry(di); ok {
			out = append(out, fe)
		}
	}
	return out, uint64(di - 1), di >= r.dests.next
}
