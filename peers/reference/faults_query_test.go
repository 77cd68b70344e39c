package reference

import (
	"net/netip"
	"slices"
	"testing"

	"github.com/ompconform/ompconform/internal/testdut"
	"github.com/ompconform/ompconform/omp"
)

// queryFaultCases are the scenarios of the faults in QUERY answers.
var queryFaultCases = []faultCase{
	{"query-own-tloc-absent", edgeWithTLOC, func(t *testing.T, sp *Speaker, faulty bool) {
		p := ribEstablished(t, sp, asController(edgeHandshake()))
		own, absent := tlocOf(1), tlocOf(9) // the configured TLOC, and one nobody has
		nlri := func(k TLOCKey) omp.TLOCNLRI { return omp.TLOCNLRI{Address: k.Address, Color: k.Color, Encap: k.Encap} }
		p.send(&omp.Query{Attributes: []omp.Attribute{omp.Attr(&omp.AttrUnreachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC,
			TLOCs: []omp.TLOCNLRI{nlri(own), nlri(absent)}}})}})
		p.send(queryUnreach(markerPrefix)) // ends the answer
		ownAbsent := false
		for {
			m := p.awaitOK("the answer", isType(omp.TypeUpdate))
			if withdraws(markerPrefix)(m) {
				break
			}
			v, _ := m.(*omp.Update).Find(omp.AttrTypeUnreachables)
			if u, ok := v.(*omp.AttrUnreachables); ok {
				ownAbsent = ownAbsent || slices.Contains(u.TLOCs, nlri(own))
			}
		}
		if ownAbsent != faulty {
			t.Fatalf("the router's own TLOC reported absent: %v", ownAbsent)
		}
	}},
	{"query-ignored", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		p := ribEstablished(t, sp, edgeHandshake())
		p.advertise(originN(1), "10.1.0.0/16")
		p.send(queryReach("10.1.0.0/16"))
		p.send(refreshAll)                        // handled after the QUERY
		answered := p.untilEORs(2, "10.1.0.0/16") // the refresh answered: the QUERY was handled
		// The answer is queued before the refresh is handled, but the
		// writer may pull the End-of-RIBs from the RIB before it.
		if !answered {
			answered = p.quiet(quietWindow, reaches("10.1.0.0/16")) != nil
		}
		if answered == faulty {
			t.Fatalf("QUERY answered: %v", answered)
		}
	}},
	{"query-absent-not-withdrawn", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		p := ribEstablished(t, sp, edgeHandshake())
		o := originN(1)
		p.advertise(o, "10.1.0.0/16")
		p.send(queryUnreach("10.9.0.0/16")) // absent
		p.send(queryReach("10.1.0.0/16"))   // present: answered after
		m := p.awaitOK("an answer", func(m omp.Message) bool { return withdraws("10.9.0.0/16")(m) || reaches("10.1.0.0/16")(m) })
		if reported := withdraws("10.9.0.0/16")(m); reported == faulty {
			t.Fatalf("absent route reported withdrawn: %v", reported)
		}
	}},
	{"query-ipv6-ignored", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		fams := []omp.Family{{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC}, {AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}, {AFI: omp.AFIIPv6, SAFI: omp.SAFIVRoute}}
		a, _ := famPeers(t, sp, fams)
		o := originN(1)
		r := omp.Reach{AFI: omp.AFIIPv6, SAFI: omp.SAFIVRoute, VRoutes: []omp.VRouteNLRI{{VPNID: 1, PrefixLen: 48, Address: netip.MustParseAddr("2001:db8:1::")}}}
		a.send(o.tlocAdv(0))
		a.send(&omp.Update{Attributes: append(o.routeAttrs(0, 0), omp.Attr(&omp.AttrReachables{Reach: r}))})
		a.send(&omp.Query{Attributes: []omp.Attribute{omp.Attr(&omp.AttrReachables{Reach: r})}})
		a.send(queryUnreach(markerPrefix)) // answered after
		m := a.awaitOK("an answer", func(m omp.Message) bool { return withdraws(markerPrefix)(m) || reachesIn(fams[2])(m) })
		if answered := reachesIn(fams[2])(m); answered == faulty {
			t.Fatalf("the QUERY for an IPv6 vRoute answered: %v", answered)
		}
	}},
	{"query-all-paths", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		p := ribEstablished(t, sp, edgeHandshake())
		best, beaten := originN(1), originN(2)
		for _, o := range []origin{best, beaten} {
			p.send(o.tlocAdv(0))
		}
		p.send(best.routeAdv(200, 0, "10.1.0.0/16"))
		p.send(beaten.routeAdv(100, 0, "10.1.0.0/16"))
		if faulty {
			p.expectBest("10.1.0.0/16", best.id, beaten.id) // reported though beaten
			return
		}
		p.expectBest("10.1.0.0/16", best.id)
	}},
	{"query-absent-by-path", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		p := ribEstablished(t, sp, edgeHandshake())
		p.send(originN(1).routeAdv(0, 0, "10.1.0.0/16")) // its TLOC is never advertised
		p.send(queryUnreach("10.1.0.0/16"))
		p.send(queryUnreach(markerPrefix)) // answered after
		m := p.awaitOK("an answer", func(m omp.Message) bool { return withdraws("10.1.0.0/16")(m) || withdraws(markerPrefix)(m) })
		if absent := withdraws("10.1.0.0/16")(m); absent == faulty {
			t.Fatalf("the destination with an invalid path only reported absent: %v", absent)
		}
	}},
	{"query-unreach-all", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		p := ribEstablished(t, sp, edgeHandshake())
		o := originN(1)
		p.advertise(o, "10.1.0.0/16")
		p.expectBest("10.1.0.0/16", o.id)
		p.send(queryUnreach("10.1.0.0/16", "10.9.0.0/16")) // present, absent
		m := p.awaitOK("an answer", func(m omp.Message) bool { return withdraws("10.1.0.0/16")(m) || withdraws("10.9.0.0/16")(m) })
		if reported := withdraws("10.1.0.0/16")(m); reported != faulty {
			t.Fatalf("present route reported withdrawn: %v", reported)
		}
	}},
	{"query-trailing-bytes-ignored", nil, func(t *testing.T, sp *Speaker, faulty bool) {
		p := established(t, sp)
		b := append(testdut.Encode(t, queryUnreach(markerPrefix)), 0) // a byte no Length counts
		omp.PutLength(b)
		p.sendRaw(b)
		refusedOrCarriesOn(p, faulty, omp.ErrUpdate, omp.SubErrUpdateAttrList)
	}},
	{"query-attr-length-unchecked", nil, func(t *testing.T, sp *Speaker, faulty bool) {
		p := established(t, sp)
		p.send(&omp.Query{Attributes: []omp.Attribute{omp.Attr(&omp.AttrUnreachables{Reach: vroutes(markerPrefix)}),
			omp.Attr(&omp.RawAttr{AType: omp.AttrTypePref, Data: []byte{1, 2, 3}})}})
		refusedOrCarriesOn(p, faulty, omp.ErrUpdate, omp.SubErrUpdateLength)
	}},
	{"query-family-no-own", edgeWithRoute, func(t *testing.T, sp *Speaker, faulty bool) {
		p := ribEstablished(t, sp, asController(edgeHandshake()))
		p.send(&omp.Query{Attributes: []omp.Attribute{omp.Attr(&omp.AttrReachables{Reach: vroutes()})}}) // the whole family
		p.send(queryUnreach(markerPrefix))                                                               // ends the answer
		m := p.awaitOK("an answer", func(m omp.Message) bool { return reaches("10.1.0.0/16")(m) || withdraws(markerPrefix)(m) })
		if own := reaches("10.1.0.0/16")(m); own == faulty {
			t.Fatalf("the router's own route in the answer to a QUERY for its family: %v", own)
		}
	}},
}
