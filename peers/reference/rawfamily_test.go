package reference

import (
	"bytes"
	"net/netip"
	"testing"

	"github.com/ompconform/ompconform/omp"
)

// serviceEdge is a HANDSHAKE of edge n offering only MP AFI_IPV4/SAFI_SERVICE.
func serviceEdge(n int) *omp.Handshake {
	h := edgeHandshake()
	h.PeerRouterID = netip.AddrFrom4([4]byte{10, 0, 1, byte(n)})
	h.SiteID = uint32(100 + n)
	setCaps(h, &omp.CapMP{AFI: omp.AFIIPv4, SAFI: omp.SAFIService}, identity(omp.PeerTypeVEdge))
	return h
}

// expectEOR reads messages up to an EOR and checks its family.
func expectEOR(p *peer, safi omp.SAFI) {
	p.t.Helper()
	in := p.recvType(omp.TypeInform).(*omp.Inform)
	if in.InformType != omp.InformEOR || in.AFI != omp.AFIIPv4 || in.SAFI != safi {
		p.t.Fatalf("got %+v, want EOR of AFI_IPV4/%s", in, safi)
	}
}

// A HANDSHAKE offering only MP SAFI_SERVICE opens a session with the
// reference on its RIB; the family's routes, which have no NLRI format,
// are reflected as opaque bytes and withdrawn with the same bytes.
func TestServiceFamilyNegotiatedAndReflected(t *testing.T) {
	ctrl := startSpeaker(t, ribCtrlConfig())
	a := dialPeer(t, ctrl.Addr())
	hs := a.establish(serviceEdge(7))
	offered := false
	for _, c := range hs.Capabilities() {
		if mp, ok := c.(*omp.CapMP); ok && mp.AFI == omp.AFIIPv4 && mp.SAFI == omp.SAFIService {
			offered = true
		}
	}
	if !offered {
		t.Errorf("the reference's HANDSHAKE does not offer MP AFI_IPV4/SAFI_SERVICE")
	}
	ps := waitPeerState(t, ctrl, "10.0.1.7", StateEstablished)
	if fs := ps.Negotiated.Families; len(fs) != 1 || fs[0] != (omp.Family{AFI: omp.AFIIPv4, SAFI: omp.SAFIService}) {
		t.Fatalf("negotiated families %v", fs)
	}
	expectEOR(a, omp.SAFIService)

	b := dialPeer(t, ctrl.Addr())
	b.establish(serviceEdge(8))
	expectEOR(b, omp.SAFIService)

	blob := []byte{10, 0, 0, 1, 0, 1}
	reach := omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIService, Raw: blob}
	a.send(&omp.Update{Attributes: []omp.Attribute{omp.Attr(&omp.AttrPref{Preference: 42}),
		{Flags: omp.AttrExtended, Value: &omp.AttrReachables{Reach: reach}}}})
	u := b.recvType(omp.TypeUpdate).(*omp.Update)
	r, ok := u.Find(omp.AttrTypeReachables)
	if !ok || !bytes.Equal(r.(*omp.AttrReachables).Raw, blob) || r.(*omp.AttrReachables).SAFI != omp.SAFIService {
		t.Fatalf("reflected %+v", u)
	}
	if o, ok := u.Find(omp.AttrTypeOriginator); !ok || o.(*omp.AttrOriginator).Originator != netip.AddrFrom4([4]byte{10, 0, 1, 7}) {
		t.Errorf("reflected without the originator: %+v", u)
	}
	if pr, ok := u.Find(omp.AttrTypePref); !ok || pr.(*omp.AttrPref).Preference != 42 {
		t.Errorf("reflected without its PREF: %+v", u)
	}

	a.send(&omp.Update{Attributes: []omp.Attribute{{Flags: omp.AttrExtended, Value: &omp.AttrUnreachables{Reach: reach}}}})
	u = b.recvType(omp.TypeUpdate).(*omp.Update)
	w, ok := u.Find(omp.AttrTypeUnreachables)
	if !ok || !bytes.Equal(w.(*omp.AttrUnreachables).Raw, blob) {
		t.Fatalf("withdrawal %+v", u)
	}
}
