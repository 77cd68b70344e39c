package catalog

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// Expectations that read a bounded answer of the DUT: everything it sends
// up to the OMP_INFORM_EOR that ends an advertisement (the initial one, or
// the answer to a REFRESH_REQUEST). TCP keeps order, so a REFRESH_REQUEST
// sent after a message is answered after the DUT handled it: what comes
// before that EOR is the DUT's answer, with no fixed wait.

// collect sends each of msgs on peer i, then (refresh) a REFRESH_REQUEST
// for each negotiated family, and gathers the DUT's messages until the
// EOR of each: its whole Adj-RIB-Out to the peer, whatever family the
// case looks for. Without refresh it gathers the initial advertisement,
// up to the EOR of each negotiated family. An ALERT, a close or
// Env.Answer without the EORs ends it early: end says how.
func (x *Exec) collect(i int, refresh bool, what string, msgs ...Msg) (got []omp.Message, end Event, skipped string) {
	var req Msg
	eors := newEORSet(x.fams[i])
	if refresh {
		// Drained first: what the DUT sends the peer before it answers a
		// first REFRESH_REQUEST is read and dropped, so that a route it
		// advertised late and has withdrawn since cannot pass for part
		// of the answer (the request below cuts only what was read
		// before it went out).
		if len(msgs) == 0 {
			breq, beors := x.refreshRequest(i)
			if _, end, skipped := x.gather(i, breq, beors, what); !beors.done {
				return nil, end, skipped
			}
		}
		if fams := x.fams[i]; len(fams) > 0 {
			for _, f := range fams[:len(fams)-1] {
				msgs = append(slices.Clip(msgs), Inform(omp.InformRefreshRequest, f.AFI, f.SAFI))
			}
			req = Inform(omp.InformRefreshRequest, fams[len(fams)-1].AFI, fams[len(fams)-1].SAFI)
		} else {
			req, eors = x.refreshRequest(i)
		}
	}
	return x.gather(i, req, eors, what, msgs...)
}

// collectQuery sends the QUERY q for vRoutes on peer i, then a
// REFRESH_REQUEST for a family the QUERY's answer cannot hold (a TLOC
// family), and gathers the DUT's messages until that family's EOR: the
// refresh's re-advertisement then holds no vRoute to be taken for the
// QUERY's answer. Without a TLOC family negotiated, the barrier asks for
// the family collect's does.
func (x *Exec) collectQuery(i int, what string, q Msg) (got []omp.Message, end Event, skipped string) {
	req, eors := x.refreshRequest(i)
	for _, f := range []omp.Family{{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC}, {AFI: omp.AFIIPv6, SAFI: omp.SAFITLOC}} {
		if slices.Contains(x.fams[i], f) {
			req, eors = Inform(omp.InformRefreshRequest, f.AFI, f.SAFI), newEORSet([]omp.Family{f})
			break
		}
	}
	return x.gather(i, req, eors, what, q)
}

// gather sends msgs on peer i, then req if it is set, and reads the DUT's
// messages until eors is complete. With a request, what the DUT sent
// before it (read before the request went out, not yet taken by the
// case) is not its answer: a route advertised then and withdrawn since
// is not in the answer, nor does an earlier EOR end it.
func (x *Exec) gather(i int, req Msg, eors *eorSet, what string, msgs ...Msg) (got []omp.Message, end Event, skipped string) {
	var since time.Time
	if req != nil {
		msgs = append(slices.Clip(msgs), req)
		since = time.Now()
	}
	for _, m := range msgs {
		if err := x.send(i, m); err != nil {
			return nil, Event{Kind: EvReset, Err: err}, ""
		}
	}
	end, skipped = x.await(i, x.Env.Answer, what, func(ev Event) bool {
		if _, ok := ev.Alert(); ok {
			return true
		}
		if ev.At.Before(since) {
			return false
		}
		if eors.see(ev.Msg) {
			return true
		}
		got = append(got, ev.Msg) // EORs of other families included
		return false
	})
	return got, end, skipped
}

// families are the (AFI, SAFI) an UPDATE's REACHABLES and UNREACHABLES
// carry.
func families(m omp.Message) []omp.Family {
	var out []omp.Family
	for _, a := range attrsOf(m) {
		if r, _ := omp.ReachOf(a.Value); r != nil && !slices.Contains(out, omp.Family{AFI: r.AFI, SAFI: r.SAFI}) {
			out = append(out, omp.Family{AFI: r.AFI, SAFI: r.SAFI})
		}
	}
	return out
}

// complete reports whether a collection ended with its EOR, and the
// verdict when it did not.
func (x *Exec) complete(exp Expectation, end Event, skipped string) (Verdict, bool) {
	if _, _, ok := eorOf(end.Msg); ok && end.Kind == EvMessage {
		return Verdict{}, true
	}
	if end.Kind == EvTimeout {
		return verdict(Fail, exp, "no OMP_INFORM_EOR within "+x.Env.Answer.String()+skipped, "the answer never ended"), false
	}
	return x.refused(exp, end, skipped), false
}

// ---- what an advertisement holds ------------------------------------------

type advertExp struct {
	refresh bool
	none    bool
	preds   []Pred
}

// InAdvertisement expects the DUT's advertisement, up to its next EOR (the
// end of its initial routing update), to hold a message that passes every
// predicate, before the EOR.
func InAdvertisement(preds ...Pred) Expectation { return advertExp{preds: preds} }

// InRefresh sends a REFRESH_REQUEST and expects the DUT's answer, up to
// its EOR, to hold a message that passes every predicate: what the DUT
// still advertises to this peer.
func InRefresh(preds ...Pred) Expectation { return advertExp{refresh: true, preds: preds} }

// NotInRefresh sends a REFRESH_REQUEST and expects the DUT's answer, up to
// its EOR, to hold no message that passes every predicate: what the DUT
// must not advertise to this peer.
func NotInRefresh(preds ...Pred) Expectation {
	return advertExp{refresh: true, none: true, preds: preds}
}

func (a advertExp) String() string {
	var ps []string
	for _, p := range a.preds {
		ps = append(ps, p.Desc)
	}
	what := "an UPDATE where " + strings.Join(ps, " and ")
	if a.none {
		return "the answer to a REFRESH_REQUEST, up to its EOR, holds no " + strings.TrimPrefix(what, "an ")
	}
	if a.refresh {
		return "the answer to a REFRESH_REQUEST, up to its EOR, holds " + what
	}
	return what + ", before the EOR that ends the advertisement"
}

func (advertExp) Alerts() []omp.AlertID { return nil }

func (a advertExp) check(x *Exec, peer int) Verdict {
	if a.refresh && !x.offersRefresh(peer) {
		return Verdict{Grade: Unsupported, Expected: a.String(), Received: "the DUT does not offer REFRESH", Reason: "the check needs a REFRESH_REQUEST answered"}
	}
	got, end, skipped := x.collect(peer, a.refresh, a.String())
	if v, ok := x.complete(a, end, skipped); !ok {
		return v
	}
	// A hit counts only before the EOR of its own family: an EOR ends
	// that family's advertisement, whatever others follow.
	var hit omp.Message
	var ended []omp.Family
	late := ""
	for _, m := range got {
		if f, all, ok := eorOf(m); ok {
			if all {
				break
			}
			ended = append(ended, f)
			continue
		}
		if m.Type() == omp.TypeUpdate && passesAll(x.Env, m, a.preds) {
			if slices.ContainsFunc(families(m), func(f omp.Family) bool { return slices.Contains(ended, f) }) {
				late = omp.Describe(m) + " after the EOR of its family"
				continue
			}
			hit = m
			break
		}
	}
	if hit == nil && late != "" && !a.none {
		return verdict(Fail, a, late, "the EOR came before the routes it should end")
	}
	switch {
	case a.none && hit != nil:
		return verdict(Fail, a, omp.Describe(hit)+", then EOR", "")
	case a.none:
		return verdict(Pass, a, fmt.Sprintf("%d messages, none of them that, then EOR", len(got)), "")
	case hit == nil:
		return verdict(Fail, a, fmt.Sprintf("%d messages, none of them that, then EOR%s", len(got), skipped), "")
	}
	return verdict(Pass, a, omp.Describe(hit)+", then EOR", "")
}

func passesAll(e *Env, m omp.Message, preds []Pred) bool {
	for _, p := range preds {
		if !p.Fn(e, m) {
			return false
		}
	}
	return true
}

// ---- what a QUERY answers --------------------------------------------------

type queryPathsExp struct{ bestPaths }

// QueriedPaths sends a QUERY for prefix (then a REFRESH_REQUEST, whose EOR
// ends the answer) and expects the answer to hold the paths via the
// winners' TLOCs and none via the losers': the DUT's best paths as the
// QUERY reports them (docs/query.md). On an SDN router, which advertises
// only its own routes, this is how its choice among learned paths shows
// on the wire.
func QueriedPaths(prefix string, winners []int, losers ...int) Expectation {
	return queryPathsExp{bestPaths{prefix: prefix, win: winners, lose: losers}}
}

// QueriedPaths6 is QueriedPaths for paths via the peers' IPv6 TLOCs
// (PeerID.TLOC6).
func QueriedPaths6(prefix string, winners []int, losers ...int) Expectation {
	return queryPathsExp{bestPaths{prefix: prefix, win: winners, lose: losers, v6: true}}
}

func (q queryPathsExp) String() string {
	s := fmt.Sprintf("the QUERY for %s answered with the path via %s", q.prefix, peerList(q.win))
	if len(q.win) == 0 {
		s = fmt.Sprintf("the QUERY for %s answered with no path", q.prefix)
	}
	if len(q.lose) > 0 {
		s += fmt.Sprintf(" and none via %s", peerList(q.lose))
	}
	if q.v6 {
		s += " (the IPv6 TLOCs)"
	}
	return s
}

func (queryPathsExp) Alerts() []omp.AlertID { return nil }

func (q queryPathsExp) check(x *Exec, peer int) Verdict {
	if !x.offersRefresh(peer) {
		return Verdict{Grade: Unsupported, Expected: q.String(), Received: "the DUT does not offer REFRESH", Reason: "the QUERY's answer is delimited by a REFRESH_REQUEST's EOR"}
	}
	p := netip.MustParsePrefix(q.prefix)
	got, end, skipped := x.collectQuery(peer, q.String(), Query(VRoutes(q.prefix)))
	if v, ok := x.complete(q, end, skipped); !ok {
		return v
	}
	have := map[netip.Addr]bool{}
	var seen []string
	for _, m := range got {
		if len(vroutesIn(x.Env, m, false, p)) == 0 {
			continue
		}
		if v, ok := omp.Find(attrsOf(m), omp.AttrTypeTLOC); ok {
			t := v.(*omp.AttrTLOC).Address
			if !have[t] {
				seen = append(seen, t.String())
			}
			have[t] = true
		}
	}
	slices.Sort(seen)
	rec := "paths via TLOC " + strings.Join(seen, ", ")
	if len(seen) == 0 {
		rec = "no path for " + q.prefix
	}
	rec += answeredBy
	return q.grade(x, q, have, rec, "a path via peer%d, which should not be best")
}

// answeredBy ends what a QUERY's answer held: what the DUT sent between
// the QUERY and the EOR that answers the REFRESH_REQUEST sent after it.
const answeredBy = " in the answer to the QUERY (up to the EOR of the REFRESH_REQUEST sent after it)"

// ---- sending as another router --------------------------------------------

// As builds m as fake peer j would, to be sent on another peer's session:
// a controller (the harness) passing on routes that SDN router j
// originated, with j's TLOC, Path ID and identity.
func As(j int, m M) M {
	inner := m.make
	m.desc = fmt.Sprintf("%s for router %d", m.desc, j)
	m.make = func(e *Env, _ int) omp.Message { return inner(e, j) }
	return m
}

// Originator is ATTR_TYPE_ORIGINATOR naming the sending fake peer's
// Router ID (with As, the router's the route is passed on for).
func Originator() A {
	return func(e *Env, i int) omp.Attribute {
		return omp.Attr(&omp.AttrOriginator{Originator: e.Peer(i).RouterID})
	}
}

// OriginatorOf is ATTR_TYPE_ORIGINATOR naming fake peer j's Router ID.
func OriginatorOf(j int) A {
	return func(e *Env, _ int) omp.Attribute {
		return omp.Attr(&omp.AttrOriginator{Originator: e.Peer(j).RouterID})
	}
}

// SiteID is ATTR_TYPE_SITE_ID naming the sending fake peer's Site ID
// (with As, the router's the route is passed on for).
func SiteID() A {
	return func(e *Env, i int) omp.Attribute {
		return omp.Attr(&omp.AttrSiteID{SiteID: e.Peer(i).SiteID})
	}
}

// learn keeps the first vRoute of the DUT's own that m advertises (one
// with no ATTR_TYPE_ORIGINATOR naming another router, outside the VPNs
// the cases use).
func (x *Exec) learn(m omp.Message) {
	if x.own != nil || m == nil || m.Type() != omp.TypeUpdate {
		return
	}
	var tloc netip.Addr
	if v, ok := omp.Find(attrsOf(m), omp.AttrTypeTLOC); ok {
		tloc = v.(*omp.AttrTLOC).Address
	}
	if o, ok := omp.Find(attrsOf(m), omp.AttrTypeOriginator); ok && x.Env.DUT != nil && o.(*omp.AttrOriginator).Originator != x.Env.DUT.PeerRouterID {
		return
	}
	for _, a := range attrsOf(m) {
		if r, ok := a.Value.(*omp.AttrReachables); ok && r.SAFI == omp.SAFIVRoute && tloc.IsValid() {
			for _, v := range r.VRoutes {
				if v.VPNID < 10000 || v.VPNID > 10000+0xFFFF {
					x.own = &DUTRoute{VPN: v.VPNID, Prefix: v.Prefix(), TLOC: tloc}
					return
				}
			}
		}
	}
}

// ownRouteExp asks the DUT for its own route after the harness passed on
// another router's path to the same prefix: the DUT's own path must stay
// the best; or (whole) that a QUERY for its whole family reports it; or
// (tloc) that a QUERY for the whole SAFI_TLOC family reports its TLOC.
type ownRouteExp struct {
	other  int
	whole  bool
	tloc   bool
	absent bool // OwnTLOCNotAbsent
}

// OwnRouteStaysBest sends a QUERY for the DUT's own vRoute (Env.OwnRoute)
// and expects the answer to hold the path via the DUT's own TLOC and none
// via fake router other's.
func OwnRouteStaysBest(other int) Expectation { return ownRouteExp{other: other} }

// OwnRouteInFamilyQuery sends a QUERY for the whole family of the DUT's
// own vRoute (ATTR_TYPE_REACHABLES with no NLRI) and expects the answer
// to hold its path via the DUT's own TLOC.
func OwnRouteInFamilyQuery() Expectation { return ownRouteExp{whole: true} }

// OwnTLOCInFamilyQuery sends a QUERY for the whole SAFI_TLOC family of
// the DUT's own TLOC (the ATTR_TYPE_TLOC of its own vRoute; REACHABLES
// with no NLRI) and expects the answer to advertise that TLOC. The answer
// is delimited by a REFRESH_REQUEST of a vRoute family, whose own answer
// holds no TLOC route.
func OwnTLOCInFamilyQuery() Expectation { return ownRouteExp{tloc: true} }

func (o ownRouteExp) String() string {
	if o.absent {
		return "the QUERY for the absence of the DUT's own TLOC and of a TLOC nobody advertised answered with the withdrawal of the latter alone"
	}
	if o.tloc {
		return "the QUERY for the whole SAFI_TLOC family of the DUT's own TLOC answered with its TLOC route"
	}
	if o.whole {
		return "the QUERY for the whole family of the DUT's own vRoute answered with its own path"
	}
	return fmt.Sprintf("the QUERY for the DUT's own vRoute answered with its own path, not router %d's", o.other)
}

func (ownRouteExp) Alerts() []omp.AlertID { return nil }

func (o ownRouteExp) check(x *Exec, peer int) Verdict {
	if o.absent {
		return o.checkAbsent(x, peer)
	}
	own := x.Env.OwnRoute
	switch {
	case own == nil:
		return Verdict{Grade: Unsupported, Expected: o.String(), Received: "the DUT advertised no vRoute of its own before the EOR of its initial routing update", Reason: "the case needs a route the DUT originates"}
	case !x.offersRefresh(peer):
		return Verdict{Grade: Unsupported, Expected: o.String(), Received: "the DUT does not offer REFRESH", Reason: "the QUERY's answer is delimited by a REFRESH_REQUEST's EOR"}
	}
	if o.tloc {
		return o.checkTLOC(x, peer, own)
	}
	q := Query(OwnVRoute())
	if o.whole {
		q = Query(func(e *Env, i int) omp.Attribute {
			r := ownReach(e, i)
			r.VRoutes = nil // no NLRI: the whole family
			return omp.Attr(&omp.AttrReachables{Reach: r})
		})
	}
	got, end, skipped := x.collectQuery(peer, o.String(), q)
	if v, ok := x.complete(o, end, skipped); !ok {
		return v
	}
	var tlocs []string
	mine, theirs := false, false
	for _, m := range got {
		if !holdsVRoute(m, own.VPN, own.Prefix) {
			continue
		}
		if v, ok := omp.Find(attrsOf(m), omp.AttrTypeTLOC); ok {
			t := v.(*omp.AttrTLOC).Address
			tlocs = append(tlocs, t.String())
			mine = mine || t == own.TLOC
			theirs = theirs || !o.whole && t == x.Env.Peer(o.other).TLOC
		}
	}
	rec := fmt.Sprintf("paths via TLOC %s for VPN %d %s", strings.Join(tlocs, ", "), own.VPN, own.Prefix)
	if len(tlocs) == 0 {
		rec = fmt.Sprintf("no path for VPN %d %s", own.VPN, own.Prefix)
	}
	rec += answeredBy
	switch {
	case theirs:
		return verdict(Fail, o, rec, fmt.Sprintf("router %d's path was chosen over the DUT's own", o.other))
	case !mine:
		return verdict(Fail, o, rec, "the DUT's own path is not reported")
	}
	return verdict(Pass, o, rec, "")
}

// vrouteDelimited is the REFRESH_REQUEST of a vRoute family that ends a
// QUERY's answer about TLOCs (its own answer holds no TLOC route), or the
// UNSUPPORTED verdict of a session without one.
func (o ownRouteExp) vrouteDelimited(x *Exec, peer int) (Msg, *eorSet, Verdict, bool) {
	req, eors := x.refreshRequest(peer)
	if f, ok := x.refreshFamily(peer); !ok || f.SAFI == omp.SAFITLOC || !x.offersRefresh(peer) {
		return nil, nil, Verdict{Grade: Unsupported, Expected: o.String(), Received: fmt.Sprintf("the session negotiated %v", x.fams[peer]),
			Reason: "the answer is delimited by a REFRESH_REQUEST of a vRoute family"}, false
	}
	return req, eors, Verdict{}, true
}

// checkTLOC asks for the whole SAFI_TLOC family of the DUT's own TLOC.
func (o ownRouteExp) checkTLOC(x *Exec, peer int, own *DUTRoute) Verdict {
	fam := omp.Family{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC}
	if own.TLOC.Is6() {
		fam.AFI = omp.AFIIPv6
	}
	req, eors, v, ok := o.vrouteDelimited(x, peer)
	if !ok {
		return v
	}
	if !slices.Contains(x.fams[peer], fam) {
		return Verdict{Grade: Unsupported, Expected: o.String(), Received: fmt.Sprintf("the session negotiated %v", x.fams[peer]),
			Reason: "the case needs the family of the DUT's TLOC"}
	}
	q := Query(func(*Env, int) omp.Attribute {
		return omp.Attr(&omp.AttrReachables{Reach: omp.Reach{AFI: fam.AFI, SAFI: fam.SAFI}})
	})
	got, end, skipped := x.gather(peer, req, eors, o.String(), q)
	if v, ok := x.complete(o, end, skipped); !ok {
		return v
	}
	var tlocs []string
	mine := false
	for _, m := range got {
		tlocIn(m, false, func(t omp.TLOCNLRI) bool {
			tlocs = append(tlocs, t.Address.String())
			mine = mine || t.Address == own.TLOC
			return false
		})
	}
	rec := "no TLOC route" + answeredBy
	if len(tlocs) > 0 {
		rec = "TLOC routes of " + strings.Join(tlocs, ", ") + answeredBy
	}
	if !mine {
		return verdict(Fail, o, rec, fmt.Sprintf("the DUT's own TLOC %s is not reported", own.TLOC))
	}
	return verdict(Pass, o, rec, "")
}

// OwnTLOCNotAbsent sends a QUERY whose ATTR_TYPE_UNREACHABLES names the
// TLOC the DUT originated for the case run (OwnTLOC) and one nobody
// advertised (fake peer 5's), and reads the answer up to the EOR of a
// REFRESH_REQUEST of a vRoute family (whose answer withdraws no TLOC):
// it withdraws the absent TLOC and not the DUT's own.
func OwnTLOCNotAbsent() Expectation { return ownRouteExp{absent: true} }

// checkAbsent asks whether the DUT's TLOC OwnTLOC and an absent one are absent.
func (o ownRouteExp) checkAbsent(x *Exec, peer int) Verdict {
	req, eors, v, ok := o.vrouteDelimited(x, peer)
	if !ok {
		return v
	}
	own := OwnTLOC(x.Env)
	absent := omp.TLOCNLRI{Address: x.Env.Peer(5).TLOC, Color: TLOCColor, Encap: TLOCEncap}
	q := Query(func(*Env, int) omp.Attribute {
		return omp.Attr(&omp.AttrUnreachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC, TLOCs: []omp.TLOCNLRI{own, absent}}})
	})
	got, end, skipped := x.gather(peer, req, eors, o.String(), q)
	if v, ok := x.complete(o, end, skipped); !ok {
		return v
	}
	var ownGone, absentGone bool
	for _, m := range got {
		ownGone = ownGone || tlocIn(m, true, func(t omp.TLOCNLRI) bool { return t == own })
		absentGone = absentGone || tlocIn(m, true, func(t omp.TLOCNLRI) bool { return t == absent })
	}
	rec := fmt.Sprintf("withdrawn in the answer: the DUT's TLOC %s %v, the absent TLOC %s %v", own.Address, ownGone, absent.Address, absentGone)
	switch {
	case ownGone:
		return verdict(Fail, o, rec, "the DUT's own TLOC is reported absent")
	case !absentGone:
		return verdict(Fail, o, rec, "the TLOC nobody advertised is not reported absent")
	}
	return verdict(Pass, o, rec, "")
}

// ownReach is SAFI_VROUTE reachability of the DUT's own vRoute, as fake
// peer i would advertise it.
func ownReach(e *Env, i int) omp.Reach {
	own := e.OwnRoute
	r := omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}
	if own == nil {
		return r
	}
	if own.Prefix.Addr().Is6() {
		r.AFI = omp.AFIIPv6
	}
	r.VRoutes = []omp.VRouteNLRI{{VPNID: own.VPN, PathID: uint32(1 + i), Label: labelOf(i), PrefixLen: uint8(own.Prefix.Bits()), Address: own.Prefix.Addr()}}
	return r
}

// OwnVRoute is ATTR_TYPE_REACHABLES with the DUT's own vRoute
// (Env.OwnRoute): another router's path to the DUT's prefix.
func OwnVRoute() A {
	return func(e *Env, i int) omp.Attribute { return omp.Attr(&omp.AttrReachables{Reach: ownReach(e, i)}) }
}
