package catalog

import (
	"bytes"
	"fmt"
	"net/netip"

	"github.com/ompconform/ompconform/fixtures"
	"github.com/ompconform/ompconform/mutators"
	"github.com/ompconform/ompconform/omp"
)

// UPDATE attribute cases (section 3.1.3 and 3.1.3.1 to 3.1.3.24): every
// attribute format the draft gives, accepted; every fixed size one byte
// long and one byte short; the malformed sub-structures.

// attrFormat is one attribute format of the draft, with a valid value:
// id is the case that sends it; long and short, the cases that send its
// data one byte longer and one byte shorter where the draft fixes the
// data's size ("" where it does not).
type attrFormat struct {
	id      string
	section string
	req     string
	v       omp.AttrValue
	long    string
	short   string
}

var (
	ipsecEncap = fixtures.IPsecEncap(bytes.Repeat([]byte{0xA5}, 64), bytes.Repeat([]byte{0x5A}, 64))
	greEncap   = &omp.AttrTLOCEncap{EncapType: omp.EncapGRE, TLVs: []omp.TLV{{Type: omp.EncapTLVGREKey, Value: []byte{0, 0, 0, 42}}}}
	security   = fixtures.Security(bytes.Repeat([]byte{0xC3}, 32), bytes.Repeat([]byte{0x3C}, 32))
)

var attrFormats = []attrFormat{
	{"UPD-100", "3.1.3.1", "ATTR_TYPE_TLOC Format, for IPv6: TLOC address (16 bytes), Color, Encap", &omp.AttrTLOC{Address: netip.MustParseAddr("2001:db8::1"), Color: 1, Encap: 2}, "UPD-200", "UPD-201"},
	{"UPD-101", "3.1.3.2", "ATTR_TYPE_TLOC_V4_PRIVATE Format: private address (4 bytes), private port (2 bytes)", &omp.AttrTLOCV4Private{Address: netip.MustParseAddr("10.0.0.1"), Port: 12346}, "UPD-202", "UPD-203"},
	{"UPD-102", "3.1.3.3-public", "ATTR_TYPE_TLOC_V4_PUBLIC Format: public address (4 bytes), public port (2 bytes)", &omp.AttrTLOCV4Public{Address: netip.MustParseAddr("198.51.100.1"), Port: 12346}, "UPD-204", "UPD-205"},
	{"UPD-103", "3.1.3", "ATTR_TYPE_TLOC_V6_PRIVATE 20 (no figure; by analogy with V4: a 16-byte address and a port)", &omp.AttrTLOCV6Private{Address: netip.MustParseAddr("fd00::1"), Port: 12346}, "UPD-206", "UPD-207"},
	{"UPD-104", "3.1.3", "ATTR_TYPE_TLOC_V6_PUBLIC 21 (no figure; by analogy with V4: a 16-byte address and a port)", &omp.AttrTLOCV6Public{Address: netip.MustParseAddr("2001:db8::2"), Port: 12346}, "UPD-208", "UPD-209"},
	{"UPD-105", "3.1.3.3-encap", "ATTR_TYPE_TLOC_ENCP Format, for IPsec: Encap Type=2, Length=148, PROTOCOL=7, SPI=2, AUTH=3, AUTH_KEY=4, ENCRYPT=5, ENCRYPT_KEY=6", ipsecEncap, "", ""},
	{"UPD-106", "3.1.3.3-encap", "ATTR_TYPE_TLOC_ENCP Format, for GRE: Encap Type=1, Length=6, GRE_KEY=1", greEncap, "", ""},
	{"UPD-107", "3.1.3.4", "ATTR_TYPE_PREF Format: Preference (4 bytes)", &omp.AttrPref{Preference: 100}, "UPD-210", "UPD-211"},
	{"UPD-108", "3.1.3.5", "ATTR_TYPE_WEIGHT Format: Weight (4 bytes)", &omp.AttrWeight{Weight: 1}, "UPD-212", "UPD-213"},
	{"UPD-109", "3.1.3.6", "ATTR_TYPE_TAG Format: Tag (4 bytes)", &omp.AttrTag{Tag: 7}, "UPD-214", "UPD-215"},
	{"UPD-110", "3.1.3.7", "ATTR_TYPE_DOMAIN Format: Domain ID (4 bytes); the type number, missing from the list, is 8", &omp.AttrDomain{DomainID: 1}, "UPD-216", "UPD-217"},
	{"UPD-111", "3.1.3.8-siteid", "ATTR_TYPE_SITE_ID Format: Site ID (4 bytes)", &omp.AttrSiteID{SiteID: 100}, "UPD-218", "UPD-219"},
	{"UPD-112", "3.1.3.8-query", "ATTR_TYPE_QUERY Format: Query (1 byte)", &omp.AttrQuery{Query: 1}, "UPD-220", "UPD-221"},
	{"UPD-113", "3.1.3.9", "ATTR_TYPE_ORIGIN Format: PROTO=1, Length=2, Proto, Proto Subtype; METRIC=2, Length=4, Metric", &omp.AttrOrigin{Proto: omp.OriginConnected, Metric: 0}, "UPD-222", "UPD-223"},
	{"UPD-114", "3.1.3.10", "ATTR_TYPE_ORIGINATOR Format: Originator (4 bytes)", &omp.AttrOriginator{Originator: netip.MustParseAddr("10.255.0.1")}, "UPD-224", "UPD-225"},
	{"UPD-115", "3.1.3.11", "ATTR_TYPE_SRCVPN Format: Source VPN ID (8 bytes)", &omp.AttrSrcVPN{SourceVPNID: 1}, "UPD-226", "UPD-227"},
	{"UPD-116", "3.1.3.13", "ATTR_TYPE_STALE: Stale (1 byte)", &omp.AttrStale{Stale: 1}, "UPD-228", "UPD-229"},
	{"UPD-117", "3.1.3.14", "ATTR_TYPE_CARRIER: Carrier (1 byte)", &omp.AttrCarrier{Carrier: 1}, "UPD-230", "UPD-231"},
	{"UPD-118", "3.1.3.15", "ATTR_TYPE_VERSION: Version (4 bytes)", &omp.AttrVersion{Version: 1}, "UPD-232", "UPD-233"},
	{"UPD-119", "3.1.3.16", "ATTR_TYPE_GROUP: Group 1 .. Group n (4 bytes each)", &omp.AttrGroup{Groups: []uint32{1, 2}}, "", ""},
	{"UPD-120", "3.1.3.17", "ATTR_TYPE_RESTRICT: Restrict (1 byte)", &omp.AttrRestrict{Restrict: 1}, "UPD-234", "UPD-235"},
	{"UPD-121", "3.1.3.18", "ATTR_TYPE_SECURITY: SA IDX=1, SPI=2, FLAGS=3, PROTOCOL=4, ENCRYPT=5, INTEGRITY=6, AUTH=7, ENCRYPT=8", security, "", ""},
	{"UPD-122", "3.1.3.19", "ATTR_TYPE_BORDER: Border (1 byte)", &omp.AttrBorder{Border: 1}, "UPD-236", "UPD-237"},
	{"UPD-123", "3.1.3.20", "ATTR_TYPE_ASPATH: Number of Segments (4 bytes), then per segment Type, Number of AS, AS1 .. ASn", &omp.AttrASPath{Segments: []omp.ASPathSegment{{Type: 2, ASNs: []uint32{65001, 65002}}}}, "", ""},
	{"UPD-124", "3.1.3.21", "ATTR_TYPE_BANDWIDTH (headed ASPATH): Bandwidth (4 bytes)", &omp.AttrBandwidth{Bandwidth: 1000}, "UPD-238", "UPD-239"},
	{"UPD-125", "3.1.3.22", "ATTR_TYPE_COMMUNITY: Community1 .. CommunityN (4 bytes each)", &omp.AttrCommunity{Communities: []uint32{65000<<16 | 1}}, "", ""},
	{"UPD-126", "3.1.3.23", "ATTR_TYPE_ON_DEMAND: On-demand (1 byte)", &omp.AttrOnDemand{OnDemand: 1}, "UPD-240", "UPD-241"},
	{"UPD-127", "3.1.3.24", "ATTR_TYPE_ADAPT_QOS: Flags, then data for each flag (1 byte for UP, 4 bytes for the others)", &omp.AttrAdaptQoS{Flags: 0x1F, DownstreamMin: 1, Downstream: 2, DownstreamMax: 3, Period: 4, Up: 5}, "", ""},
}

// withAttr is the standard route advertisement carrying v: as attr[2],
// or as attr[0] in place of the standard TLOC if v is an ATTR_TYPE_TLOC.
func withAttr(v omp.AttrValue) M {
	if v.AttrType() == omp.AttrTypeTLOC {
		return Update(Attr(v), VRoutes(DefaultPrefix))
	}
	return RouteUpdate(Attr(v))
}

// attrField names a field of the attribute withAttr(v) carries.
func attrField(v omp.AttrValue, leaf string) string {
	if v.AttrType() == omp.AttrTypeTLOC {
		return "update.attr[0]." + leaf
	}
	return "update.attr[2]." + leaf
}

// vroute is what every route-carrying case needs.
var vroute = []Need{NeedFamily(omp.AFIIPv4, omp.SAFIVRoute)}

func attrCases() []Case {
	var cs []Case
	// Every format, accepted on a route advertisement (attr[2]).
	for _, f := range attrFormats {
		value := valueText(f.v)
		if len(value) > 60 {
			value = value[:57] + "..."
		}
		cs = append(cs, Case{ID: f.id, Section: f.section, Level: MUST, Basis: Draft, Requirement: f.req,
			Title:   fmt.Sprintf("A valid %s %s on a route: accepted", f.v.AttrType(), value),
			Reading: "A route advertisement carrying a valid " + f.v.AttrType().String() + " is accepted.",
			Needs:   vroute, Send: withAttr(f.v), Expect: Accept()})
	}
	// The attributes listed without a format: the DUT may read them its
	// own way, so only an ALERT of the UPDATE code is judged.
	for _, u := range []idv[omp.AttrType]{
		{"UPD-140", omp.AttrTypeMulticast},
		{"UPD-141", omp.AttrTypeGenID},
		{"UPD-142", omp.AttrTypeUltimateTLOC},
		{"UPD-143", omp.AttrTypeSLA},
		{"UPD-144", omp.AttrTypeOverlayID},
		{"UPD-145", omp.AttrTypeQoSGroup},
		{"UPD-146", omp.AttrTypeCap},
		{"UPD-147", omp.AttrTypeTLOCInstalled},
		{"UPD-148", omp.AttrTypeExtCommunity},
	} {
		t := u.v
		cs = append(cs, Case{ID: u.id, Section: "3.1.3", Level: INFORMATIONAL, Basis: Draft,
			Requirement: fmt.Sprintf("Type: 1 byte, Types [...] %s %d", t, uint8(t)),
			Reading:     "The draft lists " + t.String() + " without a format: records how the DUT takes 4 bytes of it.",
			Needs:       vroute, Send: RouteUpdate(Attr(&omp.RawAttr{AType: t, Data: []byte{0, 0, 0, 1}})),
			Expect: Alert(omp.ErrUpdate, omp.SubErrUpdateOptAttr).Or(omp.ErrUpdate, omp.SubErrUpdateLength).OrAccept()})
	}
	// Fixed sizes: one byte long, one byte short.
	lengthErr := Alert(omp.ErrUpdate, omp.SubErrUpdateLength).ThenClose()
	for _, f := range attrFormats {
		if f.long == "" {
			continue
		}
		for _, op := range []struct {
			id   string
			m    M
			what string
		}{
			{f.long, withAttr(f.v).Mutate(attrField(f.v, "value"), Extend([]byte{0})), "one byte longer"},
			{f.short, withAttr(f.v).Mutate(attrField(f.v, "value"), Truncate(1)), "one byte shorter"},
		} {
			exp := lengthErr
			if f.v.AttrType() == omp.AttrTypeOrigin {
				exp = lengthErr.Or(omp.ErrUpdate, omp.SubErrUpdateOptAttr) // its sub-TLVs run short
			}
			cs = append(cs, Case{ID: op.id, Section: f.section, Level: MUST, Basis: Draft,
				Requirement: f.req + " [...] OMP_SUB_ERR_UPDATE_LENGTH = 5",
				Reading:     f.v.AttrType().String() + " data " + op.what + " than its format, its Length consistent: the attribute length is wrong.",
				Needs:       vroute, Send: op.m, Expect: exp})
		}
	}
	// The standard TLOC (IPv4) too.
	for _, op := range []struct {
		id   string
		op   mutators.Op
		what string
	}{{"UPD-242", Extend([]byte{0}), "7 bytes"}, {"UPD-243", Truncate(1), "5 bytes"}} {
		cs = append(cs, Case{ID: op.id, Section: "3.1.3.1", Level: MUST, Basis: Draft,
			Requirement: "ATTR_TYPE_TLOC Format, for IPv4: TLOC address (4 bytes), Color (1 byte), Encap (1 byte) [...] OMP_SUB_ERR_UPDATE_LENGTH = 5",
			Reading:     "An ATTR_TYPE_TLOC of " + op.what + " is neither the IPv4 (6) nor the IPv6 (18) form.",
			Needs:       vroute, Send: RouteUpdate().Mutate("update.attr[0].value", op.op), Expect: lengthErr})
	}
	// List attributes whose data is not a whole number of values.
	for _, l := range []idv[attrFormat]{{"UPD-244", attrFormats[19]}, {"UPD-245", attrFormats[25]}} {
		f := l.v
		cs = append(cs, Case{ID: l.id, Section: f.section, Level: MUST, Basis: Draft, Requirement: f.req,
			Reading: f.v.AttrType().String() + " data of 9 bytes is not a list of 4-byte values.",
			Needs:   vroute, Send: RouteUpdate(Attr(f.v)).Mutate("update.attr[2].value", Extend([]byte{0})), Expect: lengthErr})
	}

	// Malformed sub-structures: OPT_ATTR.
	optErr := Alert(omp.ErrUpdate, omp.SubErrUpdateOptAttr).ThenClose()
	subs := []struct {
		id, section, req, reading string
		m                         M
	}{
		{"UPD-260", "3.1.3.9", "ATTR_TYPE_ORIGIN Format: PROTO=1, Length=2 [...] METRIC=2, Length=4", "ORIGIN's first sub-TLV Type is 3, not PROTO=1.",
			RouteUpdate(Attr(&omp.AttrOrigin{})).Mutate("update.attr[2].value.proto_type", Set(3))},
		{"UPD-261", "3.1.3.9", "ATTR_TYPE_ORIGIN Format: PROTO=1, Length=2 [...] METRIC=2, Length=4", "ORIGIN's METRIC Length is 3, not 4.",
			RouteUpdate(Attr(&omp.AttrOrigin{})).Mutate("update.attr[2].value.metric_length", Set(3))},
		{"UPD-262", "3.1.3.3-encap", "For IPsec: [...] PROTOCOL=7, Length=2", "TLOC_ENCAP IPsec PROTOCOL sub-TLV of 3 bytes.",
			RouteUpdate(Attr(ipsecEncap)).Mutate("update.attr[2].value.tlv[0].value", Extend([]byte{0}))},
		{"UPD-263", "3.1.3.3-encap", "For GRE: Encap Type=1, Length=6, GRE_KEY=1, Length=4", "TLOC_ENCAP GRE_KEY of 2 bytes.",
			RouteUpdate(Attr(greEncap)).Mutate("update.attr[2].value.tlv[0].value", Truncate(2))},
		{"UPD-264", "3.1.3.3-encap", "For GRE: Encap Type=1, Length=6", "TLOC_ENCAP Length runs past the attribute.",
			RouteUpdate(Attr(greEncap)).Mutate("update.attr[2].value.length", Set(7))},
		{"UPD-265", "3.1.3.18", "ATTR_TYPE_SECURITY: SA IDX=1, Length=2", "SECURITY SA IDX sub-TLV of 3 bytes.",
			RouteUpdate(Attr(security)).Mutate("update.attr[2].value.tlv[0].value", Extend([]byte{0}))},
		{"UPD-266", "3.1.3.18", "ATTR_TYPE_SECURITY: SPI=2, Length=4", "SECURITY SPI sub-TLV of 2 bytes.",
			RouteUpdate(Attr(security)).Mutate("update.attr[2].value.tlv[1].value", Truncate(2))},
		{"UPD-267", "3.1.3.18", "ATTR_TYPE_SECURITY: FLAGS=3, Length=1", "SECURITY sub-TLV Length runs past the attribute.",
			RouteUpdate(Attr(&omp.AttrSecurity{TLVs: []omp.TLV{{Type: omp.SecTLVFlags, Value: []byte{1}}}})).Mutate("update.attr[2].value.tlv[0].length", Set(9))},
		{"UPD-268", "3.1.3.20", "ATTR_TYPE_ASPATH: Number of Segments", "ASPATH Number of Segments 2 with one segment.",
			RouteUpdate(Attr(attrFormats[23].v)).Mutate("update.attr[2].value.number_of_segments", Set(2))},
		{"UPD-269", "3.1.3.20", "ATTR_TYPE_ASPATH: Type, Number of AS, AS1 .. ASn", "ASPATH Number of AS 3 with two AS numbers.",
			RouteUpdate(Attr(attrFormats[23].v)).Mutate("update.attr[2].value.segment[0].number_of_as", Set(3))},
		{"UPD-270", "3.1.3.24", "ATTR_TYPE_ADAPT_QOS Flags: 0x1, 0x2, 0x4, 0x8, 0x10", "ADAPT_QOS Flags 0x20, a flag the draft does not define.",
			RouteUpdate(Attr(&omp.AttrAdaptQoS{})).Mutate("update.attr[2].value.flags", Set(0x20))},
		{"UPD-271", "3.1.3.24", "Data : Data is populated based on flags. For ATTR_FLAG_ADAPT_QOS_UP, data is 1 byte, for all other flags data is 4 bytes.", "ADAPT_QOS with flag DOWNSTREAM and no data for it.",
			RouteUpdate(Attr(&omp.AttrAdaptQoS{Flags: omp.AdaptQoSDownstream, Downstream: 9})).Mutate("update.attr[2].value.downstream", Drop())},
	}
	for _, s := range subs {
		c := Case{ID: s.id, Section: s.section, Level: MUST, Basis: Draft,
			Requirement: s.req + " [...] OMP_SUB_ERR_UPDATE_OPT_ATTR = 7",
			Reading:     s.reading + " The attribute is known but its value cannot be read: OPT_ATTR, or LENGTH (BGP's Attribute Length Error, RFC 4271 6.3) for a length that does not fit.",
			Needs:       vroute, Send: s.m, Expect: optErr.Or(omp.ErrUpdate, omp.SubErrUpdateLength)}
		if s.id == "UPD-260" || s.id == "UPD-270" {
			// A sub-TLV Type or a flag the draft does not define: the
			// value that follows is whole, so ignoring what one does not
			// know is as defensible as refusing it.
			c.Level, c.Basis, c.Expect = SHOULD, Project, optErr.OrAccept()
			c.Reading = s.reading + " Refused with OPT_ATTR (the attribute is known but its value cannot be read), or ignored, as an unknown TLV or flag is."
		}
		cs = append(cs, c)
	}
	return cs
}
