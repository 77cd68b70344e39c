package catalog

import (
	"net/netip"
	"slices"

	"github.com/ompconform/ompconform/omp"
)

// Routing on an SDN router (edge or hub DUT): the harness plays its
// controller and passes on routes of other routers (As); an SDN router
// advertises only its own routes, so its choice among learned paths shows
// on the wire through its answer to a QUERY (docs/query.md), and the
// cases rest on that reading.

const readEdgeQuery = " An SDN router advertises only its own routes: its choice shows in its answer to a QUERY for the prefix, which ompconform reads as the Loc-RIB's best paths (docs/query.md)."

func edgeRoutingCases() []Case {
	p, p2, p6 := DefaultPrefix, "192.168.2.0/24", "2001:db8:1::/48"
	// private is ATTR_TYPE_TLOC_V4_PRIVATE, or V6_PRIVATE for an IPv6
	// address a.
	private := func(a string) A {
		if ad := netip.MustParseAddr(a); ad.Is6() {
			return Attr(&omp.AttrTLOCV6Private{Address: ad, Port: 12346})
		}
		return Attr(&omp.AttrTLOCV4Private{Address: netip.MustParseAddr(a), Port: 12346})
	}
	// public is ATTR_TYPE_TLOC_V4_PUBLIC of address a.
	public := func(a string) A {
		return Attr(&omp.AttrTLOCV4Public{Address: netip.MustParseAddr(a), Port: 12346})
	}
	// tlocs has the controller pass on the TLOC routes of routers 1 and 2,
	// each with its extra attributes.
	tlocs := func(extra1, extra2 []A) []Step {
		return []Step{Send(0, As(1, Update(append([]A{TLOCRoutes(), Originator()}, extra1...)...))),
			Send(0, As(2, Update(append([]A{TLOCRoutes(), Originator()}, extra2...)...)))}
	}
	// routes has it pass on router 2's path to p, then router 1's. Router
	// 2 has the higher router ID and TLOC address, so a step before 6
	// that must pick router 1 is seen to be applied: steps 6 and 7 alone,
	// and keeping the first path that came, pick router 2.
	routes := func(extra1, extra2 []A) []Step {
		return []Step{Send(0, As(2, RouteUpdate(append([]A{Originator()}, extra2...)...))),
			Send(0, As(1, RouteUpdate(append([]A{Originator()}, extra1...)...)))}
	}
	needs := append(vroute, NeedFamily(omp.AFIIPv4, omp.SAFITLOC), NeedCap(omp.CapCodeRefresh))
	// bp is a best-path case: c's ID, reading and script, the rest
	// common.
	bp := edgeQueryCase("3.1-selection", reqBestPath, needs)
	// lists is a case of the NLRI lists of REACHABLES and UNREACHABLES
	// (RFC 4760), on an SDN router.
	lists := func(c Case) Case {
		req, src := c.Requirement, c.Source
		c = edgeQueryCase("3.1.3.12", req, needs)(c)
		c.Basis, c.Source = BGP, src
		return c
	}
	return []Case{
		bp(Case{ID: "EBP-001", Exclusive: true, Reading: "Step 1: a path whose TLOC nobody advertised is not valid and is not reported; once the TLOC is advertised it is.",
			Script: []Step{Open(0), Send(0, As(1, RouteUpdate(Originator()))), ExpectOn(0, QueriedPaths(p, nil, 1)),
				Send(0, As(1, Update(TLOCRoutes(), Originator()))), ExpectOn(0, QueriedPaths(p, []int{1}))}}),
		bp(Case{ID: "EBP-025", Exclusive: true, Reading: "Step 1 reads a path's TLOC whole, Encap and all (the reverse of EBP-021): router 1's TLOC comes with Encap IPsec, then its path, whose ATTR_TYPE_TLOC names the same address and color with Encap GRE (1); that TLOC nobody advertised, so the path is not valid and not reported. Once router 1's GRE TLOC comes too, it is. A TLOC is its address, color and encapsulation (ATTR_TYPE_TLOC, section 3.1.3.1).",
			Script: []Step{Open(0), Send(0, As(1, Update(TLOCRoutes(), Originator()))), Send(0, As(1, RouteUpdate(Originator()).Mutate("update.attr[0].value.encap", Set(uint64(omp.EncapGRE))))),
				ExpectOn(0, QueriedPaths(p, nil, 1)), Send(0, As(1, Update(TLOCRoutes(), Originator()).Mutate("update.attr[0].value.nlri[0].encap", Set(uint64(omp.EncapGRE))))),
				ExpectOn(0, QueriedPaths(p, []int{1}))}}),
		bp(Case{ID: "EBP-024", Exclusive: true, Reading: "Step 3 is taken over valid paths only (step 1: \"If not, ignore it\"): router 1's path at ATTR_TYPE_PREF 200, whose TLOC nobody advertised, comes first; router 2's, at 100 over its advertised TLOC, after. Router 2's is the best and reported, router 1's not: the invalid path's higher preference does not hide the valid one.",
			Script: []Step{Open(0), Send(0, As(1, RouteUpdate(Originator(), pref(200)))), Send(0, As(2, Update(TLOCRoutes(), Originator()))),
				Send(0, As(2, RouteUpdate(Originator(), pref(100)))), ExpectOn(0, QueriedPaths(p, []int{2}, 1))}}),
		bp(Case{ID: "EBP-002", Reading: "Step 2: a route the SDN router originates (its own, learned from its initial advertisement) has a lower administrative distance than any OMP path: router 1's path to the same prefix, with a preference of 1000, does not replace it.",
			Script: slices.Concat([]Step{Open(0)}, tlocs(nil, nil), []Step{Send(0, As(1, Update(TLOC(), OwnVRoute(), Originator(), pref(1000)))), ExpectOn(0, OwnRouteStaysBest(1))})}),
		bp(Case{ID: "EBP-003", Reading: "Step 3: of two paths, the one with the higher route preference (router 1's 200 over router 2's 100, though router 2's has the higher router ID and TLOC address and came first) is the best.",
			Script: slices.Concat([]Step{Open(0)}, tlocs(nil, nil), routes([]A{pref(200)}, []A{pref(100)}), []Step{ExpectOn(0, QueriedPaths(p, []int{1}, 2))})}),
		bp(Case{ID: "EBP-004", Reading: "Step 4: route preferences equal, the path whose TLOC has the higher preference (router 1's TLOC at 200 over router 2's at 100, though router 2's has the higher router ID and TLOC address and came first) is the best.",
			Script: slices.Concat([]Step{Open(0)}, tlocs([]A{pref(200)}, []A{pref(100)}), routes([]A{pref(50)}, []A{pref(50)}), []Step{ExpectOn(0, QueriedPaths(p, []int{1}, 2))})}),
		bp(Case{ID: "EBP-005", Reading: "Step 5: preferences equal, the path of the better origin type (router 1's connected over router 2's IBGP, though router 2's has the higher router ID and TLOC address and came first) is the best.",
			Script: slices.Concat([]Step{Open(0)}, tlocs(nil, nil), routes([]A{origin(omp.OriginConnected)}, []A{origin(omp.OriginIBGP)}), []Step{ExpectOn(0, QueriedPaths(p, []int{1}, 2))})}),
		bp(Case{ID: "EBP-006", Reading: "Step 6: origin types equal, the path with the higher router ID (router 2's, which came first) is the best.",
			Script: slices.Concat([]Step{Open(0)}, tlocs(nil, nil), routes([]A{origin(omp.OriginStatic)}, []A{origin(omp.OriginStatic)}), []Step{ExpectOn(0, QueriedPaths(p, []int{2}, 1))})}),
		bp(Case{ID: "EBP-007", Reading: "Step 7: everything else equal (one originator, router 1, over two TLOCs), an SDN router breaks the tie by the higher private TLOC address (the path via router 1's TLOC): one path, not both. The draft does not say where the private address is read: each TLOC's is on its TLOC route and on the path via it alike.",
			Script: slices.Concat([]Step{Open(0)}, tlocs([]A{private("192.0.2.200")}, []A{private("192.0.2.100")}),
				[]Step{Send(0, As(1, RouteUpdate(OriginatorOf(1), private("192.0.2.200")))), Send(0, As(2, RouteUpdate(OriginatorOf(1), private("192.0.2.100")))),
					ExpectOn(0, QueriedPaths(p, []int{1}, 2))})}),
		bp(Case{ID: "EBP-010", Reading: "A withdrawn path is no longer a candidate: router 1's path, the best by preference, is withdrawn and router 2's becomes the best.",
			Script: slices.Concat([]Step{Open(0)}, tlocs(nil, nil), routes([]A{pref(200)}, []A{pref(100)}), []Step{ExpectOn(0, QueriedPaths(p, []int{1}, 2)),
				Send(0, As(1, Update(WithdrawVRoutes(p), Originator()))), ExpectOn(0, QueriedPaths(p, []int{2}, 1))})}),
		bp(Case{ID: "EBP-011", Exclusive: true, Reading: "Step 1, again (as BP-002 on a controller): once router 1's TLOC is withdrawn, its path over it, the best by preference until then, is no longer valid: router 2's becomes the best.",
			Script: slices.Concat([]Step{Open(0)}, tlocs(nil, nil), routes([]A{pref(200)}, []A{pref(100)}), []Step{ExpectOn(0, QueriedPaths(p, []int{1}, 2)),
				Send(0, As(1, Update(WithdrawTLOCRoutes(), Originator()))), ExpectOn(0, QueriedPaths(p, []int{2}, 1))})}),
		bp(Case{ID: "EBP-012", Reading: "A new advertisement of the same path (router 1's, same Path ID, same originator) replaces the old (RFC 4271 9.1.4: the newer route replaces the older): router 1's path, the best at a preference of 300 over router 2's 200, comes again at 100, and router 2's becomes the best; the old version, kept, would still win.",
			Script: slices.Concat([]Step{Open(0)}, tlocs(nil, nil), []Step{Send(0, As(1, RouteUpdate(Originator(), pref(300)))), Send(0, As(2, RouteUpdate(Originator(), pref(200)))),
				ExpectOn(0, QueriedPaths(p, []int{1}, 2)), Send(0, As(1, RouteUpdate(Originator(), pref(100)))), ExpectOn(0, QueriedPaths(p, []int{2}, 1))})}),
		bp(Case{ID: "EBP-013", Level: INFORMATIONAL, Reading: "Records whether paths a controller passes on for two routers with the same Path ID are two paths: router 1's path, Path ID 1 at a preference of 200, then router 2's, Path ID 1 at 100; a DUT that reads a path as its prefix, Path ID and originator (as the reference does) keeps the first, the best. The draft does not say what identifies a path, and BGP's ADD-PATH (RFC 7911 3) has the sender number its paths of a prefix apart, so a DUT that takes the second for a new version of the first is not failed.",
			Script: slices.Concat([]Step{Open(0)}, tlocs(nil, nil), []Step{Send(0, As(1, RouteUpdate(Originator(), pref(200))).Mutate(firstPathID, Set(1))),
				Send(0, As(2, RouteUpdate(Originator(), pref(100))).Mutate(firstPathID, Set(1))), ExpectOn(0, QueriedPaths(p, []int{1}, 2))})}),
		bp(Case{ID: "EBP-014", Reading: "A withdrawal names one path, by its Path ID (RFC 7911 3: a path is its prefix and Path ID): router 1's two paths to the prefix, Path ID 2 at a preference of 200 and Path ID 9 at 100; Path ID 2 withdrawn, the other is still router 1's path to it.",
			Script: slices.Concat([]Step{Open(0)}, tlocs(nil, nil), []Step{Send(0, As(1, RouteUpdate(Originator(), pref(200)))), Send(0, As(1, RouteUpdate(Originator(), pref(100))).Mutate(firstPathID, Set(9))),
				Send(0, As(1, Update(WithdrawVRoutes(p), Originator()))), ExpectOn(0, QueriedPaths(p, []int{1}, 2))})}),
		bp(Case{ID: "EBP-015", Reading: "Step 5, the end of its order: an unknown origin type (router 2's path, ATTR_TYPE_ORIGIN Proto 0, no protocol) comes last, after connected (router 1's), though router 2's has the higher router ID and TLOC address and came first.",
			Script: slices.Concat([]Step{Open(0)}, tlocs(nil, nil), routes([]A{origin(omp.OriginConnected)}, []A{origin(omp.OriginUnknown)}), []Step{ExpectOn(0, QueriedPaths(p, []int{1}, 2))})}),
		bp(Case{ID: "EBP-016", Exclusive: true, Reading: "Step 4 follows the TLOC: router 2's path is the best while its TLOC's preference (200) is above router 1's (100); router 1's TLOC route comes again at 300, and router 1's path becomes the best.",
			Script: slices.Concat([]Step{Open(0)}, tlocs([]A{pref(100)}, []A{pref(200)}), routes(nil, nil), []Step{ExpectOn(0, QueriedPaths(p, []int{2}, 1)),
				Send(0, As(1, Update(TLOCRoutes(), Originator(), pref(300)))), ExpectOn(0, QueriedPaths(p, []int{1}, 2))})}),
		lists(Case{ID: "EBP-017", Source: "RFC 4760 4", Requirement: reqWithdrawnList,
			Reading: "Every vRoute an ATTR_TYPE_UNREACHABLES lists is withdrawn: router 1's paths to two prefixes come in one UPDATE and go in one; the QUERY for the second, which reported router 1's path, reports none.",
			Script: slices.Concat([]Step{Open(0)}, tlocs(nil, nil), []Step{Send(0, As(1, Update(TLOC(), VRoutes(p, p2), Originator()))), ExpectOn(0, QueriedPaths(p2, []int{1})),
				Send(0, As(1, Update(WithdrawVRoutes(p, p2), Originator()))), ExpectOn(0, QueriedPaths(p2, nil, 1))})}),
		lists(Case{ID: "EBP-018", Source: "RFC 4760 3", Requirement: reqReachList,
			Reading: "Every TLOC route an ATTR_TYPE_REACHABLES lists is installed: router 1's TLOC of colors 1 and 2 comes in one UPDATE; router 1's path over the second is valid (step 1) and reported.",
			Script: []Step{Open(0), Send(0, As(1, Update(TLOCRoutes(1, 2), Originator()))), Send(0, As(1, Update(TLOC(2), VRoutes(p), Originator()))),
				ExpectOn(0, QueriedPaths(p, []int{1}))}}),
		lists(Case{ID: "EBP-020", Source: "RFC 4271 4.3", Requirement: reqBothLists,
			Reading: "A prefix that one UPDATE both withdraws and advertises stays advertised: router 1's path to it comes, then one UPDATE with it in ATTR_TYPE_UNREACHABLES and in ATTR_TYPE_REACHABLES; the QUERY for it still reports router 1's path.",
			Script: slices.Concat([]Step{Open(0)}, tlocs(nil, nil), []Step{Send(0, As(1, RouteUpdate(Originator()))), ExpectOn(0, QueriedPaths(p, []int{1})),
				Send(0, As(1, Update(TLOC(), VRoutes(p), WithdrawVRoutes(p), Originator()))), ExpectOn(0, QueriedPaths(p, []int{1}))})}),
		lists(Case{ID: "EBP-028", Source: "RFC 4760 4", Requirement: reqWithdrawnList, Needs: []Need{NeedFamily(omp.AFIIPv6, omp.SAFIVRoute)},
			Reading: "An IPv6 vRoute's withdrawal is taken as an IPv4 one's (EBP-017): ATTR_TYPE_REACHABLES and UNREACHABLES have one format for every family (section 3.1.3.12). Router 1's path to 2001:db8:1::/48, over its IPv4 TLOC, is reported by the QUERY; once an UPDATE withdraws it (ATTR_TYPE_UNREACHABLES of AFI_IPv6), the QUERY reports none.",
			Script: []Step{Open(0), Send(0, As(1, Update(TLOCRoutes(), Originator()))), Send(0, As(1, Update(TLOC(), VRoutes(p6), Originator()))), ExpectOn(0, QueriedPaths(p6, []int{1})),
				Send(0, As(1, Update(WithdrawVRoutes(p6), Originator()))), ExpectOn(0, QueriedPaths(p6, nil, 1))}}),
		bp(Case{ID: "EBP-029", Exclusive: true, Reading: "Step 1 by color: a TLOC is its address, color and Encap (ATTR_TYPE_TLOC, section 3.1.3.1): router 1's TLOC of color 1 is advertised, then its path over its TLOC address of color 2; the path is not valid and is not reported. Once router 1's TLOC of color 2 is advertised too, it is. The draft does not say what makes a route valid; ompconform reads it as its next hop's TLOC being advertised, as EBP-001 does.",
			Script: []Step{Open(0), Send(0, As(1, Update(TLOCRoutes(), Originator()))), Send(0, As(1, Update(TLOC(2), VRoutes(p), Originator()))), ExpectOn(0, QueriedPaths(p, nil, 1)),
				Send(0, As(1, Update(TLOCRoutes(2), Originator()))), ExpectOn(0, QueriedPaths(p, []int{1}))}}),
		bp(Case{ID: "EBP-021", Reading: "Step 1 over a GRE TLOC: router 1's TLOC comes with Encap GRE (1, as in ATTR_TYPE_TLOC_ENCAP's Encap Type), then its path, whose ATTR_TYPE_TLOC names that TLOC, Encap and all; the path is valid and reported. A TLOC is its address, color and encapsulation (ATTR_TYPE_TLOC, section 3.1.3.1). The draft does not say what makes a route valid; ompconform reads it as its next hop's TLOC being advertised, as EBP-001 does.",
			Script: []Step{Open(0), Send(0, As(1, Update(TLOCRoutes(), Originator()).Mutate("update.attr[0].value.nlri[0].encap", Set(uint64(omp.EncapGRE))))),
				Send(0, As(1, RouteUpdate(Originator()).Mutate("update.attr[0].value.encap", Set(uint64(omp.EncapGRE))))), ExpectOn(0, QueriedPaths(p, []int{1}))}}),
		bp(Case{ID: "EBP-022", Reading: "Step 1 over an IPv6 TLOC: router 1's IPv6 TLOC comes (OMP_AF_TLOC_IPv6), then its path, whose ATTR_TYPE_TLOC names it (the draft's IPv6 format, section 3.1.3.1); the path is valid and reported, via that TLOC. The draft does not say what makes a route valid; ompconform reads it as its next hop's TLOC being advertised, as EBP-001 does.",
			Needs: []Need{NeedFamily(omp.AFIIPv6, omp.SAFITLOC)},
			Script: []Step{Open(0), Send(0, As(1, Update(TLOC6Routes(), Originator()))), Send(0, As(1, Update(TLOC6(), VRoutes(p), Originator()))),
				ExpectOn(0, QueriedPaths6(p, []int{1}))}}),
		bp(Case{ID: "EBP-023", Reading: "Step 7 with IPv6 private addresses: as EBP-007, one originator (router 1) over two TLOCs, but over an IPv6 transport, their private addresses in ATTR_TYPE_TLOC_V6_PRIVATE; the path via the higher private address (router 1's TLOC, fd00::200 over fd00::100) is the only best path, though router 2's TLOC address is the higher and its path came first. The draft lists ATTR_TYPE_TLOC_V6_PRIVATE (20) beside the V4 one without a figure, and step 7's \"higher private IP address\" is of either family.",
			Script: slices.Concat([]Step{Open(0)}, tlocs([]A{private("fd00::200")}, []A{private("fd00::100")}),
				[]Step{Send(0, As(2, RouteUpdate(OriginatorOf(1), private("fd00::100")))), Send(0, As(1, RouteUpdate(OriginatorOf(1), private("fd00::200")))),
					ExpectOn(0, QueriedPaths(p, []int{1}, 2))})}),
		bp(Case{ID: "EBP-026", Reading: "Step 7 reads the private address, not the public one: as EBP-007, one originator (router 1) over two TLOCs, router 1's of private address 192.0.2.200 and router 2's of 192.0.2.100, but each TLOC route and path also carries an ATTR_TYPE_TLOC_V4_PUBLIC, ordered the other way (198.51.100.100 and 198.51.100.200); the path via the higher private address (router 1's TLOC) is the only best path, though router 2's has the higher public and TLOC addresses and came first.",
			Script: slices.Concat([]Step{Open(0)}, tlocs([]A{private("192.0.2.200"), public("198.51.100.100")}, []A{private("192.0.2.100"), public("198.51.100.200")}),
				[]Step{Send(0, As(2, RouteUpdate(OriginatorOf(1), private("192.0.2.100"), public("198.51.100.200")))),
					Send(0, As(1, RouteUpdate(OriginatorOf(1), private("192.0.2.200"), public("198.51.100.100")))), ExpectOn(0, QueriedPaths(p, []int{1}, 2))})}),
		bp(Case{ID: "EBP-027", Reading: "Step 6 follows step 5: the ORIGIN metric is no step of the selection: origin types equal (static), the path with the higher router ID (router 2's, ATTR_TYPE_ORIGIN metric 100) is the best over router 1's (metric 10). The draft's ATTR_TYPE_ORIGIN carries a metric that none of the seven steps compares.",
			Script: slices.Concat([]Step{Open(0)}, tlocs(nil, nil), routes([]A{originMetric(omp.OriginStatic, 10)}, []A{originMetric(omp.OriginStatic, 100)}), []Step{ExpectOn(0, QueriedPaths(p, []int{2}, 1))})}),
		bp(Case{ID: "EBP-019", Level: INFORMATIONAL, Reading: "Records whether step 5 orders the OSPF origin types: router 1's OSPF inter-area path is the best over router 2's OSPF external one, though router 2's has the higher router ID and TLOC address and came first. The draft gives the origin protocols no numbers; the case sends ompconform's (ATTR_TYPE_ORIGIN Proto 5 and 6, docs/wire-format.md), which a DUT need not share, so it fails nothing.",
			Script: slices.Concat([]Step{Open(0)}, tlocs(nil, nil), routes([]A{origin(omp.OriginOSPFInter)}, []A{origin(omp.OriginOSPFExternal)}), []Step{ExpectOn(0, QueriedPaths(p, []int{1}, 2))})}),
	}
}

// edgeQueryCase completes a case that an SDN router's QUERY answers
// (its ID, reading and script given): the section and requirement, SHOULD
// by the project's reading, readEdgeQuery after the reading, for edges
// and hubs with needs, of type QUERY.
func edgeQueryCase(section, req string, needs []Need) func(Case) Case {
	return func(c Case) Case {
		c.Section, c.Basis, c.Requirement = section, Project, req
		if c.Level == 0 {
			c.Level = SHOULD
		}
		c.Reading += readEdgeQuery
		c.Roles, c.Needs, c.Type = Edges, slices.Concat(needs, c.Needs), omp.TypeQuery
		return c
	}
}

// edgeGRCases are graceful restart on an SDN router: its controller (the
// harness's peer0) restarts; a second controller (peer1) asks.
func edgeGRCases() []Case {
	p, p2 := DefaultPrefix, "192.168.2.0/24"
	needs := []Need{NeedCap(omp.CapCodeGracefulRestart), NeedCap(omp.CapCodeRefresh), vroute[0], NeedFamily(omp.AFIIPv4, omp.SAFITLOC)}
	// peer0's routes, then a barrier on peer0 (its REFRESH_REQUEST
	// answered): the DUT has them before peer1 asks.
	learn := []Step{Open(1), Open(0, gr(5)), Send(0, As(2, Update(TLOCRoutes(), Originator()))), Send(0, As(2, RouteUpdate(Originator()))),
		ExpectOn(0, Accept()), ExpectOn(1, QueriedPaths(p, []int{2}))}
	// c is a graceful restart case: c's ID, reading, timer mark and
	// script, the rest common.
	query := edgeQueryCase("3.1-restart", reqGR, needs)
	c := func(gc Case) Case {
		gc.Reading += readGRUnit
		return query(gc)
	}
	return []Case{
		c(Case{ID: "EGR-002", Reading: "Within the GR interval after its controller's connection breaks, the SDN router keeps the routes it learned from it (stale): the other controller's QUERY still finds them.",
			Script: slices.Concat(learn, []Step{Reset(0), Sleep(0.3), ExpectOn(1, QueriedPaths(p, []int{2}))})}),
		c(Case{ID: "EGR-003", Reading: "When the GR interval (the smaller of peer0's 3 s and the DUT's own) passes without the controller, its routes are purged.", Timer: true,
			Script: []Step{Open(1), Open(0, gr(3)), Send(0, As(2, Update(TLOCRoutes(), Originator()))), Send(0, As(2, RouteUpdate(Originator()))),
				ExpectOn(0, Accept()), ExpectOn(1, QueriedPaths(p, []int{2})), Reset(0), Sleep(0.3), ExpectOn(1, QueriedPaths(p, []int{2})),
				SleepFor(GRInterval(0, 1, 1)), ExpectOn(1, QueriedPaths(p, nil, 2))}}),
		c(Case{ID: "EGR-005", Reading: "Mark and sweep: the controller comes back, passes on a route to another prefix only, then EOR: the stale route is swept.",
			Script: slices.Concat(learn, []Step{Reset(0), Sleep(0.3), Open(0, gr(5)), Send(0, As(2, Update(TLOCRoutes(), Originator()))),
				Send(0, As(2, Update(TLOC(), VRoutes("192.168.2.0/24"), Originator()))), Send(0, InformAll(omp.InformEOR)),
				ExpectOn(0, Accept()), ExpectOn(1, QueriedPaths(p, nil, 2))})}),
		c(Case{ID: "EGR-004", Reading: "The controller comes back within the GR interval, passes on the route again, then EOR: the route, refreshed, is no longer stale and is not swept, then or when the interval (the smaller of peer0's 5 s and the DUT's own) has passed (as GR-004 on a controller).", Timer: true,
			Script: slices.Concat(learn, []Step{Reset(0), Sleep(0.3), Open(0, gr(5)), Send(0, As(2, Update(TLOCRoutes(), Originator()))),
				Send(0, As(2, RouteUpdate(Originator()))), Send(0, InformAll(omp.InformEOR)), ExpectOn(0, Accept()), ExpectOn(1, QueriedPaths(p, []int{2})),
				SleepFor(GRInterval(0, 1, 1)), ExpectOn(1, QueriedPaths(p, []int{2}))})}),
		c(Case{ID: "EGR-006", Reading: "Mark and sweep is of the restarting controller's routes alone: while peer0 is away, an EOR from the other controller (peer1, with graceful restart too) sweeps none of peer0's stale routes, which stay until peer0's own EOR or the end of its GR interval.",
			Script: []Step{Open(1, gr(5)), Open(0, gr(5)), Send(0, As(2, Update(TLOCRoutes(), Originator()))), Send(0, As(2, RouteUpdate(Originator()))),
				ExpectOn(0, Accept()), ExpectOn(1, QueriedPaths(p, []int{2})), Reset(0), Sleep(0.3), Send(1, InformAll(omp.InformEOR)), ExpectOn(1, QueriedPaths(p, []int{2}))}}),
		c(Case{ID: "EGR-008", Reading: "Mark and sweep by family (RFC 4724 4.2, as GR-008 on a controller): peer0, which negotiated AFI_IPV4/SAFI_TLOC and AFI_IPV4/SAFI_VROUTE only, comes back and passes on one of its two routes again, then ends each of its families with an OMP_INFORM_EOR of that family (not one for every family): the other route is swept, the one passed on again stays.",
			Script: []Step{Open(1), Open(0, gr(5), ipv4Only()), Send(0, As(2, Update(TLOCRoutes(), Originator()))), Send(0, As(2, Update(TLOC(), VRoutes(p, p2), Originator()))),
				ExpectOn(0, Accept()), ExpectOn(1, QueriedPaths(p2, []int{2})), Reset(0), Sleep(0.3), Open(0, gr(5), ipv4Only()), Send(0, As(2, Update(TLOCRoutes(), Originator()))),
				Send(0, As(2, RouteUpdate(Originator()))), Send(0, Inform(omp.InformEOR, omp.AFIIPv4, omp.SAFITLOC)), Send(0, Inform(omp.InformEOR, omp.AFIIPv4, omp.SAFIVRoute)),
				ExpectOn(0, Accept()), ExpectOn(1, QueriedPaths(p2, nil, 2)), ExpectOn(1, QueriedPaths(p, []int{2}))}}),
		c(Case{ID: "EGR-009", Reading: "Stale routes stay while the controller comes back, until its End-of-RIB (as GR-010 on a controller): peer0 returns within the GR interval and passes on one of router 2's two routes again, no EOR yet; the other, stale, is still there for peer1's QUERY.",
			Script: []Step{Open(1), Open(0, gr(5)), Send(0, As(2, Update(TLOCRoutes(), Originator()))), Send(0, As(2, Update(TLOC(), VRoutes(p, p2), Originator()))),
				ExpectOn(0, Accept()), ExpectOn(1, QueriedPaths(p2, []int{2})), Reset(0), Sleep(0.3), Open(0, gr(5)), Send(0, As(2, Update(TLOCRoutes(), Originator()))),
				Send(0, As(2, RouteUpdate(Originator()))), ExpectOn(0, Accept()), ExpectOn(1, QueriedPaths(p2, []int{2}))}}),
		c(Case{ID: "EGR-011", Timer: true, Reading: "Stale routes go when the GR interval runs out, though the controller came back, and only they (as GR-012 on a controller): peer0 (GR 3 s offered; AFI_IPV4/SAFI_TLOC and AFI_IPV4/SAFI_VROUTE only) passes on router 2's two routes, loses its connection, comes back, passes on one of them again and sends the OMP_INFORM_EOR of SAFI_TLOC alone, none of SAFI_VROUTE. Once the GR interval (the smaller of 3 s and the DUT's own) and the tolerance have passed since it came back, peer1's QUERY finds the route passed on again and not the other. A DUT that sweeps every family at the first EOR passes too; one that keeps the stale route past the interval, or purges the fresh one with it, fails.",
			Script: []Step{Open(1), Open(0, gr(3), ipv4Only()), Send(0, As(2, Update(TLOCRoutes(), Originator()))), Send(0, As(2, Update(TLOC(), VRoutes(p, p2), Originator()))),
				ExpectOn(0, Accept()), ExpectOn(1, QueriedPaths(p2, []int{2})), Reset(0), Sleep(0.3), Open(0, gr(3), ipv4Only()), Send(0, As(2, Update(TLOCRoutes(), Originator()))),
				Send(0, As(2, RouteUpdate(Originator()))), Send(0, Inform(omp.InformEOR, omp.AFIIPv4, omp.SAFITLOC)), ExpectOn(0, Accept()), SleepFor(GRInterval(0, 1, 1)),
				ExpectOn(1, QueriedPaths(p2, nil, 2)), ExpectOn(1, QueriedPaths(p, []int{2}))}}),
		{ID: "EGR-012", Section: "3.1-restart", Level: SHOULD, Basis: BGP, Source: "RFC 4724 4, RFC 8538", Requirement: reqGRNotAfterAlert,
			Reading: "Graceful restart does not apply when the SDN router itself ends the session with an ALERT (GR-013 on a controller): peer0 (GR 30 s offered) passes on router 2's route, then sends a message of Type 9, which the draft does not define; the DUT's ALERT OMP_ERR_HEADER/TYPE ends the session, and twice the tolerance later (a DUT may drain the connection a while after its ALERT) the route is gone for peer1's QUERY, not kept stale for the GR interval as after a lost connection." + readGRUnit + readEdgeQuery,
			Roles:   Edges, Needs: needs, Type: omp.TypeQuery,
			Script: []Step{Open(1), Open(0, gr(30)), Send(0, As(2, Update(TLOCRoutes(), Originator()))), Send(0, As(2, RouteUpdate(Originator()))),
				ExpectOn(0, Accept()), ExpectOn(1, QueriedPaths(p, []int{2})), Send(0, RouteUpdate().Mutate("header.type", Set(9))),
				ExpectOn(0, Alert(omp.ErrHeader, omp.SubErrHeaderType).ThenClose()), SleepFor(GRInterval(0, 0, 2)), ExpectOn(1, QueriedPaths(p, nil, 2))}},
		{ID: "EGR-013", Section: "3.1-restart", Level: SHOULD, Basis: BGP, Source: "RFC 4271 9.1.4, RFC 4724 4.2", Requirement: reqDownNoGR,
			Reading: "Without graceful restart negotiated, a controller whose connection breaks has the routes it passed on removed at once (GR-006 on an edge or hub): peer0, which offers no GRACEFUL RESTART capability, passes on router 2's route; its connection breaks, and within the tolerance the route is gone for peer1's QUERY, not kept stale for the SDN router's own GR interval. RFC 4724 4.2 retains the routes of a peer \"that has advertised the Graceful Restart Capability\" only." + readEdgeQuery,
			Roles:   Edges, Needs: needs[1:], Type: omp.TypeQuery,
			Script: []Step{Open(1), Open(0), Send(0, As(2, Update(TLOCRoutes(), Originator()))), Send(0, As(2, RouteUpdate(Originator()))),
				ExpectOn(0, Accept()), ExpectOn(1, QueriedPaths(p, []int{2})), Reset(0), SleepFor(GRInterval(0, 0, 1)), ExpectOn(1, QueriedPaths(p, nil, 2))}},
		{ID: "EGR-010", Section: "3.1-restart", Level: INFORMATIONAL, Basis: BGP, Source: "RFC 4724 4.2",
			Requirement: "If the session does not get re-established within the \"Restart Time\" that the peer advertised previously, or if the Graceful Restart Capability is not received in the re-established session, the Receiving Speaker MUST immediately remove all the stale routes from the peer that it is retaining for that address family.",
			Reading:     "Records whether a controller back within the GR interval but without graceful restart in its new HANDSHAKE has its stale routes removed at once (GR-011 on a controller): peer0 (GR 30 s offered) loses its connection and opens again with no GRACEFUL RESTART capability; the route it passed on is gone for peer1's QUERY. The draft's mark and sweep once the peering is back allows keeping them for that sweep." + readGRUnit + readEdgeQuery,
			Roles:       Edges, Needs: needs, Type: omp.TypeHandshake,
			Script: []Step{Open(1), Open(0, gr(30)), Send(0, As(2, Update(TLOCRoutes(), Originator()))), Send(0, As(2, RouteUpdate(Originator()))),
				ExpectOn(0, Accept()), ExpectOn(1, QueriedPaths(p, []int{2})), Reset(0), Sleep(0.3), Open(0), ExpectOn(0, Accept()), ExpectOn(1, QueriedPaths(p, nil, 2))}},
		{ID: "EGR-014", Section: "3.1-restart", Level: SHOULD, Basis: BGP, Source: "RFC 4724 4, RFC 8538", Requirement: reqGRNotAfterAlert,
			Reading: "Graceful restart does not apply when the controller ends the session with an ALERT of an error either (GR-016 on an edge or hub, EGR-012 the other way round): peer0 (GR 30 s offered) passes on router 2's route, then sends ALERT OMP_ERR_UPDATE/ATTR_LIST, as if the SDN router had sent it a malformed UPDATE; the DUT closes, and twice the tolerance later the route is gone for peer1's QUERY, not kept stale for the GR interval as after a lost connection. The ALERTs of OMP_ERR_OPER that expect the peer back (TERM, CFG_CHANGE) are not this case's: RFC 8538 keeps graceful restart after a NOTIFICATION that is not a Hard Reset." + readGRUnit + readEdgeQuery,
			Roles:   Edges, Needs: needs, Type: omp.TypeAlert,
			Script: []Step{Open(1), Open(0, gr(30)), Send(0, As(2, Update(TLOCRoutes(), Originator()))), Send(0, As(2, RouteUpdate(Originator()))),
				ExpectOn(0, Accept()), ExpectOn(1, QueriedPaths(p, []int{2})), Send(0, AlertMessage(omp.ErrUpdate, omp.SubErrUpdateAttrList)),
				ExpectOn(0, Closed()), SleepFor(GRInterval(0, 0, 2)), ExpectOn(1, QueriedPaths(p, nil, 2))}},
	}
}
