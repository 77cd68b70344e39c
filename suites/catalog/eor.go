package catalog

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/ompconform/ompconform/omp"
)

// What an End-of-RIB closes. The DUT's own vRoute (Env.OwnRoute, learned
// from its initial advertisement when the run began) is what the harness
// knows the DUT must advertise: a refresh of its family re-advertises it
// before that family's EOR (RFC 2918 4), and the initial routing update
// holds it before its EOR, not after (RFC 4724 2).

// ownFamily is the family of the DUT's own vRoute own.
func ownFamily(own *DUTRoute) omp.Family {
	if own.Prefix.Addr().Is4() {
		return omp.Family{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}
	}
	return omp.Family{AFI: omp.AFIIPv6, SAFI: omp.SAFIVRoute}
}

// holdsVRoute reports whether m, an UPDATE, advertises VPN vpn's prefix.
func holdsVRoute(m omp.Message, vpn uint64, prefix netip.Prefix) bool {
	for _, a := range attrsOf(m) {
		if r, ok := a.Value.(*omp.AttrReachables); ok && r.SAFI == omp.SAFIVRoute &&
			slices.ContainsFunc(r.VRoutes, func(v omp.VRouteNLRI) bool { return v.VPNID == vpn && v.Prefix() == prefix }) {
			return true
		}
	}
	return false
}

// ---- a refresh re-advertises -----------------------------------------------

type readvertExp struct{ fam *omp.Family }

// Readvertises expects the answer to the REFRESH_REQUEST just sent, for
// family fam (nil: every family), to end with the OMP_INFORM_EOR of each
// family asked (nil: each negotiated one, or one EOR of every family), to
// hold the DUT's own vRoute before the EOR of its family when the request
// covers it, and, for one family, to be followed by no EOR of another
// within Env.Settle: the DUT answers what was asked.
func Readvertises(fam *omp.Family) Expectation { return readvertExp{fam} }

func (r readvertExp) String() string {
	if r.fam == nil {
		return "the DUT's own routes re-advertised, then OMP_INFORM_EOR of every negotiated family (or one of every family)"
	}
	return "the DUT's own routes of the family re-advertised, then its OMP_INFORM_EOR, and no EOR of another family"
}

func (readvertExp) Alerts() []omp.AlertID { return nil }

func (r readvertExp) check(x *Exec, peer int) Verdict {
	own := x.Env.OwnRoute
	needOwn := own != nil && (r.fam == nil || *r.fam == ownFamily(own))
	asked := x.fams[peer]
	if r.fam != nil {
		asked = []omp.Family{*r.fam}
	}
	eors := newEORSet(asked)
	seen, ownEnded, seenBefore := false, !needOwn, false
	var last omp.Message
	ev, skipped := x.await(peer, x.Env.Answer, r.String(), func(ev Event) bool {
		if _, ok := ev.Alert(); ok {
			return true
		}
		if needOwn && holdsVRoute(ev.Msg, own.VPN, own.Prefix) {
			seen = true
		}
		f, all, ok := eorOf(ev.Msg)
		if !ok {
			return false
		}
		last = ev.Msg
		if !ownEnded && (all || f == ownFamily(own)) {
			ownEnded, seenBefore = true, seen
		}
		return eors.see(ev.Msg)
	})
	if !eors.done {
		if ev.Kind == EvTimeout {
			got := "no OMP_INFORM_EOR"
			if last != nil {
				got = "the last EOR " + omp.Describe(last) + ", none for " + familyList(eors.want)
			}
			return verdict(Fail, r, got+" within "+x.Env.Answer.String()+skipped, "the REFRESH_REQUEST was not answered for every family it asked")
		}
		return x.refused(r, ev, skipped)
	}
	if needOwn && !seenBefore {
		return verdict(Fail, r, omp.Describe(last)+skipped, fmt.Sprintf("the DUT's own vRoute (VPN %d %s), which it advertised when the session opened, was not re-advertised before the EOR of its family", own.VPN, own.Prefix))
	}
	got := omp.Describe(last) + skipped
	if needOwn {
		got = fmt.Sprintf("its own vRoute (VPN %d %s), then %s", own.VPN, own.Prefix, got)
	}
	if r.fam != nil {
		extra, _ := x.await(peer, x.Env.Settle, r.String(), func(ev Event) bool {
			f, all, ok := eorOf(ev.Msg)
			return ok && (all || f != *r.fam)
		})
		if extra.Kind == EvMessage {
			return verdict(Fail, r, got+", then "+omp.Describe(extra.Msg), "the DUT answered for a family the REFRESH_REQUEST did not ask")
		}
	}
	return verdict(Pass, r, got, "")
}

// ---- the initial routing update ends -----------------------------------------

type initialEndsExp struct{}

// InitialUpdateEnds expects the DUT to end its initial routing update
// with OMP_INFORM_EOR, and to send no UPDATE of a route of its own in a
// family after that family's EOR for Env.Settle: the routes it had
// when the session opened come before the EOR, not after.
func InitialUpdateEnds() Expectation { return initialEndsExp{} }

func (initialEndsExp) String() string {
	return "OMP_INFORM_EOR, and no UPDATE of the DUT's own routes of a family after that family's EOR"
}

func (initialEndsExp) Alerts() []omp.AlertID { return nil }

func (e initialEndsExp) check(x *Exec, peer int) Verdict {
	ev, skipped := x.await(peer, x.Env.Answer, e.String(), func(ev Event) bool {
		_, alert := ev.Alert()
		_, _, eor := eorOf(ev.Msg)
		return alert || eor
	})
	first := ev.Msg
	if _, _, ok := eorOf(first); !ok || ev.Kind != EvMessage {
		if ev.Kind == EvTimeout {
			return verdict(Fail, e, "no OMP_INFORM_EOR within "+x.Env.Answer.String()+skipped, "the initial routing update never ended")
		}
		return x.refused(e, ev, skipped)
	}
	ended := map[omp.Family]bool{}
	all := false
	endOf := func(m omp.Message) {
		if f, a, ok := eorOf(m); ok {
			ended[f], all = true, all || a
		}
	}
	endOf(first)
	var late omp.Message
	ev, _ = x.await(peer, x.Env.Settle, e.String(), func(ev Event) bool {
		if _, ok := ev.Alert(); ok {
			return true
		}
		endOf(ev.Msg)
		if ev.Msg.Type() != omp.TypeUpdate || !x.ownUpdate(peer, ev) {
			return false
		}
		for _, f := range families(ev.Msg) {
			if all || ended[f] {
				late = ev.Msg
				return true
			}
		}
		return false
	})
	switch {
	case late != nil:
		return verdict(Fail, e, fmt.Sprintf("%s%s, then %s", omp.Describe(first), skipped, omp.Describe(late)),
			"the DUT advertised a route of its own after the EOR that ended that family's initial routing update")
	case ev.Kind != EvTimeout:
		return x.refused(e, ev, skipped)
	}
	return verdict(Pass, e, omp.Describe(first)+skipped+", then none of its own routes for "+x.Env.Settle.String(), "")
}

// ownUpdate reports whether ev, an UPDATE on peer's session, advertises a
// route the DUT itself originates and had as the session opened, and is
// known to: its ATTR_TYPE_ORIGINATOR names the DUT, or, without one, it
// carries the DUT's own vRoute or TLOC (Env.OwnRoute: what a relayed
// route without an ORIGINATOR cannot be told from is not judged); and an
// NLRI of it is in no case run's VPN or TLOC, fake peers' or OwnTLOC's (a
// route or TLOC the DUT's operator originates for a case, ORG-*, is that
// case's, and may come at any time).
func (x *Exec) ownUpdate(peer int, ev Event) bool {
	attrs := attrsOf(ev.Msg)
	if o, ok := omp.Find(attrs, omp.AttrTypeOriginator); ok {
		if hs := x.dut[peer]; hs == nil || o.(*omp.AttrOriginator).Originator != hs.PeerRouterID {
			return false
		}
	} else if own := x.Env.OwnRoute; own == nil || !holdsVRoute(ev.Msg, own.VPN, own.Prefix) && !carriesTLOC(attrs, own.TLOC) {
		return false
	}
	for _, a := range attrs {
		r, _ := omp.ReachOf(a.Value)
		if r == nil || a.Value.AttrType() != omp.AttrTypeReachables {
			continue
		}
		for _, v := range r.VRoutes {
			if _, ok := RunOfVPN(v.VPNID); !ok {
				return true
			}
		}
		for _, m := range r.Multicast {
			if _, ok := RunOfVPN(m.VPNID); !ok {
				return true
			}
		}
		for _, t := range r.TLOCs {
			_, fake := RunOfTLOC(t.Address)
			if _, forCase := RunOfOwnTLOC(t.Address); !fake && !forCase {
				return true
			}
		}
	}
	return false
}

// carriesTLOC reports whether attrs have tloc as their next hop
// (ATTR_TYPE_TLOC) or advertise it (SAFI_TLOC).
func carriesTLOC(attrs []omp.Attribute, tloc netip.Addr) bool {
	if v, ok := omp.Find(attrs, omp.AttrTypeTLOC); ok && v.(*omp.AttrTLOC).Address == tloc {
		return true
	}
	for _, a := range attrs {
		if r, ok := a.Value.(*omp.AttrReachables); ok && slices.ContainsFunc(r.TLOCs, func(t omp.TLOCNLRI) bool { return t.Address == tloc }) {
			return true
		}
	}
	return false
}
