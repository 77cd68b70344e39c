package omp

import (
	"bytes"
	"flag"
	"math/rand/v2"
	"net/netip"
	"os"
	"strings"
	"testing"
)

var updateJSON = flag.Bool("update-json", false, "rewrite testdata/json.golden")

// jsonCases are messages whose JSON the golden file pins: the catalogue,
// the valid fuzz seeds, messages decoded from the seeds with bytes
// changed at random (a fixed sequence), and send-only values that the
// decoder never returns (values the encoder refuses included: JSON
// renders what it is given).
func jsonCases(t *testing.T) []namedMsg {
	out := catalog()
	for _, m := range jsonSendOnly() {
		out = append(out, namedMsg{"send-only/" + itoa(len(out)), m})
	}
	seeds := seeds(t)
	for i, b := range seeds {
		if m, err := Decode(b); err == nil {
			out = append(out, namedMsg{"seed/" + itoa(i), m})
		}
	}
	r := rand.New(rand.NewPCG(12, 1))
	for i := 0; i < 1200; i++ {
		b := append([]byte(nil), seeds[r.IntN(len(seeds))]...)
		for k := 1 + r.IntN(3); k > 0 && len(b) > HeaderLen; k-- {
			b[HeaderLen+r.IntN(len(b)-HeaderLen)] = byte(r.Uint32())
		}
		if m, err := Decode(b); err == nil {
			out = append(out, namedMsg{"mutant/" + itoa(i), m})
		}
	}
	return out
}

func jsonSendOnly() []Message {
	v6 := netip.MustParseAddr("2001:db8::1")
	upd := func(vs ...AttrValue) *Update {
		m := &Update{}
		for _, v := range vs {
			m.Attributes = append(m.Attributes, Attr(v))
		}
		return m
	}
	return []Message{
		&RawMessage{MsgType: 9, Body: []byte{1, 2}},
		&RawMessage{MsgType: 0},
		&Handshake{},
		&Handshake{Version: 1, PeerRouterID: v6, Options: []Option{
			&RawOption{Type: 7, Data: []byte{0xab}},
			&AuthenticationOption{KeyID: 3, MAC: [AuthMACLen]byte{1, 2, 3}},
			&CapabilitiesOption{},
			&CapabilitiesOption{Capabilities: []Capability{
				&CapMP{AFI: 9, SAFIVersion: SAFIVersionTwo, SAFI: 77}, &CapMP{SAFIVersion: 5},
				&RawCapability{Code: 99, Data: []byte{4}}, &RawCapability{Code: 100},
				&CapIdentity{PeerType: 42}, &CapOverlayID{OverlayID: 7},
			}},
		}},
		&Update{},
		&Update{Attributes: []Attribute{{Flags: AttrOptional}}},
		&Update{Attributes: []Attribute{{Flags: 0xFF, Value: &AttrPref{Preference: 1}}}},
		upd(&AttrTLOCEncap{EncapType: 9, TLVs: []TLV{{Type: 1, Value: []byte{5}}}}),
		upd(&AttrTLOCEncap{EncapType: EncapGRE, TLVs: []TLV{{Type: EncapTLVGREKey, Value: []byte{0, 0, 0, 1}}, {Type: 2}}}),
		upd(&AttrTLOCEncap{EncapType: EncapIPsec}),
		upd(&AttrSecurity{}, &AttrSecurity{TLVs: []TLV{{Type: SecTLVSAIdx}, {Type: SecTLVSPI}, {Type: SecTLVFlags}, {Type: SecTLVProtocol},
			{Type: SecTLVEncrypt}, {Type: SecTLVIntegrity}, {Type: SecTLVAuth}, {Type: SecTLVEncryptKey}, {Type: 9, Value: []byte{1}}}}),
		upd(&AttrAdaptQoS{Flags: 0x41, DownstreamMin: 3}, &AttrAdaptQoS{}, &AttrAdaptQoS{Flags: 0xFF, DownstreamMin: 1, Downstream: 2, DownstreamMax: 3, Period: 4, Up: 5}),
		upd(&AttrOrigin{Proto: 200}, &AttrOrigin{Proto: OriginEIGRP, Metric: 1}),
		upd(&AttrASPath{}, &AttrASPath{Segments: []ASPathSegment{{Type: 2}, {Type: 1, ASNs: []uint32{1, 2}}}}),
		upd(&AttrGroup{}, &AttrCommunity{}, &AttrGroup{Groups: []uint32{1}}, &AttrCommunity{Communities: []uint32{1, 2}}),
		upd(&AttrTLOC{}, &AttrTLOC{Address: v6}, &AttrOriginator{Originator: v6}, &AttrTLOCV4Private{Address: v6},
			&AttrTLOCV6Public{}, &AttrTLOCV6Private{Address: v6, Port: 1}),
		upd(&AttrReachables{Reach{AFI: 7, SAFI: SAFIVRoute, VRoutes: []VRouteNLRI{{Label: 1 << 30, PrefixLen: 200, Address: v6}, {}}}}),
		upd(&AttrReachables{Reach{AFI: AFIIPv4, SAFI: SAFITLOC}}, &AttrUnreachables{Reach{AFI: AFIIPv6, SAFI: 99, Raw: []byte{1}}}),
		upd(&AttrReachables{Reach{AFI: AFIIPv4, SAFI: SAFIMulticast, Multicast: []MulticastNLRI{
			{McastType: McastTypeAD, VPNID: 1, Label: 2, SourceOriginator: netip.MustParseAddr("1.2.3.4"), Group: v6},
			{McastType: McastTypeJoinSG, VPNID: 1, Source: v6},
			{McastType: 9, Prunes: []PrunedSource{{PrefixLen: 8, Address: netip.MustParseAddr("10.0.0.0")}, {}}},
		}}}),
		upd(&AttrUnreachables{Reach{AFI: AFIIPv6, SAFI: SAFIVRoute}}, &RawAttr{AType: 200}),
		&Query{},
		&Alert{Code: 77, Subcode: 3},
		&Alert{Code: ErrUpdate, Subcode: 200, Data: []byte{1}},
		&Hello{},
		&Hello{TLVs: []HelloTLV{{TLVType: HelloTLVVSmarts}, {TLVType: HelloTLVVSmarts, VSmarts: []netip.Addr{v6, netip.MustParseAddr("1.1.1.1"), {}}},
			{TLVType: 99}, {TLVType: 98, Data: []byte{1}, VSmarts: []netip.Addr{v6}}}},
		&Policy{PolicyType: 77},
		&Inform{InformType: InformEOR, AllFamilies: true, AFI: 1, Data: []byte{1}},
		&Inform{InformType: InformRefreshRequest, AllFamilies: true},
		&Inform{InformType: 77, AllFamilies: true, AFI: AFIIPv4, Data: nil},
	}
}

// MessageJSON's output on every case is the golden file's, byte for byte.
func TestMessageJSONGolden(t *testing.T) {
	var b bytes.Buffer
	for _, c := range jsonCases(t) {
		j, err := MessageJSON(c.m)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		b.WriteString(c.name + "\t")
		b.Write(j)
		b.WriteByte('\n')
	}
	const golden = "testdata/json.golden"
	if *updateJSON {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	got, wantLines := strings.Split(b.String(), "\n"), strings.Split(string(want), "\n")
	if len(got) != len(wantLines) {
		t.Errorf("%d cases, the golden file has %d", len(got), len(wantLines))
	}
	bad := 0
	for i := range min(len(got), len(wantLines)) {
		if got[i] != wantLines[i] && bad < 10 {
			bad++
			at := 0
			for at < min(len(got[i]), len(wantLines[i])) && got[i][at] == wantLines[i][at] {
				at++
			}
			t.Errorf("line %d differs at byte %d\n got  ...%s\n want ...%s", i+1, at, around(got[i], at), around(wantLines[i], at))
		}
	}
}

// around is s from 60 bytes before at to 60 after.
func around(s string, at int) string { return s[max(0, at-60):min(len(s), at+60)] }
