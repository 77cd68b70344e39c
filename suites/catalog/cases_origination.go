package catalog

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/ompconform/ompconform/dut/control"
	"github.com/ompconform/ompconform/omp"
)

// Origination on an SDN router (edge or hub DUT): its operator adds a
// vRoute and removes it again through the DUT control contract
// (docs/dut-control.md: originate, withdraw), and the router advertises
// each change at once to its controller, the harness's fake peer.

// originated is the prefix the DUT's operator originates, in the case
// run's VPN (Env.VPN).
const originated = "198.18.77.0/24"

// originatedV6 is the IPv6 prefix the DUT's operator originates.
const originatedV6 = "2001:db8:77::/48"

// ViaOwnTLOC: the message names a next hop (ATTR_TYPE_TLOC), the DUT's
// own TLOC when the probe learned it (Env.OwnRoute).
func ViaOwnTLOC() Pred {
	return Pred{"its next hop is the DUT's own TLOC", func(e *Env, m omp.Message) bool {
		v, ok := omp.Find(attrsOf(m), omp.AttrTypeTLOC)
		if !ok {
			return false
		}
		return e.OwnRoute == nil || v.(*omp.AttrTLOC).Address == e.OwnRoute.TLOC
	}}
}

// NamesDUT: the message's ATTR_TYPE_ORIGINATOR and ATTR_TYPE_SITE_ID,
// where present (one at least), are the Router ID and Site ID of the
// DUT's HANDSHAKE.
func NamesDUT() Pred { return namesDUT(true) }

// NamesDUTWherePresent: the message's ATTR_TYPE_ORIGINATOR and
// ATTR_TYPE_SITE_ID, where present (neither need be), are the Router ID
// and Site ID of the DUT's HANDSHAKE.
func NamesDUTWherePresent() Pred { return namesDUT(false) }

func namesDUT(needOne bool) Pred {
	what := "its ORIGINATOR and SITE_ID are the DUT's HANDSHAKE's Router ID and Site ID"
	if !needOne {
		what = "its ORIGINATOR and SITE_ID, where present, are the DUT's HANDSHAKE's Router ID and Site ID"
	}
	return Pred{what, func(e *Env, m omp.Message) bool {
		if e.DUT == nil {
			return false
		}
		named := false
		for _, a := range attrsOf(m) {
			switch v := a.Value.(type) {
			case *omp.AttrOriginator:
				if v.Originator != e.DUT.PeerRouterID {
					return false
				}
				named = true
			case *omp.AttrSiteID:
				if v.SiteID != e.DUT.SiteID {
					return false
				}
				named = true
			}
		}
		return named || !needOne
	}}
}

func originationCases() []Case {
	p := originated
	advertised := ExpectMessage(omp.TypeUpdate, HasVRoute(p), ViaOwnTLOC())
	oc := func(id, reading string, script ...Step) Case {
		return Case{ID: id, Section: "3.1-distribution", Level: SHOULD, Basis: Draft, Requirement: reqController,
			Reading: reading, Roles: Edges, Needs: append([]Need{NeedControl(control.Originate)}, vroute...), Type: omp.TypeUpdate, Script: script}
	}
	tc := func(id, reading string, script ...Step) Case {
		return Case{ID: id, Section: "3.1-distribution", Level: SHOULD, Basis: Draft, Requirement: reqController,
			Reading: reading, Roles: Edges, Needs: []Need{NeedControl(control.OriginateTLOC), NeedFamily(omp.AFIIPv4, omp.SAFITLOC)}, Type: omp.TypeUpdate, Script: script}
	}
	return []Case{
		{ID: "ORG-003", Section: "3.1.3", Level: SHOULD, Basis: Project, Requirement: "ATTR_TYPE_SITE_ID Format [...] | Site ID | [...] ATTR_TYPE_ORIGINATOR Format [...] | Originator |",
			Reading: "A route the SDN router originates names it as its HANDSHAKE did: ATTR_TYPE_ORIGINATOR its Peer Router ID, ATTR_TYPE_SITE_ID its Site ID (the draft gives the attributes' layout only; ompconform reads them as the originator's identity, which the controller reflects and best-path step 7 compares).",
			Roles:   Edges, Needs: append([]Need{NeedControl(control.Originate)}, vroute...), Type: omp.TypeUpdate,
			Script: []Step{Open(0), OriginateRoute(p), ExpectOn(0, ExpectMessage(omp.TypeUpdate, HasVRoute(p), NamesDUT())), WithdrawRoute(p)}},
		tc("ORG-004", "A TLOC the SDN router's operator originates is advertised at once to its controller (SAFI_TLOC; the harness's operator action originate-tloc).",
			Open(0), OriginateTLOC(), ExpectOn(0, ExpectMessage(omp.TypeUpdate, OwnTLOCIn(false))), WithdrawTLOC()),
		tc("ORG-007", "A TLOC the SDN router originates names it as its HANDSHAKE did, as its vRoutes do (ORG-003): the ATTR_TYPE_ORIGINATOR and ATTR_TYPE_SITE_ID of its TLOC route, where present, are its Peer Router ID and its Site ID (the draft gives the attributes' layout only; ompconform reads them as the originator's identity).",
			Open(0), OriginateTLOC(), ExpectOn(0, ExpectMessage(omp.TypeUpdate, OwnTLOCIn(false), NamesDUTWherePresent())), WithdrawTLOC()),
		tc("ORG-005", "A TLOC the operator withdraws is withdrawn from the controller at once: an UPDATE with it in ATTR_TYPE_UNREACHABLES (originate-tloc, then withdraw-tloc).",
			Open(0), OriginateTLOC(), ExpectOn(0, ExpectMessage(omp.TypeUpdate, OwnTLOCIn(false))), WithdrawTLOC(), ExpectOn(0, ExpectMessage(omp.TypeUpdate, OwnTLOCIn(true)))),
		oc("ORG-001", "A vRoute the SDN router's operator originates is advertised at once to its controller, over the router's own TLOC (the harness's operator action originate).",
			Open(0), OriginateRoute(p), ExpectOn(0, advertised), WithdrawRoute(p)),
		{ID: "ORG-008", Section: "3.1-distribution", Level: SHOULD, Basis: Draft, Requirement: reqController,
			Reading: "An IPv6 vRoute the operator originates, then withdraws, is advertised at once to the controller and withdrawn at once (ORG-001 and ORG-002 for AFI_IPv6): an UPDATE with it in ATTR_TYPE_UNREACHABLES of AFI_IPv6 under the Path ID it was advertised with.",
			Roles:   Edges, Needs: []Need{NeedControl(control.Originate), NeedFamily(omp.AFIIPv6, omp.SAFIVRoute)}, Type: omp.TypeUpdate,
			Script: []Step{Open(0), OriginateRoute(originatedV6), ExpectOn(0, ExpectMessage(omp.TypeUpdate, HasVRoute(originatedV6), ViaOwnTLOC())),
				WithdrawRoute(originatedV6), ExpectOn(0, PathWithdrawn(originatedV6))}},
		{ID: "ORG-009", Section: "3.1.2.1", Level: SHOULD, Basis: BGP, Source: "RFC 4760 6", Requirement: reqMP,
			Reading: "A route the operator originates goes only to the peers that negotiated its family (NEG-001 for a route originated while the session is up): to peer0, which listed only AFI_IPV4/SAFI_VROUTE and AFI_IPV4/SAFI_TLOC, an IPv6 vRoute the operator originates is not sent within a second, and an IPv4 one originated after it is.",
			Roles:   Edges, Needs: []Need{NeedControl(control.Originate), NeedFamily(omp.AFIIPv6, omp.SAFIVRoute), NeedFamily(omp.AFIIPv4, omp.SAFITLOC), vroute[0]}, Type: omp.TypeUpdate,
			Script: []Step{Open(0, ipv4Only()), OriginateRoute(originatedV6), ExpectOn(0, NoMessage(omp.TypeUpdate, 1, HasVRoute(originatedV6))),
				OriginateRoute(p), ExpectOn(0, advertised), WithdrawRoute(p), WithdrawRoute(originatedV6)}},
		{ID: "ORG-010", Section: "3.1-distribution", Level: SHOULD, Basis: Draft, Requirement: reqController,
			Reading: "An IPv6 TLOC the operator originates, then withdraws, is advertised and withdrawn at once (ORG-004 and ORG-005 for OMP_AF_TLOC_IPv6): UPDATEs with it in ATTR_TYPE_REACHABLES, then ATTR_TYPE_UNREACHABLES, of AFI_IPv6/SAFI_TLOC.",
			Roles:   Edges, Needs: []Need{NeedControl(control.OriginateTLOC), NeedFamily(omp.AFIIPv6, omp.SAFITLOC)}, Type: omp.TypeUpdate,
			Script: []Step{Open(0), OriginateTLOCV6(), ExpectOn(0, ExpectMessage(omp.TypeUpdate, OwnTLOCV6In(false))), WithdrawTLOCV6(), ExpectOn(0, ExpectMessage(omp.TypeUpdate, OwnTLOCV6In(true)))}},
		oc("ORG-002", "A vRoute the operator withdraws is withdrawn from the controller at once: an UPDATE with it in ATTR_TYPE_UNREACHABLES under the Path ID it was advertised with (RFC 7911 3: a path is its prefix and Path ID; the operator actions originate, then withdraw).",
			Open(0), OriginateRoute(p), ExpectOn(0, advertised), WithdrawRoute(p), ExpectOn(0, PathWithdrawn(p))),
		{ID: "ORG-006", Section: "2", Level: SHOULD, Basis: Draft, Requirement: reqSDNRouter,
			Reading: "An SDN router advertises the networks it learns locally, not the routes OMP gave it (routes learnt via OMP are not even redistributed downstream by default, section 3.1): router 2's route, which controller peer0 passes on, is not in the SDN router's advertisement to controller peer1, the answer to peer1's REFRESH_REQUEST.",
			Roles:   Edges, Needs: append([]Need{NeedFamily(omp.AFIIPv4, omp.SAFITLOC), NeedCap(omp.CapCodeRefresh)}, vroute...), Type: omp.TypeUpdate,
			Script: []Step{Open(0), Open(1), Send(0, As(2, Update(TLOCRoutes(), Originator()))), Send(0, As(2, RouteUpdate(Originator()))), ExpectOn(0, Accept()),
				ExpectOn(1, NotInRefresh(HasVRoute(DefaultPrefix)))}},
	}
}

const reqSDNRouter = "SDN Routers: A router that is managed by an SDN controller infrastructure, peers with Routing controller with OMP. It learns locally attached networks and prefixes via traditional routing mechanisms and advertises to Routing Controller via OMP."

type pathWithdrawnExp struct{ prefix netip.Prefix }

// maxNamedPathIDs bounds the Path IDs a PathWithdrawn verdict quotes: a
// DUT flooding withdrawals of the prefix adds no more.
const maxNamedPathIDs = 16

// PathWithdrawn expects the DUT to withdraw every path to prefix (in the
// case run's VPN) it advertised on the session, within Env.Answer: an
// UPDATE after which the fake peer holds none of them, each withdrawn
// by its prefix and Path ID (RFC 7911 3). A withdrawal under another
// Path ID leaves the advertised path held, and fails.
func PathWithdrawn(prefix string) Expectation { return pathWithdrawnExp{netip.MustParsePrefix(prefix)} }

func (w pathWithdrawnExp) String() string {
	return fmt.Sprintf("UPDATE that withdraws %s under the Path ID it was advertised with", w.prefix)
}

func (pathWithdrawnExp) Alerts() []omp.AlertID { return nil }

func (w pathWithdrawnExp) check(x *Exec, peer int) Verdict {
	held := func() (ids []uint32) {
		for k := range x.adjIn[peer] {
			if k.prefix == w.prefix {
				ids = append(ids, k.pathID)
			}
		}
		slices.Sort(ids)
		return ids
	}
	var named []uint32 // the Path IDs the DUT's withdrawals of prefix named
	ev, skipped := x.await(peer, x.Env.Answer, w.String(), func(ev Event) bool {
		if _, ok := ev.Alert(); ok {
			return true
		}
		for _, v := range vroutesIn(x.Env, ev.Msg, true, w.prefix) {
			if len(named) < maxNamedPathIDs {
				named = append(named, v.PathID)
			}
		}
		return len(named) > 0 && len(held()) == 0
	})
	switch {
	case len(named) > 0 && len(held()) == 0:
		return verdict(Pass, w, fmt.Sprintf("%s, Path ID %v%s", ev, named, skipped), "")
	case len(named) > 0:
		return verdict(Fail, w, fmt.Sprintf("withdrawals of %s under Path ID %v%s", w.prefix, named, skipped),
			fmt.Sprintf("the path advertised under Path ID %v is still held: a path is its prefix and Path ID (RFC 7911 3)", held()))
	case ev.Kind == EvTimeout:
		return verdict(Fail, w, fmt.Sprintf("no withdrawal of %s within %s%s", w.prefix, x.Env.Answer, skipped), "")
	}
	return x.refused(w, ev, skipped)
}
