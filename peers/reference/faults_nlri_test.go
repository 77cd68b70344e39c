package reference

import (
	"net/netip"
	"slices"
	"testing"

	"github.com/ompconform/ompconform/omp"
)

// nlriFaultCases are the scenarios of the faults that misread an
// UPDATE's NLRI (faults_routing.go) or pass it on with the wrong
// attributes.
var nlriFaultCases = []faultCase{
	{"update-withdraw-after-reach", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		p := ribEstablished(t, sp, edgeHandshake())
		o := originN(1)
		p.advertise(o, "10.1.0.0/16")
		both := o.routeAdv(0, 0, "10.1.0.0/16") // and withdrawn in the same UPDATE
		both.Attributes = append(both.Attributes, withdraw("10.1.0.0/16").Attributes...)
		p.send(both)
		if faulty {
			p.expectBest("10.1.0.0/16")
			return
		}
		p.expectBest("10.1.0.0/16", o.id)
	}},
	{"update-ipv6-prefix-64-bits", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		fams := []omp.Family{{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC}, {AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}, {AFI: omp.AFIIPv6, SAFI: omp.SAFIVRoute}} // famPeers reads three End-of-RIB
		a, b := famPeers(t, sp, fams)
		o := originN(1)
		r := omp.Reach{AFI: omp.AFIIPv6, SAFI: omp.SAFIVRoute}
		hosts := []netip.Addr{netip.MustParseAddr("2001:db8:1::1"), netip.MustParseAddr("2001:db8:1::2")}
		for i, h := range hosts {
			r.VRoutes = append(r.VRoutes, omp.VRouteNLRI{VPNID: 1, PathID: uint32(i), PrefixLen: 128, Address: h})
		}
		a.send(o.tlocAdv(0))
		a.send(&omp.Update{Attributes: append(o.routeAttrs(0, 0), omp.Attr(&omp.AttrReachables{Reach: r}))})
		a.adjRIBOut(len(fams)) // applied
		got := map[netip.Addr]bool{}
		for _, u := range b.adjRIBOut(len(fams)) {
			if v, ok := u.Find(omp.AttrTypeReachables); ok {
				for _, n := range v.(*omp.AttrReachables).VRoutes {
					got[n.Address] = true
				}
			}
		}
		if whole := got[hosts[0]] && got[hosts[1]]; whole == faulty {
			t.Fatalf("the /128 vRoutes passed on as %v", got)
		}
	}},
	{"update-label-20-bits", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		a := ribEstablished(t, sp, edgeHandshake())
		b := ribEstablished(t, sp, peerN(3))
		o := originN(1)
		adv := o.routeAdv(0, 0, "10.1.0.0/16")
		adv.Attributes[len(adv.Attributes)-1].Value.(*omp.AttrReachables).VRoutes[0].Label = 0xABCDEF
		a.send(o.tlocAdv(0))
		a.send(adv)
		m := b.awaitOK("the route reflected", reaches("10.1.0.0/16"))
		if got := labelled(m, 0xABCDEF); got == faulty {
			t.Fatalf("the Label passed on whole: %v", got)
		}
	}},
	{"update-vpn-id-32-bits", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		a := ribEstablished(t, sp, edgeHandshake())
		b := ribEstablished(t, sp, peerN(3))
		o := originN(1)
		const wide = 1<<32 | 1
		adv := o.routeAdv(0, 0, "10.1.0.0/16")
		adv.Attributes[len(adv.Attributes)-1].Value.(*omp.AttrReachables).VRoutes[0].VPNID = wide
		a.send(o.tlocAdv(0))
		a.send(adv)
		m := b.awaitOK("the route reflected", reachesIn(omp.Family{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}))
		v, _ := m.(*omp.Update).Find(omp.AttrTypeReachables)
		if got := v.(*omp.AttrReachables).VRoutes[0].VPNID; (got == wide) == faulty {
			t.Fatalf("the VPN ID passed on as %#x", got)
		}
	}},
	{"update-default-route-refused", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		p := ribEstablished(t, sp, edgeHandshake())
		p.advertise(originN(1), "0.0.0.0/0")
		if faulty {
			if _, a := p.await("an ALERT", func(omp.Message) bool { return false }); a == nil || a.Code != omp.ErrUpdate {
				t.Fatalf("the default route not refused: %v", a)
			}
			return
		}
		p.expectBest("0.0.0.0/0", originN(1).id)
	}},
	{"reflect-attributes-by-originator", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		a := ribEstablished(t, sp, edgeHandshake())
		o := originN(1)
		a.send(o.tlocAdv(0))
		a.send(o.routeAdv(100, 0, "10.1.0.0/16"))
		a.send(o.routeAdv(200, 0, "10.2.0.0/16"))
		a.adjRIBOut(2) // applied
		b := ribEstablished(t, sp, peerN(3))
		u := findUpdate(b.adjRIBOut(2), reaches("10.2.0.0/16"))
		if u == nil {
			t.Fatal("10.2.0.0/16 not passed on")
		}
		v, _ := u.Find(omp.AttrTypePref)
		if at200 := v != nil && v.(*omp.AttrPref).Preference == 200; at200 == faulty {
			t.Fatalf("10.2.0.0/16 passed on with %v, want PREF 200: %v", v, !faulty)
		}
	}},
	{"reflect-tloc-encap-dropped", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		a := ribEstablished(t, sp, edgeHandshake())
		b := ribEstablished(t, sp, peerN(3))
		adv := originN(1).tlocAdv(0)
		encap := &omp.AttrTLOCEncap{EncapType: omp.EncapGRE, TLVs: []omp.TLV{{Type: omp.EncapTLVGREKey, Value: []byte{0, 0, 0, 42}}}}
		adv.Attributes = append(adv.Attributes, omp.Attr(encap))
		a.send(adv)
		m := b.awaitOK("the TLOC route reflected", reachesIn(omp.Family{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC}))
		if _, kept := m.(*omp.Update).Find(omp.AttrTypeTLOCEncap); kept == faulty {
			t.Fatalf("the TLOC route passed on with its ATTR_TYPE_TLOC_ENCAP: %v", kept)
		}
	}},
	{"update-mcast-prunes-dropped", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		fams := []omp.Family{{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC}, {AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}, {AFI: omp.AFIIPv4, SAFI: omp.SAFIMulticast}}
		a, b := famPeers(t, sp, fams)
		o := originN(1)
		join := omp.MulticastNLRI{McastType: omp.McastTypeJoinXG, VPNID: 1, SourceOriginator: o.id, DestinationOriginator: o.id,
			SourcePrefixLen: 32, Source: netip.MustParseAddr("10.9.9.9"), GroupPrefixLen: 32, Group: netip.MustParseAddr("239.1.1.1"),
			Prunes: []omp.PrunedSource{{PrefixLen: 32, Address: netip.MustParseAddr("10.1.1.2")}}}
		a.send(&omp.Update{Attributes: []omp.Attribute{omp.Attr(&omp.AttrOriginator{Originator: o.id}),
			omp.Attr(&omp.AttrReachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIMulticast, Multicast: []omp.MulticastNLRI{join}}})}})
		m := b.awaitOK("the join reflected", reachesIn(fams[2]))
		v, _ := m.(*omp.Update).Find(omp.AttrTypeReachables)
		if got := v.(*omp.AttrReachables).Multicast; slices.ContainsFunc(got, func(n omp.MulticastNLRI) bool { return len(n.Prunes) == 1 }) == faulty {
			t.Fatalf("the join passed on as %+v", got)
		}
	}},
	{"bestpath-next-hop-encap-ipsec", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		p := ribEstablished(t, sp, edgeHandshake())
		o := originN(1)
		o.tloc.Encap = uint8(omp.EncapGRE)
		p.advertise(o, "10.1.0.0/16")
		if faulty {
			p.expectBest("10.1.0.0/16")
			return
		}
		p.expectBest("10.1.0.0/16", o.id)
	}},
	{"bestpath-next-hop-any-encap", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		p := ribEstablished(t, sp, edgeHandshake())
		o := originN(1) // its TLOC's Encap is IPsec
		p.send(o.tlocAdv(0))
		gre := o
		gre.tloc.Encap = uint8(omp.EncapGRE)
		p.send(gre.routeAdv(0, 0, "10.1.0.0/16")) // over (A, color, GRE), never advertised
		p.expectBestOrFaulty(faulty, "10.1.0.0/16", o.id)
	}},
	{"bestpath-next-hop-ipv4-only", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		fams := []omp.Family{{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC}, {AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}, {AFI: omp.AFIIPv6, SAFI: omp.SAFITLOC}}
		p, _ := famPeers(t, sp, fams)
		o := originN(1)
		o.tloc.Address = netip.MustParseAddr("2001:db8:2::101")
		tloc := o.tlocAdv(0)
		tloc.Attributes[2].Value.(*omp.AttrReachables).AFI = omp.AFIIPv6
		p.send(tloc)
		p.send(o.routeAdv(0, 0, "10.1.0.0/16"))
		if faulty {
			p.expectBest("10.1.0.0/16")
			return
		}
		p.expectBest("10.1.0.0/16", o.id)
	}},
	{"bestpath-next-hop-color-ignored", onRIB(omp.RoleEdge), func(t *testing.T, sp *Speaker, faulty bool) {
		p := ribEstablished(t, sp, asController(edgeHandshake()))
		o := originN(1) // its TLOC of color 1
		route := o.routeAdv(0, 0, "10.1.0.0/16")
		route.Attributes[0].Value.(*omp.AttrTLOC).Color = 2 // over (its address, color 2), not advertised
		p.send(o.tlocAdv(0))
		p.send(route)
		if faulty {
			p.expectBest("10.1.0.0/16", o.id)
			return
		}
		p.expectBest("10.1.0.0/16")
	}},
	{"edge-step7-public", onRIB(omp.RoleEdge), func(t *testing.T, sp *Speaker, faulty bool) {
		p := ribEstablished(t, sp, asController(edgeHandshake()))
		o := [2]origin{originN(1), originN(2)}
		o[1].id, o[1].site = o[0].id, o[0].site                                                             // one router over two TLOCs
		for i, a := range [][2]string{{"10.0.0.200", "198.51.100.100"}, {"10.0.0.100", "198.51.100.200"}} { // public the other way
			addrs := []omp.Attribute{omp.Attr(&omp.AttrTLOCV4Private{Address: netip.MustParseAddr(a[0]), Port: 12346}),
				omp.Attr(&omp.AttrTLOCV4Public{Address: netip.MustParseAddr(a[1]), Port: 12346})}
			tloc, route := o[i].tlocAdv(0), o[i].routeAdv(0, 0, "10.1.0.0/16")
			route.Attributes[len(route.Attributes)-1].Value.(*omp.AttrReachables).VRoutes[0].PathID = uint32(i) // two paths
			tloc.Attributes = append(tloc.Attributes, addrs...)
			route.Attributes = append(route.Attributes, addrs...)
			p.send(tloc)
			p.send(route)
		}
		want := o[0].tloc.Address // the higher private address
		if faulty {
			want = o[1].tloc.Address // the higher public one
		}
		if got := p.bestVia("10.1.0.0/16"); !slices.Equal(got, []netip.Addr{want}) {
			t.Fatalf("best paths to 10.1.0.0/16 via %v, want %v", got, want)
		}
	}},
	{"edge-origin-metric-step", onRIB(omp.RoleEdge), func(t *testing.T, sp *Speaker, faulty bool) {
		p := ribEstablished(t, sp, asController(edgeHandshake()))
		o := [2]origin{originN(1), originN(2)}
		for i, metric := range []uint32{10, 100} { // router 2, the higher ID, of the higher metric
			route := o[i].routeAdv(0, omp.OriginStatic, "10.1.0.0/16")
			for _, a := range route.Attributes {
				if v, ok := a.Value.(*omp.AttrOrigin); ok {
					v.Metric = metric
				}
			}
			p.send(o[i].tlocAdv(0))
			p.send(route)
		}
		p.expectBestOrFaulty(faulty, "10.1.0.0/16", o[0].id, o[1].id)
	}},
	{"edge-v6-private-ignored", onRIB(omp.RoleEdge), func(t *testing.T, sp *Speaker, faulty bool) {
		p := ribEstablished(t, sp, asController(edgeHandshake()))
		o := [2]origin{originN(1), originN(2)}
		o[1].id, o[1].site = o[0].id, o[0].site // one router over two TLOCs
		for i, a := range []string{"fd00::200", "fd00::100"} {
			private := omp.Attr(&omp.AttrTLOCV6Private{Address: netip.MustParseAddr(a), Port: 12346})
			tloc, route := o[i].tlocAdv(0), o[i].routeAdv(0, 0, "10.1.0.0/16")
			route.Attributes[len(route.Attributes)-1].Value.(*omp.AttrReachables).VRoutes[0].PathID = uint32(i) // two paths
			tloc.Attributes = append(tloc.Attributes, private)
			route.Attributes = append(route.Attributes, private)
			p.send(tloc)
			p.send(route)
		}
		if faulty {
			p.expectBest("10.1.0.0/16", o[0].id, o[0].id) // both paths
			return
		}
		p.expectBest("10.1.0.0/16", o[0].id)
	}},
}
