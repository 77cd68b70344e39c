package omp

import (
	"net/netip"
	"slices"
	"testing"
)

// CapOf finds the first capability of a type in a decoded HANDSHAKE,
// across its Capabilities options; Families lists the MP families once
// each, in order.
func TestCapOfAndFamilies(t *testing.T) {
	hs := &Handshake{Version: Version, SiteID: 1, DomainID: 1, HoldTime: 60, PeerRouterID: netip.MustParseAddr("10.0.0.1"),
		Options: []Option{
			&CapabilitiesOption{Capabilities: []Capability{
				&CapMP{AFI: AFIIPv6, SAFI: SAFITLOC}, &CapOverlayID{OverlayID: 9}, &CapMP{AFI: AFIIPv4, SAFI: SAFIVRoute},
			}},
			&CapabilitiesOption{Capabilities: []Capability{
				&CapIdentity{PeerType: PeerTypeVHub}, &CapMP{AFI: AFIIPv6, SAFI: SAFITLOC}, &CapOverlayID{OverlayID: 42},
			}},
		}}
	b, err := Encode(hs)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	got := m.(*Handshake)
	if o, ok := CapOf[*CapOverlayID](got); !ok || o.OverlayID != 9 {
		t.Errorf("OVERLAY ID %v, %v; want the first, 9", o, ok)
	}
	if id, ok := CapOf[*CapIdentity](got); !ok || id.PeerType != PeerTypeVHub {
		t.Errorf("IDENTITY %v, %v", id, ok)
	}
	if r, ok := CapOf[*CapRefresh](got); ok || r != nil {
		t.Errorf("REFRESH found in a HANDSHAKE without it: %v", r)
	}
	want := []Family{{AFI: AFIIPv6, SAFI: SAFITLOC}, {AFI: AFIIPv4, SAFI: SAFIVRoute}}
	if f := got.Families(); !slices.Equal(f, want) {
		t.Errorf("Families %v, want %v", f, want)
	}
	if f := (&Handshake{}).Families(); f != nil {
		t.Errorf("a HANDSHAKE without options carries %v", f)
	}
}
