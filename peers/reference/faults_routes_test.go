package reference

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// The wire scenarios of the routing half's faults (faults_wire_test.go
// runs them): a fake peer speaks for routers 10.0.3.n, and QUERY shows
// the speaker's best paths.

// edgeWithRoute is an edge on the RIB with one TLOC, tlocOf(1), and a
// route over it, VPN 1 10.1.0.0/16.
func edgeWithRoute(c *Config) {
	edgeWithTLOC(c)
	c.Routes = []RouteConfig{{VPN: 1, Prefix: pfx("10.1.0.0/16")}}
}

// vrouteEOR takes an End-of-RIB of SAFI_VROUTE.
func vrouteEOR(m omp.Message) bool {
	i, ok := m.(*omp.Inform)
	return ok && i.InformType == omp.InformEOR && i.SAFI == omp.SAFIVRoute
}

// edgeWithTLOC is an edge on the RIB with one TLOC, tlocOf(1).
func edgeWithTLOC(c *Config) {
	onRIB(omp.RoleEdge)(c)
	c.TLOCs = []TLOCConfig{{TLOCKey: tlocOf(1)}}
}

// routeFaultCases are the scenarios of the routing half's faults.
var routeFaultCases = []faultCase{
	// bestpath: a fake peer speaks for routers 10.0.3.n; QUERY shows the
	// speaker's best paths.
	{"bestpath-invalid-accepted", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		p := ribEstablished(t, sp, edgeHandshake())
		o := originN(1)
		p.send(o.routeAdv(0, 0, "10.1.0.0/16")) // its TLOC is never advertised
		p.expectBestOrFaulty(faulty, "10.1.0.0/16", o.id)
	}},
	{"bestpath-max-pref-over-invalid", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		p := ribEstablished(t, sp, edgeHandshake())
		invalid, valid := originN(1), originN(2)
		p.send(invalid.routeAdv(200, 0, "10.1.0.0/16")) // its TLOC is never advertised
		p.send(valid.tlocAdv(0))
		p.send(valid.routeAdv(100, 0, "10.1.0.0/16"))
		if faulty {
			p.expectBest("10.1.0.0/16") // hidden by the invalid path's preference
			return
		}
		p.expectBest("10.1.0.0/16", valid.id)
	}},
	{"bestpath-distance-reversed", func(c *Config) {
		onRIB(omp.RoleEdge)(c)
		c.TLOCs = []TLOCConfig{{TLOCKey: tlocOf(1)}}
		c.Routes = []RouteConfig{{VPN: 1, Prefix: pfx("10.1.0.0/16"), Origin: "connected"}}
	}, func(t *testing.T, sp *Speaker, faulty bool) {
		p := ribEstablished(t, sp, asController(edgeHandshake()))
		o := originN(2)
		p.send(o.tlocAdv(0))
		p.send(o.routeAdv(0, omp.OriginConnected, "10.1.0.0/16"))
		p.expectBestOrFaulty(faulty, "10.1.0.0/16", o.id, ctrlID) // its own, connected
	}},
	{"bestpath-preference-reversed", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		bestOfTwo(ribEstablished(t, sp, edgeHandshake()), faulty, true, [2]pathPrefs{{route: 200}, {route: 100}}, 1, 2)
	}},
	{"bestpath-tloc-preference-reversed", onRIB(omp.RoleEdge), func(t *testing.T, sp *Speaker, faulty bool) {
		bestOfTwo(ribEstablished(t, sp, asController(edgeHandshake())), faulty, false, [2]pathPrefs{{tloc: 200}, {tloc: 100}}, 1, 2)
	}},
	{"edge-origin-order-reversed", onRIB(omp.RoleEdge), func(t *testing.T, sp *Speaker, faulty bool) {
		bestOfTwo(ribEstablished(t, sp, asController(edgeHandshake())), faulty, false,
			[2]pathPrefs{{proto: omp.OriginConnected}, {proto: omp.OriginStatic}}, 1, 2)
	}},
	{"bestpath-router-id-reversed", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		bestOfTwo(ribEstablished(t, sp, edgeHandshake()), faulty, true, [2]pathPrefs{}, 2, 1) // the higher
	}},
	{"bestpath-tiebreak-skipped", onRIB(omp.RoleController), bothSitesBest},
	{"update-no-implicit-withdraw", onRIB(omp.RoleEdge), func(t *testing.T, sp *Speaker, faulty bool) {
		p := ribEstablished(t, sp, asController(edgeHandshake()))
		o := sendTwo(p, false, [2]pathPrefs{{route: 300}, {route: 200}})
		o1, o2 := o[0], o[1]
		p.expectBest("10.1.0.0/16", o1.id)
		p.send(o1.routeAdv(100, 0, "10.1.0.0/16"))                // router 1's path again, now below router 2's
		p.expectBestOrFaulty(faulty, "10.1.0.0/16", o1.id, o2.id) // the old version kept wins
	}},
	{"update-withdraw-any-path-id", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		p := ribEstablished(t, sp, edgeHandshake())
		o := originN(1)
		p.advertise(o, "10.1.0.0/16") // Path ID 0
		again := o.routeAdv(0, 0, "10.1.0.0/16")
		again.Attributes[len(again.Attributes)-1].Value.(*omp.AttrReachables).VRoutes[0].PathID = 5
		p.send(again)
		p.send(withdraw("10.1.0.0/16")) // Path ID 0 alone
		if faulty {
			p.expectBest("10.1.0.0/16")
			return
		}
		p.expectBest("10.1.0.0/16", o.id)
	}},
	{"update-site-id-from-handshake", onRIB(omp.RoleController), bothSitesBest},
	{"bestpath-router-id-of-sender", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		p := ribEstablished(t, sp, edgeHandshake())
		o := sendTwo(p, true, [2]pathPrefs{}) // one site, one sender: only the originators differ
		if got := p.best("10.1.0.0/16"); slices.Equal(got, []netip.Addr{o[1].id}) == faulty {
			t.Fatalf("best paths from %v; router 2 has the higher originator", got)
		}
	}},
	{"update-withdraw-first-only", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		p := ribEstablished(t, sp, edgeHandshake())
		o := originN(1)
		p.advertise(o, "10.1.0.0/16", "10.2.0.0/16")
		p.send(withdraw("10.1.0.0/16", "10.2.0.0/16")) // one UNREACHABLES, two NLRI
		if faulty {
			p.expectBest("10.2.0.0/16", o.id)
			return
		}
		p.expectBest("10.2.0.0/16")
	}},
	{"update-mcast-withdraw-as-ipv4", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		fams := []omp.Family{{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC}, {AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}, {AFI: omp.AFIIPv6, SAFI: omp.SAFIMulticast}}
		a, b := famPeers(t, sp, fams)
		o := originN(1)
		join := omp.MulticastNLRI{McastType: omp.McastTypeJoinSG, VPNID: 1, SourceOriginator: o.id, DestinationOriginator: o.id,
			SourcePrefixLen: 128, Source: netip.MustParseAddr("2001:db8::10"), GroupPrefixLen: 128, Group: netip.MustParseAddr("ff3e::1234")}
		r := omp.Reach{AFI: omp.AFIIPv6, SAFI: omp.SAFIMulticast, Multicast: []omp.MulticastNLRI{join}}
		a.send(&omp.Update{Attributes: []omp.Attribute{omp.Attr(&omp.AttrOriginator{Originator: o.id}), omp.Attr(&omp.AttrReachables{Reach: r})}})
		a.adjRIBOut(3) // applied
		if findUpdate(b.adjRIBOut(3), reachesIn(fams[2])) == nil {
			t.Fatal("the IPv6 join is not reflected")
		}
		a.send(&omp.Update{Attributes: []omp.Attribute{omp.Attr(&omp.AttrOriginator{Originator: o.id}), omp.Attr(&omp.AttrUnreachables{Reach: r})}})
		a.adjRIBOut(3) // applied
		if got := findUpdate(b.adjRIBOut(3), reachesIn(fams[2])) != nil; got != faulty {
			t.Fatalf("the withdrawn IPv6 join still passed on: %v", got)
		}
	}},
	{"update-tloc-first-only", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		a, b, _, second := twoColors(t, sp)
		a.expectBest(markerPrefix) // a barrier: the UPDATE is applied
		if got := tlocReflected(b, second); got == faulty {
			t.Fatalf("the second TLOC route reflected: %v", got)
		}
	}},
	{"update-tloc-withdraw-by-address", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		a, b, o, second := twoColors(t, sp)
		a.send(&omp.Update{Attributes: []omp.Attribute{omp.Attr(&omp.AttrUnreachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC, TLOCs: []omp.TLOCNLRI{o.tloc}}})}})
		a.expectBest(markerPrefix) // a barrier: both UPDATEs are applied
		b.adjRIBOut(2)             // what was reflected before: the advertisement of both colors too
		if got := tlocReflected(b, second); got == faulty {
			t.Fatalf("the color 2 TLOC route still reflected after color 1's withdrawal: %v", got)
		}
	}},
	{"edge-origin-unknown-first", onRIB(omp.RoleEdge), func(t *testing.T, sp *Speaker, faulty bool) {
		bestOfTwo(ribEstablished(t, sp, asController(edgeHandshake())), faulty, false,
			[2]pathPrefs{{proto: omp.OriginConnected}, {proto: omp.OriginUnknown}}, 1, 2)
	}},
	{"edge-origin-ospf-one-rank", onRIB(omp.RoleEdge), func(t *testing.T, sp *Speaker, faulty bool) {
		bestOfTwo(ribEstablished(t, sp, asController(edgeHandshake())), faulty, false,
			[2]pathPrefs{{proto: omp.OriginOSPFInter}, {proto: omp.OriginOSPFExternal}}, 1, 2)
	}},
	{"edge-tloc-preference-change-ignored", onRIB(omp.RoleEdge), func(t *testing.T, sp *Speaker, faulty bool) {
		p := ribEstablished(t, sp, asController(edgeHandshake()))
		o := sendTwo(p, false, [2]pathPrefs{{tloc: 100}, {tloc: 200}})
		o1, o2 := o[0], o[1]
		p.expectBest("10.1.0.0/16", o2.id)
		p.send(o1.tlocAdv(300)) // router 1's TLOC now the preferred one
		p.expectBestOrFaulty(faulty, "10.1.0.0/16", o2.id, o1.id)
	}},

	// reflect
	{"reflect-paths-by-path-id", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		a := ribEstablished(t, sp, edgeHandshake())
		b := ribEstablished(t, sp, peerN(3))
		o1, o2 := originN(1), originN(2) // two sites, both Path ID 0
		a.advertise(o1, "10.1.0.0/16")
		a.advertise(o2, "10.1.0.0/16")
		a.expectBest("10.1.0.0/16", o1.id, o2.id)
		b.adjRIBOut(2)                 // what was reflected as the paths came
		origs := map[netip.Addr]bool{} // of the paths passed on: a refresh's answer
		for _, u := range b.adjRIBOut(2) {
			if v, ok := u.Find(omp.AttrTypeOriginator); ok && reaches("10.1.0.0/16")(u) {
				origs[v.(*omp.AttrOriginator).Originator] = true
			}
		}
		if want := map[bool]int{false: 2, true: 1}[faulty]; len(origs) != want {
			t.Fatalf("the paths of %d routers to 10.1.0.0/16 passed on, want %d", len(origs), want)
		}
	}},
	{"reflect-to-source", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		p := ribEstablished(t, sp, edgeHandshake())
		p.advertise(originN(1), "10.1.0.0/16")
		p.send(refreshAll) // its whole Adj-RIB-Out again, then End-of-RIB
		if got := p.untilEORs(2, "10.1.0.0/16"); got != faulty {
			t.Fatalf("own route reflected back: %v", got)
		}
	}},
	{"no-withdraw-reflect", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		a := ribEstablished(t, sp, edgeHandshake())
		o := originN(1)
		a.advertise(o, "10.1.0.0/16")
		a.expectBest("10.1.0.0/16", o.id) // applied before b comes
		b := dialPeer(t, sp.Addr())
		b.establish(peerN(3))
		b.awaitOK("the route reflected", reaches("10.1.0.0/16"))
		a.send(withdraw("10.1.0.0/16"))
		a.send(o.routeAdv(0, 0, "10.2.0.0/16")) // reflected after the withdrawal
		m, al := b.await("10.2.0.0/16 reflected", func(m omp.Message) bool {
			return withdraws("10.1.0.0/16")(m) || reaches("10.2.0.0/16")(m)
		})
		if al != nil {
			t.Fatalf("ALERT %s", al.Code)
		}
		if withdrawn := withdraws("10.1.0.0/16")(m); withdrawn == faulty {
			t.Fatalf("withdrawal reflected: %v", withdrawn)
		}
	}},
	{"reflect-label-kept", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		a := ribEstablished(t, sp, edgeHandshake())
		o := originN(1)
		a.advertise(o, "10.1.0.0/16")
		b := dialPeer(t, sp.Addr())
		b.establish(peerN(3))
		b.awaitOK("the route reflected", reaches("10.1.0.0/16"))
		again := o.routeAdv(0, 0, "10.1.0.0/16")
		again.Attributes[len(again.Attributes)-1].Value.(*omp.AttrReachables).VRoutes[0].Label = 77
		a.send(again)
		a.send(o.routeAdv(0, 0, "10.2.0.0/16")) // reflected after the new Label
		m, al := b.await("10.2.0.0/16 reflected", func(m omp.Message) bool { return labelled(m, 77) || reaches("10.2.0.0/16")(m) })
		if al != nil {
			t.Fatalf("ALERT %s", al.Code)
		}
		if got := labelled(m, 77); got == faulty {
			t.Fatalf("the new Label reflected: %v", got)
		}
	}},
	{"reflect-originator-rewritten", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		a := ribEstablished(t, sp, edgeHandshake())
		b := dialPeer(t, sp.Addr())
		b.establish(peerN(3))
		o := originN(1) // not a's own router ID: a route a passes on
		a.advertise(o, "10.1.0.0/16")
		m := b.awaitOK("the route reflected", reaches("10.1.0.0/16"))
		v, _ := m.(*omp.Update).Find(omp.AttrTypeOriginator)
		if got := v.(*omp.AttrOriginator).Originator; (got == o.id) == faulty {
			t.Fatalf("reflected with ORIGINATOR %s; the route's is %s", got, o.id)
		}
	}},
	{"reflect-tloc-attribute-dropped", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		a := ribEstablished(t, sp, edgeHandshake())
		b := ribEstablished(t, sp, peerN(3))
		o := originN(1)
		a.advertise(o, "10.1.0.0/16")
		a.expectBest("10.1.0.0/16", o.id) // the QUERY answer keeps the TLOC
		u := findUpdate(b.adjRIBOut(2), reaches("10.1.0.0/16"))
		if u == nil {
			t.Fatal("the vRoute is not reflected")
		}
		if _, ok := u.Find(omp.AttrTypeTLOC); ok == faulty {
			t.Fatalf("reflected with ATTR_TYPE_TLOC: %v", ok)
		}
	}},
	{"reflect-optional-attributes-dropped", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		a := ribEstablished(t, sp, edgeHandshake())
		b := ribEstablished(t, sp, peerN(3))
		o := originN(1)
		a.send(o.tlocAdv(0))
		tagged := func(tag uint32) *omp.Update {
			u := o.routeAdv(100, 0, "10.1.0.0/16")
			u.Attributes = append(u.Attributes, omp.Attr(&omp.AttrTag{Tag: tag}))
			return u
		}
		check := func(u omp.Message, tag uint32) {
			t.Helper()
			v, ok := u.(*omp.Update).Find(omp.AttrTypeTag)
			switch {
			case faulty && ok:
				t.Fatalf("reflected with %+v", v)
			case !faulty && (!ok || v.(*omp.AttrTag).Tag != tag):
				t.Fatalf("reflected with TAG %v, want %d", v, tag)
			}
			if p, ok := u.(*omp.Update).Find(omp.AttrTypePref); !ok || p.(*omp.AttrPref).Preference != 100 {
				t.Fatalf("reflected with PREF %v, want 100", p)
			}
		}
		a.send(tagged(7))
		m := b.awaitOK("the route reflected", reaches("10.1.0.0/16"))
		check(m, 7)
		a.send(tagged(8)) // the same path again, with a new TAG
		m = b.awaitOK("the route reflected again", reaches("10.1.0.0/16"))
		check(m, 8)
	}},
	{"reflect-ipv4-only", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		fams := []omp.Family{{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC}, {AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}, {AFI: omp.AFIIPv6, SAFI: omp.SAFIVRoute}}
		a, b := famPeers(t, sp, fams)
		o := originN(1)
		a.send(o.tlocAdv(0))
		v6 := omp.Reach{AFI: omp.AFIIPv6, SAFI: omp.SAFIVRoute,
			VRoutes: []omp.VRouteNLRI{{VPNID: 1, PrefixLen: 48, Address: netip.MustParseAddr("2001:db8:1::")}}}
		a.send(&omp.Update{Attributes: append(o.routeAttrs(0, 0), omp.Attr(&omp.AttrReachables{Reach: v6}))})
		a.send(o.routeAdv(0, 0, "10.1.0.0/16"))
		a.adjRIBOut(3) // applied
		reflectedWith(t, b.adjRIBOut(3), faulty, fams[2], "the IPv6 vRoute")
	}},
	{"reflect-edges-only", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		a := ribEstablished(t, sp, edgeHandshake())
		hub := ribEstablished(t, sp, hsWith(func(h *omp.Handshake) {
			h.PeerRouterID = netip.AddrFrom4([4]byte{10, 0, 0, 3})
			for _, c := range h.Options[0].(*omp.CapabilitiesOption).Capabilities {
				if id, ok := c.(*omp.CapIdentity); ok {
					id.PeerType = omp.PeerTypeVHub
				}
			}
		}))
		o := originN(1)
		a.advertise(o, "10.1.0.0/16")
		a.expectBest("10.1.0.0/16", o.id) // applied before the hub asks
		if got := findUpdate(hub.adjRIBOut(2), reaches("10.1.0.0/16")) != nil; got == faulty {
			t.Fatalf("the vRoute reflected to the hub: %v", got)
		}
	}},
	{"reflect-no-tloc-routes", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		a := ribEstablished(t, sp, edgeHandshake())
		b := ribEstablished(t, sp, peerN(3))
		o := originN(1)
		a.advertise(o, "10.1.0.0/16")
		a.expectBest("10.1.0.0/16", o.id) // valid: the TLOC was applied
		reflectedWith(t, b.adjRIBOut(2), faulty, omp.Family{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC}, "the TLOC route")
	}},
	{"reflect-no-multicast", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		fams := []omp.Family{{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC}, {AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}, {AFI: omp.AFIIPv4, SAFI: omp.SAFIMulticast}}
		a, b := famPeers(t, sp, fams)
		o := originN(1)
		a.advertise(o, "10.1.0.0/16")
		ad := omp.MulticastNLRI{McastType: omp.McastTypeAD, VPNID: 1, Label: 100, SourceOriginator: o.id}
		a.send(&omp.Update{Attributes: []omp.Attribute{omp.Attr(&omp.AttrOriginator{Originator: o.id}),
			omp.Attr(&omp.AttrReachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIMulticast, Multicast: []omp.MulticastNLRI{ad}}})}})
		a.adjRIBOut(3) // applied
		reflectedWith(t, b.adjRIBOut(3), faulty, fams[2], "the multicast route")
	}},

	{"edge-readvertises-learned", onRIB(omp.RoleEdge), func(t *testing.T, sp *Speaker, faulty bool) {
		_, b, _ := twoControllers(t, sp)
		if got := findUpdate(b.adjRIBOut(2), reaches("10.1.0.0/16")) != nil; got != faulty {
			t.Fatalf("a route learned from controller a advertised to controller b: %v", got)
		}
	}},
	{"eor-at-budget", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		a := ribEstablished(t, sp, edgeHandshake())
		o := originN(1)
		table := manyVRoutes(8000) // about 140 KB: more than one batch
		a.send(o.tlocAdv(0))
		for b := range slices.Chunk(table, 100) {
			a.send(o.routeAdv(0, 0, b...))
		}
		last := table[len(table)-1]
		a.expectBest(last, o.id)
		b := dialPeer(t, sp.Addr())
		b.establish(peerN(3))
		if got := b.untilEORs(2, last); got == faulty {
			t.Fatalf("the table's last route before the End-of-RIBs: %v", got)
		}
	}},
	{"no-eor", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		p := dialPeer(t, sp.Addr())
		p.establish(edgeHandshake())
		if faulty {
			if m := p.quiet(quietWindow, isEOR); m != nil {
				t.Fatal("End-of-RIB sent")
			}
			return
		}
		p.drainEORs(2)
	}},
	{"eor-before-routes", edgeWithRoute, func(t *testing.T, sp *Speaker, faulty bool) {
		p := dialPeer(t, sp.Addr())
		p.establish(asController(edgeHandshake()))
		m, a := p.await("the route or its End-of-RIB", func(m omp.Message) bool { return reaches("10.1.0.0/16")(m) || vrouteEOR(m) })
		if a != nil {
			t.Fatalf("ALERT %s", a.Code)
		}
		if eorFirst := isEOR(m); eorFirst != faulty {
			t.Fatalf("End-of-RIB of SAFI_VROUTE before its route: %v", eorFirst)
		}
	}},
	{"refresh-eor-only", edgeWithRoute, func(t *testing.T, sp *Speaker, faulty bool) {
		p := dialPeer(t, sp.Addr())
		p.establish(asController(edgeHandshake()))
		if _, a := p.await("the initial End-of-RIB of SAFI_VROUTE", vrouteEOR); a != nil {
			t.Fatalf("ALERT %s", a.Code)
		}
		p.send(&omp.Inform{InformType: omp.InformRefreshRequest, AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute})
		m, a := p.await("the route again or its End-of-RIB", func(m omp.Message) bool { return reaches("10.1.0.0/16")(m) || vrouteEOR(m) })
		if a != nil {
			t.Fatalf("ALERT %s", a.Code)
		}
		if eorOnly := isEOR(m); eorOnly != faulty {
			t.Fatalf("End-of-RIB of SAFI_VROUTE without its route again: %v", eorOnly)
		}
	}},
	{"refresh-tloc-eor-only", edgeWithRoute, func(t *testing.T, sp *Speaker, faulty bool) {
		p := dialPeer(t, sp.Addr())
		p.establish(asController(edgeHandshake()))
		p.drainEORs(2)
		tloc := omp.Family{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC}
		tlocEOR := func(m omp.Message) bool { return isEOR(m) && m.(*omp.Inform).SAFI == omp.SAFITLOC }
		p.send(&omp.Inform{InformType: omp.InformRefreshRequest, AFI: tloc.AFI, SAFI: tloc.SAFI})
		m := p.awaitOK("its TLOC again or the End-of-RIB of SAFI_TLOC", func(m omp.Message) bool { return reachesIn(tloc)(m) || tlocEOR(m) })
		if eorOnly := isEOR(m); eorOnly != faulty {
			t.Fatalf("End-of-RIB of SAFI_TLOC without its TLOC again: %v", eorOnly)
		}
	}},
	{"refresh-every-family", edgeWithRoute, func(t *testing.T, sp *Speaker, faulty bool) {
		p := dialPeer(t, sp.Addr())
		p.establish(asController(edgeHandshake()))
		tlocEOR := func(m omp.Message) bool { return isEOR(m) && m.(*omp.Inform).SAFI == omp.SAFITLOC }
		for seen := map[bool]bool{}; len(seen) < 2; { // the initial ones, in either order
			m, a := p.await("the initial End-of-RIBs", func(m omp.Message) bool { return vrouteEOR(m) || tlocEOR(m) })
			if a != nil {
				t.Fatalf("ALERT %s", a.Code)
			}
			seen[vrouteEOR(m)] = true
		}
		p.send(&omp.Inform{InformType: omp.InformRefreshRequest, AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute})
		if faulty {
			p.awaitOK("End-of-RIB of SAFI_TLOC in the answer to a refresh of SAFI_VROUTE", tlocEOR)
			return
		}
		// The correct speaker sends none, however long the wait.
		for deadline := time.Now().Add(300 * time.Millisecond); ; {
			m, err := p.recvErr(time.Until(deadline))
			if err != nil {
				break
			}
			if tlocEOR(m) {
				t.Fatal("End-of-RIB of SAFI_TLOC in the answer to a refresh of SAFI_VROUTE")
			}
		}
	}},
	{"refresh-ignored", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		refreshOutcome(ribEstablished(t, sp, edgeHandshake()), faulty)
	}},
	{"extended-length-dropped", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		a := ribEstablished(t, sp, edgeHandshake())
		b := ribEstablished(t, sp, peerN(3))
		ps := manyVRoutes(100)
		a.advertise(originN(1), ps...) // about 1.6 KB of NLRI: ATTR_EXTENDED needed
		b.reflectedDecode(len(ps), faulty)
	}},
	{"update-pack-overflow", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		a := ribEstablished(t, sp, edgeHandshake())
		o, ps := originN(1), manyVRoutes(300) // more than one UPDATE holds
		a.send(o.tlocAdv(0))
		for k := 0; k < len(ps); k += 100 {
			a.send(o.routeAdv(0, 0, ps[k:k+100]...))
		}
		a.expectBest(ps[len(ps)-1], o.id)
		b := dialPeer(t, sp.Addr()) // its initial advertisement: the whole table at once
		b.establish(peerN(3))
		b.reflectedDecode(len(ps), faulty)
	}},

	// origination
	{"originate-ignored", edgeWithTLOC, func(t *testing.T, sp *Speaker, faulty bool) {
		p := ribEstablished(t, sp, asController(edgeHandshake()))
		if err := sp.Originate(RouteConfig{VPN: 1, Prefix: pfx("10.7.0.0/16")}); err != nil {
			t.Fatal(err)
		}
		if m := p.quiet(quietWindow, reaches("10.7.0.0/16")); (m == nil) != faulty {
			t.Fatalf("the originated route advertised: %v", m != nil)
		}
	}},
	{"own-routes-wrong-site", edgeWithTLOC, func(t *testing.T, sp *Speaker, faulty bool) {
		p := dialPeer(t, sp.Addr())
		hs := p.establish(asController(edgeHandshake()))
		if err := sp.Originate(RouteConfig{VPN: 1, Prefix: pfx("10.7.0.0/16")}); err != nil {
			t.Fatal(err)
		}
		m, _ := p.await("the originated route", reaches("10.7.0.0/16"))
		ownSite(t, m, hs, faulty)
	}},
	{"own-tloc-wrong-site", edgeWithTLOC, func(t *testing.T, sp *Speaker, faulty bool) {
		p := dialPeer(t, sp.Addr())
		hs := p.establish(asController(edgeHandshake()))
		m, _ := p.await("the configured TLOC's route", reachesIn(omp.Family{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC}))
		ownSite(t, m, hs, faulty)
		if err := sp.Originate(RouteConfig{VPN: 1, Prefix: pfx("10.7.0.0/16")}); err != nil {
			t.Fatal(err)
		}
		m, _ = p.await("the originated route", reaches("10.7.0.0/16"))
		ownSite(t, m, hs, false) // the vRoutes are right
	}},
	{"local-withdraw-ignored", edgeWithTLOC, func(t *testing.T, sp *Speaker, faulty bool) {
		localWithdrawn(map[string]bool{"10.7.0.0/16": true})(t, sp, faulty)
	}},
	{"local-withdraw-v6-ignored", edgeWithTLOC, func(t *testing.T, sp *Speaker, faulty bool) {
		p := localWithdrawn(map[string]bool{"2001:db8:7::/48": true, "10.7.0.0/16": false})(t, sp, faulty)
		k := TLOCKey{Address: netip.MustParseAddr("2001:db8:19::7"), Color: 1, Encap: 2}
		if err := sp.OriginateTLOC(TLOCConfig{TLOCKey: k}); err != nil {
			t.Fatal(err)
		}
		p.await("the originated IPv6 TLOC", reachesIn(omp.Family{AFI: omp.AFIIPv6, SAFI: omp.SAFITLOC}))
		if err := sp.WithdrawTLOC(k); err != nil {
			t.Fatal(err)
		}
		if m := p.quiet(quietWindow, isType(omp.TypeUpdate)); (m == nil) != faulty {
			t.Fatalf("the withdrawal of the IPv6 TLOC sent: %v", m != nil)
		}
	}},

	// negotiation
	{"unnegotiated-family-accepted", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		a := dialPeer(t, sp.Addr())
		a.establish(famHandshake(2, omp.Family{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}))
		a.drainEORs(1)
		b := ribEstablished(t, sp, peerN(3))
		a.send(originN(1).tlocAdv(0)) // SAFI_TLOC, which a did not negotiate
		a.adjRIBOut(1)                // applied (or ignored)
		out := b.adjRIBOut(2)
		if got := findUpdate(out, reachesIn(omp.Family{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC})) != nil; got != faulty {
			t.Fatalf("the unnegotiated TLOC route reflected: %v", got)
		}
	}},
	{"unnegotiated-family-sent", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		a := ribEstablished(t, sp, edgeHandshake())
		a.send(originN(1).tlocAdv(0))
		a.adjRIBOut(2) // applied
		b := dialPeer(t, sp.Addr())
		vroute := omp.Family{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}
		b.establish(famHandshake(3, vroute))
		other := func(m omp.Message) bool {
			if i, ok := m.(*omp.Inform); ok && i.InformType == omp.InformEOR {
				return i.AllFamilies || i.AFI != vroute.AFI || i.SAFI != vroute.SAFI
			}
			return m.Type() == omp.TypeUpdate && !reachesIn(vroute)(m)
		}
		if m := b.quiet(quietWindow, other); (m != nil) != faulty {
			t.Fatalf("a family b did not negotiate sent: %v", m)
		}
	}},
	{"refresh-unknown-family-as-all", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		p := ribEstablished(t, sp, edgeHandshake())
		p.send(&omp.Inform{InformType: omp.InformRefreshRequest, AFI: 3, SAFI: omp.SAFIVRoute})
		if m := p.quiet(quietWindow, isEOR); (m != nil) != faulty {
			t.Fatalf("a REFRESH_REQUEST for AFI 3 answered: %v", m)
		}
	}},
	{"refresh-unnegotiated-family-answered", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		a := ribEstablished(t, sp, edgeHandshake())
		a.send(originN(1).tlocAdv(0))
		a.adjRIBOut(2) // applied
		b := dialPeer(t, sp.Addr())
		vroute, tloc := omp.Family{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}, omp.Family{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC}
		b.establish(famHandshake(3, vroute))
		b.drainEORs(1)
		b.send(&omp.Inform{InformType: omp.InformRefreshRequest, AFI: tloc.AFI, SAFI: tloc.SAFI}) // not negotiated
		b.send(&omp.Inform{InformType: omp.InformRefreshRequest, AFI: vroute.AFI, SAFI: vroute.SAFI})
		var tlocSeen bool
		for {
			m, a := b.await("the End-of-RIB of SAFI_VROUTE", func(m omp.Message) bool { return isEOR(m) || reachesIn(tloc)(m) })
			if a != nil {
				t.Fatalf("ALERT %s", a.Code)
			}
			if vrouteEOR(m) {
				break
			}
			tlocSeen = true // the TLOC route, or its End-of-RIB
		}
		if tlocSeen != faulty {
			t.Fatalf("a REFRESH_REQUEST of SAFI_TLOC, not negotiated, answered: %v", tlocSeen)
		}
	}},
}

// labelled reports whether m advertises a vRoute with Label label.
func labelled(m omp.Message, label uint32) bool {
	u, ok := m.(*omp.Update)
	if !ok {
		return false
	}
	v, ok := u.Find(omp.AttrTypeReachables)
	return ok && slices.ContainsFunc(v.(*omp.AttrReachables).VRoutes, func(n omp.VRouteNLRI) bool { return n.Label == label })
}

// twoControllers: an edge with two controllers, a and b; a passes on
// router 1's route to 10.1.0.0/16, which the edge has taken.
func twoControllers(t *testing.T, sp *Speaker) (a, b *peer, o origin) {
	a = ribEstablished(t, sp, asController(edgeHandshake()))
	b = ribEstablished(t, sp, asController(peerN(3)))
	o = originN(1)
	a.advertise(o, "10.1.0.0/16")
	a.expectBest("10.1.0.0/16", o.id)
	return a, b, o
}

// bothSitesBest: one peer advertises two routers' paths to a prefix, of
// two sites by their ATTR_TYPE_SITE_ID, equal in all else; a controller
// chooses both (step 7), a faulty one the path of the higher router ID.
func bothSitesBest(t *testing.T, sp *Speaker, faulty bool) {
	p := ribEstablished(t, sp, edgeHandshake())
	o1, o2 := originN(1), originN(2)
	p.advertise(o1, "10.1.0.0/16")
	p.advertise(o2, "10.1.0.0/16")
	p.expectBestOrFaulty(faulty, "10.1.0.0/16", o2.id, o1.id, o2.id)
}

// manyVRoutes are n VPN 1 host prefixes, 10.9.0.0/32 on.
func manyVRoutes(n int) []string {
	var ps []string
	for i := range n {
		ps = append(ps, fmt.Sprintf("10.9.%d.%d/32", i/256, i%256))
	}
	return ps
}

// reflectedDecode reads the n vRoutes reflected to p: every UPDATE
// decodes, or, faulty, one does not.
func (p *peer) reflectedDecode(n int, faulty bool) {
	p.t.Helper()
	for seen := 0; seen < n; {
		m, err := p.recvErr(testTimeout)
		if err != nil {
			if !faulty {
				p.t.Fatalf("after %d routes: %v", seen, err)
			}
			return // the UPDATE does not decode
		}
		if u, ok := m.(*omp.Update); ok {
			if v, ok := u.Find(omp.AttrTypeReachables); ok && v.(*omp.AttrReachables).SAFI == omp.SAFIVRoute {
				seen += len(v.(*omp.AttrReachables).VRoutes)
			}
		}
	}
	if faulty {
		p.t.Fatal("every route decoded")
	}
}

// twoColors has peer a send its origin's TLOC of colors 1 and 2 in one
// REACHABLES (two NLRI), with peer b up to see it reflected; it returns
// the peers, the origin and the color 2 TLOC.
func twoColors(t *testing.T, sp *Speaker) (a, b *peer, o origin, second omp.TLOCNLRI) {
	t.Helper()
	a = ribEstablished(t, sp, edgeHandshake())
	b = ribEstablished(t, sp, peerN(3))
	o = originN(1)
	u := o.tlocAdv(0)
	second = o.tloc
	second.Color = 2
	reach := u.Attributes[len(u.Attributes)-1].Value.(*omp.AttrReachables)
	reach.TLOCs = append(reach.TLOCs, second)
	a.send(u)
	return a, b, o, second
}

// tlocReflected reports whether b's Adj-RIB-Out holds TLOC route tl.
func tlocReflected(b *peer, tl omp.TLOCNLRI) bool {
	return findUpdate(b.adjRIBOut(2), func(m omp.Message) bool {
		v, ok := m.(*omp.Update).Find(omp.AttrTypeReachables)
		return ok && slices.Contains(v.(*omp.AttrReachables).TLOCs, tl)
	}) != nil
}

// ownSite checks the ATTR_TYPE_SITE_ID of m, one of the speaker's own
// routes: the Site ID of its HANDSHAKE hs, another when wrong.
func ownSite(t *testing.T, m omp.Message, hs *omp.Handshake, wrong bool) {
	t.Helper()
	v, ok := m.(*omp.Update).Find(omp.AttrTypeSiteID)
	if !ok {
		t.Fatal("no ATTR_TYPE_SITE_ID")
	}
	if got := v.(*omp.AttrSiteID).SiteID; (got != hs.SiteID) != wrong {
		t.Fatalf("own route of site %d, HANDSHAKE's %d", got, hs.SiteID)
	}
}

// localWithdrawn: the speaker's operator originates each prefix in VPN
// 1, then withdraws it; the withdrawal reaches the controller (which
// negotiated AFI_IPv6/SAFI_VROUTE too), unless the speaker is faulty and
// ignored[prefix] is set: its fault ignores that withdrawal.
// It returns the controller's session (it negotiated the IPv6 TLOC
// family too).
func localWithdrawn(ignored map[string]bool) func(t *testing.T, sp *Speaker, faulty bool) *peer {
	return func(t *testing.T, sp *Speaker, faulty bool) *peer {
		p := ribEstablished(t, sp, hsWith(func(h *omp.Handshake) {
			setCaps(h, &omp.CapMP{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}, &omp.CapMP{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC},
				&omp.CapMP{AFI: omp.AFIIPv6, SAFI: omp.SAFIVRoute}, &omp.CapMP{AFI: omp.AFIIPv6, SAFI: omp.SAFITLOC},
				identity(omp.PeerTypeVSmart), &omp.CapRefresh{})
		}))
		for _, prefix := range slices.Sorted(maps.Keys(ignored)) {
			if err := sp.Originate(RouteConfig{VPN: 1, Prefix: pfx(prefix)}); err != nil {
				t.Fatal(err)
			}
			p.await("the originated route", reaches(prefix))
			if err := sp.WithdrawRoute(1, pfx(prefix)); err != nil {
				t.Fatal(err)
			}
			if m := p.quiet(quietWindow, isType(omp.TypeUpdate)); (m == nil) != (faulty && ignored[prefix]) {
				t.Fatalf("the withdrawal of %s sent: %v", prefix, m != nil)
			}
		}
		return p
	}
}
