package mutators

import "github.com/ompconform/ompconform/omp"

// Standards is the table of standard mutations: header, HANDSHAKE,
// UPDATE attribute flags, types, lengths and values, NLRI, and the small
// messages. Each expected ALERT is the one the codec's decode path gives
// for the bytes the DUT frames (the test checks it); Basis says whether
// the draft, the BGP reading, or ompconform's own choice stands behind
// it. The slice is fresh on each call.
func Standards() []Standard {
	var out []Standard
	for _, g := range [][]Standard{headerStandards(), handshakeStandards(), updateStandards(), smallStandards()} {
		out = append(out, g...)
	}
	return out
}

// Lookup returns the standard mutation with the given name.
func Lookup(name string) (Standard, bool) {
	for _, s := range Standards() {
		if s.Name == name {
			return s, true
		}
	}
	return Standard{}, false
}

func msg[T omp.Message](f func() T) func() omp.Message { return func() omp.Message { return f() } }

func muts(ms ...Mutation) []Mutation { return ms }

// Texts the table cites.
const (
	draftMarker    = "3.1.1: \"Marker : 16 bytes. MUST be set to all 1s.\""
	draftLength    = "3.1: \"maximum packet size is 4096 bytes\"; 3.1.1: \"Length : 2 bytes. Packet length including header length of 19 bytes.\""
	draftTypes     = "3.1.1: Types INVALID = 0, HANDSHAKE = 1 ... INFORM = 7"
	bgpUnsync      = "The draft names OMP_SUB_ERR_HEADER_UNSYNC but not when to send it; RFC 4271 6.1: a Marker that is not as expected is Connection Not Synchronized."
	bgpLength      = "The draft names OMP_SUB_ERR_HEADER_LENGTH but not when to send it; RFC 4271 6.1: a Length under 19, over the maximum, or too small for the message type is Bad Message Length."
	bgpType        = "RFC 4271 6.1: an unrecognized Type is Bad Message Type (OMP_SUB_ERR_HEADER_TYPE); the draft's INVALID (0) and anything over INFORM (7) are not message types."
	bgpAttrList    = "RFC 4271 6.3: an Attribute Length or Total Path Attribute Length that does not match the message, or an attribute that appears twice, is Malformed Attribute List (OMP_SUB_ERR_UPDATE_ATTR_LIST)."
	bgpAttrLength  = "RFC 4271 6.3: an attribute whose Length is inconsistent with its type's data is Attribute Length Error (OMP_SUB_ERR_UPDATE_LENGTH)."
	bgpFlags       = "RFC 4271 6.3: flags that conflict with the attribute type are Attribute Flags Error (OMP_SUB_ERR_UPDATE_FLAGS)."
	bgpUnknown     = "RFC 4271 6.3: an unrecognized well-known (not OPTIONAL) attribute is Unrecognized Well-known Attribute (OMP_SUB_ERR_UPDATE_UNKNOWN)."
	bgpOptAttr     = "RFC 4271 6.3: an optional attribute whose value cannot be parsed is Optional Attribute Error (OMP_SUB_ERR_UPDATE_OPT_ATTR)."
	bgpNexthop     = "RFC 4271 6.3: a syntactically wrong NEXT_HOP is Invalid NEXT_HOP; for OMP the TLOC is the next hop (OMP_SUB_ERR_UPDATE_NEXTHOP)."
	bgpBadNet      = "RFC 4271 6.3 / RFC 4760 7: a syntactically wrong NLRI is Invalid Network Field (OMP_SUB_ERR_UPDATE_BAD_NET)."
	bgpMissing     = "RFC 4271 6.3: a missing mandatory attribute (NEXT_HOP, here ATTR_TYPE_TLOC for a vRoute) is Missing Well-known Attribute (OMP_SUB_ERR_UPDATE_MISSING), with the missing type as data."
	bgpHoldtime    = "RFC 4271 6.2: a Hold Time of 1 or 2 seconds is Unacceptable Hold Time (OMP_SUB_ERR_HANDSHAKE_HOLDTIME); 0 and 3 or more are acceptable."
	bgpRouterID    = "RFC 4271 6.2: a syntactically invalid identifier (0.0.0.0) is Bad BGP Identifier (OMP_SUB_ERR_HANDSHAKE_OMPID)."
	bgpUnsupOpt    = "RFC 4271 6.2: an Optional Parameter that is not recognized is Unsupported Optional Parameter (OMP_SUB_ERR_HANDSHAKE_UNSUP_OPT); the draft defines option types 1 and 2."
	bgpUnsupCap    = "RFC 5492: a capability the speaker knows but whose data is malformed is refused (OMP_SUB_ERR_HANDSHAKE_UNSUP_CAP); the draft fixes each capability's Length."
	bgpUnknownCap  = "RFC 5492 3: a speaker MUST ignore capabilities it does not understand."
	bgpUnknownOpt  = "RFC 4271 9 / 5: an unrecognized OPTIONAL attribute is accepted and ignored (non-transitive); OMP has no transitive bit."
	bgpAttrOrder   = "RFC 4271 5: the receiver MUST be prepared to handle path attributes that are out of order."
	projectVersion = "The draft gives a Version field and OMP_SUB_ERR_HANDSHAKE_VERSION but no version value; ompconform supports Version 1 (docs/wire-format.md)."
	projectAuth    = "The draft does not define the Authentication option; ompconform's format is Key ID + HMAC-SHA256, 33 bytes (docs/wire-format.md); other lengths are OMP_SUB_ERR_HANDSHAKE_AUTH."
	projectOptLen  = "The draft does not say which ALERT an Options Length that overruns the message gets; ompconform's codec reads it as a HEADER length error (BGP: Bad Message Length)."
	projectFlags   = "The draft defines flag bits 0x80, 0x20 and 0x10 only; ompconform's codec refuses undefined bits as OMP_SUB_ERR_UPDATE_FLAGS (RFC 4271 4.3 would ignore BGP's unused low-order bits: a DUT that ignores them takes the BGP reading)."
	projectHello   = "The draft gives no ALERT for a malformed HELLO; ompconform reads a TLV or address Length that does not fit as a HEADER length error (BGP: Bad Message Length)."
)

func headerStandards() []Standard {
	hello := msg(BaseHello)
	upd := msg(EmptyUpdate)
	hdr := func(name string, target func() omp.Message, m []Mutation, e Expect, b Basis) Standard {
		return Standard{Name: "header/" + name, Phase: PhaseEstablished, Target: target, Mutations: m, Expect: e, Section: "3.1.1", Basis: b}
	}
	unsync := Alert(omp.ErrHeader, omp.SubErrHeaderUnsync)
	length := Alert(omp.ErrHeader, omp.SubErrHeaderLength)
	typ := Alert(omp.ErrHeader, omp.SubErrHeaderType)
	return []Standard{
		hdr("marker-zero", hello, muts(On("header.marker", Zero())), unsync, Basis{BasisBGP, draftMarker + " " + bgpUnsync}),
		hdr("marker-one-bit", hello, muts(On("header.marker", FlipBits(1))), unsync, Basis{BasisBGP, draftMarker + " " + bgpUnsync}),
		hdr("length-zero", hello, muts(On("header.length", Set(0))), length, Basis{BasisBGP, draftLength + " " + bgpLength}),
		hdr("length-below-header", hello, muts(On("header.length", Set(18))), length, Basis{BasisBGP, draftLength + " " + bgpLength}),
		hdr("length-over-max", hello, muts(On("header.length", Set(omp.MaxMessageLen+1))), length, Basis{BasisBGP, draftLength + " " + bgpLength}),
		hdr("length-all-ones", hello, muts(On("header.length", AllOnes())), length, Basis{BasisBGP, draftLength + " " + bgpLength}),
		// Length one short: the DUT frames one byte less, and the HELLO
		// TLV runs past the end; one stray byte follows.
		hdr("length-one-short", hello, muts(On("header.length", Dec())), length, Basis{BasisBGP, draftLength + " " + bgpLength}),
		hdr("length-short-for-update", upd, muts(On("update.attributes_length", Drop())), length, Basis{BasisBGP, "3.1.3: an UPDATE carries a 2-byte Attributes Length. " + bgpLength}),
		hdr("length-short-for-alert", msg(BaseAlert), muts(On("alert.subcode", Drop())), length, Basis{BasisBGP, "3.1.4: an ALERT carries Code and SubCode. " + bgpLength}),
		hdr("type-invalid", hello, muts(On("header.type", Set(0))), typ, Basis{BasisBGP, draftTypes + " " + bgpType}),
		hdr("type-eight", hello, muts(On("header.type", Set(8))), typ, Basis{BasisBGP, draftTypes + " " + bgpType}),
		hdr("type-255", hello, muts(On("header.type", AllOnes())), typ, Basis{BasisBGP, draftTypes + " " + bgpType}),
	}
}

func handshakeStandards() []Standard {
	hs := msg(BaseHandshake)
	hsh := func(name string, target func() omp.Message, m []Mutation, e Expect, b Basis) Standard {
		return Standard{Name: "handshake/" + name, Phase: PhaseOpening, Target: target, Mutations: m, Expect: e, Section: "3.1.2", Basis: b}
	}
	sub := func(s omp.Subcode) Expect { return Alert(omp.ErrHandshake, s) }
	capf := func(i int, f string) string { return "handshake.option[0].capability[" + itoa(i) + "]" + f }
	return []Standard{
		hsh("version-zero", hs, muts(On("handshake.version", Set(0))), sub(omp.SubErrHandshakeVersion), Basis{BasisProject, projectVersion}),
		hsh("version-two", hs, muts(On("handshake.version", Set(2))), sub(omp.SubErrHandshakeVersion), Basis{BasisProject, projectVersion}),
		hsh("holdtime-one", hs, muts(On("handshake.holdtime", Set(1))), sub(omp.SubErrHandshakeHoldtime), Basis{BasisBGP, bgpHoldtime}),
		hsh("holdtime-two", hs, muts(On("handshake.holdtime", Set(2))), sub(omp.SubErrHandshakeHoldtime), Basis{BasisBGP, bgpHoldtime}),
		hsh("holdtime-zero", hs, muts(On("handshake.holdtime", Zero())), Accept, Basis{BasisBGP, bgpHoldtime}),
		hsh("holdtime-three", hs, muts(On("handshake.holdtime", Set(3))), Accept, Basis{BasisBGP, bgpHoldtime}),
		hsh("holdtime-max", hs, muts(On("handshake.holdtime", AllOnes())), Accept, Basis{BasisBGP, bgpHoldtime}),
		hsh("router-id-zero", hs, muts(On("handshake.peer_router_id", Zero())), sub(omp.SubErrHandshakeOMPID), Basis{BasisBGP, bgpRouterID}),
		hsh("length-short-for-handshake", msg(BareHandshake), muts(On("handshake.peer_router_id", Drop())), Alert(omp.ErrHeader, omp.SubErrHeaderLength),
			Basis{BasisBGP, "3.1.2: the HANDSHAKE has 16 fixed bytes. " + bgpLength}),
		hsh("trailing-byte", hs, muts(On("handshake", Extend([]byte{0}))), Alert(omp.ErrHeader, omp.SubErrHeaderLength), Basis{BasisBGP, "3.1.2: Options Length counts the options. " + bgpLength}),
		hsh("no-options", hs, muts(On("handshake.option[0]", Drop())), Accept, Basis{BasisDraft, "3.1.2: \"If Options Length is not zero, then following options information MAY be included\""}),
		hsh("options-length-over", hs, muts(On("handshake.options_length", Inc())), Alert(omp.ErrHeader, omp.SubErrHeaderLength), Basis{BasisProject, projectOptLen}),
		hsh("options-length-under", hs, muts(On("handshake.options_length", Dec())), sub(omp.SubErrHandshakeUnsupOpt), Basis{BasisBGP, "3.1.2: Option Length is the length of the option's data. " + bgpUnsupOpt}),
		hsh("option-type-zero", hs, muts(On("handshake.option[0].type", Zero())), sub(omp.SubErrHandshakeUnsupOpt), Basis{BasisBGP, bgpUnsupOpt}),
		hsh("option-type-unknown", hs, muts(On("handshake.option[0].type", Set(3))), sub(omp.SubErrHandshakeUnsupOpt), Basis{BasisBGP, bgpUnsupOpt}),
		hsh("option-length-over", hs, muts(On("handshake.option[0].length", Inc())), sub(omp.SubErrHandshakeUnsupOpt), Basis{BasisBGP, bgpUnsupOpt}),
		hsh("option-auth-bad-length", hs, muts(On("handshake.option[0].type", Set(uint64(omp.OptionAuthentication)))), sub(omp.SubErrHandshakeAuth), Basis{BasisProject, projectAuth}),
		hsh("capability-length-over", hs, muts(On(capf(0, ".length"), Inc())), sub(omp.SubErrHandshakeUnsupCap), Basis{BasisBGP, "3.1.2.1: MP \"Length : 1 byte. Value is 4.\" " + bgpUnsupCap}),
		hsh("capability-mp-short", hs, muts(On(capf(0, ".data"), Truncate(1))), sub(omp.SubErrHandshakeUnsupCap), Basis{BasisBGP, "3.1.2.1: MP \"Length : 1 byte. Value is 4.\" " + bgpUnsupCap}),
		hsh("capability-identity-long", hs, muts(On(capf(4, ".data"), Extend([]byte{0}))), sub(omp.SubErrHandshakeUnsupCap), Basis{BasisBGP, "3.1.2.2: IDENTITY \"Length : 1 byte. Value is 4\" " + bgpUnsupCap}),
		hsh("capability-refresh-with-data", hs, muts(On(capf(6, ".data"), Extend([]byte{0}))), sub(omp.SubErrHandshakeUnsupCap), Basis{BasisBGP, "3.1.2.4: REFRESH has no data. " + bgpUnsupCap}),
		hsh("capability-unknown-code", hs, muts(On(capf(0, ".code"), Set(9))), Ignore, Basis{BasisBGP, bgpUnknownCap}),
		hsh("capability-duplicate-mp", hs, muts(On(capf(0, ""), Duplicate())), Accept, Basis{BasisBGP, "RFC 5492 4: a capability may appear more than once."}),
	}
}

func updateStandards() []Standard {
	up := msg(BaseUpdate)
	upd := func(name, section string, target func() omp.Message, m []Mutation, e Expect, b Basis) Standard {
		return Standard{Name: "update/" + name, Phase: PhaseEstablished, Target: target, Mutations: m, Expect: e, Section: section, Basis: b}
	}
	sub := func(s omp.Subcode) Expect { return Alert(omp.ErrUpdate, s) }
	reach := "update.attr[4].value"
	return []Standard{
		upd("attributes-length-over", "3.1.3", up, muts(On("update.attributes_length", Inc())), sub(omp.SubErrUpdateAttrList), Basis{BasisBGP, bgpAttrList}),
		upd("attributes-length-under", "3.1.3", up, muts(On("update.attributes_length", Dec())), sub(omp.SubErrUpdateAttrList), Basis{BasisBGP, bgpAttrList}),
		upd("trailing-byte", "3.1.3", up, muts(On("update", Extend([]byte{0}))), sub(omp.SubErrUpdateAttrList), Basis{BasisBGP, bgpAttrList}),
		upd("attr-duplicate", "3.1.3", up, muts(On("update.attr[1]", Duplicate())), sub(omp.SubErrUpdateAttrList), Basis{BasisBGP, bgpAttrList}),
		upd("attr-length-past-list", "3.1.3", up, muts(On("update.attr[4].length", Set(255))), sub(omp.SubErrUpdateAttrList), Basis{BasisBGP, bgpAttrList}),
		upd("attr-flags-undefined-bit", "3.1.3", up, muts(On("update.attr[1].flags", FlipFlags(0x01))), sub(omp.SubErrUpdateFlags), Basis{BasisProject, projectFlags}),
		upd("attr-flags-bgp-transitive", "3.1.3", up, muts(On("update.attr[1].flags", FlipFlags(0x40))), sub(omp.SubErrUpdateFlags), Basis{BasisProject, projectFlags}),
		upd("attr-partial-well-known", "3.1.3", up, muts(On("update.attr[1].flags", FlipFlags(uint8(omp.AttrPartial)))), sub(omp.SubErrUpdateFlags), Basis{BasisBGP, bgpFlags + " RFC 4271 4.3: the Partial bit MUST be 0 on well-known attributes."}),
		// EXTENDED set on a 1-byte Length: the receiver reads a 2-byte
		// Length (0x0400 for PREF) that runs past the list.
		upd("attr-extended-without-wide-length", "3.1.3", up, muts(On("update.attr[1].flags", FlipFlags(uint8(omp.AttrExtended)))), sub(omp.SubErrUpdateAttrList), Basis{BasisBGP, "3.1.3: ATTR_EXTENDED makes the Length 2 bytes. " + bgpAttrList}),
		upd("attr-type-zero", "3.1.3", up, muts(On("update.attr[1].type", Zero())), sub(omp.SubErrUpdateUnknown), Basis{BasisBGP, bgpUnknown}),
		upd("attr-type-unknown", "3.1.3", up, muts(On("update.attr[1].type", Set(50))), sub(omp.SubErrUpdateUnknown), Basis{BasisBGP, bgpUnknown}),
		upd("attr-type-unknown-optional", "3.1.3", up, muts(On("update.attr[1].type", Set(50)), On("update.attr[1].flags", FlipFlags(uint8(omp.AttrOptional)))), Ignore, Basis{BasisBGP, bgpUnknownOpt}),
		upd("attr-reordered", "3.1.3", up, muts(On("update.attr[0]", Reorder("update.attr[1]"))), Accept, Basis{BasisBGP, bgpAttrOrder}),
		upd("attr-length-over", "3.1.3.4", up, muts(On("update.attr[1].length", Inc())), sub(omp.SubErrUpdateLength), Basis{BasisBGP, "3.1.3.4: Preference is 4 bytes. " + bgpAttrLength}),
		upd("attr-length-under", "3.1.3.4", up, muts(On("update.attr[1].length", Dec())), sub(omp.SubErrUpdateLength), Basis{BasisBGP, "3.1.3.4: Preference is 4 bytes. " + bgpAttrLength}),
		upd("attr-value-long", "3.1.3.4", up, muts(On("update.attr[1].value", Extend([]byte{0}))), sub(omp.SubErrUpdateLength), Basis{BasisBGP, "3.1.3.4: Preference is 4 bytes. " + bgpAttrLength}),
		upd("tloc-length-seven", "3.1.3.1", up, muts(On("update.attr[0].value", Extend([]byte{0}))), sub(omp.SubErrUpdateLength), Basis{BasisBGP, "3.1.3.1: the TLOC is an address, Color and Encap (6 or 18 bytes). " + bgpAttrLength}),
		upd("tloc-missing", "3.1.3.1", up, muts(On("update.attr[0]", Drop())), sub(omp.SubErrUpdateMissing), Basis{BasisBGP, bgpMissing}),
		upd("tloc-address-zero", "3.1.3.1", up, muts(On("update.attr[0].value.address", Zero())), sub(omp.SubErrUpdateNexthop), Basis{BasisBGP, bgpNexthop}),
		upd("tloc-address-multicast", "3.1.3.1", up, muts(On("update.attr[0].value.address", Set(0xE0000001))), sub(omp.SubErrUpdateNexthop), Basis{BasisBGP, bgpNexthop}),
		upd("tloc-address-broadcast", "3.1.3.1", up, muts(On("update.attr[0].value.address", AllOnes())), sub(omp.SubErrUpdateNexthop), Basis{BasisBGP, bgpNexthop}),
		upd("origin-bad-subtlv-type", "3.1.3.9", up, muts(On("update.attr[2].value.proto_type", Set(3))), sub(omp.SubErrUpdateOptAttr), Basis{BasisBGP, "3.1.3.9: ORIGIN is PROTO=1 then METRIC=2. " + bgpOptAttr}),
		upd("origin-short", "3.1.3.9", up, muts(On("update.attr[2].value", Truncate(1))), sub(omp.SubErrUpdateOptAttr), Basis{BasisBGP, "3.1.3.9: METRIC is 4 bytes. " + bgpOptAttr}),
		upd("aspath-segments-over", "3.1.3.20", msg(ASPathUpdate), muts(On("update.attr[4].value.number_of_segments", Inc())), sub(omp.SubErrUpdateOptAttr), Basis{BasisBGP, "3.1.3.20: Number of Segments counts the segments. " + bgpOptAttr}),
		upd("aspath-as-count-over", "3.1.3.20", msg(ASPathUpdate), muts(On("update.attr[4].value.segment[0].number_of_as", Inc())), sub(omp.SubErrUpdateOptAttr), Basis{BasisBGP, "3.1.3.20: Number of AS counts the 4-byte AS numbers. " + bgpOptAttr}),
		upd("adapt-qos-undefined-flag", "3.1.3.24", msg(QoSUpdate), muts(On("update.attr[4].value.flags", FlipFlags(0x80))), sub(omp.SubErrUpdateOptAttr), Basis{BasisBGP, "3.1.3.24: ADAPT_QOS defines flags 0x01..0x10. " + bgpOptAttr}),
		upd("tloc-encap-gre-key-long", "3.1.3.3", msg(TLOCRouteUpdate), muts(On("update.attr[0].value.tlv[0].value", Extend([]byte{0}))), sub(omp.SubErrUpdateOptAttr), Basis{BasisBGP, "3.1.3.3: GRE_KEY=1 is 4 bytes (Length=6). " + bgpOptAttr}),
		upd("reach-afi-unknown", "3.1.3.12", up, muts(On(reach+".afi", Set(3))), sub(omp.SubErrUpdateBadNet), Basis{BasisBGP, "3.1.2.1: AFI_IPV4 = 1, AFI_IPv6 = 2. " + bgpBadNet}),
		upd("reach-nlri-length-over", "3.1.3.12", up, muts(On(reach+".nlri_length", Inc())), sub(omp.SubErrUpdateBadNet), Basis{BasisBGP, bgpBadNet}),
		upd("reach-nlri-truncated", "3.1.3.12", up, muts(On(reach+".nlri", Truncate(1))), sub(omp.SubErrUpdateBadNet), Basis{BasisBGP, "3.1.3.12: an IPv4 vRoute NLRI is 20 bytes. " + bgpBadNet}),
		upd("vroute-prefix-length-33", "3.1.3.12", up, muts(On(reach+".nlri[0].prefix_length", Set(33))), sub(omp.SubErrUpdateBadNet), Basis{BasisBGP, bgpBadNet}),
		upd("vroute-prefix-length-32", "3.1.3.12", up, muts(On(reach+".nlri[0].prefix_length", Set(32))), Accept, Basis{BasisBGP, bgpBadNet}),
		upd("vroute-nlri-reordered", "3.1.3.12", up, muts(On(reach+".nlri[0]", Reorder(reach+".nlri[1]"))), Accept, Basis{BasisBGP, "NLRI order carries no meaning (RFC 4271 4.3)."}),
		upd("mcast-type-unknown", "3.1.3.12", msg(MulticastUpdate), muts(On("update.attr[0].value.nlri[0].mcast_type", Set(5))), sub(omp.SubErrUpdateBadNet), Basis{BasisBGP, "3.1.3.12: MCAST_TYPE is 1..4. " + bgpBadNet}),
	}
}

func smallStandards() []Standard {
	st := func(name, section string, target func() omp.Message, m []Mutation, e Expect, b Basis) Standard {
		return Standard{Name: name, Phase: PhaseEstablished, Target: target, Mutations: m, Expect: e, Section: section, Basis: b}
	}
	length := Alert(omp.ErrHeader, omp.SubErrHeaderLength)
	return []Standard{
		st("hello/tlv-length-over", "3.1.5", msg(BaseHello), muts(On("hello.tlv[0].length", Inc())), length, Basis{BasisProject, projectHello}),
		st("hello/vsmart-length-five", "3.1.5", msg(BaseHello), muts(On("hello.tlv[0].vsmart[0].value", Extend([]byte{0}))), length,
			Basis{BasisProject, "3.1.5: \"If Length is 4 bytes ... If the Length is 16 bytes\". " + projectHello}),
		st("hello/tlv-unknown-type", "3.1.5", msg(BaseHello), muts(On("hello.tlv[0].type", Set(9))), Ignore, Basis{BasisBGP, "The draft defines TLV type 1 only; by RFC 5492's rule for capabilities, unknown TLVs are ignored."}),
		st("inform/eor-length-two", "3.1.7", msg(BaseEOR), muts(On("inform.data", Truncate(1))), length, Basis{BasisProject, "3.1.7 (INFORM): Data is AFI and SAFI (Length 3), or Length 0. ompconform reads other lengths as a HEADER length error."}),
		st("inform/eor-all-families", "3.1.7", msg(BaseEOR), muts(On("inform.data", Drop())), Accept, Basis{BasisDraft, "3.1.7 (INFORM): a Length of 0 is considered OMP_AF_MAX: every address family."}),
	}
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
