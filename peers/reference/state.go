package reference

import (
	"github.com/ompconform/ompconform/omp"
	"net/netip"
	"sort"
	"time"
)

// Snapshot is the speaker's state as the state API serves it.
type Snapshot struct {
	RouterID   netip.Addr      `json:"router_id"`
	Role       omp.Role        `json:"role"`
	SiteID     uint32          `json:"site_id"`
	DomainID   uint32          `json:"domain_id"`
	OverlayID  uint32          `json:"overlay_id"`
	HoldTime   uint16          `json:"hold_time"`
	GRInterval uint32          `json:"gr_interval"`
	Listen     []string        `json:"listen"`
	Faults     []Fault         `json:"faults,omitempty"` // deliberate bugs on (docs/faults.md)
	Neighbors  []NeighborState `json:"neighbors"`
	Peers      []PeerState     `json:"peers"`
	Routing    any             `json:"routing"`
}

// NeighborState is a configured neighbor and where its dialling stands.
type NeighborState struct {
	Address   string     `json:"address"`
	State     State      `json:"state"`
	Shutdown  bool       `json:"shutdown"`
	RouterID  netip.Addr `json:"router_id,omitzero"`
	LastError string     `json:"last_error,omitempty"`
}

// PeerState is a peer: its live session, if any, and its history.
type PeerState struct {
	Key          string       `json:"key"`
	RouterID     netip.Addr   `json:"router_id,omitzero"`
	State        State        `json:"state"`
	Outbound     bool         `json:"outbound"`
	Remote       string       `json:"remote,omitempty"`
	Local        string       `json:"local,omitempty"`
	Shutdown     bool         `json:"shutdown,omitempty"`
	Negotiated   *negotiated  `json:"negotiated,omitempty"`
	Counters     Counters     `json:"counters"`
	Established  int          `json:"established_count"`
	LastUp       time.Time    `json:"last_up,omitzero"`
	LastDown     time.Time    `json:"last_down,omitzero"`
	LastAlertIn  *AlertRecord `json:"last_alert_received,omitempty"`
	LastAlertOut *AlertRecord `json:"last_alert_sent,omitempty"`
	LastReason   string       `json:"last_reason,omitempty"`
	// Routes is the paths the peer has in the RIB (live sessions).
	Routes *int `json:"routes,omitempty"`
}

// summary is the speaker's own state, without the routing half's.
func (sp *Speaker) summary() Snapshot {
	sp.mu.Lock()
	set := sp.set
	out := Snapshot{
		RouterID: set.RouterID, Role: set.Role, SiteID: set.SiteID, DomainID: set.DomainID,
		OverlayID: set.OverlayID, HoldTime: set.holdTime, GRInterval: set.grInterval,
		Faults: set.faults.names(),
	}
	for _, l := range sp.lns {
		out.Listen = append(out.Listen, l.Addr().String())
	}
	seen := map[*neighbor]bool{}
	for _, nb := range sp.neighbors {
		if seen[nb] {
			continue
		}
		seen[nb] = true
		nb.mu.Lock()
		out.Neighbors = append(out.Neighbors, NeighborState{Address: nb.addr, State: nb.state, Shutdown: nb.shut, RouterID: nb.routerID, LastError: nb.lastErr})
		if nb.sess != nil {
			out.Neighbors[len(out.Neighbors)-1].State = nb.sess.getState()
		}
		nb.mu.Unlock()
	}
	out.Peers = sp.peerStates()
	sp.mu.Unlock()
	sort.Slice(out.Neighbors, func(i, j int) bool { return out.Neighbors[i].Address < out.Neighbors[j].Address })
	return out
}

// Snapshot returns the speaker's state: configuration, neighbors, peers
// (live sessions not yet past the HANDSHAKE exchange appear under their
// remote address, ended sessions from the bounded history), and the
// routing half's snapshot, whole: for tests and in-process use. The
// state API serves Summary instead, and lists routes page by page.
func (sp *Speaker) Snapshot() Snapshot {
	out := sp.Summary()
	out.Routing = sp.routing.Snapshot()
	return out
}

// Summary is Snapshot without the routes: the routing half's summary
// (RouteLister.Summary) if it has one. It costs O(peers) and never copies
// the RIB.
func (sp *Speaker) Summary() Snapshot {
	out := sp.summary()
	if rl, ok := sp.routing.(RouteLister); ok {
		out.Routing = rl.Summary()
	}
	return out
}

// peerStates lists the peers: live records, sessions before their
// HANDSHAKE was accepted, and the history; sp.mu is held.
func (sp *Speaker) peerStates() []PeerState {
	byKey := map[string]*PeerState{}
	add := func(k string, p *peerRecord) {
		ps := &PeerState{
			Key: k, RouterID: p.routerID, State: StateIdle, Shutdown: sp.shut[p.routerID], Negotiated: p.neg,
			Established: p.established, LastUp: p.lastUp, LastDown: p.lastDown,
			LastAlertIn: p.alertIn, LastAlertOut: p.alertOut, LastReason: p.reason,
		}
		t := p.prev
		if p.sess != nil {
			p.sess.fill(ps, &t)
		}
		ps.Counters = t.export()
		if p.sess != nil {
			if rc, ok := p.sess.routeCount(); ok {
				ps.Routes = &rc
			}
		}
		byKey[k] = ps
	}
	sp.history.each(func(p *peerRecord) { add(p.key, p) })
	for k, p := range sp.peers {
		add(k, p)
	}
	for s := range sp.sessions {
		s.mu.Lock()
		skip := s.registered || s.down
		s.mu.Unlock()
		if skip {
			continue
		}
		k := "session " + s.remote.String()
		ps := &PeerState{Key: k}
		var t counterTotals
		s.fill(ps, &t)
		ps.Counters = t.export()
		byKey[k] = ps
	}
	out := make([]PeerState, 0, len(byKey))
	for _, ps := range byKey {
		out = append(out, *ps)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// routeCount is the routes the session's peer has in the routing half,
// if the routing half counts them.
func (s *session) routeCount() (int, bool) {
	s.mu.Lock()
	pr := s.pr
	s.mu.Unlock()
	if c, ok := pr.(interface{ Routes() int }); ok {
		return c.Routes(), true
	}
	return 0, false
}

// fill adds the live session's view to ps.
func (s *session) fill(ps *PeerState, t *counterTotals) {
	s.mu.Lock()
	ps.State = s.state
	if s.neg != nil {
		ps.Negotiated = s.neg
	}
	// Copies: the writer marks the record written under s.mu, and the
	// state API encodes it after the lock is released.
	if s.alertIn != nil {
		a := *s.alertIn
		ps.LastAlertIn = &a
	}
	if s.alertOut != nil {
		a := *s.alertOut
		ps.LastAlertOut = &a
	}
	if s.routerID.IsValid() {
		ps.RouterID = s.routerID
	}
	s.mu.Unlock()
	ps.Outbound = s.outbound
	ps.Remote = s.remote.String()
	ps.Local = s.local.String()
	s.cnt.addTo(t)
}

// Peer returns the state of one peer by key (router ID, or remote
// address for a session refused before its HANDSHAKE was accepted).
func (sp *Speaker) Peer(key string) (PeerState, bool) {
	for _, p := range sp.summary().Peers {
		if p.Key == key {
			return p, true
		}
	}
	return PeerState{}, false
}
