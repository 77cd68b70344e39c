package omp

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"testing"
)

// benchUpdate is the UPDATE the target names: 100 IPv4 VROUTE
// NLRI with TLOC, PREF, ORIGIN and ORIGINATOR attributes.
func benchUpdate() *Update {
	r := &AttrReachables{Reach{AFI: AFIIPv4, SAFI: SAFIVRoute}}
	for i := 0; i < 100; i++ {
		r.VRoutes = append(r.VRoutes, VRouteNLRI{VPNID: 10, PathID: uint32(i), Label: 1000 + uint32(i), PrefixLen: 24,
			Address: netip.AddrFrom4([4]byte{10, byte(i >> 8), byte(i), 0})})
	}
	return &Update{Attributes: []Attribute{
		Attr(&AttrTLOC{Address: netip.MustParseAddr("192.0.2.1"), Color: 1, Encap: 2}),
		Attr(&AttrPref{Preference: 100}),
		{Flags: AttrOptional, Value: &AttrOrigin{Proto: OriginConnected, Metric: 5}},
		Attr(&AttrOriginator{Originator: netip.MustParseAddr("1.1.1.1")}),
		{Flags: AttrExtended, Value: r},
	}}
}

func benchHandshake() *Handshake {
	return &Handshake{Version: Version, SiteID: 100, DomainID: 1, HoldTime: 15, PeerRouterID: netip.MustParseAddr("1.1.1.1"),
		Options: []Option{&CapabilitiesOption{Capabilities: []Capability{
			&CapMP{AFI: AFIIPv4, SAFI: SAFIVRoute}, &CapMP{AFI: AFIIPv6, SAFI: SAFIVRoute}, &CapMP{AFI: AFIIPv4, SAFI: SAFITLOC},
			&CapIdentity{PeerType: PeerTypeVEdge}, &CapGracefulRestart{GRInterval: 43200}, &CapRefresh{}, &CapSecurity{}, &CapOverlayID{OverlayID: 1},
		}}}}
}

func benchDecode(b *testing.B, m Message) {
	wire, err := Encode(m)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(wire)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(wire); err != nil {
			b.Fatal(err)
		}
	}
}

func benchEncode(b *testing.B, m Message) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode(m); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeUpdate100(b *testing.B) { benchDecode(b, benchUpdate()) }
func BenchmarkEncodeUpdate100(b *testing.B) { benchEncode(b, benchUpdate()) }
func BenchmarkDecodeHandshake(b *testing.B) { benchDecode(b, benchHandshake()) }
func BenchmarkEncodeHandshake(b *testing.B) { benchEncode(b, benchHandshake()) }

func BenchmarkAppendUpdate100(b *testing.B) {
	m := benchUpdate()
	buf := make([]byte, 0, MaxMessageLen)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = Append(buf[:0], m); err != nil {
			b.Fatal(err)
		}
	}
}

func TestBenchMessagesRoundTrip(t *testing.T) {
	for _, m := range []Message{benchUpdate(), benchHandshake()} {
		wire, err := Encode(m)
		if err != nil {
			t.Fatal(err)
		}
		d, err := Decode(wire)
		if err != nil {
			t.Fatalf("%x: %v", wire, err)
		}
		again, err := Encode(d)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(wire, again) {
			t.Fatalf("round trip differs:\n%x\n%x", wire, again)
		}
		_, fm, err := DecodeFields(wire)
		if err != nil {
			t.Fatal(err)
		}
		covered := make([]int, len(wire))
		for _, f := range fm.Leaves() {
			for i := f.Offset; i < f.Offset+f.Length; i++ {
				covered[i]++
			}
		}
		for i, c := range covered {
			if c != 1 {
				t.Fatalf("%T: byte %d covered %d times", m, i, c)
			}
		}
	}
}

// BenchmarkFloorVRoute100 allocates and fills the 100 VRouteNLRI of
// benchUpdate by hand, with no walker: the floor under
// BenchmarkDecodeUpdate100, which allocates and fills the same slice.
func BenchmarkFloorVRoute100(b *testing.B) {
	wire, err := Encode(benchUpdate())
	if err != nil {
		b.Fatal(err)
	}
	nlri := wire[len(wire)-100*20:]
	b.ReportAllocs()
	for b.Loop() {
		s := make([]VRouteNLRI, 100)
		for i := range s {
			p := nlri[i*20 : i*20+20]
			s[i].VPNID = binary.BigEndian.Uint64(p)
			s[i].PathID = binary.BigEndian.Uint32(p[8:])
			s[i].Label = uint32(p[12])<<16 | uint32(p[13])<<8 | uint32(p[14])
			s[i].PrefixLen = p[15]
			s[i].Address = netip.AddrFrom4([4]byte(p[16:20]))
		}
		floorSink = s
	}
}

var floorSink []VRouteNLRI
