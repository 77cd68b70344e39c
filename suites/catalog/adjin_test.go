package catalog

import (
	"net/netip"
	"testing"

	"github.com/ompconform/ompconform/omp"
)

// A fake peer's view of the DUT's paths (adjIn) keeps apart two paths
// with one Path ID and two originators, as a controller passing on two
// routers' paths sends them; a withdrawal with ATTR_TYPE_ORIGINATOR takes
// that originator's path only, one without takes every path of that
// Path ID.
func TestAdjInKeysPathsByOriginator(t *testing.T) {
	e := DefaultEnv(Controller)
	p := netip.MustParsePrefix(DefaultPrefix)
	nlri := []omp.VRouteNLRI{{VPNID: e.VPN(), PathID: 1, Label: 1000, PrefixLen: uint8(p.Bits()), Address: p.Addr()}}
	reach := omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute, VRoutes: nlri}
	orig := func(s string) omp.Attribute {
		return omp.Attr(&omp.AttrOriginator{Originator: netip.MustParseAddr(s)})
	}
	adv := func(o, tloc string) *omp.Update {
		return &omp.Update{Attributes: []omp.Attribute{
			omp.Attr(&omp.AttrTLOC{Address: netip.MustParseAddr(tloc), Color: TLOCColor, Encap: TLOCEncap}),
			orig(o), omp.Attr(&omp.AttrReachables{Reach: reach})}}
	}
	var a adjIn
	a = a.take(e, adv("10.0.0.2", "100.64.0.2"))
	a = a.take(e, adv("10.0.0.3", "100.64.0.3"))
	if len(a) != 2 {
		t.Fatalf("two routers' paths with Path ID 1: held %v, want both", a)
	}
	a = a.take(e, &omp.Update{Attributes: []omp.Attribute{orig("10.0.0.2"), omp.Attr(&omp.AttrUnreachables{Reach: reach})}})
	if len(a) != 1 || a[adjKey{p, 1, netip.MustParseAddr("10.0.0.3")}] != netip.MustParseAddr("100.64.0.3") {
		t.Fatalf("after router 2's withdrawal: held %v, want router 3's path alone", a)
	}
	a = a.take(e, adv("10.0.0.2", "100.64.0.2"))
	a = a.take(e, &omp.Update{Attributes: []omp.Attribute{omp.Attr(&omp.AttrUnreachables{Reach: reach})}})
	if len(a) != 0 {
		t.Fatalf("after a withdrawal without ATTR_TYPE_ORIGINATOR: held %v, want nothing", a)
	}
}
