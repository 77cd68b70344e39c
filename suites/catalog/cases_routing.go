package catalog

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/ompconform/ompconform/mutators"
	"github.com/ompconform/ompconform/omp"
)

// Routing cases of a controller DUT, observed from a second fake peer:
// route reflection (section 3.1, route distribution; section 2), graceful
// restart (3.1, graceful restart) and the best-path steps a controller
// applies (3.1, path selection).

// announce is fake peer i advertising its TLOC (SAFI_TLOC), then m: a
// vRoute is valid (best-path step 1) only once its TLOC is known.
func announce(i int, m M) []Step {
	return []Step{Send(i, Update(TLOCRoutes())), Send(i, m)}
}

// The lists of NLRI in ATTR_TYPE_REACHABLES and UNREACHABLES, as RFC
// 4760 has them in MP_REACH_NLRI and MP_UNREACH_NLRI.
const (
	reqReachList     = "Network Layer Reachability Information: A variable length field that lists NLRI for the feasible routes that are being advertised in this attribute."
	reqWithdrawnList = "Withdrawn Routes: A variable-length field that lists NLRI for the routes that are being withdrawn from service."
	reqBothLists     = "An UPDATE message SHOULD NOT include the same address prefix in the WITHDRAWN ROUTES and Network Layer Reachability Information fields. However, a BGP speaker MUST be able to process UPDATE messages in this form. A BGP speaker SHOULD treat an UPDATE message of this form as though the WITHDRAWN ROUTES do not contain the address prefix."
)

const readValid = " Each SDN router advertises its TLOC (SAFI_TLOC) before its vRoutes: best-path step 1 (\"Check whether the OMP route is valid\") needs the next hop known."

const reqController = "Routing Controller: Centralized routing and policy distribution controller. Peers with all SDN routers in the network via OMP. [...] SDN Routers: [...] advertises to Routing Controller via OMP."

// mcastAsSent is peer0 advertising multicast route n, which reaches
// peer1 as it was sent.
func mcastAsSent(n omp.MulticastNLRI) []Step {
	return []Step{Send(0, Update(Reach(mcast(omp.AFIIPv4, n)))), ExpectOn(1, ExpectMessage(omp.TypeUpdate, HasMulticastAsSent(n)))}
}

// pruned is n with one pruned source (SrcPrefix Len 32).
func pruned(n omp.MulticastNLRI) omp.MulticastNLRI {
	n.Prunes = []omp.PrunedSource{{PrefixLen: 32, Address: a4("10.9.9.10")}}
	return n
}

func reflectionCases() []Case {
	p := DefaultPrefix
	reflected := func(preds ...Pred) Expectation {
		return ExpectMessage(omp.TypeUpdate, append([]Pred{HasVRoute(p), ViaPeer(0)}, preds...)...)
	}
	tloc := []Need{NeedFamily(omp.AFIIPv4, omp.SAFITLOC)}
	// rc is a reflection case: c's ID, reading, needs and script, the
	// rest common.
	rc := func(c Case) Case {
		c.Section, c.Level, c.Basis, c.Requirement = "3.1-distribution", SHOULD, Draft, reqController
		c.Reading += readValid
		c.Roles, c.Needs, c.Type = Controller, slices.Concat(c.Needs, tloc), omp.TypeUpdate
		return c
	}
	v6 := []Need{NeedFamily(omp.AFIIPv6, omp.SAFIVRoute)}
	mc := []Need{NeedFamily(omp.AFIIPv4, omp.SAFIMulticast)}
	v6mc := []Need{NeedFamily(omp.AFIIPv6, omp.SAFIMulticast)}
	p6 := "2001:db8:1::/48"
	p2 := "192.168.2.0/24"
	public := &omp.AttrTLOCV4Public{Address: netip.MustParseAddr("198.51.100.7"), Port: 12346}
	private := &omp.AttrTLOCV4Private{Address: netip.MustParseAddr("192.0.2.7"), Port: 12346}
	return []Case{
		rc(Case{ID: "RFL-001", Reading: "An IPv4 vRoute from one SDN router reaches another, with its TLOC as next hop.", Needs: vroute,
			Script: slices.Concat([]Step{Open(0), Open(1)}, announce(0, RouteUpdate()), []Step{ExpectOn(1, reflected())})}),
		rc(Case{ID: "RFL-032", Reading: "A hub is one of the SDN routers the controller peers with and distributes routes to (section 2; HS-115 has it accept a hub's session): an IPv4 vRoute from peer0 reaches peer1, whose IDENTITY is VIP_DEVICE_VHUB, with peer0's TLOC as next hop, as it reaches an SDN router (RFL-001).", Needs: vroute,
			Script: slices.Concat([]Step{Open(0), Open(1, PeerType(omp.PeerTypeVHub))}, announce(0, RouteUpdate()), []Step{ExpectOn(1, reflected())})}),
		rc(Case{ID: "RFL-002", Reading: "An IPv6 vRoute is reflected likewise.", Needs: v6,
			Script: slices.Concat([]Step{Open(0), Open(1)}, announce(0, Update(TLOC(), VRoutes(p6))), []Step{ExpectOn(1, ExpectMessage(omp.TypeUpdate, HasVRoute(p6), ViaPeer(0)))})}),
		rc(Case{ID: "RFL-003", Reading: "A TLOC route (SAFI_TLOC) is reflected.",
			Script: []Step{Open(0), Open(1), Send(0, Update(TLOCRoutes())), ExpectOn(1, ExpectMessage(omp.TypeUpdate, HasTLOCRoute(0)))}}),
		rc(Case{ID: "RFL-004", Reading: "A withdrawal is reflected.", Needs: vroute,
			Script: slices.Concat([]Step{Open(0), Open(1)}, announce(0, RouteUpdate()), []Step{ExpectOn(1, reflected()),
				Send(0, Update(WithdrawVRoutes(p))), ExpectOn(1, ExpectMessage(omp.TypeUpdate, WithdrawsVRoute(p)))})}),
		rc(Case{ID: "RFL-005", Reading: "The route's TAG travels with it.", Needs: vroute,
			Script: slices.Concat([]Step{Open(0), Open(1)}, announce(0, RouteUpdate(Attr(&omp.AttrTag{Tag: 7}))), []Step{ExpectOn(1, reflected(AttrEquals(&omp.AttrTag{Tag: 7})))})}),
		rc(Case{ID: "RFL-006", Reading: "A route from a session that ends (the harness's ALERT OPER/CLEAR) is withdrawn from the others.", Needs: vroute,
			Script: slices.Concat([]Step{Open(0), Open(1)}, announce(0, RouteUpdate()), []Step{ExpectOn(1, reflected()),
				Send(0, AlertMessage(omp.ErrOper, omp.SubErrOperClear)), ExpectOn(1, ExpectMessage(omp.TypeUpdate, WithdrawsVRoute(p)))})}),
		rc(Case{ID: "RFL-033", Reading: "A session's end takes all its routes, of every family: peer0's IPv6 TLOC route (AFI_IPv6/SAFI_TLOC) is withdrawn from the others when its session ends (the harness's ALERT OPER/CLEAR), as its IPv4 vRoute is (RFL-006).", Needs: []Need{NeedFamily(omp.AFIIPv6, omp.SAFITLOC)},
			Script: []Step{Open(0), Open(1), Send(0, Update(TLOC6Routes())), ExpectOn(1, ExpectMessage(omp.TypeUpdate, HasTLOC6Route(0))),
				Send(0, AlertMessage(omp.ErrOper, omp.SubErrOperClear)), ExpectOn(1, ExpectMessage(omp.TypeUpdate, WithdrawsTLOC6Route(0)))}}),
		{ID: "RFL-034", Section: "3.1-distribution", Level: SHOULD, Basis: BGP, Source: "RFC 4271 8.2.2",
			Requirement: "If the HoldTimer_Expires event occurs (Event 10), the local system: sends a NOTIFICATION message with the Error Code Hold Timer Expired, [...] releases all BGP resources, drops the TCP connection, [...] and changes its state to Idle.",
			Reading:     "A session the DUT's hold timer ends takes its routes with it, as one the peer ends does (RFL-006): peer0 (Hold Time 3, no graceful restart) advertises its TLOC and a vRoute, which reach peer1; peer0 then falls silent, the DUT's hold timer expires (its ALERT OMP_ERR_HOLDTIME), and the vRoute is withdrawn from peer1." + readValid,
			Roles:       Controller, Needs: slices.Concat(vroute, tloc), Type: omp.TypeUpdate, Timer: true,
			Script: slices.Concat([]Step{TryOpen(0, HoldTime(3)), Open(1)}, announce(0, RouteUpdate()), []Step{ExpectOn(1, reflected()),
				ExpectOn(0, HoldTimerExpires()), ExpectOn(1, ExpectMessage(omp.TypeUpdate, WithdrawsVRoute(p)))})},
		rc(Case{ID: "RFL-007", Reading: "A route learned before a peer connects is sent to it when its session opens, in its initial advertisement: before the OMP_INFORM_EOR that ends it (RFC 4724 2).", Needs: vroute,
			Script: slices.Concat([]Step{Open(0)}, announce(0, RouteUpdate()), []Step{ExpectOn(0, Accept()), OpenForEOR(1), ExpectOn(1, InAdvertisement(HasVRoute(p), ViaPeer(0)))})}),
		rc(Case{ID: "RFL-008", Reading: "A multicast AD route is reflected.", Needs: mc,
			Script: []Step{Open(0), Open(1), Send(0, Update(Reach(mcast(omp.AFIIPv4, mcastAD)))), ExpectOn(1, ExpectMessage(omp.TypeUpdate, HasMulticast(omp.McastTypeAD)))}}),
		rc(Case{ID: "RFL-009", Reading: "A new advertisement of the same path replaces the old: the new TAG reaches the other peer.", Needs: vroute,
			Script: slices.Concat([]Step{Open(0), Open(1)}, announce(0, RouteUpdate(Attr(&omp.AttrTag{Tag: 1}))), []Step{ExpectOn(1, reflected(AttrEquals(&omp.AttrTag{Tag: 1}))),
				Send(0, RouteUpdate(Attr(&omp.AttrTag{Tag: 2}))), ExpectOn(1, reflected(AttrEquals(&omp.AttrTag{Tag: 2})))})}),
		{ID: "RFL-010", Section: "3.1-distribution", Level: SHOULD, Basis: Project,
			Requirement: "To avoid the potential of routing loops and less than optimal routing, redistribution of following types of routes requires explicit configuration.",
			Reading:     "The controller does not send a route back to the SDN router that advertised it: the answer to that router's REFRESH_REQUEST, its whole Adj-RIB-Out, lacks it. The draft says only that route distribution avoids loops, and BGP route reflection does not forbid reflecting a route to its source (RFC 4456 8 has the receiver drop a route that carries its own ORIGINATOR_ID): that the controller leaves its source out is this project's reading.",
			Roles:       Controller, Needs: append(vroute, append(tloc, NeedCap(omp.CapCodeRefresh))...), Type: omp.TypeUpdate,
			Script: slices.Concat([]Step{Open(0)}, announce(0, RouteUpdate()), []Step{ExpectOn(0, NotInRefresh(HasVRoute(p), ViaPeer(0)))})},
		rc(Case{ID: "RFL-011", Reading: "A route refused with an ALERT is not reflected: the session that carried it ends, and nothing of it reaches the other peer.", Needs: vroute,
			Script: slices.Concat([]Step{Open(0), Open(1)}, announce(0, RouteUpdate().Mutate("update.attr[1].value.nlri[0].prefix_length", Set(33))),
				[]Step{ExpectOn(0, Alert(omp.ErrUpdate, omp.SubErrUpdateBadNet).ThenClose()), ExpectOn(1, NoMessage(omp.TypeUpdate, 1, ViaPeer(0)))})}),
		{ID: "RFL-012", Section: "3.1-distribution", Level: SHOULD, Basis: BGP, Source: "RFC 4456 8",
			Requirement: "ORIGINATOR_ID [...] will carry the BGP Identifier of the originator of the route in the local AS. A BGP speaker SHOULD NOT create an ORIGINATOR_ID attribute if one already exists.",
			Reading:     "A route another controller (peer0, IDENTITY VIP_DEVICE_VSMART) passes on for the SDN router that originated it (router 2: its TLOC, its ATTR_TYPE_ORIGINATOR) reaches the other peer with that ORIGINATOR: the DUT does not put the controller that sent it in its place." + readValid,
			Roles:       Controller, Needs: slices.Concat(vroute, tloc), Type: omp.TypeUpdate,
			Script: []Step{Open(0, PeerType(omp.PeerTypeVSmart)), Open(1), Send(0, As(2, Update(TLOCRoutes(), Originator()))), Send(0, As(2, RouteUpdate(Originator()))),
				ExpectOn(1, ExpectMessage(omp.TypeUpdate, HasVRoute(p), ViaPeer(2), OriginatedBy(2)))}},
		rc(Case{ID: "RFL-013", Reading: "An IPv6 vRoute's withdrawal is reflected likewise: ATTR_TYPE_REACHABLES and UNREACHABLES have one format for every family.", Needs: v6,
			Script: slices.Concat([]Step{Open(0), Open(1)}, announce(0, Update(TLOC(), VRoutes(p6))), []Step{ExpectOn(1, ExpectMessage(omp.TypeUpdate, HasVRoute(p6), ViaPeer(0))),
				Send(0, Update(WithdrawVRoutes(p6))), ExpectOn(1, ExpectMessage(omp.TypeUpdate, WithdrawsVRoute(p6)))})}),
		rc(Case{ID: "RFL-014", Reading: "A multicast AD route's withdrawal is reflected.", Needs: mc,
			Script: []Step{Open(0), Open(1), Send(0, Update(Reach(mcast(omp.AFIIPv4, mcastAD)))), ExpectOn(1, ExpectMessage(omp.TypeUpdate, HasMulticast(omp.McastTypeAD))),
				Send(0, Update(Unreach(mcast(omp.AFIIPv4, mcastAD)))), ExpectOn(1, ExpectMessage(omp.TypeUpdate, WithdrawsMulticast(omp.McastTypeAD)))}}),
		rc(Case{ID: "RFL-015", Reading: "A new advertisement of the same path with a new Label replaces the old (RFC 4271 9.1.4: the newer route replaces the older): the new Label reaches the other peer.", Needs: vroute,
			Script: slices.Concat([]Step{Open(0), Open(1)}, announce(0, RouteUpdate()), []Step{ExpectOn(1, reflected(HasLabel(p, labelOf(0)))),
				Send(0, RouteUpdate().Mutate("update.attr[1].value.nlri[0].label", Set(uint64(labelOf(0)+1000)))), ExpectOn(1, reflected(HasLabel(p, labelOf(0)+1000)))})}),
		rc(Case{ID: "RFL-016", Reading: "A TLOC route's ATTR_TYPE_TLOC_V4_PUBLIC and ATTR_TYPE_TLOC_V4_PRIVATE, the underlay addresses that tie the overlay to it (section 2: a TLOC \"ties overlay routes to underlay reachability information\"), travel with it.",
			Script: []Step{Open(0), Open(1), Send(0, Update(TLOCRoutes(), Attr(public), Attr(private))),
				ExpectOn(1, ExpectMessage(omp.TypeUpdate, HasTLOCRoute(0), AttrEquals(public), AttrEquals(private)))}}),
		{ID: "RFL-017", Section: "3.1-distribution", Level: INFORMATIONAL, Basis: Project, Requirement: reqController,
			Reading: "Records whether a controller keeps apart the paths another controller passes on for two SDN routers with the same Path ID: peer0 (IDENTITY VIP_DEVICE_VSMART) passes on router 2's path and router 3's to one prefix, both Path ID 1, each with its router's TLOC, ATTR_TYPE_ORIGINATOR and ATTR_TYPE_SITE_ID; a DUT that reads a path as its prefix, Path ID and originator (as the reference does, docs/query.md) holds both, from two sites, in its answer to the other peer's REFRESH_REQUEST. The draft does not say what identifies a path, and BGP's ADD-PATH (RFC 7911 3) has the sender number its paths of a prefix apart, so a DUT that takes the second for a new version of the first is not failed." + readValid,
			Roles:   Controller, Needs: slices.Concat(vroute, tloc, []Need{NeedCap(omp.CapCodeRefresh)}), Type: omp.TypeUpdate,
			Script: []Step{Open(0, PeerType(omp.PeerTypeVSmart)), Open(1), Send(0, As(2, Update(TLOCRoutes(), Originator()))), Send(0, As(3, Update(TLOCRoutes(), Originator()))),
				Send(0, As(2, RouteUpdate(Originator(), SiteID())).Mutate(firstPathID, Set(1))), Send(0, As(3, RouteUpdate(Originator(), SiteID())).Mutate(firstPathID, Set(1))),
				ExpectOn(0, Accept()), ExpectOn(1, InRefresh(HasVRoute(p), ViaPeer(2))), ExpectOn(1, InRefresh(HasVRoute(p), ViaPeer(3)))}},
		{ID: "RFL-018", Section: "3.1-distribution", Level: SHOULD, Basis: BGP, Source: "RFC 7911 3",
			Requirement: "the Path Identifier MUST be assigned in such a way that the BGP speaker is able to use the (Prefix, Path Identifier) to uniquely identify a path advertised to a neighbor.",
			Reading:     "A withdrawal names one path, by its Path ID: peer0 advertises two paths to the prefix, Path IDs 1 and 7, then withdraws Path ID 1; the other stays, and the answer to peer1's REFRESH_REQUEST still holds the prefix." + readValid,
			Roles:       Controller, Needs: slices.Concat(vroute, tloc, []Need{NeedCap(omp.CapCodeRefresh)}), Type: omp.TypeUpdate,
			Script: slices.Concat([]Step{Open(0), Open(1)}, announce(0, RouteUpdate()), []Step{Send(0, RouteUpdate().Mutate(firstPathID, Set(7))), ExpectOn(0, Accept()),
				Send(0, Update(WithdrawVRoutes(p))), ExpectOn(0, Accept()), ExpectOn(1, InRefresh(HasVRoute(p), ViaPeer(0)))})},
		{ID: "RFL-019", Section: "3.1-selection", Level: SHOULD, Basis: Draft, Requirement: reqBestPath,
			Reading: "A path's site is its ATTR_TYPE_SITE_ID: peer0 (IDENTITY VIP_DEVICE_VSMART) passes on router 2's and router 3's paths to the prefix, equal but for their sites, each with its router's ATTR_TYPE_SITE_ID; from two sites, both are chosen (step 7) and reach the other peer, though the controller that passed them on has one Site ID of its own." + readValid,
			Roles:   Controller, Needs: slices.Concat(vroute, tloc), Type: omp.TypeUpdate,
			Script: []Step{Open(0, PeerType(omp.PeerTypeVSmart)), Open(1), Send(0, As(2, Update(TLOCRoutes(), Originator()))), Send(0, As(3, Update(TLOCRoutes(), Originator()))),
				Send(0, As(2, RouteUpdate(Originator(), SiteID()))), Send(0, As(3, RouteUpdate(Originator(), SiteID()))), ExpectOn(1, AllPaths(p, 2, 3))}},
		{ID: "RFL-020", Section: "3.1.3.12", Level: SHOULD, Basis: BGP, Source: "RFC 4760 4", Requirement: reqWithdrawnList,
			Reading: "Every vRoute an ATTR_TYPE_UNREACHABLES lists is withdrawn: peer0 advertises two prefixes in one UPDATE, and withdraws both in one UPDATE; the answer to peer1's REFRESH_REQUEST, which held the second, holds neither." + readValid,
			Roles:   Controller, Needs: slices.Concat(vroute, tloc, []Need{NeedCap(omp.CapCodeRefresh)}), Type: omp.TypeUpdate,
			Script: slices.Concat([]Step{Open(0), Open(1)}, announce(0, Update(TLOC(), VRoutes(p, p2))), []Step{ExpectOn(0, Accept()), ExpectOn(1, InRefresh(HasVRoute(p2), ViaPeer(0))),
				Send(0, Update(WithdrawVRoutes(p, p2))), ExpectOn(0, Accept()), ExpectOn(1, NotInRefresh(HasAnyVRoute(p, p2), ViaPeer(0)))})},
		{ID: "RFL-021", Section: "3.1.3.12", Level: SHOULD, Basis: BGP, Source: "RFC 4760 3", Requirement: reqReachList,
			Reading: "Every TLOC route an ATTR_TYPE_REACHABLES lists is installed: peer0 advertises its TLOC of colors 1 and 2 in one UPDATE; the answer to peer1's REFRESH_REQUEST holds the second.",
			Roles:   Controller, Needs: slices.Concat(tloc, []Need{NeedCap(omp.CapCodeRefresh)}), Type: omp.TypeUpdate,
			Script: []Step{Open(0), Open(1), Send(0, Update(TLOCRoutes(1, 2))), ExpectOn(0, Accept()), ExpectOn(1, InRefresh(HasTLOCRouteOfColor(0, 2)))}},
		{ID: "RFL-031", Section: "3.1.3.12", Level: SHOULD, Basis: Draft,
			Requirement: "ATTR_TYPE_REACHABLES and ATTR_TYPE_UNREACHABLES: Both these attributes have same format. For OMP_AF_TLOC_IPV4: [...] IPv4 Address [...] Color | Encap",
			Reading:     "A TLOC withdrawal names one TLOC, its address, color and Encap (the TLOC NLRI; ATTR_TYPE_TLOC, section 3.1.3.1), not every TLOC at its address: peer0 advertises its TLOC of colors 1 and 2, then withdraws color 1; the answer to peer1's REFRESH_REQUEST no longer holds color 1 and still holds color 2.",
			Roles:       Controller, Needs: slices.Concat(tloc, []Need{NeedCap(omp.CapCodeRefresh)}), Type: omp.TypeUpdate,
			Script: []Step{Open(0), Open(1), Send(0, Update(TLOCRoutes(1, 2))), ExpectOn(0, Accept()), Send(0, Update(WithdrawTLOCRoutes(1))), ExpectOn(0, Accept()),
				ExpectOn(1, NotInRefresh(HasTLOCRouteOfColor(0, 1))), ExpectOn(1, InRefresh(HasTLOCRouteOfColor(0, 2)))}},
		rc(Case{ID: "RFL-022", Reading: "An IPv6 multicast route's withdrawal is reflected likewise: peer0 advertises an OMP_AF_MCAST_TYPE_JOIN_SG of IPv6 source and group (AFI_IPv6), then withdraws it.", Needs: v6mc,
			Script: []Step{Open(0), Open(1), Send(0, Update(Reach(mcast(omp.AFIIPv6, mcastJoinSG6)))), ExpectOn(1, ExpectMessage(omp.TypeUpdate, HasMulticast(omp.McastTypeJoinSG))),
				Send(0, Update(Unreach(mcast(omp.AFIIPv6, mcastJoinSG6)))), ExpectOn(1, ExpectMessage(omp.TypeUpdate, WithdrawsMulticast(omp.McastTypeJoinSG)))}}),
		{ID: "RFL-023", Section: "3.1.3.12", Level: SHOULD, Basis: BGP, Source: "RFC 4271 4.3", Requirement: reqBothLists,
			Reading: "A prefix that one UPDATE both withdraws and advertises stays advertised: peer0 advertises it, then sends one UPDATE with it in ATTR_TYPE_UNREACHABLES and in ATTR_TYPE_REACHABLES; the answer to peer1's REFRESH_REQUEST holds it." + readValid,
			Roles:   Controller, Needs: slices.Concat(vroute, tloc, []Need{NeedCap(omp.CapCodeRefresh)}), Type: omp.TypeUpdate,
			Script: slices.Concat([]Step{Open(0), Open(1)}, announce(0, RouteUpdate()), []Step{ExpectOn(1, reflected()),
				Send(0, Update(TLOC(), VRoutes(p), WithdrawVRoutes(p))), ExpectOn(0, Accept()), ExpectOn(1, InRefresh(HasVRoute(p), ViaPeer(0)))})},
		rc(Case{ID: "RFL-024", Reading: "IPv6 vRoutes are told apart by the whole address: peer0's 2001:db8:1::1/128 and 2001:db8:1::2/128, in one UPDATE, are both in the answer to peer1's REFRESH_REQUEST, each as it was sent.", Needs: slices.Concat(v6, []Need{NeedCap(omp.CapCodeRefresh)}),
			Script: slices.Concat([]Step{Open(0), Open(1)}, announce(0, Update(TLOC(), VRoutes("2001:db8:1::1/128", "2001:db8:1::2/128"))),
				[]Step{ExpectOn(0, Accept()), ExpectOn(1, InRefresh(HasVRoute("2001:db8:1::1/128"), ViaPeer(0))), ExpectOn(1, InRefresh(HasVRoute("2001:db8:1::2/128"), ViaPeer(0)))})}),
		rc(Case{ID: "RFL-025", Reading: "A vRoute's Label travels whole, all three bytes of it: peer0's Label 0xABCDEF, wider than an MPLS label's 20 bits, reaches peer1 as it was sent.", Needs: vroute,
			Script: slices.Concat([]Step{Open(0), Open(1)}, announce(0, RouteUpdate().Mutate("update.attr[1].value.nlri[0].label", Set(uint64(0xABCDEF)))),
				[]Step{ExpectOn(1, reflected(HasLabel(p, 0xABCDEF)))})}),
		rc(Case{ID: "RFL-026", Reading: "Each path is passed on with its own attributes: peer0 advertises two prefixes, at ATTR_TYPE_PREF 100 and 200, in two UPDATEs; peer1, which opens after, finds the second at 200 in its initial advertisement.", Needs: vroute,
			Script: slices.Concat([]Step{Open(0)}, announce(0, RouteUpdate(pref(100))), []Step{Send(0, Update(TLOC(), VRoutes(p2), pref(200))),
				ExpectOn(0, Accept()), OpenForEOR(1), ExpectOn(1, InAdvertisement(HasVRoute(p2), AttrEquals(&omp.AttrPref{Preference: 200})))})}),
		rc(Case{ID: "RFL-030", Reading: "A vRoute's VPN ID travels whole, all eight bytes of it (section 3.1.3.12): peer0's vRoute in VPN 2^32 plus the case's VPN reaches peer1 in that VPN, not cut to 32 bits or fewer.", Needs: vroute,
			Script: slices.Concat([]Step{Open(0), Open(1)}, announce(0, RouteUpdate().Mutate("update.attr[1].value.nlri[0].vpn_id", FlipBits(WideVPN))),
				[]Step{ExpectOn(1, ExpectMessage(omp.TypeUpdate, HasVRouteInWideVPN(p), ViaPeer(0)))})}),
		rc(Case{ID: "RFL-027", Reading: "A default route is a prefix like any other: peer0's 0.0.0.0/0 reaches peer1.", Needs: vroute,
			Script: slices.Concat([]Step{Open(0), Open(1)}, announce(0, Update(TLOC(), VRoutes("0.0.0.0/0"))),
				[]Step{ExpectOn(1, ExpectMessage(omp.TypeUpdate, HasVRoute("0.0.0.0/0"), ViaPeer(0)))})}),
		rc(Case{ID: "RFL-028", Reading: "A TLOC route's ATTR_TYPE_TLOC_ENCAP travels with it, unchanged, as its underlay addresses do (RFL-016): peer0 advertises its TLOC with the draft's IPsec encapsulation (section 3.1.3.3: PROTOCOL, SPI, AUTH and ENCRYPT with their keys), which reaches peer1 as it was sent. The SDN routers that build tunnels to the TLOC learn how only from it; the controller reads none of it, and like a BGP route reflector (RFC 4456 10) does not change what it passes on.",
			Script: []Step{Open(0), Open(1), Send(0, Update(TLOCRoutes(), Attr(ipsecEncap))),
				ExpectOn(1, ExpectMessage(omp.TypeUpdate, HasTLOCRoute(0), AttrEquals(ipsecEncap)))}}),
		rc(Case{ID: "RFL-029", Reading: "A multicast route's pruned sources travel with it: peer0 advertises an OMP_AF_MCAST_TYPE_JOIN_XG, a JOIN_SG and an SA route, one UPDATE each, each with a Prune Count of 1 and its pruned source (section 3.1.3.12); each reaches peer1 as it was sent, Prune Count and list unchanged. The pruned sources are part of the route's NLRI: a controller that drops them passes on another route.", Needs: mc,
			Script: slices.Concat([]Step{Open(0), Open(1)}, mcastAsSent(pruned(mcastJoinXG)), mcastAsSent(mcastJoinSG), mcastAsSent(pruned(mcastSA)))}),
	}
}

const reqGRNotAfterAlert = "The BGP Graceful Restart mechanism defined in RFC 4724 limits the usage of BGP Graceful Restart to BGP messages other than BGP NOTIFICATION messages."

const reqGR = "Graceful restart for OMP allows SDN routers to continue forwarding with last known routing information even when the OMP peering experiences an outage. [...] If the graceful restart duration expires and the OMP peering is not re-established within this period, then the SDN Router considers the OMP peer as dead and purges all routes learnt from that period. In the case where the peering is re-established during graceful restart duration, then based on fresh routes learnt from the OMP peer, a mark and sweep of all routes is done."

// reqDownNoGR is what becomes of a peer's routes when its session ends
// without graceful restart.
const reqDownNoGR = "If the session is not graceful-restart capable, the routes learned from the peer are removed when the session goes down."

// readGRUnit is the reading every graceful restart case rests on.
const readGRUnit = " The draft gives the GR Interval no unit; ompconform reads it in seconds, as RFC 4724's Restart Time, and the interval of a session as the smaller of the two offered."

// gr is the HANDSHAKE option of a peer offering graceful restart for s seconds.
func gr(s uint32) HSOpt { return AddCaps(&omp.CapGracefulRestart{GRInterval: s}) }

func grCases() []Case {
	p, p2 := DefaultPrefix, "192.168.2.0/24"
	needs := []Need{NeedCap(omp.CapCodeGracefulRestart), vroute[0], NeedFamily(omp.AFIIPv4, omp.SAFITLOC)}
	learn := slices.Concat([]Step{Open(1), Open(0, gr(5))}, announce(0, RouteUpdate()), []Step{ExpectOn(1, ExpectMessage(omp.TypeUpdate, HasVRoute(p), ViaPeer(0)))})
	// back is peer0 returning within the GR interval with its TLOC, m, and EOR.
	back := func(m M) []Step {
		return slices.Concat([]Step{Reset(0), Sleep(0.5), Open(0, gr(5))}, announce(0, m), []Step{Send(0, InformAll(omp.InformEOR))})
	}
	// c is a graceful restart case: c's ID, reading, timer mark and
	// script, the rest common.
	c := func(c Case) Case {
		c.Section, c.Level, c.Basis, c.Requirement = "3.1-restart", SHOULD, Draft, reqGR
		c.Reading += readGRUnit + readValid
		c.Roles, c.Needs, c.Type = Controller, slices.Concat(needs, c.Needs), omp.TypeUpdate
		return c
	}
	withdrawn := func(prefix string) Pred { return WithdrawsVRoute(prefix) }
	return []Case{
		{ID: "GR-001", Section: "3.1.2.3", Level: INFORMATIONAL, Basis: Draft, Requirement: "GRACEFUL RESTART Capability Format: Code=3, Length=4, GR Interval",
			Reading: "Records whether the DUT offers graceful restart.", Phase: mutators.PhaseOpening, Send: Handshake(),
			Expect: ExpectMessage(omp.TypeHandshake, HasCap(omp.CapCodeGracefulRestart))},
		c(Case{ID: "GR-002", Reading: "Within the GR interval (the smaller of peer0's 5 s and the DUT's own) after the peer's connection breaks, its routes stay: no withdrawal reaches the other peer until the interval, less the tolerance, has passed.", Timer: true,
			Script: slices.Concat(learn, []Step{Reset(0), ExpectOn(1, NoMessage(omp.TypeUpdate, 0, withdrawn(p)).For(GRInterval(0, 1, -1)))})}),
		c(Case{ID: "GR-003", Reading: "When the GR interval (the smaller of peer0's 3 s and the DUT's own) passes without the peer, its routes are purged: the withdrawal comes no earlier than the interval less the tolerance, and within the tolerance after it.", Timer: true,
			Script: slices.Concat([]Step{Open(1), Open(0, gr(3))}, announce(0, RouteUpdate()), []Step{ExpectOn(1, ExpectMessage(omp.TypeUpdate, HasVRoute(p), ViaPeer(0))),
				Reset(0), ExpectOn(1, NoMessage(omp.TypeUpdate, 0, withdrawn(p)).For(GRInterval(0, 1, -1))), ExpectOn(1, ExpectMessage(omp.TypeUpdate, withdrawn(p)).For(GRInterval(0, 0, 2)))})}),
		c(Case{ID: "GR-004", Reading: "The peer comes back within the GR interval and advertises its route again, then EOR: the route is never withdrawn, even after the interval.", Timer: true,
			Script: slices.Concat(learn, back(RouteUpdate()), []Step{ExpectOn(1, NoMessage(omp.TypeUpdate, 0, withdrawn(p)).For(GRInterval(0, 1, 1)))})}),
		c(Case{ID: "GR-005", Reading: "Mark and sweep: the peer comes back and advertises one of its two routes, then EOR: the other is withdrawn.",
			Script: slices.Concat([]Step{Open(1), Open(0, gr(5))}, announce(0, Update(TLOC(), VRoutes(p, p2))),
				[]Step{ExpectOn(1, ExpectMessage(omp.TypeUpdate, HasVRoute(p2)))},
				back(RouteUpdate()), []Step{ExpectOn(1, ExpectMessage(omp.TypeUpdate, withdrawn(p2)))})}),
		c(Case{ID: "GR-008", Reading: "Mark and sweep by family (RFC 4724 4.2): peer0, which negotiated AFI_IPV4/SAFI_TLOC and AFI_IPV4/SAFI_VROUTE only, comes back and advertises one of its two routes, then ends each of its families with an OMP_INFORM_EOR of that family (not one for every family): the other route is withdrawn.",
			Script: slices.Concat([]Step{Open(1), Open(0, gr(5), ipv4Only())}, announce(0, Update(TLOC(), VRoutes(p, p2))),
				[]Step{ExpectOn(1, ExpectMessage(omp.TypeUpdate, HasVRoute(p2))), Reset(0), Sleep(0.5), Open(0, gr(5), ipv4Only())}, announce(0, RouteUpdate()),
				[]Step{Send(0, Inform(omp.InformEOR, omp.AFIIPv4, omp.SAFITLOC)), Send(0, Inform(omp.InformEOR, omp.AFIIPv4, omp.SAFIVRoute)),
					ExpectOn(1, ExpectMessage(omp.TypeUpdate, withdrawn(p2)))})}),
		c(Case{ID: "GR-009", Needs: []Need{NeedCap(omp.CapCodeRefresh)}, Reading: "Mark and sweep is by peer: peer0 (graceful restart, 30 s offered) loses its connection; another peer's OMP_INFORM_EOR (peer1's, for every family) sweeps none of peer0's stale routes: the answer to a third peer's REFRESH_REQUEST still holds peer0's vRoute.",
			Script: slices.Concat([]Step{Open(2), Open(1, gr(30)), Open(0, gr(30))}, announce(0, RouteUpdate()), []Step{ExpectOn(2, ExpectMessage(omp.TypeUpdate, HasVRoute(p), ViaPeer(0))),
				Reset(0), Sleep(0.5), Send(1, InformAll(omp.InformEOR)), ExpectOn(1, Accept()), ExpectOn(2, InRefresh(HasVRoute(p), ViaPeer(0)))})}),
		c(Case{ID: "GR-010", Reading: "Stale routes stay while the peer comes back, until its End-of-RIB: peer0 returns within the GR interval and advertises one of its two routes again, no EOR yet; the other, stale, is still held: the answer to peer1's REFRESH_REQUEST holds it.",
			Needs: []Need{NeedCap(omp.CapCodeRefresh)},
			Script: slices.Concat([]Step{Open(1), Open(0, gr(5))}, announce(0, Update(TLOC(), VRoutes(p, p2))),
				[]Step{ExpectOn(1, ExpectMessage(omp.TypeUpdate, HasVRoute(p2))), Reset(0), Sleep(0.5), Open(0, gr(5))}, announce(0, RouteUpdate()),
				[]Step{ExpectOn(0, Accept()), ExpectOn(1, InRefresh(HasVRoute(p2), ViaPeer(0)))})}),
		{ID: "GR-011", Section: "3.1-restart", Level: INFORMATIONAL, Basis: BGP, Source: "RFC 4724 4.2",
			Requirement: "If the session does not get re-established within the \"Restart Time\" that the peer advertised previously, or if the Graceful Restart Capability is not received in the re-established session, the Receiving Speaker MUST immediately remove all the stale routes from the peer that it is retaining for that address family.",
			Reading:     "Records whether a peer back within the GR interval but without graceful restart in its new HANDSHAKE has its stale routes removed at once, as RFC 4724 asks (the reference does): peer0 (GR 30 s offered) loses its connection and opens again with no GRACEFUL RESTART capability; its route is withdrawn from peer1 without waiting for an End-of-RIB or the interval. The draft says only that once the peering is back \"a mark and sweep of all routes is done\", so a DUT that keeps them for that sweep is not failed." + readGRUnit + readValid,
			Roles:       Controller, Needs: needs, Type: omp.TypeHandshake,
			Script: slices.Concat([]Step{Open(1), Open(0, gr(30))}, announce(0, RouteUpdate()), []Step{ExpectOn(1, ExpectMessage(omp.TypeUpdate, HasVRoute(p), ViaPeer(0))),
				Reset(0), Sleep(0.5), Open(0), ExpectOn(1, ExpectMessage(omp.TypeUpdate, withdrawn(p)))})},
		{ID: "GR-012", Section: "3.1-restart", Level: SHOULD, Basis: Draft, Requirement: reqGR,
			Reading: "Stale routes go when the GR interval runs out, though the peer came back, and only they (the network runs with stale routes \"for maximum of graceful restart duration\"): peer0 (GR 3 s offered; AFI_IPV4/SAFI_TLOC and AFI_IPV4/SAFI_VROUTE only) advertises two routes, loses its connection, comes back within about 1 s, advertises one of them again and sends the OMP_INFORM_EOR of SAFI_TLOC alone, none of SAFI_VROUTE. Once the GR interval (the smaller of 3 s and the DUT's own) and the tolerance have passed since it came back, the answer to peer1's REFRESH_REQUEST lacks the route not advertised again and holds the other. The draft does not say when a family without its EOR is swept: a DUT that sweeps every family at the first EOR (GR-007) passes, as does one that counts the interval from the reconnection; one that keeps the stale route past the interval, or purges the fresh one with it, fails." + readGRUnit + readValid,
			Roles:   Controller, Needs: slices.Concat(needs, []Need{NeedCap(omp.CapCodeRefresh)}), Type: omp.TypeUpdate, Timer: true,
			Script: slices.Concat([]Step{Open(1), Open(0, gr(3), ipv4Only())}, announce(0, Update(TLOC(), VRoutes(p, p2))),
				[]Step{ExpectOn(1, ExpectMessage(omp.TypeUpdate, HasVRoute(p2))), Reset(0), Sleep(0.5), Open(0, gr(3), ipv4Only())}, announce(0, RouteUpdate()),
				[]Step{Send(0, Inform(omp.InformEOR, omp.AFIIPv4, omp.SAFITLOC)), ExpectOn(0, Accept()), SleepFor(GRInterval(0, 1, 1)),
					ExpectOn(1, NotInRefresh(HasVRoute(p2), ViaPeer(0))), ExpectOn(1, InRefresh(HasVRoute(p), ViaPeer(0)))})},
		c(Case{ID: "GR-017", Reading: "Stale routes go when the GR interval runs out, though the peer came back without graceful restart (the network runs with stale routes \"for maximum of graceful restart duration\"): peer0 (GR 3 s offered) advertises a route, loses its connection and opens again within about 1 s with no GRACEFUL RESTART capability; it advertises its TLOC again, not the route, and sends no End-of-RIB. Once a GR interval and the tolerance have passed since it came back, the answer to peer1's REFRESH_REQUEST lacks the route. peer1 offers GR 3 s too, so that its session's interval (the smaller of 3 s and the DUT's own) is the one peer0's stale routes had: peer0's new session has none. A DUT that removes the stale routes at once, as RFC 4724 4.2 asks and GR-011 records, passes, as does one that keeps them for a mark and sweep within the interval; one that keeps them past it, waiting for an End-of-RIB that need not come, fails.", Timer: true,
			Needs: []Need{NeedCap(omp.CapCodeRefresh)},
			Script: slices.Concat([]Step{Open(1, gr(3)), Open(0, gr(3))}, announce(0, RouteUpdate()), []Step{ExpectOn(1, ExpectMessage(omp.TypeUpdate, HasVRoute(p), ViaPeer(0))),
				Reset(0), Sleep(0.5), Open(0), Send(0, Update(TLOCRoutes())), ExpectOn(0, Accept()), SleepFor(GRInterval(1, 1, 1)),
				ExpectOn(1, NotInRefresh(HasVRoute(p), ViaPeer(0)))})}),
		{ID: "GR-006", Section: "3.1-restart", Level: SHOULD, Basis: BGP, Source: "RFC 4271 9.1.4, RFC 4724 4.2",
			Requirement: reqDownNoGR,
			Reading:     "Without graceful restart negotiated, a peer whose connection breaks has its routes withdrawn at once.",
			Roles:       Controller, Needs: needs[1:], Type: omp.TypeUpdate,
			Script: slices.Concat([]Step{Open(1), Open(0)}, announce(0, RouteUpdate()), []Step{ExpectOn(1, ExpectMessage(omp.TypeUpdate, HasVRoute(p), ViaPeer(0))),
				Reset(0), ExpectOn(1, ExpectMessage(omp.TypeUpdate, withdrawn(p)))})},
		{ID: "GR-014", Section: "3.1-restart", Level: SHOULD, Basis: BGP, Source: "RFC 4271 9.1.4, RFC 4724 4.2",
			Requirement: reqDownNoGR,
			Reading:     "Without graceful restart negotiated, a peer whose connection breaks has its TLOC routes withdrawn too, not only its vRoutes: peer0 advertises its TLOC (SAFI_TLOC) alone, which reaches peer1; its connection breaks, and the withdrawal of its TLOC reaches peer1. A TLOC route is learned over the session like a vRoute, and goes with it (the draft purges \"all routes learnt\" from a peer considered dead): it does not wait for the data plane to find the TLOC down.",
			Roles:       Controller, Needs: needs[2:], Type: omp.TypeUpdate,
			Script: []Step{Open(1), Open(0), Send(0, Update(TLOCRoutes())), ExpectOn(1, ExpectMessage(omp.TypeUpdate, HasTLOCRoute(0))),
				Reset(0), ExpectOn(1, ExpectMessage(omp.TypeUpdate, WithdrawsTLOCRoute(0)))}},
		{ID: "GR-007", Section: "3.1-restart", Level: INFORMATIONAL, Basis: BGP, Source: "RFC 4724 4.2",
			Requirement: "Once the End-of-RIB marker for an address family is received from the peer, it MUST immediately remove any routes from the peer that are still marked as stale for that address family.",
			Reading:     "Records whether mark and sweep is by family, as in BGP: peer0 comes back within the GR interval (the smaller of its 30 s and the DUT's own), advertises its TLOC again and ends the TLOC family alone with its OMP_INFORM_EOR; a DUT that sweeps by family keeps peer0's vRoute, whose family has had no EOR yet, and the answer to the other peer's REFRESH_REQUEST still holds it. The draft says only that \"a mark and sweep of all routes is done\" once the peering is back, so a DUT that sweeps every family at the first EOR is not failed." + readValid,
			Roles:       Controller, Needs: slices.Concat(needs, []Need{NeedCap(omp.CapCodeRefresh)}), Type: omp.TypeInform,
			Script: slices.Concat([]Step{Open(1), Open(0, gr(30))}, announce(0, RouteUpdate()), []Step{ExpectOn(1, ExpectMessage(omp.TypeUpdate, HasVRoute(p), ViaPeer(0))),
				Reset(0), Sleep(0.5), Open(0, gr(30)), Send(0, Update(TLOCRoutes())), Send(0, Inform(omp.InformEOR, omp.AFIIPv4, omp.SAFITLOC)), ExpectOn(0, Accept()),
				ExpectOn(1, InRefresh(HasVRoute(p), ViaPeer(0)))})},
		{ID: "GR-013", Section: "3.1-restart", Level: SHOULD, Basis: BGP, Source: "RFC 4724 4, RFC 8538",
			Requirement: reqGRNotAfterAlert,
			Reading:     "Graceful restart does not apply when the DUT itself ends the session with an ALERT: peer0 (graceful restart, 30 s offered) sends a message of Type 9, which the draft does not define; the DUT's ALERT OMP_ERR_HEADER/TYPE ends the session, and peer0's vRoute is withdrawn from peer1 at once, not kept stale for the GR interval as after a lost connection. As a BGP NOTIFICATION, an ALERT ends the session by the normal procedures: the peer whose data was refused is not expected back with the same routes." + readGRUnit + readValid,
			Roles:       Controller, Needs: needs, Type: omp.TypeUpdate,
			Script: slices.Concat([]Step{Open(1), Open(0, gr(30))}, announce(0, RouteUpdate()), []Step{ExpectOn(1, ExpectMessage(omp.TypeUpdate, HasVRoute(p), ViaPeer(0))),
				Send(0, RouteUpdate().Mutate("header.type", Set(9))), ExpectOn(0, Alert(omp.ErrHeader, omp.SubErrHeaderType).ThenClose()),
				ExpectOn(1, ExpectMessage(omp.TypeUpdate, withdrawn(p)))})},
		{ID: "GR-016", Section: "3.1-restart", Level: SHOULD, Basis: BGP, Source: "RFC 4724 4, RFC 8538",
			Requirement: reqGRNotAfterAlert,
			Reading:     "Graceful restart does not apply when the peer ends the session with an ALERT of an error either (GR-013 the other way round): peer0 (graceful restart, 30 s offered) sends ALERT OMP_ERR_UPDATE/ATTR_LIST, as if the DUT had sent it a malformed UPDATE; the DUT closes, and peer0's vRoute is withdrawn from peer1 at once, not kept stale for the GR interval as after a lost connection. The ALERTs of OMP_ERR_OPER that expect the peer back (TERM, CFG_CHANGE) are not this case's: RFC 8538 keeps graceful restart after a NOTIFICATION that is not a Hard Reset." + readGRUnit + readValid,
			Roles:       Controller, Needs: needs, Type: omp.TypeAlert,
			Script: slices.Concat([]Step{Open(1), Open(0, gr(30))}, announce(0, RouteUpdate()), []Step{ExpectOn(1, ExpectMessage(omp.TypeUpdate, HasVRoute(p), ViaPeer(0))),
				Send(0, AlertMessage(omp.ErrUpdate, omp.SubErrUpdateAttrList)), ExpectOn(0, Closed()),
				ExpectOn(1, ExpectMessage(omp.TypeUpdate, withdrawn(p)))})},
		{ID: "GR-015", Section: "3.1-restart", Level: SHOULD, Basis: BGP, Source: "RFC 4724 2, 4.2",
			Requirement: "the End-of-RIB marker MUST be sent by a BGP speaker to its peer once it completes the initial routing update (including the case when there is no update to send) for an address family after the BGP session is established.",
			Reading:     "A peer back within its GR interval gets the DUT's initial advertisement again: peer1 (graceful restart, 30 s offered) has peer0's vRoute reflected to it, loses its connection and opens again, within the interval; its new session's initial advertisement holds the vRoute, before the EOR that ends it. The peer that restarted lost what it was sent (its routes are what the DUT keeps stale, not the reverse), and waits for the DUT's End-of-RIB to have the whole table again." + readGRUnit + readValid,
			Roles:       Controller, Needs: needs, Type: omp.TypeInform,
			Script: slices.Concat([]Step{Open(0), Open(1, gr(30))}, announce(0, RouteUpdate()), []Step{ExpectOn(1, ExpectMessage(omp.TypeUpdate, HasVRoute(p), ViaPeer(0))),
				Reset(1), Sleep(0.5), OpenForEOR(1, gr(30)), ExpectOn(1, InAdvertisement(HasVRoute(p), ViaPeer(0)))})},
	}
}

const reqBestPath = "The OMP best-path algorithm selects paths that will be used by the routing controller and by the edges when multiple paths are available. [...] 1. Check whether the OMP route is valid. If not, ignore it. [...] 3. If the administrative distances are equal, select the OMP route with the higher OMP route preference value. [...] 6. If the origin types are the same, select the OMP route the higher router ID. 7. [...] If a vSmart controller receives the same prefix from two different sites and if all attributes are equal, the routing controller chooses both of them."

// sameSiteAs gives a fake peer fake peer j's Site ID.
func sameSiteAs(j int) HSOpt {
	return hsOpt(fmt.Sprintf("peer%d's Site ID", j), func(e *Env, _ int, h *omp.Handshake) { h.SiteID = e.Peer(j).SiteID })
}

func bestPathCases() []Case {
	p := DefaultPrefix
	// bp is a best-path case: c's ID, reading and script, the rest
	// common.
	bp := func(c Case) Case {
		c.Section, c.Level, c.Basis, c.Requirement = "3.1-selection", SHOULD, Draft, reqBestPath
		c.Reading += " Observed from a third peer, after the controller settles." + readValid
		c.Roles, c.Needs, c.Type = Controller, slices.Concat(vroute, []Need{NeedFamily(omp.AFIIPv4, omp.SAFITLOC)}, c.Needs), omp.TypeUpdate
		return c
	}
	// nextHopKnown marks a step-1 case: that a vRoute is valid while its
	// TLOC is advertised is this project's reading of "Check whether
	// the OMP route is valid", which the draft does not define.
	nextHopKnown := func(c Case) Case {
		c.Basis = Project
		c.Reading += " The draft does not say what makes a route valid; ompconform reads it as its next hop's TLOC being advertised, as EBP-001 does."
		return c
	}
	// validity marks a step-1 case whose route's validity changes: it
	// runs alone, for another case's TLOC change must not be what
	// revalidates its route. A case whose vRoute only ever comes after
	// its TLOC (nextHopKnown alone) runs with the others.
	validity := func(c Case) Case {
		c = nextHopKnown(c)
		c.Exclusive = true
		return c
	}
	return []Case{
		validity(bp(Case{ID: "BP-001", Reading: "Step 1, a valid route only: a vRoute whose TLOC nobody advertised is not valid and not passed on; once its TLOC is advertised it is.",
			Script: []Step{Open(1), Open(0), Send(0, RouteUpdate()), ExpectOn(1, NoMessage(omp.TypeUpdate, 1.5, HasVRoute(p))),
				Send(0, Update(TLOCRoutes())), ExpectOn(1, ExpectMessage(omp.TypeUpdate, HasVRoute(p), ViaPeer(0)))}})),
		validity(bp(Case{ID: "BP-002", Reading: "Step 1, again: once its TLOC is withdrawn, a vRoute over it is no longer valid, and the controller withdraws it from the other peers.",
			Script: slices.Concat([]Step{Open(1), Open(0)}, announce(0, RouteUpdate()), []Step{ExpectOn(1, ExpectMessage(omp.TypeUpdate, HasVRoute(p), ViaPeer(0))),
				Send(0, Update(WithdrawTLOCRoutes())), ExpectOn(1, ExpectMessage(omp.TypeUpdate, WithdrawsVRoute(p)))})})),
		nextHopKnown(bp(Case{ID: "BP-012", Reading: "Step 1 over an IPv6 TLOC: peer0 advertises its IPv6 TLOC (OMP_AF_TLOC_IPv6), then a vRoute whose ATTR_TYPE_TLOC names it (the draft's IPv6 format, section 3.1.3.1); the vRoute is valid and passed on, with that TLOC as its next hop.",
			Needs:  []Need{NeedFamily(omp.AFIIPv6, omp.SAFITLOC)},
			Script: []Step{Open(1), Open(0), Send(0, Update(TLOC6Routes())), Send(0, Update(TLOC6(), VRoutes(p))), ExpectOn(1, ExpectMessage(omp.TypeUpdate, HasVRoute(p), ViaPeer6(0)))}})),
		nextHopKnown(bp(Case{ID: "BP-013", Reading: "Step 1 over a GRE TLOC: peer0 advertises its TLOC with Encap GRE (1, as in ATTR_TYPE_TLOC_ENCAP's Encap Type), then a vRoute whose ATTR_TYPE_TLOC names that TLOC, Encap and all; the vRoute is valid and passed on. A TLOC is its address, color and encapsulation (ATTR_TYPE_TLOC, section 3.1.3.1): the vRoute's next hop is the GRE TLOC advertised, not an IPsec TLOC of the same address and color, which nobody advertised.",
			Script: []Step{Open(1), Open(0), Send(0, Update(TLOCRoutes()).Mutate("update.attr[0].value.nlri[0].encap", Set(uint64(omp.EncapGRE)))),
				Send(0, RouteUpdate().Mutate("update.attr[0].value.encap", Set(uint64(omp.EncapGRE)))), ExpectOn(1, ExpectMessage(omp.TypeUpdate, HasVRoute(p), ViaPeer(0)))}})),
		validity(bp(Case{ID: "BP-015", Reading: "Step 1 reads a vRoute's TLOC whole, Encap and all (the reverse of BP-013): peer0 advertises its TLOC with Encap IPsec, then a vRoute whose ATTR_TYPE_TLOC names the same address and color with Encap GRE (1); that TLOC nobody advertised, so the vRoute is not valid and not passed on. Once peer0 advertises its GRE TLOC too, it is. A TLOC is its address, color and encapsulation (ATTR_TYPE_TLOC, section 3.1.3.1).",
			Script: []Step{Open(1), Open(0), Send(0, Update(TLOCRoutes())), Send(0, RouteUpdate().Mutate("update.attr[0].value.encap", Set(uint64(omp.EncapGRE)))),
				ExpectOn(1, NoMessage(omp.TypeUpdate, 1.5, HasVRoute(p))), Send(0, Update(TLOCRoutes()).Mutate("update.attr[0].value.nlri[0].encap", Set(uint64(omp.EncapGRE)))),
				ExpectOn(1, ExpectMessage(omp.TypeUpdate, HasVRoute(p), ViaPeer(0)))}})),
		validity(bp(Case{ID: "BP-014", Reading: "Step 3 is taken over valid routes only (step 1: \"If not, ignore it\"): peer0's vRoute at ATTR_TYPE_PREF 200, whose TLOC nobody advertised, comes first; peer2's, at 100 over its advertised TLOC, after. Peer2's is the best and passed on, none via peer0: the invalid path's higher preference does not hide the valid one.",
			Script: slices.Concat([]Step{Open(1), Open(0), Open(2), Send(0, RouteUpdate(pref(200))), ExpectOn(0, Accept())}, announce(2, RouteUpdate(pref(100))), []Step{ExpectOn(1, BestPath(p, 2, 0))})})),
		bp(Case{ID: "BP-003", Reading: "Step 3: of two paths, the one with the higher route preference (peer2's 200 over peer0's 100) is the best.",
			Script: slices.Concat([]Step{Open(1), Open(0), Open(2)}, announce(0, RouteUpdate(pref(100))), announce(2, RouteUpdate(pref(200))), []Step{ExpectOn(1, BestPath(p, 2, 0))})}),
		bp(Case{ID: "BP-004", Reading: "Step 3, the other way round: peer0's 300 over peer2's 100, whatever the order they came in.",
			Script: slices.Concat([]Step{Open(1), Open(0), Open(2)}, announce(2, RouteUpdate(pref(100))), announce(0, RouteUpdate(pref(300))), []Step{ExpectOn(1, BestPath(p, 0, 2))})}),
		bp(Case{ID: "BP-006", Reading: "Step 6: two paths from the same site, equal in all else: the higher router ID (peer2's) wins.",
			Script: slices.Concat([]Step{Open(1), Open(0), Open(2, sameSiteAs(0))}, announce(0, RouteUpdate(pref(100))), announce(2, RouteUpdate(pref(100))), []Step{ExpectOn(1, BestPath(p, 2, 0))})}),
		{ID: "BP-011", Section: "3.1-selection", Level: SHOULD, Basis: BGP, Source: "RFC 4456 9",
			Requirement: "If a route carries the ORIGINATOR_ID attribute, then in Step f) of Section 9.1.2.2 of [1], the ORIGINATOR_ID SHOULD be treated as the BGP Identifier of the BGP speaker that has advertised the route.",
			Reading:     "Step 6 (\"select the OMP route the higher router ID\") reads a path's router ID from its ATTR_TYPE_ORIGINATOR: peer3, another controller (IDENTITY VIP_DEVICE_VSMART), passes on router 1's path; peer2, at router 1's site, advertises an equal one. Peer2's router ID is above router 1's and below peer3's: peer2's path wins, whatever the router ID of the controller that passed router 1's on." + readValid,
			Roles:       Controller, Needs: slices.Concat(vroute, []Need{NeedFamily(omp.AFIIPv4, omp.SAFITLOC)}), Type: omp.TypeUpdate,
			Script: slices.Concat([]Step{Open(0), Open(3, PeerType(omp.PeerTypeVSmart)), Open(2, sameSiteAs(1)),
				Send(3, As(1, Update(TLOCRoutes(), Originator()))), Send(3, As(1, RouteUpdate(Originator(), SiteID(), pref(100)))), ExpectOn(3, Accept())},
				announce(2, RouteUpdate(pref(100))), []Step{ExpectOn(0, BestPath(p, 2, 1))})},
		bp(Case{ID: "BP-007", Reading: "Step 7: the same prefix from two different sites, all attributes equal: the controller chooses both.",
			Script: slices.Concat([]Step{Open(1), Open(0), Open(2)}, announce(0, RouteUpdate(pref(100))), announce(2, RouteUpdate(pref(100))), []Step{ExpectOn(1, AllPaths(p, 0, 2))})}),
		bp(Case{ID: "BP-008", Reading: "Steps 4 and 5 are on SDN routers only: two paths from different sites, equal but for their origin type (peer0's connected, peer2's IBGP), are both chosen by the controller (step 7), not ranked by origin.",
			Script: slices.Concat([]Step{Open(1), Open(0), Open(2)}, announce(0, RouteUpdate(pref(100), origin(omp.OriginConnected))), announce(2, RouteUpdate(pref(100), origin(omp.OriginIBGP))), []Step{ExpectOn(1, AllPaths(p, 0, 2))})}),
		bp(Case{ID: "BP-009", Reading: "A new advertisement of the same path replaces the old (RFC 4271 9.1.4: the newer route replaces the older): peer0's path, the best at a preference of 300 over peer2's 200, comes again at 100, and peer2's becomes the best; the old version, kept, would still win.",
			Script: slices.Concat([]Step{Open(1), Open(0), Open(2)}, announce(0, RouteUpdate(pref(300))), announce(2, RouteUpdate(pref(200))), []Step{ExpectOn(1, BestPath(p, 0, 2)),
				Send(0, RouteUpdate(pref(100))), ExpectOn(1, BestPath(p, 2, 0))})}),
		{ID: "BP-010", Section: "3.1-selection", Level: SHOULD, Basis: BGP, Source: "RFC 7911 3",
			Requirement: "the Path Identifier MUST be assigned in such a way that the BGP speaker is able to use the (Prefix, Path Identifier) to uniquely identify a path advertised to a neighbor.",
			Reading:     "Step 7 when two SDN routers number their paths alike (a Path ID identifies a path of one neighbor only): peer0's and peer2's paths to the prefix, from two sites, equal in all else, both carry Path ID 1; the controller chooses both, and the answer to peer1's REFRESH_REQUEST holds each, whatever Path IDs it gives them." + readValid,
			Roles:       Controller, Needs: slices.Concat(vroute, []Need{NeedFamily(omp.AFIIPv4, omp.SAFITLOC), NeedCap(omp.CapCodeRefresh)}), Type: omp.TypeUpdate,
			Script: slices.Concat([]Step{Open(1), Open(0), Open(2)}, announce(0, RouteUpdate(pref(100))), announce(2, RouteUpdate(pref(100)).Mutate(firstPathID, Set(1))),
				[]Step{ExpectOn(0, Accept()), ExpectOn(2, Accept()), ExpectOn(1, InRefresh(HasVRoute(p), ViaPeer(0))), ExpectOn(1, InRefresh(HasVRoute(p), ViaPeer(2)))})},
	}
}
