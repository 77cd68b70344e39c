package omp

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"strings"
	"testing"
)

// Each row is real bytes: a valid message encoded and then patched, or
// encoded with pinned lengths, or a raw body. The decoder must refuse it
// with the ALERT Code and Subcode the draft gives, naming the field.

// wireOf encodes m with pinned lengths and returns the bytes and their
// field map (the field map of what was sent).
func wireOf(t testing.TB, m Message, pins map[string]int) ([]byte, FieldMap) {
	t.Helper()
	b, fm, err := AppendWith(nil, m, &EncodeOptions{Lengths: pins, Fields: true, Oversize: true})
	if err != nil {
		t.Fatalf("encode %T: %v", m, err)
	}
	return b, fm
}

// patched encodes m and overwrites the bytes of field name with b.
func patched(t testing.TB, m Message, name string, b ...byte) ([]byte, FieldMap) {
	t.Helper()
	wire, fm := wireOf(t, m, nil)
	f, ok := fm.Lookup(name)
	if !ok {
		t.Fatalf("no field %s in %T", name, m)
	}
	if len(b) > f.Length {
		t.Fatalf("patch of %d bytes on the %d-byte field %s", len(b), f.Length, name)
	}
	copy(wire[f.Offset:], b)
	return wire, fm
}

// rawBody is a message of type typ with the given body.
func rawBody(t testing.TB, typ MsgType, body []byte) ([]byte, FieldMap) {
	return wireOf(t, &RawMessage{MsgType: typ, Body: body}, nil)
}

func update(attrs ...Attribute) *Update { return &Update{Attributes: attrs} }

func vroutes(afi AFI, v ...VRouteNLRI) Attribute {
	return Attr(&AttrReachables{Reach{AFI: afi, SAFI: SAFIVRoute, VRoutes: v}})
}

var vr = VRouteNLRI{VPNID: 1, PathID: 1, Label: 1, PrefixLen: 24, Address: netip.MustParseAddr("10.0.0.0")}

func hs(opts ...Option) *Handshake {
	return &Handshake{Version: Version, SiteID: 1, DomainID: 1, HoldTime: 15, PeerRouterID: ip4("1.1.1.1"), Options: opts}
}

func caps(c ...Capability) Option { return &CapabilitiesOption{Capabilities: c} }

type errCase struct {
	name  string
	wire  []byte
	fm    FieldMap // the sent field map, to find the offset of field
	code  AlertCode
	sub   Subcode
	field string
	off   int // expected offset if field is not in fm
}

func errCases(t testing.TB) []errCase {
	var cs []errCase
	add := func(name string, wire []byte, fm FieldMap, code AlertCode, sub Subcode, field string) {
		cs = append(cs, errCase{name: name, wire: wire, fm: fm, code: code, sub: sub, field: field, off: -1})
	}
	at := func(off int) { cs[len(cs)-1].off = off }
	// atField: the field is not in the sent map (a raw value was sent):
	// it is delta bytes into the field name of the sent map.
	atField := func(name string, delta int) {
		c := &cs[len(cs)-1]
		f, ok := c.fm.Lookup(name)
		if !ok {
			t.Fatalf("%s: no field %s", c.name, name)
		}
		c.off = f.Offset + delta
	}
	hello := &Hello{}

	// HEADER.
	w, fm := patched(t, hello, "header.marker", 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F)
	add("header/unsync", w, fm, ErrHeader, SubErrHeaderUnsync, "header.marker")
	w, fm = wireOf(t, hello, map[string]int{"header.length": 18})
	add("header/length<19", w, fm, ErrHeader, SubErrHeaderLength, "header.length")
	w, fm = wireOf(t, hello, map[string]int{"header.length": 4097})
	add("header/length>4096", w, fm, ErrHeader, SubErrHeaderLength, "header.length")
	w, fm = wireOf(t, &Policy{Data: make([]byte, 4078)}, nil) // 4098 bytes, Length says so
	add("header/length>4096/real", w, fm, ErrHeader, SubErrHeaderLength, "header.length")
	w, fm = wireOf(t, hello, map[string]int{"header.length": 20})
	add("header/length-mismatch", w, fm, ErrHeader, SubErrHeaderLength, "header.length")
	w, fm = wireOf(t, &Policy{}, map[string]int{"header.length": 19})
	add("header/length-mismatch-short", w, fm, ErrHeader, SubErrHeaderLength, "header.length")
	w, fm = rawBody(t, TypeHandshake, make([]byte, 15))
	add("header/too-short-handshake", w, fm, ErrHeader, SubErrHeaderLength, "header.length")
	w, fm = rawBody(t, TypeUpdate, []byte{0})
	add("header/too-short-update", w, fm, ErrHeader, SubErrHeaderLength, "header.length")
	w, fm = rawBody(t, TypeInform, []byte{1, 0})
	add("header/too-short-inform", w, fm, ErrHeader, SubErrHeaderLength, "header.length")
	w, fm = rawBody(t, TypeInvalid, nil)
	add("header/type-0", w, fm, ErrHeader, SubErrHeaderType, "header.type")
	w, fm = rawBody(t, 8, nil)
	add("header/type-8", w, fm, ErrHeader, SubErrHeaderType, "header.type")
	w, fm = rawBody(t, 255, []byte{1})
	add("header/type-255", w, fm, ErrHeader, SubErrHeaderType, "header.type")
	add("header/short-buffer", mustEncode(t, hello)[:18], nil, ErrHeader, SubErrHeaderLength, "header")
	at(0)

	// Trailing bytes after a body, and length fields of the other messages.
	w, fm = wireOf(t, &Inform{InformType: InformEOR, AllFamilies: true}, map[string]int{"inform.length": 3})
	add("inform/length-0-vs-3", w, fm, ErrHeader, SubErrHeaderLength, "inform.length")
	w, fm = rawBody(t, TypeInform, []byte{1, 0, 2, 0, 1})
	add("inform/eor-length-2", w, fm, ErrHeader, SubErrHeaderLength, "inform.length")
	at(HeaderLen + 1)
	w, fm = rawBody(t, TypeInform, []byte{9, 0, 0, 7})
	add("inform/trailing", w, fm, ErrHeader, SubErrHeaderLength, "inform")
	at(HeaderLen + 3)
	w, fm = wireOf(t, &Hello{TLVs: []HelloTLV{{TLVType: HelloTLVVSmarts, VSmarts: []netip.Addr{ip4("1.2.3.4")}}}},
		map[string]int{"hello.tlv[0].vsmart[0].length": 5})
	add("hello/vsmart-length-5", w, fm, ErrHeader, SubErrHeaderLength, "hello.tlv[0].vsmart[0].length")
	w, fm = wireOf(t, &Hello{TLVs: []HelloTLV{{TLVType: 2, Data: []byte{1}}}}, map[string]int{"hello.tlv[0].length": 2})
	add("hello/tlv-overrun", w, fm, ErrHeader, SubErrHeaderLength, "hello.tlv[0].length")
	w, fm = wireOf(t, hs(), map[string]int{"handshake.options_length": 1})
	add("handshake/options-overrun", w, fm, ErrHeader, SubErrHeaderLength, "handshake.options_length")
	w, fm = wireOf(t, update(Attr(&AttrPref{})), nil)
	w = append(w, 0)
	binary.BigEndian.PutUint16(w[16:], uint16(len(w)))
	add("update/trailing", w, fm, ErrUpdate, SubErrUpdateAttrList, "update")
	at(len(w) - 1)

	// UPDATE: ATTR_LIST.
	w, fm = wireOf(t, update(Attr(&AttrPref{})), map[string]int{"update.attributes_length": 8})
	add("update/attr_list/attributes-length-overrun", w, fm, ErrUpdate, SubErrUpdateAttrList, "update.attributes_length")
	w, fm = wireOf(t, update(Attr(&AttrPref{}), Attr(&AttrWeight{}), Attr(&AttrPref{})), nil)
	add("update/attr_list/duplicate", w, fm, ErrUpdate, SubErrUpdateAttrList, "update.attr[2].type")
	w, fm = wireOf(t, update(Attr(&AttrPref{}), Attr(&AttrWeight{})), nil)
	w = w[:len(w)-5] // the WEIGHT attribute cut after Flags and Type
	binary.BigEndian.PutUint16(w[16:], uint16(len(w)))
	binary.BigEndian.PutUint16(w[19:], uint16(len(w)-21))
	add("update/attr_list/truncated-header", w, fm, ErrUpdate, SubErrUpdateAttrList, "update.attr[1].length")
	w, fm = wireOf(t, update(Attr(&AttrPref{}), Attr(&AttrWeight{})), nil)
	w = w[:len(w)-6] // cut after Flags
	binary.BigEndian.PutUint16(w[16:], uint16(len(w)))
	binary.BigEndian.PutUint16(w[19:], uint16(len(w)-21))
	add("update/attr_list/truncated-flags", w, fm, ErrUpdate, SubErrUpdateAttrList, "update.attr[1].type")
	w, fm = wireOf(t, update(Attr(&AttrPref{}), Attribute{Flags: AttrExtended, Value: &AttrWeight{}}), map[string]int{"update.attr[1].length": 300})
	add("update/attr_list/attribute-overrun", w, fm, ErrUpdate, SubErrUpdateAttrList, "update.attr[1].length")

	// UNKNOWN.
	w, fm = wireOf(t, update(Attr(&RawAttr{AType: 39, Data: []byte{1}})), nil)
	add("update/unknown/39", w, fm, ErrUpdate, SubErrUpdateUnknown, "update.attr[0].type")
	w, fm = wireOf(t, update(Attr(&AttrPref{}), Attr(&RawAttr{AType: 0})), nil)
	add("update/unknown/0", w, fm, ErrUpdate, SubErrUpdateUnknown, "update.attr[1].type")

	// MISSING.
	w, fm = wireOf(t, update(Attr(&AttrPref{}), vroutes(AFIIPv4, vr)), nil)
	add("update/missing/tloc", w, fm, ErrUpdate, SubErrUpdateMissing, "update.attributes")
	at(HeaderLen + 2)

	// FLAGS.
	w, fm = wireOf(t, update(Attribute{Flags: 0x01, Value: &AttrPref{}}), nil)
	add("update/flags/undefined-bit", w, fm, ErrUpdate, SubErrUpdateFlags, "update.attr[0].flags")
	w, fm = wireOf(t, update(Attr(&AttrPref{}), Attribute{Flags: 0x40, Value: &AttrWeight{}}), nil)
	add("update/flags/transitive-bit", w, fm, ErrUpdate, SubErrUpdateFlags, "update.attr[1].flags")
	w, fm = wireOf(t, update(Attribute{Flags: AttrPartial, Value: &AttrPref{}}), nil)
	add("update/flags/partial-not-optional", w, fm, ErrUpdate, SubErrUpdateFlags, "update.attr[0].flags")

	// LENGTH: a typed attribute whose Length is not its size.
	w, fm = wireOf(t, update(Attr(&AttrPref{}), Attr(&RawAttr{AType: 77})), map[string]int{"update.attr[0].length": 3})
	add("update/length/pref-3", w, fm, ErrUpdate, SubErrUpdateLength, "update.attr[0].length")
	w, fm = wireOf(t, update(Attr(&AttrPref{})), map[string]int{"update.attr[0].length": 0})
	add("update/length/pref-0", w, fm, ErrUpdate, SubErrUpdateLength, "update.attr[0].length")
	w, fm = wireOf(t, update(Attr(&RawAttr{AType: AttrTypePref, Data: make([]byte, 5)})), nil)
	add("update/length/pref-5", w, fm, ErrUpdate, SubErrUpdateLength, "update.attr[0].length")
	w, fm = wireOf(t, update(tloc(), Attr(&RawAttr{AType: 77})), map[string]int{"update.attr[0].length": 5})
	add("update/length/tloc-5", w, fm, ErrUpdate, SubErrUpdateLength, "update.attr[0].length")
	w, fm = wireOf(t, update(Attr(&RawAttr{AType: AttrTypeTLOC, Data: make([]byte, 7)})), nil)
	add("update/length/tloc-7", w, fm, ErrUpdate, SubErrUpdateLength, "update.attr[0].length")
	w, fm = wireOf(t, update(Attribute{Flags: AttrExtended, Value: &RawAttr{AType: AttrTypeSrcVPN, Data: make([]byte, 9)}}), nil)
	add("update/length/srcvpn-9-extended", w, fm, ErrUpdate, SubErrUpdateLength, "update.attr[0].length")
	w, fm = wireOf(t, update(Attr(&RawAttr{AType: AttrTypeStale, Data: []byte{1, 2}})), nil)
	add("update/length/stale-2", w, fm, ErrUpdate, SubErrUpdateLength, "update.attr[0].length")
	w, fm = wireOf(t, update(Attr(&RawAttr{AType: AttrTypeCommunity, Data: []byte{1, 2, 3, 4, 5}})), nil)
	add("update/length/community-5", w, fm, ErrUpdate, SubErrUpdateLength, "update.attr[0].value.community[1].value")
	atField("update.attr[0].value", 4)
	w, fm = wireOf(t, update(Attr(&RawAttr{AType: AttrTypeAdaptQoS, Data: []byte{AdaptQoSPeriod, 0, 0}})), nil)
	add("update/length/adapt-qos-short", w, fm, ErrUpdate, SubErrUpdateLength, "update.attr[0].value.period")
	atField("update.attr[0].value", 1)
	w, fm = wireOf(t, update(Attr(&RawAttr{AType: AttrTypeAdaptQoS, Data: []byte{AdaptQoSUp, 1, 2}})), nil)
	add("update/length/adapt-qos-long", w, fm, ErrUpdate, SubErrUpdateLength, "update.attr[0].length")

	// NEXTHOP.
	w, fm = wireOf(t, update(Attr(&AttrTLOC{Address: ip4("0.0.0.0")}), vroutes(AFIIPv4, vr)), nil)
	add("update/nexthop/0.0.0.0", w, fm, ErrUpdate, SubErrUpdateNexthop, "update.attr[0].value.address")
	w, fm = wireOf(t, update(Attr(&AttrTLOC{Address: ip4("224.0.0.5")})), nil)
	add("update/nexthop/multicast", w, fm, ErrUpdate, SubErrUpdateNexthop, "update.attr[0].value.address")
	w, fm = wireOf(t, update(Attr(&AttrTLOC{Address: ip4("255.255.255.255")})), nil)
	add("update/nexthop/broadcast", w, fm, ErrUpdate, SubErrUpdateNexthop, "update.attr[0].value.address")
	w, fm = wireOf(t, update(Attr(&AttrTLOC{Address: netip.MustParseAddr("ff02::1")})), nil)
	add("update/nexthop/v6-multicast", w, fm, ErrUpdate, SubErrUpdateNexthop, "update.attr[0].value.address")
	w, fm = wireOf(t, update(Attr(&AttrTLOC{Address: netip.IPv6Unspecified()})), nil)
	add("update/nexthop/v6-unspecified", w, fm, ErrUpdate, SubErrUpdateNexthop, "update.attr[0].value.address")

	// OPT_ATTR.
	origin := update(Attribute{Flags: AttrOptional, Value: &AttrOrigin{Proto: 1, Metric: 5}})
	w, fm = patched(t, origin, "update.attr[0].value.proto_type", 3)
	add("update/opt_attr/origin-proto-type", w, fm, ErrUpdate, SubErrUpdateOptAttr, "update.attr[0].value.proto_type")
	w, fm = patched(t, origin, "update.attr[0].value.metric_length", 2)
	add("update/opt_attr/origin-metric-length", w, fm, ErrUpdate, SubErrUpdateOptAttr, "update.attr[0].value.metric_length")
	w, fm = wireOf(t, update(Attr(&RawAttr{AType: AttrTypeOrigin, Data: []byte{1, 2, 1, 0, 2, 4, 0}})), nil)
	add("update/opt_attr/origin-short", w, fm, ErrUpdate, SubErrUpdateOptAttr, "update.attr[0].value.metric")
	atField("update.attr[0].value", 6)
	encap := update(Attr(&AttrTLOCEncap{EncapType: EncapGRE, TLVs: []TLV{{Type: EncapTLVGREKey, Value: []byte{0, 0, 0, 1}}}}))
	w, fm = wireOf(t, encap, map[string]int{"update.attr[0].value.tlv[0].length": 5})
	add("update/opt_attr/encap-tlv-overrun", w, fm, ErrUpdate, SubErrUpdateOptAttr, "update.attr[0].value.tlv[0].length")
	w, fm = wireOf(t, encap, map[string]int{"update.attr[0].value.length": 7})
	add("update/opt_attr/encap-length-overrun", w, fm, ErrUpdate, SubErrUpdateOptAttr, "update.attr[0].value.length")
	w, fm = wireOf(t, update(Attr(&AttrTLOCEncap{EncapType: EncapGRE, TLVs: []TLV{{Type: EncapTLVGREKey, Value: []byte{0, 1}}}})), nil)
	add("update/opt_attr/encap-gre-key-2", w, fm, ErrUpdate, SubErrUpdateOptAttr, "update.attr[0].value.tlv[0].length")
	w, fm = wireOf(t, update(Attr(&AttrSecurity{TLVs: []TLV{{Type: SecTLVSPI, Value: []byte{1}}}})), nil)
	add("update/opt_attr/security-spi-1", w, fm, ErrUpdate, SubErrUpdateOptAttr, "update.attr[0].value.tlv[0].length")
	w, fm = wireOf(t, update(Attr(&RawAttr{AType: AttrTypeSecurity, Data: []byte{5}})), nil)
	add("update/opt_attr/security-cut", w, fm, ErrUpdate, SubErrUpdateOptAttr, "update.attr[0].value.tlv[0].length")
	atField("update.attr[0].value", 1)
	aspath := update(Attr(&AttrASPath{Segments: []ASPathSegment{{Type: 2, ASNs: []uint32{1, 2}}}}))
	w, fm = wireOf(t, aspath, map[string]int{"update.attr[0].value.number_of_segments": 2})
	add("update/opt_attr/aspath-segments", w, fm, ErrUpdate, SubErrUpdateOptAttr, "update.attr[0].value.number_of_segments")
	w, fm = wireOf(t, aspath, map[string]int{"update.attr[0].value.segment[0].number_of_as": 3})
	add("update/opt_attr/aspath-as-count", w, fm, ErrUpdate, SubErrUpdateOptAttr, "update.attr[0].value.segment[0].number_of_as")
	w, fm = wireOf(t, aspath, map[string]int{"update.attr[0].value.segment[0].number_of_as": 1})
	add("update/opt_attr/aspath-as-count-low", w, fm, ErrUpdate, SubErrUpdateLength, "update.attr[0].length")
	w, fm = wireOf(t, update(Attr(&RawAttr{AType: AttrTypeASPath, Data: []byte{0, 0}})), nil)
	add("update/opt_attr/aspath-cut", w, fm, ErrUpdate, SubErrUpdateOptAttr, "update.attr[0].value.number_of_segments")
	atField("update.attr[0].value", 0)
	w, fm = wireOf(t, update(Attr(&RawAttr{AType: AttrTypeAdaptQoS, Data: []byte{0x20}})), nil)
	add("update/opt_attr/adapt-qos-flags", w, fm, ErrUpdate, SubErrUpdateOptAttr, "update.attr[0].value.flags")
	atField("update.attr[0].value", 0)

	// BAD_NET.
	w, fm = wireOf(t, update(tloc(), vroutes(AFIIPv4, vr, VRouteNLRI{PrefixLen: 33, Address: ip4("10.0.0.0")})), nil)
	add("update/bad_net/prefix-33", w, fm, ErrUpdate, SubErrUpdateBadNet, "update.attr[1].value.nlri[1].prefix_length")
	w, fm = wireOf(t, update(tloc(), vroutes(AFIIPv6, VRouteNLRI{PrefixLen: 129, Address: netip.IPv6Unspecified()})), nil)
	add("update/bad_net/prefix-129", w, fm, ErrUpdate, SubErrUpdateBadNet, "update.attr[1].value.nlri[0].prefix_length")
	w, fm = wireOf(t, update(tloc(), vroutes(AFIIPv4, vr, vr)), map[string]int{"update.attr[1].value.nlri_length": 39})
	add("update/bad_net/nlri-length-not-multiple", w, fm, ErrUpdate, SubErrUpdateBadNet, "update.attr[1].value.nlri[1].address")
	w, fm = wireOf(t, update(tloc(), vroutes(AFIIPv4, vr)), map[string]int{"update.attr[1].value.nlri_length": 21})
	add("update/bad_net/nlri-length-overrun", w, fm, ErrUpdate, SubErrUpdateBadNet, "update.attr[1].value.nlri_length")
	w, fm = patched(t, update(tloc(), vroutes(AFIIPv4, vr)), "update.attr[1].value.afi", 0, 7)
	add("update/bad_net/unknown-afi-vroute", w, fm, ErrUpdate, SubErrUpdateBadNet, "update.attr[1].value.afi")
	w, fm = wireOf(t, update(Attr(&AttrUnreachables{Reach{AFI: 0, SAFI: SAFITLOC}})), nil)
	add("update/bad_net/unknown-afi-tloc", w, fm, ErrUpdate, SubErrUpdateBadNet, "update.attr[0].value.afi")
	mc := update(Attr(&AttrReachables{Reach{AFI: AFIIPv4, SAFI: SAFIMulticast, Multicast: []MulticastNLRI{
		{McastType: McastTypeAD, VPNID: 1, Label: 1, SourceOriginator: ip4("1.1.1.1")}}}}))
	w, fm = patched(t, mc, "update.attr[0].value.nlri[0].mcast_type", 5)
	add("update/bad_net/mcast-type-5", w, fm, ErrUpdate, SubErrUpdateBadNet, "update.attr[0].value.nlri[0].mcast_type")
	w, fm = patched(t, mc, "update.attr[0].value.nlri[0].mcast_type", 0)
	add("update/bad_net/mcast-type-0", w, fm, ErrUpdate, SubErrUpdateBadNet, "update.attr[0].value.nlri[0].mcast_type")
	join := update(Attr(&AttrReachables{Reach{AFI: AFIIPv4, SAFI: SAFIMulticast, Multicast: []MulticastNLRI{
		{McastType: McastTypeJoinSG, VPNID: 1, SourceOriginator: ip4("1.1.1.1"), DestinationOriginator: ip4("2.2.2.2"),
			SourcePrefixLen: 32, Source: ip4("10.0.0.1"), GroupPrefixLen: 32, Group: ip4("232.0.0.1"),
			Prunes: []PrunedSource{{PrefixLen: 32, Address: ip4("10.0.0.2")}}}}}}))
	w, fm = wireOf(t, join, map[string]int{"update.attr[0].value.nlri[0].prune_count": 2})
	add("update/bad_net/prune-count", w, fm, ErrUpdate, SubErrUpdateBadNet, "update.attr[0].value.nlri[0].prune_count")
	w, fm = patched(t, join, "update.attr[0].value.nlri[0].group_prefix_length", 40)
	add("update/bad_net/group-prefix-40", w, fm, ErrUpdate, SubErrUpdateBadNet, "update.attr[0].value.nlri[0].group_prefix_length")
	w, fm = patched(t, join, "update.attr[0].value.nlri[0].prune[0].prefix_length", 33)
	add("update/bad_net/prune-prefix-33", w, fm, ErrUpdate, SubErrUpdateBadNet, "update.attr[0].value.nlri[0].prune[0].prefix_length")

	// QUERY attributes fail as an UPDATE's.
	w, fm = wireOf(t, &Query{Attributes: []Attribute{Attr(&AttrPref{}), Attr(&AttrPref{})}}, nil)
	add("query/duplicate", w, fm, ErrUpdate, SubErrUpdateAttrList, "query.attr[1].type")

	// HANDSHAKE.
	h := hs()
	w, fm = patched(t, h, "handshake.version", 2)
	add("handshake/version-2", w, fm, ErrHandshake, SubErrHandshakeVersion, "handshake.version")
	w, fm = patched(t, h, "handshake.version", 0)
	add("handshake/version-0", w, fm, ErrHandshake, SubErrHandshakeVersion, "handshake.version")
	w, fm = patched(t, h, "handshake.peer_router_id", 0, 0, 0, 0)
	add("handshake/ompid-0.0.0.0", w, fm, ErrHandshake, SubErrHandshakeOMPID, "handshake.peer_router_id")
	w, fm = wireOf(t, hs(&RawOption{Type: 3, Data: []byte{1}}), nil)
	add("handshake/unsup-opt-3", w, fm, ErrHandshake, SubErrHandshakeUnsupOpt, "handshake.option[0].type")
	w, fm = wireOf(t, hs(caps(&CapRefresh{}), &RawOption{Type: 0}), nil)
	add("handshake/unsup-opt-0", w, fm, ErrHandshake, SubErrHandshakeUnsupOpt, "handshake.option[1].type")
	w, fm = wireOf(t, hs(&RawOption{Type: OptionAuthentication, Data: make([]byte, 10)}), nil)
	add("handshake/auth-length-10", w, fm, ErrHandshake, SubErrHandshakeAuth, "handshake.option[0].length")
	w, fm = wireOf(t, hs(&RawOption{Type: OptionAuthentication, Data: make([]byte, 34)}), nil)
	add("handshake/auth-length-34", w, fm, ErrHandshake, SubErrHandshakeAuth, "handshake.option[0].length")
	w, fm = wireOf(t, hs(&AuthenticationOption{}), map[string]int{"handshake.option[0].length": 34})
	add("handshake/auth-overrun", w, fm, ErrHandshake, SubErrHandshakeUnsupOpt, "handshake.option[0].length")
	w, fm = patched(t, h, "handshake.holdtime", 0, 1)
	add("handshake/holdtime-1", w, fm, ErrHandshake, SubErrHandshakeHoldtime, "handshake.holdtime")
	w, fm = patched(t, h, "handshake.holdtime", 0, 2)
	add("handshake/holdtime-2", w, fm, ErrHandshake, SubErrHandshakeHoldtime, "handshake.holdtime")
	w, fm = wireOf(t, hs(caps(&CapRefresh{}, &RawCapability{Code: CapCodeMP, Data: []byte{0, 1, 0}})), nil)
	add("handshake/unsup-cap/mp-3", w, fm, ErrHandshake, SubErrHandshakeUnsupCap, "handshake.option[0].capability[1].length")
	w, fm = wireOf(t, hs(caps(&RawCapability{Code: CapCodeRefresh, Data: []byte{0}})), nil)
	add("handshake/unsup-cap/refresh-1", w, fm, ErrHandshake, SubErrHandshakeUnsupCap, "handshake.option[0].capability[0].length")
	w, fm = wireOf(t, hs(caps(&CapOverlayID{OverlayID: 1})), map[string]int{"handshake.option[0].capability[0].length": 5})
	add("handshake/unsup-cap/overrun", w, fm, ErrHandshake, SubErrHandshakeUnsupCap, "handshake.option[0].capability[0].length")
	w, fm = wireOf(t, hs(caps(&CapIdentity{PeerType: PeerTypeVEdge})), map[string]int{"handshake.option[0].capability[0].length": 2})
	add("handshake/unsup-cap/identity-2", w, fm, ErrHandshake, SubErrHandshakeUnsupCap, "handshake.option[0].capability[0].length")
	return cs
}

func TestDecodeErrors(t *testing.T) {
	for _, c := range errCases(t) {
		t.Run(c.name, func(t *testing.T) {
			m, err := Decode(c.wire)
			if err == nil {
				t.Fatalf("decoded %x as %#v", c.wire, m)
			}
			if m != nil {
				t.Fatalf("a message with the error: %#v", m)
			}
			e, ok := AsError(err)
			if !ok {
				t.Fatalf("%v is not an *Error", err)
			}
			if e.Code != c.code || e.Subcode != c.sub || e.Field != c.field {
				t.Fatalf("got %s/%s at %s (%s)\nwant %s/%s at %s", e.Code, e.Code.SubcodeName(e.Subcode), e.Field, e.Reason,
					c.code, c.code.SubcodeName(c.sub), c.field)
			}
			want := c.off
			if want < 0 {
				f, ok := c.fm.Lookup(c.field)
				if !ok {
					t.Fatalf("no offset for %s", c.field)
				}
				want = f.Offset
			}
			if e.Offset != want {
				t.Fatalf("offset %d, want %d (%v)", e.Offset, want, e)
			}
			if c.sub == SubErrUpdateMissing && c.code == ErrUpdate {
				// Data is the type of the missing attribute, as in BGP.
				if !bytes.Equal(e.Data, []byte{byte(AttrTypeTLOC)}) {
					t.Fatalf("MISSING Data %x, want the TLOC type", e.Data)
				}
			} else if e.Offset+len(e.Data) > len(c.wire) || !bytes.Equal(e.Data, c.wire[e.Offset:e.Offset+len(e.Data)]) {
				t.Fatalf("Data %x is not the bytes at offset %d", e.Data, e.Offset)
			}
			if e.Reason == "" || !strings.Contains(e.Error(), c.code.SubcodeName(c.sub)) {
				t.Fatalf("message %q", e.Error())
			}
			if a := e.Alert(); a.Code != c.code || a.Subcode != c.sub {
				t.Fatalf("Alert() %+v", a)
			}
			// DecodeFields gives the same error and a field map of what
			// it read, each field inside the message.
			_, fm, err2 := DecodeFields(c.wire)
			if e2, _ := AsError(err2); e2 == nil || e2.Field != e.Field || e2.Offset != e.Offset || e2.Subcode != e.Subcode {
				t.Fatalf("DecodeFields: %v, Decode: %v", err2, err)
			}
			for _, f := range fm {
				if f.Offset < 0 || f.Offset+f.Length > len(c.wire) {
					t.Fatalf("field %+v outside the message", f)
				}
			}
		})
	}
}

// Every subcode of HEADER and UPDATE, and those of HANDSHAKE the codec
// can detect, has a row.
func TestDecodeErrorsCoverSubcodes(t *testing.T) {
	seen := map[AlertCode]map[Subcode]bool{}
	for _, c := range errCases(t) {
		if seen[c.code] == nil {
			seen[c.code] = map[Subcode]bool{}
		}
		seen[c.code][c.sub] = true
	}
	for _, code := range []AlertCode{ErrHeader, ErrUpdate, ErrHandshake} {
		for _, s := range code.Subcodes() {
			// PERSONALITY_MISMATCH and DOMAIN_MISMATCH compare with
			// configuration: the session detects them, not the codec.
			if code == ErrHandshake && s >= SubErrHandshakePersonalityMismatch {
				continue
			}
			if !seen[code][s] {
				t.Errorf("no row for %s/%s", code, code.SubcodeName(s))
			}
		}
	}
}

// The ALERT an error carries always fits one message, even when the
// offending bytes are most of a 4096-byte message.
func TestErrorAlertFits(t *testing.T) {
	wire, err := Encode(&Policy{PolicyType: PolicyComplete, Data: make([]byte, MaxMessageLen-HeaderLen-1)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Decode(wire)
	e, ok := AsError(err)
	if !ok || e.Code != ErrHeader || e.Subcode != SubErrHeaderLength || e.Field != "policy.data" {
		t.Fatalf("got %v", err)
	}
	if len(e.Data) != MaxMessageLen-HeaderLen-1 {
		t.Errorf("error data %d bytes", len(e.Data))
	}
	a, err := Encode(e.Alert())
	if err != nil {
		t.Fatalf("the ALERT does not encode: %v", err)
	}
	if len(a) != MaxMessageLen {
		t.Errorf("ALERT of %d bytes, want the full %d", len(a), MaxMessageLen)
	}
}
