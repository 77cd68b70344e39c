package catalog

import (
	"bytes"
	"slices"

	"github.com/ompconform/ompconform/dut/control"
	"github.com/ompconform/ompconform/omp"
)

// QUERY (section 3.1.6), POLICY (the first 3.1.7) and INFORM (the second
// 3.1.7).

const reqQuery = "QUERY Message Format: Attribute Length : 2 bytes. Total length of data excluding attribute length field of 2 bytes. Data: Variable. Filled with ATTR_TYPE_UNREACHABLES and ATTR_TYPE_REACHABLES."

func queryCases() []Case {
	const readAnswer = "How a QUERY is answered is not specified; here only its acceptance is judged (QRY-010 and QRY-011 judge answers)."
	const readQuery = "The draft gives the QUERY's layout, not its answer; ompconform reads it (docs/query.md) as a question about the Loc-RIB, answered with UPDATEs: REACHABLES asks for the best paths of the prefixes, UNREACHABLES for those absent."
	return []Case{
		{ID: "QRY-001", Section: "3.1.6", Level: MUST, Basis: Draft, Requirement: reqQuery, Reading: "A QUERY for a vRoute. " + readAnswer, Needs: vroute,
			Send: Query(VRoutes(DefaultPrefix)), Expect: Accept()},
		{ID: "QRY-002", Section: "3.1.6", Level: MUST, Basis: Draft, Requirement: reqQuery, Reading: "A QUERY with ATTR_TYPE_UNREACHABLES. " + readAnswer, Needs: vroute,
			Send: Query(WithdrawVRoutes(DefaultPrefix)), Expect: Accept()},
		{ID: "QRY-003", Section: "3.1.6", Level: MUST, Basis: Draft, Requirement: reqQuery, Reading: "A QUERY with both. " + readAnswer, Needs: vroute,
			Send: Query(VRoutes(DefaultPrefix), WithdrawVRoutes("192.168.9.0/24")), Expect: Accept()},
		{ID: "QRY-004", Section: "3.1.6", Level: SHOULD, Basis: Draft, Requirement: reqQuery, Reading: "An empty QUERY (Attribute Length 0). " + readAnswer,
			Send: Query(), Expect: Accept()},
		{ID: "QRY-005", Section: "3.1.6", Level: MUST, Basis: Draft, Requirement: reqQuery, Reading: "An Attribute Length that runs past the message: its attributes are read as an UPDATE's, with the UPDATE subcodes.", Needs: vroute,
			Send: Query(VRoutes(DefaultPrefix)).Mutate("query.attribute_length", Inc()), Expect: Alert(omp.ErrUpdate, omp.SubErrUpdateAttrList).ThenClose()},
		{ID: "QRY-006", Section: "3.1.6", Level: MUST, Basis: Draft, Requirement: reqQuery + " [...] OMP_SUB_ERR_UPDATE_BAD_NET = 8", Reading: "A QUERY for a vRoute with Prefix length 33.", Needs: vroute,
			Send: Query(VRoutes(DefaultPrefix)).Mutate("query.attr[0].value.nlri[0].prefix_length", Set(33)), Expect: Alert(omp.ErrUpdate, omp.SubErrUpdateBadNet).ThenClose()},
		{ID: "QRY-007", Section: "3.1.6", Level: MUST, Basis: Draft, Requirement: reqQuery, Reading: "A QUERY with ATTR_TYPE_REACHABLES twice.", Needs: vroute,
			Send: Query(VRoutes(DefaultPrefix)).Mutate("query.attr[0]", Duplicate()), Expect: Alert(omp.ErrUpdate, omp.SubErrUpdateAttrList).ThenClose()},
		{ID: "QRY-017", Section: "3.1.6", Level: SHOULD, Basis: Draft, Requirement: reqQuery,
			Reading: "A byte after the attributes that no Length counts: the Attribute Length frames the list as an UPDATE's does (UPD-012), with the UPDATE subcodes (docs/query.md: a QUERY decodes like an UPDATE).", Needs: vroute,
			Send: Query(VRoutes(DefaultPrefix)).Mutate("query", Extend([]byte{0})), Expect: Alert(omp.ErrUpdate, omp.SubErrUpdateAttrList).ThenClose()},
		{ID: "QRY-018", Section: "3.1.6", Level: SHOULD, Basis: Project, Requirement: reqQuery + " [...] OMP_SUB_ERR_UPDATE_LENGTH = 5",
			Reading: "A QUERY's attributes are checked as an UPDATE's (docs/query.md: same attribute rules, same ALERTs for a malformed one): an ATTR_TYPE_PREF of 3 bytes beside the REACHABLES is refused with OMP_SUB_ERR_UPDATE_LENGTH (UPD-210 in an UPDATE), or with OMP_SUB_ERR_UPDATE_ATTR_LIST by a DUT that takes no attribute but REACHABLES and UNREACHABLES in a QUERY (QRY-008), not skipped.", Needs: vroute,
			Send:   Query(VRoutes(DefaultPrefix), Attr(&omp.AttrPref{Preference: 1})).Mutate("query.attr[1].value", Truncate(1)),
			Expect: Alert(omp.ErrUpdate, omp.SubErrUpdateLength).Or(omp.ErrUpdate, omp.SubErrUpdateAttrList).ThenClose()},
		{ID: "QRY-010", Section: "3.1.6", Level: SHOULD, Basis: Project, Requirement: reqQuery,
			Reading: readQuery + " peer0 advertises its TLOC and a vRoute, then asks for that prefix: the DUT answers with an UPDATE that advertises it.",
			Needs:   append(vroute, NeedFamily(omp.AFIIPv4, omp.SAFITLOC)), Type: omp.TypeQuery,
			Script: slices.Concat([]Step{Open(0)}, announce(0, RouteUpdate()), []Step{Send(0, Query(VRoutes(DefaultPrefix))),
				ExpectOn(0, ExpectMessage(omp.TypeUpdate, HasVRoute(DefaultPrefix)))})},
		{ID: "QRY-012", Section: "3.1.6", Level: SHOULD, Basis: Project, Requirement: reqQuery,
			Reading: readQuery + " A QUERY for an IPv6 vRoute (ATTR_TYPE_REACHABLES of AFI_IPv6, SAFI_VROUTE) is answered as one for an IPv4 vRoute (QRY-010): peer0 advertises its TLOC and a vRoute to 2001:db8:1::/48, then asks for that prefix: the DUT answers with an UPDATE that advertises it.",
			Needs:   []Need{NeedFamily(omp.AFIIPv6, omp.SAFIVRoute), NeedFamily(omp.AFIIPv4, omp.SAFITLOC)}, Type: omp.TypeQuery,
			Script: slices.Concat([]Step{Open(0)}, announce(0, Update(TLOC(), VRoutes("2001:db8:1::/48"))), []Step{Send(0, Query(VRoutes("2001:db8:1::/48"))),
				ExpectOn(0, ExpectMessage(omp.TypeUpdate, HasVRoute("2001:db8:1::/48")))})},
		{ID: "QRY-011", Section: "3.1.6", Level: SHOULD, Basis: Project, Requirement: reqQuery,
			Reading: readQuery + " A QUERY with ATTR_TYPE_UNREACHABLES for a prefix nobody advertised asks whether it is absent: the DUT answers with an UPDATE that withdraws it.",
			Needs:   vroute, Type: omp.TypeQuery,
			Script: []Step{Open(0), Send(0, Query(WithdrawVRoutes("192.168.9.0/24"))),
				ExpectOn(0, ExpectMessage(omp.TypeUpdate, WithdrawsVRoute("192.168.9.0/24")))}},
		{ID: "QRY-013", Section: "3.1.6", Level: SHOULD, Basis: Project, Requirement: reqQuery,
			Reading: readQuery + " Only best paths are reported: peer0's vRoute at ATTR_TYPE_PREF 200 and peer2's at 100, from another site, to the same prefix; the answer to peer0's QUERY for it reports peer0's path, the best (step 3), and not peer2's, which it beats.",
			Roles:   Controller, Needs: append(vroute, NeedFamily(omp.AFIIPv4, omp.SAFITLOC)), Type: omp.TypeQuery,
			Script: slices.Concat([]Step{Open(0), Open(2)}, announce(0, RouteUpdate(pref(200))), []Step{ExpectOn(0, Accept())}, announce(2, RouteUpdate(pref(100))),
				[]Step{ExpectOn(2, Accept()), ExpectOn(0, QueriedPaths(DefaultPrefix, []int{0}, 2))})},
		{ID: "QRY-014", Section: "3.1.6", Level: SHOULD, Basis: Project, Requirement: reqQuery, Exclusive: true,
			Reading: readQuery + " A destination is absent when it has no best path, though it has paths: peer0 advertises a vRoute whose TLOC nobody advertised, so it is not valid (step 1), then asks with ATTR_TYPE_UNREACHABLES whether the prefix is absent: the DUT answers with an UPDATE that withdraws it. The draft does not say what makes a route valid; ompconform reads it as its next hop's TLOC being advertised, as BP-001 does, and like BP-001 the case runs alone: another case's TLOC must not be what changes the route's validity.",
			Needs:   vroute, Type: omp.TypeQuery,
			Script: []Step{Open(0), Send(0, RouteUpdate()), ExpectOn(0, Accept()), Send(0, Query(WithdrawVRoutes(DefaultPrefix))),
				ExpectOn(0, ExpectMessage(omp.TypeUpdate, WithdrawsVRoute(DefaultPrefix)))}},
		{ID: "QRY-015", Section: "3.1.6", Level: SHOULD, Basis: Project, Requirement: reqQuery,
			Reading: readQuery + " A QUERY with ATTR_TYPE_UNREACHABLES for two prefixes, one peer0 advertised and one nobody did, asks which of them are absent: the DUT's first message after it withdraws the absent one, not the one it has.",
			Needs:   append(vroute, NeedFamily(omp.AFIIPv4, omp.SAFITLOC)), Type: omp.TypeQuery,
			Script: slices.Concat([]Step{Open(0)}, announce(0, RouteUpdate()), []Step{ExpectOn(0, Accept()), Send(0, Query(WithdrawVRoutes(DefaultPrefix, "192.168.9.0/24"))),
				ExpectOn(0, ExpectMessage(omp.TypeUpdate, WithdrawsVRoute("192.168.9.0/24"), notPred(WithdrawsVRoute(DefaultPrefix))).First())})},
		{ID: "QRY-016", Section: "3.1.6", Level: SHOULD, Basis: Project, Requirement: reqQuery,
			Reading: readQuery + " A QUERY whose ATTR_TYPE_REACHABLES names a family and no NLRI asks for the whole family of the Loc-RIB, which on an SDN router holds its own routes beside those it learned: the answer holds its own vRoute (from its initial advertisement), via its own TLOC.",
			Roles:   Edges, Needs: append(vroute, NeedCap(omp.CapCodeRefresh)), Type: omp.TypeQuery,
			Script: []Step{Open(0), ExpectOn(0, OwnRouteInFamilyQuery())}},
		{ID: "QRY-019", Section: "3.1.6", Level: SHOULD, Basis: Project, Requirement: reqQuery,
			Reading: readQuery + " A QUERY whose ATTR_TYPE_REACHABLES names SAFI_TLOC and no NLRI asks for the whole TLOC family of the Loc-RIB, which on an SDN router holds its own TLOCs beside those it learned (QRY-016 for TLOCs): the answer advertises its own TLOC (the ATTR_TYPE_TLOC of its own vRoute, from its initial advertisement).",
			Roles:   Edges, Needs: append(vroute, NeedFamily(omp.AFIIPv4, omp.SAFITLOC), NeedCap(omp.CapCodeRefresh)), Type: omp.TypeQuery,
			Script: []Step{Open(0), ExpectOn(0, OwnTLOCInFamilyQuery())}},
		{ID: "QRY-020", Section: "3.1.6", Level: SHOULD, Basis: Project, Requirement: reqQuery,
			Reading: readQuery + " A QUERY whose ATTR_TYPE_UNREACHABLES names TLOCs asks which of them are absent (QRY-015 for TLOCs), and on an SDN router its own TLOCs are in the Loc-RIB: the operator originates a TLOC; peer0 asks about it and about a TLOC nobody advertised; the answer withdraws the latter, not the former.",
			Roles:   Edges, Needs: []Need{NeedControl(control.OriginateTLOC), NeedFamily(omp.AFIIPv4, omp.SAFITLOC), vroute[0], NeedCap(omp.CapCodeRefresh)}, Type: omp.TypeQuery,
			Script: []Step{Open(0), OriginateTLOC(), ExpectOn(0, ExpectMessage(omp.TypeUpdate, OwnTLOCIn(false))), ExpectOn(0, OwnTLOCNotAbsent()), WithdrawTLOC()}},
		{ID: "QRY-008", Section: "3.1.6", Level: INFORMATIONAL, Basis: Draft, Requirement: reqQuery,
			Reading: "A QUERY carrying ATTR_TYPE_PREF, which is neither REACHABLES nor UNREACHABLES: records whether the DUT refuses it.", Needs: vroute,
			Send: Query(VRoutes(DefaultPrefix), Attr(&omp.AttrPref{Preference: 1})), Expect: Alert(omp.ErrUpdate, omp.SubErrUpdateAttrList).OrAccept()},
	}
}

const reqPolicy = "Policy is sent in fragments if the size if larger than 4000 bytes. When the policy data is less than 3980 (4000-20 byes of header), type is set to OMP_PKT_POL_COMPLETE. [...] First packet type is OMP_PKT_POL_START, next fragment type is OMP_PKT_POL_MORE, last fragment type is OMP_PKT_POL_END. When policy size is zero, type is OMP_PKT_POL_DEL."

func policyCases() []Case {
	data := func(n int) []byte { return bytes.Repeat([]byte("policy;"), n/7+1)[:n] }
	full := data(omp.MaxPolicyData)
	seq := func(ms ...M) []Step {
		s := []Step{Open(0)}
		for _, m := range ms {
			s = append(s, Send(0, m))
		}
		return s
	}
	const readRoles = "Policy flows from the controller to the SDN routers: the harness plays the controller."
	accept := func(id, reading string, steps []Step) Case {
		return Case{ID: id, Section: "3.1.7-policy", Level: SHOULD, Basis: Draft, Requirement: reqPolicy, Reading: reading + " " + readRoles,
			Roles: Edges, Type: omp.TypePolicy, Script: append(steps, ExpectOn(0, Accept()))}
	}
	survive := func(id, reading string, steps []Step) Case {
		return Case{ID: id, Section: "3.1.7-policy", Level: SHOULD, Basis: Draft, Requirement: reqPolicy,
			Reading: reading + " The draft says nothing of a broken sequence: the DUT may ignore it or refuse it with an ALERT, and must still open the next session. " + readRoles,
			Roles:   Edges, Type: omp.TypePolicy, Script: append(steps, ExpectOn(0, Survives()))}
	}
	stray := func(id, reading string, steps []Step) Case {
		return Case{ID: id, Section: "3.1.7-policy", Level: SHOULD, Basis: Project, Requirement: reqPolicy,
			Reading: reading + " The draft orders the fragments (START, MORE..., END) and names no ALERT for one out of order: the DUT may refuse it with any ALERT (the reference: OMP_ERR_FSM, docs/policy.md) or drop it, whichever side sent it, but not take it as the start of a sequence. A DUT that says nothing is sent a whole policy (OMP_PKT_POL_COMPLETE) next, which it takes only if no sequence is open.",
			Type:    omp.TypePolicy, Script: append(steps, ExpectOn(0, StrayFragment()))}
	}
	return []Case{
		accept("POL-001", "A small policy in one OMP_PKT_POL_COMPLETE.", seq(Policy(omp.PolicyComplete, data(100)))),
		accept("POL-002", "A policy of exactly 3980 bytes in one OMP_PKT_POL_COMPLETE (a 4000-byte message).", seq(Policy(omp.PolicyComplete, full))),
		accept("POL-003", "A policy in three fragments: START, MORE, END.", seq(Policy(omp.PolicyStart, full), Policy(omp.PolicyMore, full), Policy(omp.PolicyEnd, data(500)))),
		accept("POL-004", "A policy in two fragments: START, END.", seq(Policy(omp.PolicyStart, full), Policy(omp.PolicyEnd, data(10)))),
		accept("POL-005", "OMP_PKT_POL_DEL with no data.", seq(Policy(omp.PolicyDel, nil))),
		accept("POL-006", "A policy installed, then deleted.", seq(Policy(omp.PolicyComplete, data(100)), Policy(omp.PolicyDel, nil))),
		accept("POL-007", "A policy in five fragments: START, three MORE, END.", seq(Policy(omp.PolicyStart, full), Policy(omp.PolicyMore, full), Policy(omp.PolicyMore, full), Policy(omp.PolicyMore, full), Policy(omp.PolicyEnd, data(1)))),
		stray("POL-010", "OMP_PKT_POL_MORE without START.", seq(Policy(omp.PolicyMore, data(100)))),
		stray("POL-011", "OMP_PKT_POL_END without START.", seq(Policy(omp.PolicyEnd, data(100)))),
		survive("POL-012", "START, then START again.", seq(Policy(omp.PolicyStart, full), Policy(omp.PolicyStart, full))),
		survive("POL-013", "START, then COMPLETE before any END.", seq(Policy(omp.PolicyStart, full), Policy(omp.PolicyComplete, data(100)))),
		survive("POL-014", "START, then DEL before any END.", seq(Policy(omp.PolicyStart, full), Policy(omp.PolicyDel, nil))),
		survive("POL-015", "POLICY Type 5, which the draft does not define.", seq(Policy(5, data(100)))),
		survive("POL-016", "OMP_PKT_POL_DEL carrying 10 bytes, where the draft says its size is zero.", seq(Policy(omp.PolicyDel, data(10)))),
		survive("POL-017", "OMP_PKT_POL_COMPLETE of 3981 bytes, one more than the draft allows unfragmented.", seq(Policy(omp.PolicyComplete, data(omp.MaxPolicyData+1)))),
		survive("POL-018", "START carrying less than 3980 bytes, where the draft would send COMPLETE.", seq(Policy(omp.PolicyStart, data(100)), Policy(omp.PolicyEnd, data(100)))),
		{ID: "POL-020", Section: "3.1.7-policy", Level: INFORMATIONAL, Basis: Draft, Requirement: reqPolicy,
			Reading: "A POLICY from an SDN router to a controller, against the flow of policy: records what the DUT does.",
			Roles:   Controller, Send: Policy(omp.PolicyComplete, data(100)), Expect: Survives()},
	}
}

const (
	reqInform  = "INFORM Message Format: Type : 1 byte (OMP_INFORM_EOR = 1, OMP_INFORM_REFRESH_REQUEST = 2), Length: 2 bytes [...] Data: AFI, SAFI. If Length is zero, AFI and SAFI entries will not be present. It is considered to be OMP_AF_MAX."
	reqRefresh = "A BGP speaker that is willing to receive the ROUTE-REFRESH message from its peer SHOULD advertise the Route Refresh Capability [...] If a BGP speaker receives from its peer a ROUTE-REFRESH message, the BGP speaker MUST re-advertise to that peer the Adj-RIB-Out of the AFI/SAFI carried in the message."
)

func informCases() []Case {
	cs := []Case{
		{ID: "INF-001", Section: "3.1.7-inform", Level: SHOULD, Basis: Draft, Requirement: reqInform, Reading: "OMP_INFORM_EOR for every family (Length 0).",
			Send: InformAll(omp.InformEOR), Expect: Accept()},
	}
	for _, e := range []idv[omp.Family]{
		{"INF-002", omp.Family{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}},
		{"INF-003", omp.Family{AFI: omp.AFIIPv6, SAFI: omp.SAFIVRoute}},
		{"INF-004", omp.Family{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC}},
		{"INF-005", omp.Family{AFI: omp.AFIIPv6, SAFI: omp.SAFITLOC}},
		{"INF-006", omp.Family{AFI: omp.AFIIPv4, SAFI: omp.SAFIMulticast}},
	} {
		f := e.v
		cs = append(cs, Case{ID: e.id, Section: "3.1.7-inform", Level: SHOULD, Basis: Draft, Requirement: reqInform,
			Reading: "OMP_INFORM_EOR for " + f.String() + ".", Needs: []Need{NeedFamily(f.AFI, f.SAFI)},
			Send: Inform(omp.InformEOR, f.AFI, f.SAFI), Expect: Accept()})
	}
	cs = append(cs,
		Case{ID: "INF-010", Section: "3.1.7-inform", Level: SHOULD, Basis: BGP, Source: "RFC 2918 3, 4", Requirement: reqRefresh,
			Reading: "OMP_INFORM_REFRESH_REQUEST for AFI_IPV4/SAFI_VROUTE is answered: the DUT re-advertises that family (its own vRoute, when it advertised one as the session opened) and ends it with OMP_INFORM_EOR (RFC 7313's End-of-RIB after a refresh).", Needs: []Need{NeedCap(omp.CapCodeRefresh), vroute[0]},
			Send: Inform(omp.InformRefreshRequest, omp.AFIIPv4, omp.SAFIVRoute), Expect: Readvertises(&omp.Family{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute})},
		Case{ID: "INF-011", Section: "3.1.7-inform", Level: SHOULD, Basis: BGP, Source: "RFC 2918 3, 4", Requirement: reqRefresh,
			Reading: "OMP_INFORM_REFRESH_REQUEST for every family (Length 0, OMP_AF_MAX) is answered with the routes (its own vRoute, when it advertised one as the session opened) and OMP_INFORM_EOR.", Needs: []Need{NeedCap(omp.CapCodeRefresh)},
			Send: InformAll(omp.InformRefreshRequest), Expect: Readvertises(nil)},
		Case{ID: "INF-012", Section: "3.1.7-inform", Level: SHOULD, Basis: BGP, Source: "RFC 2918 4", Requirement: reqRefresh,
			Reading: "A controller re-advertises what it sent: peer1 learns peer0's vRoute, asks for a refresh, and gets it again.",
			Roles:   Controller, Needs: []Need{NeedCap(omp.CapCodeRefresh), vroute[0], NeedFamily(omp.AFIIPv4, omp.SAFITLOC)}, Type: omp.TypeInform,
			Script: slices.Concat([]Step{Open(0), Open(1)}, announce(0, RouteUpdate()), []Step{ExpectOn(1, ExpectMessage(omp.TypeUpdate, HasVRoute(DefaultPrefix))),
				Send(1, Inform(omp.InformRefreshRequest, omp.AFIIPv4, omp.SAFIVRoute)), ExpectOn(1, ExpectMessage(omp.TypeUpdate, HasVRoute(DefaultPrefix), ViaPeer(0)))})},
		Case{ID: "INF-016", Section: "3.1.7-inform", Level: SHOULD, Basis: BGP, Source: "RFC 2918 3, 4", Requirement: reqRefresh,
			Reading: "OMP_INFORM_REFRESH_REQUEST for AFI_IPV4/SAFI_TLOC is answered with the SDN router's own TLOC routes again, before that family's OMP_INFORM_EOR (INF-010 asks for its vRoutes): peer0, negotiating AFI_IPV4/SAFI_TLOC alone, asks for that family once the initial advertisement is over; the answer holds a TLOC of the DUT's own (ATTR_TYPE_ORIGINATOR naming it, or none, and no fake peer's TLOC), which INF-015 has it advertise as the session opens.",
			Roles:   Edges, Needs: []Need{NeedCap(omp.CapCodeRefresh), NeedFamily(omp.AFIIPv4, omp.SAFITLOC)}, Type: omp.TypeInform,
			Script: []Step{Open(0, onlyFamilies(omp.Family{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC})), ExpectOn(0, InRefresh(AdvertisesDUTTLOC()))}},
		Case{ID: "INF-013", Section: "3.1.7-inform", Level: SHOULD, Basis: BGP, Source: "RFC 4724 2",
			Requirement: "An UPDATE message with no reachable NLRI and empty withdrawn NLRI is specified as the End-of-RIB marker [...] after it completes the initial routing update",
			Reading:     "OMP has OMP_INFORM_EOR for BGP's End-of-RIB: the DUT ends its initial routing update with it, and sends no route of its own in a family after that family's EOR.", Type: omp.TypeInform,
			Script: []Step{OpenForEOR(0), ExpectOn(0, InitialUpdateEnds())}},
		// (The routes before the EOR of the initial advertisement on a
		// controller: RFL-007.)
		Case{ID: "INF-015", Section: "3.1.7-inform", Level: SHOULD, Basis: BGP, Source: "RFC 4724 2",
			Requirement: "An UPDATE message with no reachable NLRI and empty withdrawn NLRI is specified as the End-of-RIB marker [...] after it completes the initial routing update",
			Reading:     "An SDN router advertises its own TLOCs to its controller, and ends that initial routing update with OMP_INFORM_EOR, after them.",
			Roles:       Edges, Needs: []Need{NeedFamily(omp.AFIIPv4, omp.SAFITLOC)}, Type: omp.TypeInform,
			Script: []Step{OpenForEOR(0), ExpectOn(0, InAdvertisement(AdvertisesTLOC()))}},
		Case{ID: "INF-020", Section: "3.1.7-inform", Level: SHOULD, Basis: Draft, Requirement: reqInform,
			Reading: "An INFORM EOR whose Length is 2, neither 0 nor 3: it cannot be read.",
			Send:    Inform(omp.InformEOR, omp.AFIIPv4, omp.SAFIVRoute).Mutate("inform.safi", Drop()), Expect: Alert(omp.ErrHeader, omp.SubErrHeaderLength).ThenClose()},
		Case{ID: "INF-021", Section: "3.1.7-inform", Level: SHOULD, Basis: Draft, Requirement: reqInform,
			Reading: "An INFORM whose Length runs past the message.",
			Send:    Inform(omp.InformEOR, omp.AFIIPv4, omp.SAFIVRoute).Mutate("inform.length", Set(9)), Expect: Alert(omp.ErrHeader, omp.SubErrHeaderLength).ThenClose()},
		Case{ID: "INF-022", Section: "3.1.7-inform", Level: SHOULD, Basis: Draft, Requirement: reqInform,
			Reading: "INFORM Type 3, which the draft does not define: the DUT ignores it or refuses it, and stays sane.",
			Send:    InformData(3, []byte{0, 1, 1}), Expect: Survives()},
		Case{ID: "INF-023", Section: "3.1.7-inform", Level: INFORMATIONAL, Basis: Draft, Requirement: reqInform,
			Reading: "OMP_INFORM_EOR for AFI 3: records whether the DUT refuses it.",
			Send:    Inform(omp.InformEOR, 3, omp.SAFIVRoute), Expect: Survives()},
	)
	return cs
}
