package omp

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
)

// The catalogue: valid messages of every type, with every attribute type
// 1..38, in the form the decoder returns them (so that decode(encode(m))
// equals m). Round-trip, field map and fuzz tests use it, and
// TestWriteCorpus writes it out as seeds for go-fuzz.

type namedMsg struct {
	name string
	m    Message
}

var (
	ip4  = netip.MustParseAddr
	tloc = func() Attribute {
		return Attr(&AttrTLOC{Address: ip4("192.0.2.1"), Color: 3, Encap: 2})
	}
)

// attrValues is one typed or raw value of each attribute type 1..38.
func attrValues() []AttrValue {
	return []AttrValue{
		&AttrTLOC{Address: ip4("192.0.2.1"), Color: 1, Encap: 2},
		&AttrTLOCV4Private{Address: ip4("10.0.0.1"), Port: 12346},
		&AttrTLOCV4Public{Address: ip4("198.51.100.7"), Port: 12366},
		&AttrTLOCEncap{EncapType: EncapIPsec, TLVs: []TLV{
			{Type: EncapTLVProtocol, Value: []byte{0, 50}},
			{Type: EncapTLVSPI, Value: []byte{0, 0, 1, 0}},
			{Type: EncapTLVAuth, Value: []byte{1}},
			{Type: EncapTLVAuthKey, Value: bytes.Repeat([]byte{0xA5}, 64)},
			{Type: EncapTLVEncrypt, Value: []byte{2}},
			{Type: EncapTLVEncryptKey, Value: bytes.Repeat([]byte{0x5A}, 64)},
		}},
		&AttrPref{Preference: 100},
		&AttrWeight{Weight: 7},
		&AttrTag{Tag: 0xDEADBEEF},
		&AttrDomain{DomainID: 1},
		&AttrSiteID{SiteID: 100},
		&AttrQuery{Query: 1},
		&AttrOrigin{Proto: OriginOSPFIntra, ProtoSubtype: 2, Metric: 20},
		&AttrOriginator{Originator: ip4("1.1.1.1")},
		&AttrSrcVPN{SourceVPNID: 512},
		&AttrReachables{Reach{AFI: AFIIPv4, SAFI: SAFIVRoute, VRoutes: []VRouteNLRI{
			{VPNID: 10, PathID: 1, Label: 1001, PrefixLen: 24, Address: ip4("10.1.0.0")},
			{VPNID: 10, PathID: 2, Label: 0xFFFFFF, PrefixLen: 32, Address: ip4("10.1.1.1")},
		}}},
		&AttrUnreachables{Reach{AFI: AFIIPv6, SAFI: SAFIVRoute, VRoutes: []VRouteNLRI{
			{VPNID: 20, PathID: 9, Label: 7, PrefixLen: 64, Address: netip.MustParseAddr("2001:db8::")},
		}}},
		&AttrStale{Stale: 1},
		&AttrCarrier{Carrier: 4},
		&RawAttr{AType: AttrTypeMulticast, Data: []byte{1, 2, 3}},
		&AttrVersion{Version: 42},
		&AttrTLOCV6Private{Address: netip.MustParseAddr("fd00::1"), Port: 12346},
		&AttrTLOCV6Public{Address: netip.MustParseAddr("2001:db8::7"), Port: 12366},
		&RawAttr{AType: AttrTypeGenID, Data: []byte{0, 0, 0, 9}},
		&AttrGroup{Groups: []uint32{1, 2, 0xFFFFFFFF}},
		&AttrRestrict{Restrict: 1},
		&AttrSecurity{TLVs: []TLV{
			{Type: SecTLVSAIdx, Value: []byte{0, 1}},
			{Type: SecTLVSPI, Value: []byte{0, 0, 2, 0}},
			{Type: SecTLVFlags, Value: []byte{0x80}},
			{Type: SecTLVProtocol, Value: []byte{50}},
			{Type: SecTLVEncrypt, Value: []byte{1, 2}},
			{Type: SecTLVIntegrity, Value: []byte{3}},
			{Type: SecTLVAuth, Value: []byte{1, 0xAA, 0xBB}},
			{Type: SecTLVEncryptKey, Value: []byte{2, 0xCC}},
		}},
		&AttrBorder{Border: 1},
		&RawAttr{AType: AttrTypeUltimateTLOC, Data: []byte{192, 0, 2, 9, 1, 2}},
		&RawAttr{AType: AttrTypeSLA, Data: []byte{7}},
		&RawAttr{AType: AttrTypeOverlayID, Data: []byte{0, 0, 0, 1}},
		&AttrASPath{Segments: []ASPathSegment{{Type: 2, ASNs: []uint32{65001, 65002}}, {Type: 1, ASNs: []uint32{4200000000}}}},
		&AttrBandwidth{Bandwidth: 1000000},
		&RawAttr{AType: AttrTypeQoSGroup, Data: []byte{3}},
		&RawAttr{AType: AttrTypeCap, Data: []byte{}},
		&RawAttr{AType: AttrTypeTLOCInstalled, Data: []byte{1}},
		&AttrCommunity{Communities: []uint32{65000<<16 | 1}},
		&RawAttr{AType: AttrTypeExtCommunity, Data: []byte{0, 2, 0xFD, 0xE8, 0, 0, 0, 1}},
		&AttrOnDemand{OnDemand: 1},
		&AttrAdaptQoS{Flags: AdaptQoSDownstreamMin | AdaptQoSDownstream | AdaptQoSDownstreamMax | AdaptQoSPeriod | AdaptQoSUp,
			DownstreamMin: 10, Downstream: 20, DownstreamMax: 30, Period: 40, Up: 1},
	}
}

func catalog() []namedMsg {
	out := []namedMsg{
		{"handshake", benchHandshake()},
		{"handshake/bare", &Handshake{Version: Version, SiteID: 1, DomainID: 2, HoldTime: 0, PeerRouterID: ip4("10.255.0.1")}},
		{"handshake/auth", &Handshake{Version: Version, SiteID: 1, DomainID: 2, HoldTime: 3, PeerRouterID: ip4("10.255.0.1"),
			Options: []Option{
				&AuthenticationOption{KeyID: 7, MAC: [AuthMACLen]byte{1, 2, 3, 31: 0xFF}},
				&CapabilitiesOption{Capabilities: []Capability{&CapRefresh{}, &RawCapability{Code: 200, Data: []byte{1, 2}}, &RawCapability{Code: 0}}},
			}}},
		{"update/bench", benchUpdate()},
		{"update/empty", &Update{Attributes: []Attribute{}}},
		{"update/withdraw", &Update{Attributes: []Attribute{Attr(&AttrUnreachables{Reach{AFI: AFIIPv4, SAFI: SAFIVRoute, VRoutes: []VRouteNLRI{
			{VPNID: 1, PathID: 1, Label: 1, PrefixLen: 8, Address: ip4("10.0.0.0")}}}})}}},
		{"update/tloc-routes", &Update{Attributes: []Attribute{
			Attr(&AttrReachables{Reach{AFI: AFIIPv4, SAFI: SAFITLOC, TLOCs: []TLOCNLRI{{Address: ip4("192.0.2.1"), Color: 1, Encap: 2}, {Address: ip4("192.0.2.2"), Color: 3, Encap: 1}}}}),
			Attr(&AttrTLOCV4Private{Address: ip4("10.0.0.1"), Port: 12346}),
		}}},
		{"update/tloc6-routes", &Update{Attributes: []Attribute{
			Attr(&AttrUnreachables{Reach{AFI: AFIIPv6, SAFI: SAFITLOC, TLOCs: []TLOCNLRI{{Address: netip.MustParseAddr("2001:db8::1"), Color: 1, Encap: 2}}}}),
		}}},
		{"update/multicast", &Update{Attributes: []Attribute{
			Attr(&AttrReachables{Reach{AFI: AFIIPv4, SAFI: SAFIMulticast, Multicast: []MulticastNLRI{
				{McastType: McastTypeAD, VPNID: 1, Label: 99, SourceOriginator: ip4("1.1.1.1")},
				{McastType: McastTypeJoinSG, VPNID: 1, SourceOriginator: ip4("1.1.1.1"), DestinationOriginator: ip4("2.2.2.2"),
					SourcePrefixLen: 32, Source: ip4("10.0.0.5"), GroupPrefixLen: 32, Group: ip4("232.1.1.1"),
					Prunes: []PrunedSource{{PrefixLen: 32, Address: ip4("10.0.0.6")}, {PrefixLen: 24, Address: ip4("10.9.0.0")}}},
				{McastType: McastTypeJoinXG, VPNID: 2, SourceOriginator: ip4("1.1.1.1"), DestinationOriginator: ip4("3.3.3.3"),
					SourcePrefixLen: 32, Source: ip4("10.0.0.1"), GroupPrefixLen: 4, Group: ip4("224.0.0.0")},
			}}}),
		}}},
		{"update/multicast6", &Update{Attributes: []Attribute{
			Attr(&AttrReachables{Reach{AFI: AFIIPv6, SAFI: SAFIMulticast, Multicast: []MulticastNLRI{
				{McastType: McastTypeSA, VPNID: 3, SourceOriginator: ip4("1.1.1.1"), DestinationOriginator: ip4("2.2.2.2"),
					SourcePrefixLen: 128, Source: netip.MustParseAddr("2001:db8::5"), GroupPrefixLen: 128, Group: netip.MustParseAddr("ff3e::1"),
					Prunes: []PrunedSource{{PrefixLen: 64, Address: netip.MustParseAddr("2001:db8:1::")}}},
			}}}),
		}}},
		{"update/raw-safi", &Update{Attributes: []Attribute{
			Attr(&AttrReachables{Reach{AFI: 99, SAFI: SAFIService, Raw: []byte{1, 2, 3, 4, 5}}}),
		}}},
		// An unknown optional type is kept raw with its flags; a short
		// attribute keeps the extended-length flag it arrived with.
		{"update/flags", &Update{Attributes: []Attribute{
			{Flags: AttrOptional | AttrPartial, Value: &RawAttr{AType: 77, Data: []byte{9, 9}}},
			{Flags: AttrOptional | AttrExtended, Value: &RawAttr{AType: 200}},
			{Flags: AttrExtended, Value: &AttrPref{Preference: 5}},
			{Flags: AttrOptional | AttrPartial | AttrExtended, Value: &AttrWeight{Weight: 1}},
		}}},
		{"alert", &Alert{Code: ErrUpdate, Subcode: SubErrUpdateBadNet, Data: []byte{0xFF, 0}}},
		{"alert/empty", &Alert{Code: ErrOper, Subcode: SubErrOperShut}},
		{"hello/empty", &Hello{}},
		{"hello/vsmarts", &Hello{TLVs: []HelloTLV{
			{TLVType: HelloTLVVSmarts, VSmarts: []netip.Addr{ip4("10.0.0.1"), netip.MustParseAddr("2001:db8::1")}},
			{TLVType: 9, Data: []byte("x")},
			{TLVType: HelloTLVVSmarts},
		}}},
		{"query", &Query{Attributes: []Attribute{
			Attr(&AttrReachables{Reach{AFI: AFIIPv4, SAFI: SAFIVRoute, VRoutes: []VRouteNLRI{{VPNID: 1, PathID: 1, Label: 1, PrefixLen: 0, Address: ip4("0.0.0.0")}}}}),
		}}},
		{"policy", &Policy{PolicyType: PolicyStart, Data: []byte("policy data")}},
		{"policy/empty", &Policy{PolicyType: PolicyEnd}},
		{"inform/eor-all", &Inform{InformType: InformEOR, AllFamilies: true}},
		{"inform/eor", &Inform{InformType: InformEOR, AFI: AFIIPv6, SAFI: SAFITLOC}},
		{"inform/refresh", &Inform{InformType: InformRefreshRequest, AFI: AFIIPv4, SAFI: SAFIVRoute}},
		{"inform/other", &Inform{InformType: 9, Data: []byte{1, 2}}},
	}
	// One UPDATE per attribute type, and one with all of them.
	all := &Update{}
	for _, v := range attrValues() {
		attrs := []Attribute{Attr(v)}
		if v.AttrType() == AttrTypeReachables {
			attrs = append(attrs, tloc())
		}
		out = append(out, namedMsg{"update/attr/" + v.AttrType().String(), &Update{Attributes: attrs}})
		all.Attributes = append(all.Attributes, Attr(v))
	}
	out = append(out, namedMsg{"update/attr/all", all})
	return out
}

// catalogWire is the catalogue encoded.
func catalogWire(t testing.TB) [][]byte {
	var out [][]byte
	for _, c := range catalog() {
		out = append(out, mustEncode(t, c.m))
	}
	return out
}

// TestWriteCorpus writes the fuzz seeds (the catalogue, the error table,
// the fixtures), one message a file, to $OMP_CORPUS_DIR:
// scripts/gofuzz.sh seeds go-fuzz with them.
func TestWriteCorpus(t *testing.T) {
	dir := os.Getenv("OMP_CORPUS_DIR")
	if dir == "" {
		t.Skip("OMP_CORPUS_DIR not set")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, b := range seeds(t) {
		if err := os.WriteFile(filepath.Join(dir, "seed-"+itoa(i)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
