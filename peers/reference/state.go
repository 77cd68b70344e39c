package reference

import (
	"net/netip"
	"sort"
	"time"
)

// Snapshot is the speaker's state as the state API serves it.
type Snapshot struct {
	RouterID   netip.Addr      `json:"router_id"`
	Role       Role            `json:"role"`
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
}

// Snapshot returns the speaker's state: configuration, neighbors, peers
// (live sessions not yet past the HANDSHAKE exchange appear under their
// remote address), and the routing half's snapshot.
func (sp *Speaker) Snapshot() Snapshot {
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
	byKey := map[string]*PeerState{}
	for k, p := range sp.peers {
		ps := &PeerState{
			Key: k, RouterID: p.routerID, State: StateIdle, Shutdown: p.shut, Negotiated: p.neg,
			Established: p.established, LastUp: p.lastUp, LastDown: p.lastDown,
			LastAlertIn: p.alertIn, LastAlertOut: p.alertOut, LastReason: p.reason,
		}
		t := p.prev
		if p.sess != nil {
			p.sess.fill(ps, &t)
		}
		ps.Counters = t.export()
		byKey[k] = ps
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
	sp.mu.Unlock()
	for _, ps := range byKey {
		out.Peers = append(out.Peers, *ps)
	}
	sort.Slice(out.Peers, func(i, j int) bool { return out.Peers[i].Key < out.Peers[j].Key })
	sort.Slice(out.Neighbors, func(i, j int) bool { return out.Neighbors[i].Address < out.Neighbors[j].Address })
	out.Routing = sp.routing.Snapshot()
	return out
}

// fill adds the live session's view to ps.
func (s *session) fill(ps *PeerState, t *counterTotals) {
	s.mu.Lock()
	ps.State = s.state
	if s.neg != nil {
		ps.Negotiated = s.neg
	}
	if s.alertIn != nil {
		ps.LastAlertIn = s.alertIn
	}
	if s.alertOut != nil {
		ps.LastAlertOut = s.alertOut
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
	for _, p := range sp.Snapshot().Peers {
		if p.Key == key {
			return p, true
		}
	}
	return PeerState{}, false
}
