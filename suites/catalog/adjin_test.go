package catalog

import (
	"net/netip"
	"testing"

	"github.com/ompconform/ompconform/omp"
)

// A fake peer's view of the DUT's paths (adjIn) keys a path by prefix and
// Path ID (RFC 7911): a controller that numbers the paths it sends
// replaces its path to a prefix under one Path ID, whatever the new
// path's originator, and the replaced one, a loser, is no longer held.
func TestAdjInReplacesByPathID(t *testing.T) {
	e := DefaultEnv(Controller)
	p := netip.MustParsePrefix(DefaultPrefix)
	reach := omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute,
		VRoutes: []omp.VRouteNLRI{{VPNID: e.VPN(), PathID: 1, Label: 1000, PrefixLen: uint8(p.Bits()), Address: p.Addr()}}}
	adv := func(orig, tloc string) *omp.Update {
		return &omp.Update{Attributes: []omp.Attribute{
			omp.Attr(&omp.AttrTLOC{Address: netip.MustParseAddr(tloc), Color: TLOCColor, Encap: TLOCEncap}),
			omp.Attr(&omp.AttrOriginator{Originator: netip.MustParseAddr(orig)}),
			omp.Attr(&omp.AttrReachables{Reach: reach})}}
	}
	var a adjIn
	a = a.take(e, adv("10.0.0.2", "100.64.0.2"))
	a = a.take(e, adv("10.0.0.3", "100.64.0.3"))
	if len(a) != 1 || a[adjKey{p, 1}] != netip.MustParseAddr("100.64.0.3") {
		t.Fatalf("held %v, want the path via 100.64.0.3 alone", a)
	}
	a = a.take(e, &omp.Update{Attributes: []omp.Attribute{omp.Attr(&omp.AttrUnreachables{Reach: reach})}})
	if len(a) != 0 {
		t.Fatalf("after the withdrawal: held %v, want nothing", a)
	}
}
