package reference

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// Speaker is the reference OMP speaker: it listens, dials its neighbors,
// runs one session per connection and hands routes to the routing half.
type Speaker struct {
	routing Routing
	log     *slog.Logger
	ctx     context.Context
	cancel  context.CancelFunc
	lns     []net.Listener
	wg      sync.WaitGroup // accept loops, dial loops, inbound sessions

	closeOnce sync.Once

	mu        mutex[speakerRank]
	set       *settings
	sessions  map[*session]struct{}
	byID      map[netip.Addr]*session // sessions past the HANDSHAKE exchange
	peers     map[string]*peerRecord  // live: records of sessions up (docs/fsm.md, Peers)
	history   peerHistory             // records of ended sessions, the last Config.PeerHistory
	shut      map[netip.Addr]bool     // router IDs administratively shut down
	conns     int                     // connections open (sessions)
	bySource  map[netip.Addr]int      // connections open per remote address
	refusedAt time.Time               // last connection refused over a limit, logged
	neighbors map[string]*neighbor
	lastID    uint64
	closing   bool
	crashed   string // why a crash fault stopped the speaker
}

// peerRecord is what the speaker remembers of a peer across sessions.
type peerRecord struct {
	key         string
	routerID    netip.Addr
	sess        *session // the session that holds the router ID, if any
	prev        counterTotals
	alertIn     *AlertRecord
	alertOut    *AlertRecord
	reason      string
	neg         *negotiated
	established int
	lastUp      time.Time
	lastDown    time.Time
}

// peerHistory keeps the records of the last max ended sessions, the
// oldest dropped first, so that the state API can show how a session
// ended (its ALERTs, its reason) without the table growing with every
// peer that ever connected.
type peerHistory struct {
	max   int
	byKey map[string]*list.Element
	order *list.List // of *peerRecord, oldest first
}

func newPeerHistory(max int) peerHistory {
	return peerHistory{max: max, byKey: map[string]*list.Element{}, order: list.New()}
}

func (h *peerHistory) put(p *peerRecord) {
	if e := h.byKey[p.key]; e != nil {
		h.order.Remove(e)
	}
	if h.max <= 0 {
		delete(h.byKey, p.key)
		return
	}
	h.byKey[p.key] = h.order.PushBack(p)
	for h.order.Len() > h.max {
		old := h.order.Remove(h.order.Front()).(*peerRecord)
		delete(h.byKey, old.key)
	}
}

func (h *peerHistory) take(key string) *peerRecord {
	e := h.byKey[key]
	if e == nil {
		return nil
	}
	delete(h.byKey, key)
	return h.order.Remove(e).(*peerRecord)
}

func (h *peerHistory) each(fn func(*peerRecord)) {
	for e := h.order.Front(); e != nil; e = e.Next() {
		fn(e.Value.(*peerRecord))
	}
}

func (h *peerHistory) len() int { return h.order.Len() }

// Start validates cfg, opens its listeners and starts dialling its
// neighbors. The speaker runs until ctx ends or Close is called.
func Start(ctx context.Context, cfg Config) (*Speaker, error) {
	if err := cfg.check(); err != nil {
		return nil, fmt.Errorf("reference: %w", err)
	}
	r := cfg.Routing
	if r == nil {
		var err error
		if r, err = defaultRouting(&cfg); err != nil {
			return nil, fmt.Errorf("reference: %w", err)
		}
	}
	set, err := cfg.settle(r)
	if err != nil {
		if cfg.Routing == nil {
			r.Close()
		}
		return nil, fmt.Errorf("reference: %w", err)
	}
	sp := &Speaker{
		routing:   r,
		log:       set.Logger,
		set:       set,
		sessions:  map[*session]struct{}{},
		byID:      map[netip.Addr]*session{},
		peers:     map[string]*peerRecord{},
		history:   newPeerHistory(set.PeerHistory),
		shut:      map[netip.Addr]bool{},
		bySource:  map[netip.Addr]int{},
		neighbors: map[string]*neighbor{},
	}
	for _, addr := range set.Listen {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			for _, l := range sp.lns {
				l.Close()
			}
			if cfg.Routing == nil {
				r.Close()
			}
			return nil, fmt.Errorf("reference: listen %s: %w", addr, err)
		}
		sp.lns = append(sp.lns, ln)
	}
	sp.ctx, sp.cancel = context.WithCancel(context.WithoutCancel(ctx))
	if !set.faults.empty() {
		sp.log.Warn("faults on: this speaker is deliberately broken (docs/faults.md)", "faults", set.faults.names())
	}
	for _, ln := range sp.lns {
		sp.log.Info("listening", "addr", ln.Addr().String(), "tls", set.TLS != nil)
		sp.wg.Add(1)
		go sp.acceptLoop(ln)
	}
	sp.mu.Lock()
	for _, n := range set.Neighbors {
		sp.addNeighbor(n)
	}
	sp.mu.Unlock()
	if ctx.Done() != nil {
		// Not in sp.wg, since it calls Close, which waits for sp.wg; it
		// ends when ctx or the speaker does.
		go func() {
			select {
			case <-ctx.Done():
				sp.Close()
			case <-sp.ctx.Done():
			}
		}()
	}
	return sp, nil
}

// Addr is the address of the first listener (nil without one).
func (sp *Speaker) Addr() net.Addr {
	if len(sp.lns) == 0 {
		return nil
	}
	return sp.lns[0].Addr()
}

// Addrs are the addresses of every listener.
func (sp *Speaker) Addrs() []net.Addr {
	out := make([]net.Addr, len(sp.lns))
	for i, l := range sp.lns {
		out[i] = l.Addr()
	}
	return out
}

// RouterID is the speaker's system IP.
func (sp *Speaker) RouterID() netip.Addr { return sp.settings().RouterID }

// Routing is the speaker's routing half.
func (sp *Speaker) Routing() Routing { return sp.routing }

func (sp *Speaker) settings() *settings {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return sp.set
}

func (sp *Speaker) nextSessionID() uint64 {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	sp.lastID++
	return sp.lastID
}

// Close stops the speaker: every session gets ALERT OMP_ERR_OPER/TERM,
// listeners and dialers stop, the routing half is closed (Config.Routing
// included), and Close returns when every goroutine has. It is safe to
// call more than once.
func (sp *Speaker) Close() error {
	sp.closeOnce.Do(func() {
		sp.mu.Lock()
		sp.closing = true
		sess := sp.sessionList()
		crashed := sp.crashed
		sp.mu.Unlock()
		for _, l := range sp.lns {
			l.Close()
		}
		for _, s := range sess {
			if crashed != "" {
				s.fail(nil, "speaker crashed: "+crashed, true) // no ALERT, as a process crash
			} else {
				s.step(evStop, input{reason: "speaker stopped"})
			}
		}
		sp.cancel()
		sp.wg.Wait()
		sp.routing.Close()
		sp.log.Info("stopped")
	})
	return nil
}

// Done is closed when the speaker stops: Close was called (or its
// context ended), or a crash fault crashed it (docs/faults.md). Close may
// still be finishing then; calling it waits for it.
func (sp *Speaker) Done() <-chan struct{} { return sp.ctx.Done() }

func (sp *Speaker) sessionList() []*session {
	out := make([]*session, 0, len(sp.sessions))
	for s := range sp.sessions {
		out = append(out, s)
	}
	return out
}

func (sp *Speaker) acceptLoop(ln net.Listener) {
	defer sp.wg.Done()
	for {
		conn, err := ln.Accept()
		if err != nil {
			if sp.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			sp.log.Warn("accept", "err", err)
			select {
			case <-time.After(50 * time.Millisecond):
			case <-sp.ctx.Done():
				return
			}
			continue
		}
		if why := sp.admit(conn); why != "" {
			conn.Close()
			continue
		}
		s := sp.track(conn, nil)
		if s == nil {
			continue
		}
		sp.wg.Add(1)
		go func() {
			defer sp.wg.Done()
			s.run(sp.ctx)
		}()
	}
}

// track makes a session for conn and records it, or closes conn when the
// speaker is stopping.
func (sp *Speaker) track(conn net.Conn, nb *neighbor) *session {
	s := sp.newSession(conn, nb)
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if sp.closing {
		conn.Close()
		return nil
	}
	sp.sessions[s] = struct{}{}
	sp.conns++
	sp.bySource[s.remote.Addr()]++
	return s
}

// admit checks an accepted connection against the connection limits
// (Config.MaxConnections, MaxConnectionsPerSource); over one, it says
// which, and the connection is closed at once, before any HANDSHAKE
// (logged at most once a second).
func (sp *Speaker) admit(conn net.Conn) string {
	var src netip.Addr
	if a, ok := conn.RemoteAddr().(*net.TCPAddr); ok {
		src = a.AddrPort().Addr()
	}
	sp.mu.Lock()
	defer sp.mu.Unlock()
	why := ""
	switch {
	case sp.set.MaxConnections > 0 && sp.conns >= sp.set.MaxConnections && !sp.evictIdle():
		why = fmt.Sprintf("max-connections %d reached", sp.set.MaxConnections)
	case sp.set.MaxConnectionsPerSource > 0 && sp.bySource[src] >= sp.set.MaxConnectionsPerSource:
		why = fmt.Sprintf("max-connections-per-source %d reached for %s", sp.set.MaxConnectionsPerSource, src)
	}
	if why != "" && time.Since(sp.refusedAt) >= time.Second {
		sp.refusedAt = time.Now()
		sp.log.Warn("connection refused: limit reached", "remote", conn.RemoteAddr().String(), "limit", why)
	}
	return why
}

// idleGrace is how long a connection may stay without the peer's
// HANDSHAKE before a new one, over max-connections, takes its slot.
const idleGrace = time.Second

// evictIdle makes room for a connection over max-connections: it closes
// the oldest inbound one whose peer has sent no HANDSHAKE for idleGrace,
// and reports whether it did. Connections opened and left idle (from
// many sources, past the per-source limit) would otherwise hold every
// slot until their handshake timer, and again as soon as they are
// reopened. sp.mu is held.
func (sp *Speaker) evictIdle() bool {
	var oldest *session
	for s := range sp.sessions {
		if s.outbound || time.Since(s.started) < idleGrace || oldest != nil && !s.started.Before(oldest.started) {
			continue
		}
		s.mu.Lock()
		idle := !s.routerID.IsValid() && !s.down && !s.evicted
		s.mu.Unlock()
		if idle {
			oldest = s
		}
	}
	if oldest == nil {
		return false
	}
	oldest.mu.Lock()
	oldest.evicted = true
	oldest.mu.Unlock()
	oldest.raw.Close()
	if time.Since(sp.refusedAt) >= time.Second {
		sp.refusedAt = time.Now()
		sp.log.Warn("idle connection closed for a new one: max-connections reached", "remote", oldest.remote.String())
	}
	return true
}

// peerKey is how the speaker files what it knows of a peer: by router ID
// once its HANDSHAKE was accepted, else by remote address.
func peerKey(rid netip.Addr, remote netip.AddrPort) string {
	if rid.IsValid() {
		return rid.String()
	}
	return remote.Addr().String()
}

// record is the live record of key, made (or taken back from the
// history) if needed; sp.mu is held.
func (sp *Speaker) record(key string) *peerRecord {
	p := sp.peers[key]
	if p == nil {
		if p = sp.history.take(key); p == nil {
			p = &peerRecord{key: key}
		}
		sp.peers[key] = p
	}
	return p
}

// retire moves a record without a session to the history; sp.mu is held.
func (sp *Speaker) retire(p *peerRecord) {
	if sp.peers[p.key] == p {
		delete(sp.peers, p.key)
	}
	sp.history.put(p)
}

// register gives s the router ID of its peer: OMPID refuses a second
// session for one router ID, and an administratively shut peer gets
// ALERT OPER/SHUT.
func (sp *Speaker) register(s *session, n *negotiated) *alertError {
	rid := n.PeerRouter
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if sp.shut[rid] {
		return refuse(omp.ErrOper, omp.SubErrOperShut, nil, "peer %s is administratively shut down", rid)
	}
	if o := sp.byID[rid]; o != nil && o != s && !s.set.faults.has(fHSDuplicateRouterIDAccepted) {
		return refuseHS(omp.SubErrHandshakeOMPID, rid.AsSlice(), "Peer Router ID %s is already in session (%s)", rid, o.remote)
	}
	sp.byID[rid] = s
	s.mu.Lock()
	s.registered = true
	s.mu.Unlock()
	p := sp.record(rid.String())
	p.routerID = rid
	p.sess = s
	if s.nb != nil {
		// nb.routerID is the neighbor's: under nb.mu (sp.mu -> nb.mu).
		s.nb.mu.Lock()
		s.nb.routerID = rid
		s.nb.mu.Unlock()
	}
	return nil
}

func (sp *Speaker) established(s *session) {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	s.mu.Lock()
	rid, neg := s.routerID, s.neg
	s.mu.Unlock()
	p := sp.record(rid.String())
	p.established++
	p.lastUp = time.Now()
	p.neg = neg
}

// sessionDown files what a finished session leaves behind, tells the
// routing half, and frees the router ID for a new session.
func (sp *Speaker) sessionDown(s *session) {
	s.mu.Lock()
	if s.down {
		s.mu.Unlock()
		return
	}
	s.down = true
	rid, reg, reason, graceful := s.routerID, s.registered, s.reason, s.graceful
	aIn, aOut, neg, pr := copyAlert(s.alertIn), copyAlert(s.alertOut), s.neg, s.pr
	wasEst := !s.established.IsZero()
	s.mu.Unlock()
	if pr != nil && !(aOut != nil && aOut.Code == uint8(omp.ErrHoldtime) && s.set.faults.has(fHoldExpiryKeepsRoutes)) {
		callingRouting("Down")
		pr.Down(graceful && neg != nil && neg.GR)
	}
	sp.mu.Lock()
	if reg && sp.byID[rid] == s && !(aOut != nil && s.set.faults.has(fRouterIDHeldAfterAlert)) && !(aIn != nil && s.set.faults.has(fRouterIDHeldAfterPeerAlert)) {
		delete(sp.byID, rid)
	}
	sp.conns--
	if sp.bySource[s.remote.Addr()]--; sp.bySource[s.remote.Addr()] <= 0 {
		delete(sp.bySource, s.remote.Addr())
	}
	// A refused HANDSHAKE is filed under the remote address, so that
	// random router IDs cannot grow the table; either way the record
	// goes to the bounded history once no session holds it.
	key := peerKey(netip.Addr{}, s.remote)
	if reg {
		key = rid.String()
	}
	p := sp.record(key)
	if p.sess == s {
		p.sess = nil
	}
	retire := p.sess == nil
	s.cnt.addTo(&p.prev)
	if aIn != nil {
		p.alertIn = aIn
	}
	if aOut != nil {
		p.alertOut = aOut
	}
	p.reason = reason
	if wasEst {
		p.lastDown = time.Now()
	}
	if retire {
		sp.retire(p)
	}
	// The connection is Idle (fsm.go): with its record filed, so that a
	// reader of the state API that sees Idle sees why, and the routing
	// half told.
	s.mu.Lock()
	s.state = StateIdle
	s.mu.Unlock()
	sp.mu.Unlock()
	s.logger().Info("session down", "reason", reason, "was_established", wasEst)
}

// sessionEnded forgets a session whose goroutines have all stopped.
func (sp *Speaker) sessionEnded(s *session) {
	sp.mu.Lock()
	delete(sp.sessions, s)
	sp.mu.Unlock()
}

// Clear drops the session with a peer (its router ID or neighbor
// address) with ALERT OPER/CLEAR; a neighbor is dialled again.
func (sp *Speaker) Clear(peer string) error {
	s := sp.find(peer)
	if s == nil {
		return fmt.Errorf("no session with %q", peer)
	}
	if rid, err := netip.ParseAddr(peer); err == nil && s.set.faults.has(fClearKeepsPeerDown) {
		sp.mu.Lock()
		sp.shut[rid] = true // cleared as if shut down
		sp.mu.Unlock()
	}
	if s.set.faults.has(fClearClearsAll) {
		sp.mu.Lock()
		all := slices.Collect(maps.Values(sp.byID))
		sp.mu.Unlock()
		for _, o := range all {
			if o != s {
				o.step(evClear, input{reason: "cleared by the operator (another peer's clear)"})
			}
		}
	}
	s.step(evClear, input{reason: "cleared by the operator"})
	return nil
}

// Shutdown administratively shuts a peer (router ID or neighbor address)
// down with ALERT OPER/SHUT and keeps it down: a neighbor is no longer
// dialled and the peer's HANDSHAKEs are refused with OPER/SHUT until
// Shutdown(peer, false).
func (sp *Speaker) Shutdown(peer string, down bool) error {
	sp.mu.Lock()
	nb := sp.neighbors[peer]
	if nb != nil {
		nb.setShut(down)
	} else if rid, err := netip.ParseAddr(peer); err == nil {
		if down {
			sp.shut[rid] = true
		} else {
			delete(sp.shut, rid)
		}
	} else {
		sp.mu.Unlock()
		return fmt.Errorf("%q is neither a neighbor address nor a router ID", peer)
	}
	sp.mu.Unlock()
	if s := sp.find(peer); s != nil && down {
		s.step(evShutdown, input{reason: "shut down by the operator"})
	}
	return nil
}

// find is the live session with a peer named by router ID or neighbor
// address.
func (sp *Speaker) find(peer string) *session {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if nb := sp.neighbors[peer]; nb != nil {
		return nb.current()
	}
	if rid, err := netip.ParseAddr(peer); err == nil {
		if s := sp.byID[rid]; s != nil {
			return s
		}
	}
	return nil
}

func copyAlert(a *AlertRecord) *AlertRecord {
	if a == nil {
		return nil
	}
	c := *a
	return &c
}
