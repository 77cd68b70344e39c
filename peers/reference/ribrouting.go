package reference

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/peers/reference/policy"
	"github.com/ompconform/ompconform/peers/reference/rib"
)

// ribRouting is the routing half on the in-tree RIB (package rib): it
// originates the configured routes and TLOCs, applies and distributes the
// configured policy, and runs graceful-restart expiry.
type ribRouting struct {
	rib    *rib.RIB
	role   omp.Role
	log    *slog.Logger
	policy []byte // configured policy text, sent to edges and hubs (under mu: the operator installs one at run time)
	faults faultSet
	// maxRoutes bounds a peer's paths (Config.MaxRoutesPerPeer); 0: none.
	maxRoutes int
	// policyPool bounds the POLICY data every session holds at once
	// (PolicyPoolBytes).
	policyPool *policy.Pool

	mu       sync.Mutex
	received []byte                    // policy text last installed from a peer
	edges    map[*ribPeer]bool         // a controller's sessions with edges and hubs: sent its policy
	names    map[rib.PeerID]netip.Addr // router ID of every peer seen
	tlocs    map[TLOCKey]bool          // the TLOCs originated (configured and the operator's)

	tloc0 TLOCKey // the first TLOC configured: a route's default next hop
	site  uint32  // the configured Site ID

	kick chan struct{} // a graceful-restart deadline may have changed
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// PolicyPoolBytes bounds the partial POLICY sequences (START, MORE, no
// END yet) an edge or hub holds over all its sessions: 8 MiB, eight
// whole policies of policy.DefaultMax; past it the fragment is refused
// with ALERT OMP_ERR_OPER/OMP_SUB_ERR_OPER_CLEAR (docs/fsm.md, Limits).
const PolicyPoolBytes = 8 << 20

var originNames = map[string]uint8{
	"": omp.OriginConnected, "connected": omp.OriginConnected, "static": omp.OriginStatic,
	"ebgp": omp.OriginEBGP, "ospf-intra": omp.OriginOSPFIntra, "ospf-inter": omp.OriginOSPFInter,
	"ospf-external": omp.OriginOSPFExternal, "ibgp": omp.OriginIBGP, "eigrp": omp.OriginEIGRP,
}

// NewRIBRouting is the routing half on package rib for cfg: its role,
// router ID, site ID, routes, TLOCs and policy.
func NewRIBRouting(cfg *Config) (Routing, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	faults, err := resolveFaults(cfg.Faults)
	if err != nil {
		return nil, err
	}
	site := cfg.SiteID
	if faults.has(fOwnSiteWrong) {
		site++ // own routes name another site than the HANDSHAKE's
	}
	r, err := rib.New(rib.Config{Role: cfg.Role, RouterID: cfg.RouterID, SiteID: site, Log: log, Quirks: faults.ribQuirks(),
		MaxPathsPerDest: limitOf(cfg.MaxPathsPerPrefix, DefaultMaxPathsPerPrefix),
		MaxSetsPerPeer:  limitOf(cfg.MaxAttrSetsPerPeer, DefaultMaxAttrSetsPerPeer)})
	if err != nil {
		return nil, err
	}
	rr := &ribRouting{rib: r, role: cfg.Role, log: log, faults: faults, names: map[rib.PeerID]netip.Addr{}, edges: map[*ribPeer]bool{}, maxRoutes: limitOf(cfg.MaxRoutesPerPeer, DefaultMaxRoutesPerPeer),
		policyPool: policy.NewPool(PolicyPoolBytes), site: cfg.SiteID,
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	for _, t := range cfg.TLOCs {
		if err := rr.addTLOC(t); err != nil {
			return nil, err
		}
	}
	if len(cfg.TLOCs) > 0 {
		rr.tloc0 = cfg.TLOCs[0].TLOCKey
	}
	for _, rc := range cfg.Routes {
		if err := rr.addRoute(rc); err != nil {
			return nil, err
		}
	}
	if len(cfg.Policy) > 0 {
		p, err := policy.Parse(cfg.Policy)
		if err != nil {
			return nil, fmt.Errorf("policy: %w", err)
		}
		rr.setPolicy(p)
		rr.policy = append([]byte(nil), cfg.Policy...)
	}
	go rr.expireLoop()
	return rr, nil
}

// setPolicy applies a policy to the RIB (policy-not-applied: does not).
func (rr *ribRouting) setPolicy(p *policy.Policy) {
	if rr.faults.has(fPolicyNotApplied) {
		return
	}
	rr.rib.SetPolicy(p)
}

// RIB is the RIB under a routing half made by NewRIBRouting.
func RIB(r Routing) (*rib.RIB, bool) {
	rr, ok := r.(*ribRouting)
	if !ok {
		return nil, false
	}
	return rr.rib, true
}

func (rr *ribRouting) Families() []omp.Family {
	var out []omp.Family
	for _, f := range rib.Families() {
		out = append(out, omp.Family{AFI: f.AFI, SAFI: f.SAFI})
	}
	return out
}

func (rr *ribRouting) Up(p PeerInfo) (PeerRouting, error) {
	info := rib.PeerInfo{RouterID: p.RouterID, SiteID: p.SiteID, Type: p.Role.PeerType()}
	if p.GR {
		info.GracefulRestart = p.GRInterval
	}
	info.Families = []omp.Family{}
	for _, f := range p.Families {
		info.Families = append(info.Families, omp.Family{AFI: f.AFI, SAFI: f.SAFI})
	}
	id, err := rr.rib.PeerUp(info)
	if err != nil {
		return nil, err
	}
	rp := &ribPeer{rr: rr, id: id, info: p, ready: rr.rib.Ready(id)}
	rp.routes.Store(int64(rr.rib.PeerRoutes(id))) // stale paths of a graceful restart
	rr.mu.Lock()
	if rr.role == omp.RoleController && p.Role != omp.RoleController {
		if len(rr.policy) > 0 {
			rp.policy = rr.fragment(rr.policy)
		}
		rr.edges[rp] = true
	}
	rr.mu.Unlock()
	// Only an edge or hub takes POLICY, from a controller: elsewhere the
	// sequence is checked and its data dropped, never buffered.
	rp.reasm.Discard = !rr.takesPolicy(p.Role)
	rp.reasm.Pool = rr.policyPool
	rr.mu.Lock()
	rr.names[id] = p.RouterID
	rr.mu.Unlock()
	return rp, nil
}

func (rr *ribRouting) Close() {
	rr.once.Do(func() {
		close(rr.stop)
		<-rr.done
	})
}

// expireLoop purges the routes of peers whose graceful restart ran out.
func (rr *ribRouting) expireLoop() {
	defer close(rr.done)
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		if at, ok := rr.rib.NextExpiry(); ok {
			t.Reset(max(time.Until(at), 0))
		} else {
			t.Reset(time.Hour)
		}
		select {
		case <-rr.stop:
			return
		case <-rr.kick:
		case now := <-t.C:
			rr.rib.Expire(now)
		}
	}
}

// ribPeer is one session's side of the RIB.
type ribPeer struct {
	rr     *ribRouting
	id     rib.PeerID
	info   PeerInfo
	ready  <-chan struct{}
	pmu    sync.Mutex    // guards policy: the operator queues, the writer sends
	policy []*omp.Policy // POLICY messages still to send (controller)
	reasm  policy.Reassembler
	stack  fragmentStack // policy-fragments-out-of-order
	routes atomic.Int64  // the peer's paths in the RIB, after its last UPDATE
}

// Routes is the peer's paths in the RIB, as of its last UPDATE.
func (p *ribPeer) Routes() int { return int(p.routes.Load()) }

// takesPolicy: only an edge or hub installs a policy, from a controller.
func (rr *ribRouting) takesPolicy(from omp.Role) bool {
	return rr.role != omp.RoleController && from == omp.RoleController
}

// routeLimitError closes a session whose peer passed MaxRoutesPerPeer.
type routeLimitError struct{ have, max int }

func (e *routeLimitError) Error() string {
	return fmt.Sprintf("route limit: the peer has %d routes, more than max-routes-per-peer %d", e.have, e.max)
}

// Alert is OMP_ERR_OPER/OMP_SUB_ERR_OPER_CLEAR with the limit as data
// (4 octets), as BGP's Cease "maximum number of prefixes reached" carries
// it (docs/fsm.md, Limits).
func (e *routeLimitError) Alert() *omp.Alert {
	return &omp.Alert{Code: omp.ErrOper, Subcode: omp.SubErrOperClear, Data: u32b(uint32(min(e.max, 1<<32-1)))}
}

// setLimitError closes a session whose peer passed MaxAttrSetsPerPeer.
type setLimitError struct{ max int }

func (e *setLimitError) Error() string {
	return fmt.Sprintf("attribute-set limit: the peer's routes carry more than max-attribute-sets-per-peer %d distinct attribute sets", e.max)
}

// Alert is routeLimitError's: OPER/CLEAR, data the limit (4 octets).
func (e *setLimitError) Alert() *omp.Alert { return (&routeLimitError{max: e.max}).Alert() }

// pathLimitError closes a session whose peer passed MaxPathsPerPrefix.
type pathLimitError struct{ *rib.PathLimitError }

func (e *pathLimitError) Error() string {
	return fmt.Sprintf("path limit: the peer has more than max-paths-per-prefix %d paths to one %s destination", e.Max, e.Family)
}

// Alert is routeLimitError's: OPER/CLEAR, data the limit (4 octets).
func (e *pathLimitError) Alert() *omp.Alert {
	return (&routeLimitError{max: e.Max}).Alert()
}

func (p *ribPeer) Receive(m omp.Message) ([]byte, error) {
	r, fs := p.rr.rib, p.rr.faults
	switch m := m.(type) {
	case *omp.Update:
		if fs.has(fUpdateWithdrawIgnored) {
			m = &omp.Update{Attributes: without(m.Attributes, omp.AttrTypeUnreachables)}
		}
		if fs.has(fUpdateWithdrawV6Ignored) {
			m = &omp.Update{Attributes: withoutV6Withdrawals(m.Attributes)}
		}
		if fs.has(fReflectTLOCEncapDropped) {
			m = &omp.Update{Attributes: without(m.Attributes, omp.AttrTypeTLOCEncap)}
		}
		m, err := updateFaults(fs, m)
		if err != nil {
			return nil, err
		}
		if fs.has(fUpdateWithdrawAfterReach) {
			for _, part := range withdrawAfterReach(m) {
				if err = r.Apply(p.id, part); err != nil {
					break
				}
			}
		} else {
			err = r.Apply(p.id, m)
		}
		n := r.PeerRoutes(p.id)
		p.routes.Store(int64(n))
		if pe := (*rib.PathLimitError)(nil); errors.As(err, &pe) {
			return nil, &pathLimitError{pe}
		}
		if se := (*rib.SetLimitError)(nil); errors.As(err, &se) {
			return nil, &setLimitError{se.Max}
		}
		if err != nil {
			return nil, err
		}
		if max := p.rr.maxRoutes; max > 0 && n > max {
			return nil, &routeLimitError{have: n, max: max}
		}
		return nil, nil
	case *omp.Inform:
		if m.InformType == omp.InformRefreshRequest && fs.has(fRefreshIgnored) {
			return nil, nil
		}
		if m.InformType == omp.InformRefreshRequest && !m.AllFamilies && m.AFI != omp.AFIIPv4 && m.AFI != omp.AFIIPv6 && fs.has(fRefreshUnknownFamilyAsAll) {
			m = &omp.Inform{InformType: omp.InformRefreshRequest, AllFamilies: true}
		}
		return nil, r.Inform(p.id, m)
	case *omp.Query:
		if fs.has(fQueryIgnored) {
			return nil, nil
		}
		if fs.has(fQueryAbsentNotWithdrawn) {
			m = &omp.Query{Attributes: without(m.Attributes, omp.AttrTypeUnreachables)}
		}
		if fs.has(fQueryIPv6Ignored) {
			m = &omp.Query{Attributes: slices.DeleteFunc(slices.Clone(m.Attributes), isIPv6Reach)}
		}
		out, err := r.Query(m, nil)
		if err == nil && fs.has(fQueryOwnTLOCAbsent) {
			out, err = p.rr.ownTLOCsAbsent(m, out)
		}
		return out, err
	case *omp.Policy:
		if m.PolicyType == omp.PolicyMore && !p.reasm.InSequence() && fs.has(fPolicyMoreWithoutStart) {
			m = &omp.Policy{PolicyType: omp.PolicyStart, Data: m.Data}
		}
		res, err := p.reasm.Add(m)
		if err == nil && fs.has(fPolicyOutOfOrder) {
			res = p.stack.add(m, res)
		}
		if err != nil || !res.Done {
			return nil, err
		}
		p.installPolicy(res)
	}
	return nil, nil
}

// installPolicy takes a policy a peer sent. Only edges and hubs install
// one, from a controller; a policy that does not parse is logged and
// ignored, since the draft does not define policy data.
func (p *ribPeer) installPolicy(res policy.Result) {
	rr := p.rr
	if !rr.takesPolicy(p.info.Role) {
		rr.log.Info("POLICY ignored: only an edge or hub takes policy from a controller", "peer", p.info.RouterID.String())
		return
	}
	if res.Deleted {
		rr.rib.SetPolicy(nil)
		rr.mu.Lock()
		rr.received = nil
		rr.mu.Unlock()
		rr.log.Info("policy deleted by the controller", "peer", p.info.RouterID.String())
		return
	}
	pol, err := policy.Parse(res.Data)
	if err != nil {
		rr.log.Warn("POLICY ignored: it does not parse", "peer", p.info.RouterID.String(), "err", err)
		return
	}
	rr.setPolicy(pol)
	rr.mu.Lock()
	rr.received = res.Data
	rr.mu.Unlock()
	rr.log.Info("policy installed", "peer", p.info.RouterID.String(), "rules", len(pol.Rules))
}

func (p *ribPeer) Ready() <-chan struct{} { return p.ready }

func (p *ribPeer) Next(dst []byte) ([]byte, bool) {
	// The controller's policy goes first, before any route it shapes.
	p.pmu.Lock()
	for len(p.policy) > 0 && len(dst) < 64<<10 {
		var err error
		if dst, err = omp.Append(dst, p.policy[0]); err != nil {
			p.rr.log.Error("encode POLICY", "err", err)
		}
		p.policy = p.policy[1:]
	}
	more := len(p.policy) > 0
	p.pmu.Unlock()
	if more {
		return dst, true
	}
	if p.rr.faults.has(fReflectEdgesOnly) && p.info.Role != omp.RoleEdge {
		return p.nextWithoutUpdates(dst)
	}
	return p.rr.rib.Next(p.id, dst)
}

func (p *ribPeer) Down(graceful bool) {
	p.reasm.Reset() // a partial policy's bytes go back to the pool
	p.rr.mu.Lock()
	delete(p.rr.edges, p)
	p.rr.mu.Unlock()
	had := p.rr.rib.PeerRoutes(p.id)
	p.rr.rib.PeerDown(p.id, graceful)
	if had >= freeOSMemoryRoutes && p.rr.rib.PeerRoutes(p.id) == 0 {
		p.rr.freeOSMemory()
	}
	notify(p.rr.kick)
}

// RIBSnapshot is the routing half's state for the state API.
type RIBSnapshot struct {
	Routes []RouteState `json:"routes"`
	TLOCs  []RouteState `json:"tlocs"`
	FIB    []FIBState   `json:"fib,omitempty"`
	Policy string       `json:"policy,omitempty"`
	// PolicyReceived is the policy an edge took from its controller.
	PolicyReceived string `json:"policy_received,omitempty"`
}

// RouteState is one path with its best-path marks.
type RouteState struct {
	Family     string       `json:"family"`
	VPN        uint64       `json:"vpn,omitempty"`
	Prefix     netip.Prefix `json:"prefix,omitzero"`
	TLOC       string       `json:"tloc,omitempty"`      // TLOC route: address/color/encap
	NextHop    string       `json:"next_hop,omitempty"`  // vRoute: its ATTR_TYPE_TLOC
	Multicast  string       `json:"multicast,omitempty"` // NLRI bytes, hex
	Raw        string       `json:"raw,omitempty"`       // SAFI_SERVICE, SECURITY, LINK, CXP: the NLRI bytes, hex
	PathID     uint32       `json:"path_id,omitempty"`
	Label      uint32       `json:"label,omitempty"`
	Originator netip.Addr   `json:"originator"`
	SiteID     uint32       `json:"site_id"`
	From       string       `json:"from"` // "local" or the peer's router ID
	Preference uint32       `json:"preference,omitempty"`
	Valid      bool         `json:"valid"`
	Best       bool         `json:"best"`
	Stale      bool         `json:"stale,omitempty"`
	Rejected   bool         `json:"rejected,omitempty"`
}

// FIBState is an installed vRoute of an edge.
type FIBState struct {
	VPN      uint64       `json:"vpn"`
	Prefix   netip.Prefix `json:"prefix"`
	NextHops []string     `json:"next_hops"`
	Local    bool         `json:"local,omitempty"`
}

func tlocString(t omp.TLOCNLRI) string { return fmt.Sprintf("%s/%d/%d", t.Address, t.Color, t.Encap) }

func (rr *ribRouting) Snapshot() any {
	rr.mu.Lock()
	from := map[rib.PeerID]string{rib.PeerLocal: "local"}
	for id, a := range rr.names {
		from[id] = a.String()
	}
	received, configured := string(rr.received), string(rr.policy)
	rr.mu.Unlock()
	out := RIBSnapshot{Policy: configured, PolicyReceived: received, Routes: []RouteState{}, TLOCs: []RouteState{}}
	for _, f := range rib.Families() {
		for _, r := range rr.rib.Routes(f) {
			r.Family = f
			if f.SAFI == omp.SAFITLOC {
				out.TLOCs = append(out.TLOCs, routeState(r, from))
			} else {
				out.Routes = append(out.Routes, routeState(r, from))
			}
		}
	}
	if rr.role != omp.RoleController {
		for _, fe := range rr.rib.FIB() {
			out.FIB = append(out.FIB, fibState(fe))
		}
	}
	return out
}

// freeOSMemoryRoutes: when a peer with at least this many routes leaves,
// the Go heap it used (decoding, attribute sets) is returned to the
// operating system at once rather than over minutes.
const freeOSMemoryRoutes = 100_000

var freeingOSMemory atomic.Bool

// freeOSMemory runs debug.FreeOSMemory in the background, one at a time.
func (rr *ribRouting) freeOSMemory() {
	if !freeingOSMemory.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer freeingOSMemory.Store(false)
		debug.FreeOSMemory()
	}()
}

// Summary is the RIB's sizes and the routes of each peer, in O(peers).
func (rr *ribRouting) Summary() any {
	st := rr.rib.Stats()
	rr.mu.Lock()
	received, configured := string(rr.received), string(rr.policy)
	rr.mu.Unlock()
	return map[string]any{"rib": st, "policy": configured, "policy_received": received,
		"listings": "/routes, /tlocs, /fib: ?limit=N&after=CURSOR (docs/fsm.md)"}
}

// ListRoutes is one page of the routes, TLOCs or FIB.
func (rr *ribRouting) ListRoutes(q RouteQuery) RoutePage {
	rr.mu.Lock()
	from := map[rib.PeerID]string{rib.PeerLocal: "local"}
	for id, a := range rr.names {
		from[id] = a.String()
	}
	rr.mu.Unlock()
	var pg RoutePage
	pg.Next = q.After
	if q.Kind == "fib" {
		for len(pg.FIB) < q.Limit && !pg.Done {
			var fes []rib.FIBEntry
			fes, pg.Next, pg.Done = rr.rib.FIBPage(pg.Next, q.Limit-len(pg.FIB))
			for _, fe := range fes {
				pg.FIB = append(pg.FIB, fibState(fe))
			}
		}
		return pg
	}
	match := func(f omp.Family) bool {
		if q.Kind == "tlocs" {
			return f.SAFI == omp.SAFITLOC
		}
		if q.Family != "" {
			return f.String() == q.Family
		}
		return f.SAFI != omp.SAFITLOC
	}
	n := 0
	for n < q.Limit && !pg.Done {
		var rs []rib.Route
		rs, pg.Next, pg.Done = rr.rib.RoutesPage(pg.Next, q.Limit-n, match)
		for _, r := range rs {
			rs := routeState(r, from)
			if r.Family.SAFI == omp.SAFITLOC {
				pg.TLOCs = append(pg.TLOCs, rs)
			} else {
				pg.Routes = append(pg.Routes, rs)
			}
			n++
		}
	}
	return pg
}

func fibState(fe rib.FIBEntry) FIBState {
	fs := FIBState{VPN: fe.VPN, Prefix: fe.Prefix, Local: fe.Local}
	for _, nh := range fe.NextHops {
		fs.NextHops = append(fs.NextHops, tlocString(nh))
	}
	return fs
}

// routeState is a path as the state API shows it.
func routeState(r rib.Route, from map[rib.PeerID]string) RouteState {
	f := r.Family
	rs := RouteState{Family: f.String(), PathID: r.PathID, Label: r.Label, Originator: r.Originator, SiteID: r.SiteID,
		Valid: r.Valid, Best: r.Best, Stale: r.Stale, Rejected: r.Rejected, From: from[r.Peer]}
	if v, ok := omp.Find(r.Attrs, omp.AttrTypePref); ok {
		rs.Preference = v.(*omp.AttrPref).Preference
	}
	switch f.SAFI {
	case omp.SAFITLOC:
		rs.TLOC = tlocString(r.TLOC)
	case omp.SAFIVRoute:
		rs.VPN, rs.Prefix = r.VPN, r.Prefix
		if v, ok := omp.Find(r.Attrs, omp.AttrTypeTLOC); ok {
			t := v.(*omp.AttrTLOC)
			rs.NextHop = tlocString(omp.TLOCNLRI{Address: t.Address, Color: t.Color, Encap: t.Encap})
		}
	case omp.SAFIMulticast:
		rs.Multicast = fmt.Sprintf("%x", r.Multicast)
	default:
		rs.Raw = fmt.Sprintf("%x", r.Raw)
	}
	return rs
}

// policyState is the policy configured and received, for /policy.
func (rr *ribRouting) policyState() map[string]any {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	return map[string]any{"policy": string(rr.policy), "policy_received": string(rr.received)}
}
