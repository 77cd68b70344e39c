package catalog

import (
	"fmt"
	"net/netip"

	"github.com/ompconform/ompconform/omp"
)

// UPDATE structure cases (section 3.1.3): the attribute list, the flags,
// unknown and optional attributes, extended lengths, and the semantic
// subcodes MISSING and NEXTHOP.

const (
	reqUpdAttrLen = "Attributes Length : 2 bytes. Length of attributes excluding attributes length field. [...] OMP_SUB_ERR_UPDATE_ATTR_LIST = 1"
	reqUpdFlags   = "Flags : 1 byte. Types: ATTR_EXTENDED = 0x10, ATTR_PARTIAL = 0x20, ATTR_OPTIONAL = 0x80 [...] OMP_SUB_ERR_UPDATE_FLAGS = 4"
	reqUpdType    = "Type: 1 byte, Types ATTR_TYPE_TLOC 1 .. ATTR_TYPE_ADAPT_QOS 38 [...] OMP_SUB_ERR_UPDATE_UNKNOWN = 2"
	reqUpdExt     = "ATTR_EXTENDED = 0x10 [...] Length: 1 byte, or 2 bytes when ATTR_EXTENDED is set"
)

func updateCases() []Case {
	attrList := Alert(omp.ErrUpdate, omp.SubErrUpdateAttrList).ThenClose()
	cs := []Case{
		{ID: "UPD-001", Section: "3.1.3", Level: MUST, Basis: Draft, Requirement: "UPDATE Message Format: Attributes Length, then attributes",
			Reading: "The standard route advertisement: ATTR_TYPE_TLOC and an IPv4 vRoute.", Needs: vroute, Send: RouteUpdate(), Expect: Accept()},
		{ID: "UPD-002", Section: "3.1.3", Level: SHOULD, Basis: BGP, Source: "RFC 4271 4.3",
			Requirement: "An UPDATE message [...] with no NLRI [...] Total Path Attribute Length [...] A value of 0 indicates that neither the Network Layer Reachability Information field nor the Path Attribute field is present",
			Reading:     "An UPDATE with no attributes carries nothing: accepted.", Send: Update(), Expect: Accept()},
		{ID: "UPD-003", Section: "3.1.3.12", Level: MUST, Basis: Draft, Requirement: "ATTR_TYPE_REACHABLES and ATTR_TYPE_UNREACHABLES: Both these attributes have same format.",
			Reading: "A withdrawal alone needs no next hop: an UPDATE with only ATTR_TYPE_UNREACHABLES is accepted.", Needs: vroute,
			Send: Update(WithdrawVRoutes(DefaultPrefix)), Expect: Accept()},
		{ID: "UPD-004", Section: "3.1.3", Level: SHOULD, Basis: BGP, Source: "RFC 4271 4.3",
			Requirement: "The sender of an UPDATE message SHOULD order path attributes within the UPDATE message in ascending order of attribute type. The receiver of an UPDATE message MUST be prepared to handle path attributes within UPDATE messages that are out of order.",
			Reading:     "ATTR_TYPE_REACHABLES before ATTR_TYPE_TLOC is accepted.", Needs: vroute,
			Send: RouteUpdate().Mutate("update.attr[0]", Reorder("update.attr[1]")), Expect: Accept()},
		{ID: "UPD-005", Section: "3.1.3.12", Level: MUST, Basis: Draft, Requirement: "ATTR_TYPE_REACHABLES [...] NLRI Length, NLRI",
			Reading: "Several vRoutes in one ATTR_TYPE_REACHABLES are accepted.", Needs: vroute,
			Send: Update(TLOC(), VRoutes("192.168.1.0/24", "192.168.2.0/24", "10.1.0.0/16", "172.16.5.128/25")), Expect: Accept()},
		{ID: "UPD-006", Section: "3.1.3.12", Level: SHOULD, Basis: BGP, Source: "RFC 4271 9",
			Requirement: "Withdrawn routes [...] that are not in the Adj-RIB-In are ignored",
			Reading:     "Withdrawing a vRoute never advertised is accepted.", Needs: vroute,
			Send: Update(WithdrawVRoutes("203.0.113.0/24")), Expect: Accept()},

		// Attribute list.
		{ID: "UPD-010", Section: "3.1.3", Level: MUST, Basis: Draft, Requirement: reqUpdAttrLen,
			Reading: "An Attributes Length that runs past the message.", Needs: vroute,
			Send: RouteUpdate().Mutate("update.attributes_length", Inc()), Expect: attrList},
		{ID: "UPD-011", Section: "3.1.3", Level: MUST, Basis: Draft, Requirement: reqUpdAttrLen,
			Reading: "An Attributes Length one short cuts the last attribute, and leaves a byte after the list.", Needs: vroute,
			Send: RouteUpdate().Mutate("update.attributes_length", Dec()), Expect: attrList},
		{ID: "UPD-012", Section: "3.1.3", Level: MUST, Basis: Draft, Requirement: reqUpdAttrLen,
			Reading: "A byte after the attributes that no Length counts.", Needs: vroute,
			Send: RouteUpdate().Mutate("update", Extend([]byte{0})), Expect: attrList},
		{ID: "UPD-013", Section: "3.1.3", Level: MUST, Basis: Draft, Requirement: "Length: 1 byte [...] OMP_SUB_ERR_UPDATE_ATTR_LIST = 1",
			Reading: "An attribute Length that runs past the attribute list.", Needs: vroute,
			Send: RouteUpdate().Mutate("update.attr[0].length", Set(200)), Expect: attrList},
		{ID: "UPD-014", Section: "3.1.3", Level: MUST, Basis: BGP, Source: "RFC 4271 6.3",
			Requirement: "If any attribute appears more than once in the UPDATE message, then the Error Subcode is set to Malformed Attribute List.",
			Reading:     "ATTR_TYPE_PREF twice.", Needs: vroute,
			Send: RouteUpdate(Attr(&omp.AttrPref{Preference: 1})).Mutate("update.attr[2]", Duplicate()), Expect: attrList},
		{ID: "UPD-015", Section: "3.1.3", Level: MUST, Basis: BGP, Source: "RFC 4271 6.3",
			Requirement: "If any attribute appears more than once in the UPDATE message, then the Error Subcode is set to Malformed Attribute List.",
			Reading:     "ATTR_TYPE_TLOC twice.", Needs: vroute,
			Send: RouteUpdate().Mutate("update.attr[0]", Duplicate()), Expect: attrList},
		{ID: "UPD-016", Section: "3.1.3", Level: MUST, Basis: Draft, Requirement: reqUpdAttrLen,
			Reading: "An attribute list that ends inside an attribute header (2 of its 3 bytes).", Needs: vroute,
			Send:   RouteUpdate(Attr(&omp.AttrPref{Preference: 1})).Mutate("update.attr[2].length", Drop()).Mutate("update.attr[2].value", Drop()),
			Expect: attrList},
		{ID: "UPD-017", Section: "3.1.3", Level: MUST, Basis: BGP, Source: "RFC 4271 6.3",
			Requirement: "ATTR_EXTENDED [...] the Length field is 2 bytes. [...] If the Attribute Length of an attribute does not match the message, then the Error Subcode is set to Malformed Attribute List.",
			Reading:     "ATTR_EXTENDED set on ATTR_TYPE_PREF whose Length is one byte: the DUT reads a 2-byte Length that runs past the list.", Needs: vroute,
			Send: RouteUpdate(Attr(&omp.AttrPref{Preference: 1})).Mutate("update.attr[2].flags", FlipFlags(uint8(omp.AttrExtended))), Expect: attrList},
	}

	// Flags.
	flagsErr := Alert(omp.ErrUpdate, omp.SubErrUpdateFlags).ThenClose()
	// A flag bit the draft does not define: the draft's list of three
	// Flags makes it an error (FLAGS), while BGP, whose procedures OMP
	// borrows, ignores its unused bits (RFC 4271 4.3: "MUST be ignored
	// when received"). Either answer passes; a wrong ALERT does not.
	for _, f := range []idv[uint64]{{"UPD-020", 0x01}, {"UPD-021", 0x02}, {"UPD-022", 0x04}, {"UPD-023", 0x08}, {"UPD-024", 0x40}} {
		cs = append(cs, Case{ID: f.id, Section: "3.1.3", Level: SHOULD, Basis: Project, Requirement: reqUpdFlags,
			Reading: fmt.Sprintf("Flag bit 0x%02x, which the draft does not define, on ATTR_TYPE_PREF. It may be refused with UPDATE/FLAGS, as the draft's three Flags read, or ignored, as BGP ignores its unused flag bits (RFC 4271 4.3).", f.v), Needs: vroute,
			Send: RouteUpdate(Attr(&omp.AttrPref{Preference: 1})).Mutate("update.attr[2].flags", Set(f.v)), Expect: flagsErr.OrAccept()})
	}
	cs = append(cs,
		Case{ID: "UPD-025", Section: "3.1.3", Level: SHOULD, Basis: BGP, Source: "RFC 4271 4.3",
			Requirement: "The third high-order bit (bit 2) of the Attribute Flags octet is the Partial bit [...] For well-known attributes and for optional non-transitive attributes, the Partial bit MUST be set to 0.",
			Reading:     "ATTR_PARTIAL on ATTR_TYPE_PREF, which is not ATTR_OPTIONAL.", Needs: vroute,
			Send: RouteUpdate(AttrFlags(omp.AttrPartial, &omp.AttrPref{Preference: 1})), Expect: flagsErr},
		Case{ID: "UPD-026", Section: "3.1.3", Level: MUST, Basis: Draft, Requirement: reqUpdExt,
			Reading: "ATTR_TYPE_PREF with ATTR_EXTENDED and a 2-byte Length of 4.", Needs: vroute,
			Send: RouteUpdate(AttrFlags(omp.AttrExtended, &omp.AttrPref{Preference: 1})), Expect: Accept()},
		Case{ID: "UPD-027", Section: "3.1.3", Level: MUST, Basis: Draft, Requirement: reqUpdExt,
			Reading: "ATTR_TYPE_COMMUNITY of 120 values (480 bytes) needs ATTR_EXTENDED.", Needs: vroute,
			Send: RouteUpdate(Attr(&omp.AttrCommunity{Communities: make([]uint32, 120)})), Expect: Accept()},
		Case{ID: "UPD-028", Section: "3.1.3", Level: MUST, Basis: Draft, Requirement: reqUpdExt,
			Reading: "An extended Length that runs past the attribute list.", Needs: vroute,
			Send: RouteUpdate(AttrFlags(omp.AttrExtended, &omp.AttrPref{Preference: 1})).Mutate("update.attr[2].length", Set(0x0104)), Expect: attrList},
		Case{ID: "UPD-029", Section: "3.1.3", Level: MUST, Basis: Draft, Requirement: reqUpdExt,
			Reading: "ATTR_EXTENDED cleared on an attribute written with a 2-byte Length: its first Length byte (0) is read as the Length and the rest goes astray.", Needs: vroute,
			Send:   RouteUpdate(AttrFlags(omp.AttrExtended, &omp.AttrPref{Preference: 1})).Mutate("update.attr[2].flags", Set(0)),
			Expect: Alert(omp.ErrUpdate, omp.SubErrUpdateLength).Or(omp.ErrUpdate, omp.SubErrUpdateAttrList).ThenClose()},
	)

	// Unknown attribute types.
	unknown := Alert(omp.ErrUpdate, omp.SubErrUpdateUnknown).ThenClose()
	for _, u := range []idv[omp.AttrType]{{"UPD-030", 0}, {"UPD-031", 39}, {"UPD-032", 100}, {"UPD-033", 255}} {
		cs = append(cs, Case{ID: u.id, Section: "3.1.3", Level: MUST, Basis: Draft, Requirement: reqUpdType,
			Reading: fmt.Sprintf("Attribute Type %d, which the draft does not list, without ATTR_OPTIONAL.", u.v), Needs: vroute,
			Send: RouteUpdate(Attr(&omp.RawAttr{AType: u.v, Data: []byte{1, 2, 3, 4}})), Expect: unknown})
	}
	optional := []struct {
		id    string
		flags omp.AttrFlags
		t     omp.AttrType
		n     int
	}{
		{"UPD-035", omp.AttrOptional, 39, 4},
		{"UPD-036", omp.AttrOptional, 200, 0},
		{"UPD-037", omp.AttrOptional | omp.AttrPartial, 201, 8},
		{"UPD-038", omp.AttrOptional | omp.AttrExtended, 202, 300},
	}
	for _, o := range optional {
		cs = append(cs, Case{ID: o.id, Section: "3.1.3", Level: MUST, Basis: BGP, Source: "RFC 4271 5, 9",
			Requirement: "If an optional attribute is unrecognized [...] it is quietly ignored (non-transitive) or passed along (transitive).",
			Reading:     fmt.Sprintf("An unknown attribute Type %d with flags %s and %d bytes of data is ignored.", o.t, o.flags, o.n), Needs: vroute,
			Send: RouteUpdate(AttrFlags(o.flags, &omp.RawAttr{AType: o.t, Data: make([]byte, o.n)})), Expect: Accept()})
	}

	// MISSING and NEXTHOP.
	cs = append(cs,
		Case{ID: "UPD-040", Section: "3.1.3", Level: MUST, Basis: Draft,
			Requirement: "TLOC: Transport locator. Serves as the next hop for the OMP routes. [...] OMP_SUB_ERR_UPDATE_MISSING = 3",
			Reading:     "A vRoute advertisement without ATTR_TYPE_TLOC has no next hop: a mandatory attribute is missing.", Needs: vroute,
			Send: Update(VRoutes(DefaultPrefix)), Expect: Alert(omp.ErrUpdate, omp.SubErrUpdateMissing).ThenClose()},
		Case{ID: "UPD-041", Section: "3.1.3", Level: MUST, Basis: Draft,
			Requirement: "TLOC: Transport locator. Serves as the next hop for the OMP routes. [...] OMP_SUB_ERR_UPDATE_MISSING = 3",
			Reading:     "An IPv6 vRoute advertisement without ATTR_TYPE_TLOC.", Needs: []Need{NeedFamily(omp.AFIIPv6, omp.SAFIVRoute)},
			Send: Update(VRoutes("2001:db8:1::/48")), Expect: Alert(omp.ErrUpdate, omp.SubErrUpdateMissing).ThenClose()},
	)
	for _, n := range []idv[string]{
		{"UPD-045", "0.0.0.0"}, {"UPD-046", "224.0.0.1"}, {"UPD-047", "255.255.255.255"}, {"UPD-048", "::"}, {"UPD-049", "ff02::1"},
	} {
		a := n.v
		cs = append(cs, Case{ID: n.id, Section: "3.1.3.1", Level: SHOULD, Basis: BGP, Source: "RFC 4271 6.3",
			Requirement: "If the NEXT_HOP attribute field is syntactically incorrect, then the Error Subcode MUST be set to Invalid NEXT_HOP Attribute. [...] OMP_SUB_ERR_UPDATE_NEXTHOP = 6",
			Reading:     "A TLOC address of " + a + " cannot be a next hop.", Needs: vroute,
			Send:   Update(Attr(&omp.AttrTLOC{Address: netip.MustParseAddr(a), Color: TLOCColor, Encap: TLOCEncap}), VRoutes(DefaultPrefix)),
			Expect: Alert(omp.ErrUpdate, omp.SubErrUpdateNexthop).ThenClose()})
	}
	return cs
}
