package rib

import (
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/peers/reference/policy"
)

// path is one path of an Adj-RIB-In (or a local route).
type path struct {
	dest   uint32
	next   uint32 // next path of the dest
	eff    uint32 // effective attribute set (after policy); received: see RIB.received
	sprev  uint32 // previous path of the same effective set (0: the first)
	snext  uint32 // next path of the same effective set
	pathID uint32
	label  uint32 // low 24 bits: label; high 8 bits: distance of a local route
	peer   PeerID
	flags  uint16
}

const (
	fInUse    uint16 = 1 << iota
	fBest            // in the best set
	fStale           // graceful restart: not re-advertised yet
	fRejected        // rejected by policy
	fDirty           // attributes or label changed since the last export sync
	fHeld            // an export entry points at it
	fGone            // removed from its Adj-RIB-In, kept for its export entry's withdrawal
)

// export is an entry of the exported set, shared by every peer's
// Adj-RIB-Out: one per path identity (dest, path ID, originator). path is
// the path now exported or, for a withdrawal not yet seen by every peer,
// the path last exported: its dest, path ID, originator and label are the
// entry's. A path has at most one entry (its identity is fixed), which
// marks it fHeld; a path removed while held stays, fGone (out of its
// dest's list, out of its peer's count), until the entry lets it go
// (unhold).
type export struct {
	next uint32 // next export entry of the dest
	path uint32
	pos  uint32 // latest position in the family's log; expWd: a withdrawal
	id   uint32 // the Path ID it goes out with (RIB.pathIDFor)
}

func (p *path) link() *uint32   { return &p.next }
func (e *export) link() *uint32 { return &e.next }

// expWd marks an export entry that is a withdrawal (in pos).
const expWd = 1 << 31

func (e *export) wd() bool { return e.pos&expWd != 0 }
func (e *export) at() int  { return int(e.pos &^ expWd) }

// outState is a peer's Adj-RIB-Out cursor in one family's log.
type outState struct {
	cursor uint32
	eor    bool // EOR due when the cursor reaches the end
	on     bool // sent to the peer: negotiated (or QuirkUnnegotiatedSent)
	in     bool // taken from the peer: negotiated
}

type peer struct {
	id         PeerID
	info       PeerInfo
	rid        uint32 // router ID
	up         bool
	restarting bool
	deadline   time.Time
	out        [nFam]outState
	sent       bitset
	ready      chan struct{}
	routes     int         // paths in its Adj-RIB-In (stale ones included)
	stale      int         // of which fStale: an EOR with none to sweep scans nothing
	staleFam   [nFam]int32 // stale by family: an EOR of a family without stale paths scans nothing
	free       bool        // the slot is free: no session, no graceful-restart window
	liveAt     int         // its index in RIB.live while up
	sets       int         // attribute sets its UPDATEs made, still in use (MaxSetsPerPeer)
	gen        uint32      // tells this peer from an earlier one of its slot
}

// RIB is the routing state of one device. Create it with New.
type RIB struct {
	mu  sync.Mutex
	cfg Config
	log *slog.Logger

	dests destArena
	paths arena[path]
	exps  arena[export]
	idx   index
	mc    strtab

	logs       [nFam]logBuf
	nexp       [nFam]int // export entries allocated per family
	ntomb      [nFam]int // of which withdrawals
	compacted  [nFam]int // log length after the last compaction
	grew       bool      // a log grew during this operation
	selections uint64    // dest re-selections (recompute) so far
	sweeps     uint64    // scans of every path (removeWhere, stale marking) so far
	visits     uint64    // peers finish has notified so far
	gone       int       // paths fGone

	sets      []*attrSet
	setFree   []uint32
	setIdx    map[string]uint32
	prefCache map[[2]uint32]uint32

	tlocs     []tlocState
	tlocFree  []uint32
	tlocIdx   map[key]uint32
	tlocDirty bool

	peers    []*peer
	live     []*peer  // the peers up, in no order: what notifies and compaction visit, not every slot
	peerFree []PeerID // free slots of peers, reused before new ones
	byRouter map[netip.Addr]PeerID
	peerGen  uint32 // the last peer gen given
	policy   *policy.Policy

	scratchDests []uint32 // settle's
	scratchAttrs []omp.Attribute
	scratchWire  []byte
	scratchCand  []cand
	scratchExp   []uint32
	scratchItems []uint64
	scratchWd    []uint64
	scratchNLRI  []nlri
	scratchKeys  []key
	scratchTags  []uint64
	reselect     []uint32 // dests to re-select (pend, reselectPending)
}

// New returns an empty RIB for cfg.
func New(cfg Config) (*RIB, error) {
	if cfg.Role < omp.RoleController || cfg.Role > omp.RoleHub {
		return nil, fmt.Errorf("rib: bad role %d", cfg.Role)
	}
	if !cfg.RouterID.Is4() {
		return nil, fmt.Errorf("rib: router ID %v is not an IPv4 address", cfg.RouterID)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	r := &RIB{
		cfg:       cfg,
		log:       cfg.Log,
		sets:      []*attrSet{nil},
		setIdx:    map[string]uint32{},
		prefCache: map[[2]uint32]uint32{},
		tlocs:     []tlocState{{}},
		tlocIdx:   map[key]uint32{},
		byRouter:  map[netip.Addr]PeerID{},
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	m := newOffHeap(r)
	r.idx = newIndex(m)
	r.dests.mem, r.dests.wide.mem, r.paths.mem, r.exps.mem = m, m, m, m
	for f := range r.logs {
		r.logs[f].mem = m
	}
	r.peers = []*peer{{id: PeerLocal, info: PeerInfo{RouterID: cfg.RouterID, SiteID: cfg.SiteID}, rid: addrU32(cfg.RouterID)}}
	return r, nil
}

// upPeer returns the peer if its session is up.
func (r *RIB) upPeer(id PeerID) (*peer, error) {
	if int(id) >= len(r.peers) || id == PeerLocal || !r.peers[id].up {
		return nil, ErrUnknownPeer
	}
	return r.peers[id], nil
}

// PeerUp registers a peer whose session is established and returns its
// PeerID. A peer with the router ID of a known peer gets that PeerID back;
// if it is in graceful restart, its stale paths wait for its
// re-advertisement and EOR, or go at once if the new session has no
// graceful restart negotiated. The peer's Adj-RIB-Out starts empty: Next
// sends it the whole exported table of each negotiated family, then EOR.
func (r *RIB) PeerUp(info PeerInfo) (PeerID, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !info.RouterID.Is4() {
		return 0, fmt.Errorf("rib: peer router ID %v is not an IPv4 address", info.RouterID)
	}
	var p *peer
	if id, ok := r.byRouter[info.RouterID]; ok {
		p = r.peers[id]
		if p.up {
			return 0, ErrPeerUp
		}
	} else if n := len(r.peerFree); n > 0 {
		// A slot is free once its peer has neither a session nor a
		// graceful-restart window: router-ID churn reuses slots.
		id := r.peerFree[n-1]
		r.peerFree = r.peerFree[:n-1]
		p = &peer{id: id, ready: make(chan struct{}, 1)}
		r.peers[id] = p
		r.byRouter[info.RouterID] = id
	} else if id, ok := r.reclaim(); ok {
		// Every slot is taken: a graceful-restart window ends early.
		p = &peer{id: id, ready: make(chan struct{}, 1)}
		r.peers[id] = p
		r.byRouter[info.RouterID] = id
	} else {
		if len(r.peers) > MaxPeers {
			return 0, ErrTooManyPeers
		}
		p = &peer{id: PeerID(len(r.peers)), ready: make(chan struct{}, 1)}
		r.peers = append(r.peers, p)
		r.byRouter[info.RouterID] = p.id
	}
	if p.gen == 0 {
		r.peerGen++
		p.gen = r.peerGen
	}
	p.info, p.rid, p.up, p.sent = info, addrU32(info.RouterID), true, nil
	p.liveAt, r.live = len(r.live), append(r.live, p)
	// A restarting peer back without graceful restart negotiated has its
	// stale paths removed at once (RFC 4724 4.2); with it, they wait for
	// its End-of-RIB or the GR interval.
	if p.restarting && info.GracefulRestart == 0 && r.cfg.Quirks.has(QuirkNoGRReconnectKeepsStale) {
		p.deadline = r.cfg.Now().Add(100 * 365 * 24 * time.Hour) // the timer stopped: swept by End-of-RIB only
	} else if p.restarting && (info.GracefulRestart == 0 || r.cfg.Quirks.has(QuirkStaleFlushedOnReconnect)) {
		id := p.id
		r.removeWhere(func(pa *path) bool { return pa.peer == id && pa.flags&fStale != 0 })
		p.restarting = false
		r.finish()
	}
	for f := range p.out {
		p.out[f] = outState{}
	}
	if info.Families == nil {
		info.Families = Families()
	}
	for _, fm := range info.Families {
		if f, ok := famIndex(fm.AFI, fm.SAFI); ok {
			p.out[f] = outState{on: true, in: true, eor: true}
			if p.restarting && r.cfg.Quirks.has(QuirkRestartNoInitialAdvert) {
				p.out[f].cursor = uint32(r.logs[f].len()) // taken to have kept what it was sent: only news, and End-of-RIB
			}
		}
	}
	if r.cfg.Quirks.has(QuirkUnnegotiatedSent) {
		for f := range p.out {
			p.out[f].on, p.out[f].eor = true, true
		}
	}
	r.log.Debug("rib: peer up", "peer", p.id, "router_id", info.RouterID, "restarting", p.restarting)
	notify(p)
	return p.id, nil
}

// PeerDown ends a peer's session. With graceful set and a GR interval
// negotiated its paths stay, stale, until their deadline; otherwise they
// are withdrawn at once. Its Adj-RIB-Out is dropped either way.
func (r *RIB) PeerDown(id PeerID, graceful bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p, err := r.upPeer(id)
	if err != nil {
		return
	}
	p.up, p.sent = false, nil
	last := r.live[len(r.live)-1]
	r.live[p.liveAt], last.liveAt = last, p.liveAt
	r.live[len(r.live)-1] = nil
	r.live = r.live[:len(r.live)-1]
	for f := range p.out {
		p.out[f] = outState{}
	}
	if graceful && p.info.GracefulRestart > 0 && !r.cfg.Quirks.has(QuirkNoMark) {
		r.checkRestart(p) // a restart whose stale paths are all gone is over: this drop starts another
		if !p.restarting {
			p.restarting, p.deadline = true, r.cfg.Now().Add(p.info.GracefulRestart)
		}
		if p.routes > p.stale { // else nothing to mark: no scan of the table
			r.sweeps++
			r.eachPath(func(pi uint32, pa *path) {
				if pa.peer == id && pa.flags&fStale == 0 {
					pa.flags |= fStale
					p.stale++
					p.staleFam[r.dests.at(pa.dest).fam]++
				}
			})
		}
		r.log.Debug("rib: peer down, graceful restart", "peer", id, "deadline", p.deadline)
	} else {
		p.restarting = false
		if p.routes > 0 {
			keepTLOCs := r.cfg.Quirks.has(QuirkDownKeepsTLOCs)
			r.removeWhere(func(pa *path) bool { return pa.peer == id && !(keepTLOCs && isTLOC(int(r.dests.at(pa.dest).fam))) })
		}
		r.log.Debug("rib: peer down", "peer", id)
	}
	r.finish()
	r.maybeFreePeer(p)
}

// reclaim frees a slot when MaxPeers are held and some are held by
// graceful-restart windows alone (no session): the window of a peer
// without paths first (it keeps nothing), else the one with the earliest
// deadline, whose stale paths are purged as at its expiry. Without it,
// peers that open a session under a new router ID and close it (a
// graceful drop, no ALERT) held every slot for their GR interval, up to
// 12 hours, refusing every new router ID with HANDSHAKE/OMPID. It returns
// the freed slot, taken off the free list; false when the slots are not
// all held or none is a window alone.
func (r *RIB) reclaim() (PeerID, bool) {
	if len(r.peers) <= MaxPeers {
		return 0, false
	}
	var victim *peer
	for _, p := range r.peers[1:] {
		if p.up || !p.restarting || p.free {
			continue
		}
		if p.routes == 0 {
			victim = p
			break
		}
		if victim == nil || p.deadline.Before(victim.deadline) {
			victim = p
		}
	}
	if victim == nil {
		return 0, false
	}
	id := victim.id
	n := 0
	if victim.routes > 0 {
		n = r.removeWhere(func(pa *path) bool { return pa.peer == id })
	}
	victim.restarting = false
	if n > 0 {
		r.log.Warn("rib: every peer slot is held: a graceful restart ends early to make room", "peer", id, "router_id", victim.info.RouterID, "purged", n)
	} else {
		r.log.Debug("rib: every peer slot is held: a graceful restart without paths ends to make room", "peer", id, "router_id", victim.info.RouterID)
	}
	r.finish()
	r.maybeFreePeer(victim)
	if k := len(r.peerFree); k > 0 && r.peerFree[k-1] == id {
		r.peerFree = r.peerFree[:k-1]
		return id, true
	}
	return 0, false
}

// maybeFreePeer frees the slot of a peer with neither a session nor a
// graceful-restart window (so no path left), and returns what the
// tables no longer use to the operating system.
func (r *RIB) maybeFreePeer(p *peer) {
	if p.up || p.restarting || p.free || p.id == PeerLocal {
		return
	}
	if p.routes != 0 {
		r.log.Warn("rib: peer without session keeps paths", "peer", p.id, "paths", p.routes)
		return
	}
	delete(r.byRouter, p.info.RouterID)
	*p = peer{id: p.id, free: true}
	r.peerFree = append(r.peerFree, p.id)
	r.trim()
}

// Ready returns the channel signalled (capacity 1, never closed) when
// output may be pending for the peer; nil for an unknown peer.
func (r *RIB) Ready(id PeerID) <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	if int(id) >= len(r.peers) || id == PeerLocal {
		return nil
	}
	return r.peers[id].ready
}

func notify(p *peer) {
	select {
	case p.ready <- struct{}{}:
	default:
	}
}

// finish ends every mutating operation: vRoutes whose TLOC changed are
// re-selected, logs are compacted when due, peers are signalled.
func (r *RIB) finish() {
	r.settle()
	for f := range r.logs {
		r.maybeCompact(f)
	}
	if r.grew {
		r.grew = false
		for _, p := range r.live {
			r.visits++
			notify(p)
		}
	}
}

// eachPath calls fn for every path in use.
func (r *RIB) eachPath(fn func(pi uint32, p *path)) {
	for pi := uint32(1); pi < r.paths.next; pi++ {
		if p := r.paths.at(pi); p.flags&fInUse != 0 {
			fn(pi, p)
		}
	}
}

// removeWhere removes every path that pred selects and re-selects their
// destinations.
func (r *RIB) removeWhere(pred func(p *path) bool) int {
	r.sweeps++
	var victims []uint32
	r.eachPath(func(pi uint32, p *path) {
		if pred(p) {
			victims = append(victims, pi)
		}
	})
	for _, pi := range victims {
		r.pend(r.paths.at(pi).dest)
		r.removePath(pi)
	}
	r.reselectPending()
	return len(victims)
}

// distance is the path's administrative distance (step 2).
func distance(p *path) uint8 {
	if p.peer == PeerLocal {
		return uint8(p.label >> 24)
	}
	return DistanceOMP
}

func originDistance(o uint8) uint8 {
	switch o {
	case omp.OriginConnected:
		return 0
	case omp.OriginStatic:
		return 1
	case omp.OriginEBGP:
		return 20
	case omp.OriginOSPFIntra, omp.OriginOSPFInter, omp.OriginOSPFExternal:
		return 110
	case omp.OriginIBGP:
		return 200
	}
	return 240
}
