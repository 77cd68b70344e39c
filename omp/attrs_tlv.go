package omp

// The attributes with sub-TLVs or sub-structure. A malformed sub-structure
// is OMP_SUB_ERR_UPDATE_OPT_ATTR: the attribute is known but its value
// cannot be read.

import (
	"strconv"
	"strings"

	"github.com/ompconform/ompconform/internal/enum"
)

// Encap types of ATTR_TYPE_TLOC_ENCAP (section 3.1.3.3, the second).
const (
	EncapGRE   uint16 = 1
	EncapIPsec uint16 = 2
)

var encapNames = [...]string{EncapGRE: "GRE", EncapIPsec: "IPSEC"}

// EncapName names an Encap Type: "GRE", "IPSEC", "ENCAP_9".
func EncapName(t uint16) string { return enum.Name(encapNames[:], t, "ENCAP_%d") }

// Sub-TLV types of ATTR_TYPE_TLOC_ENCAP. IPsec: PROTOCOL=7, SPI=2, AUTH=3,
// AUTH_KEY=4, ENCRYPT=5, ENCRYPT_KEY=6. GRE: GRE_KEY=1.
const (
	EncapTLVGREKey     uint8 = 1 // GRE_KEY
	EncapTLVSPI        uint8 = 2 // SPI
	EncapTLVAuth       uint8 = 3 // AUTH
	EncapTLVAuthKey    uint8 = 4 // AUTH_KEY
	EncapTLVEncrypt    uint8 = 5 // ENCRYPT
	EncapTLVEncryptKey uint8 = 6 // ENCRYPT_KEY
	EncapTLVProtocol   uint8 = 7 // PROTOCOL
)

// encapTLVNames name the sub-TLV types of each Encap Type.
var encapTLVNames = map[uint16][]string{
	EncapGRE: {EncapTLVGREKey: "GRE_KEY"},
	EncapIPsec: {EncapTLVSPI: "SPI", EncapTLVAuth: "AUTH", EncapTLVAuthKey: "AUTH_KEY", EncapTLVEncrypt: "ENCRYPT",
		EncapTLVEncryptKey: "ENCRYPT_KEY", EncapTLVProtocol: "PROTOCOL"},
}

// EncapTLVName is the draft's name of sub-TLV type t under Encap Type
// encap, "" for one it does not name.
func EncapTLVName(encap uint16, t uint8) string {
	n, _ := enum.Lookup(encapTLVNames[encap], t)
	return n
}

// encapTLVLen gives the fixed value length of each sub-TLV whose length
// the draft fixes (keys are drawn as 64 bytes but not fixed by the text).
func encapTLVLen(encap uint16, t uint8) int {
	switch {
	case encap == EncapGRE && t == EncapTLVGREKey:
		return 4
	case encap == EncapIPsec && t == EncapTLVProtocol:
		return 2
	case encap == EncapIPsec && t == EncapTLVSPI:
		return 4
	case encap == EncapIPsec && (t == EncapTLVAuth || t == EncapTLVEncrypt):
		return 1
	}
	return -1
}

// TLV is a sub-TLV: a 1-byte Type, 1-byte Length and Value.
type TLV struct {
	Type  uint8
	Value []byte
}

// AttrTLOCEncap is ATTR_TYPE_TLOC_ENCAP: Encap Type (2 bytes), Length
// (2 bytes), then sub-TLVs. The draft's IPsec figure totals Length=148,
// its GRE figure Length=6.
type AttrTLOCEncap struct {
	EncapType uint16
	TLVs      []TLV
}

func (*AttrTLOCEncap) AttrType() AttrType { return AttrTypeTLOCEncap }

func (a *AttrTLOCEncap) walk(w *walker) {
	w.u16("encap_type", &a.EncapType)
	w.length2("length", "tlvs", errUpOptAttr, func() {
		list(w, "tlv", &a.TLVs, 0, func(t *TLV) { walkTLV(w, t, func(typ uint8) int { return encapTLVLen(a.EncapType, typ) }) })
	})
}

// Find returns the value of the first sub-TLV of type t.
func (a *AttrTLOCEncap) Find(t uint8) ([]byte, bool) { return findTLV(a.TLVs, t) }

func findTLV(tlvs []TLV, t uint8) ([]byte, bool) {
	for _, v := range tlvs {
		if v.Type == t {
			return v.Value, true
		}
	}
	return nil, false
}

// walkTLV walks one sub-TLV; fixed gives the required value length of a
// type, or -1 where any length is allowed.
func walkTLV(w *walker, t *TLV, fixed func(uint8) int) {
	w.u8("type", &t.Type)
	w.length1("length", "value", errUpOptAttr, func() {
		if w.decode {
			if n := fixed(t.Type); n >= 0 && w.remaining() != n {
				w.failAt(errUpOptAttr, "length", w.off-1, 1, "sub-TLV %d Length is %d; the draft gives %d", t.Type, w.remaining(), n)
				return
			}
		}
		w.bytes("value", &t.Value, -1)
	})
}

// Sub-TLV types of ATTR_TYPE_SECURITY (section 3.1.3.18).
const (
	SecTLVSAIdx      uint8 = 1 // SA IDX: inbound SA index, 2 bytes
	SecTLVSPI        uint8 = 2 // SPI, 4 bytes
	SecTLVFlags      uint8 = 3 // FLAGS, 1 byte
	SecTLVProtocol   uint8 = 4 // PROTOCOL: a list of 1-byte protocols
	SecTLVEncrypt    uint8 = 5 // ENCRYPT: a list of 1-byte encrypt types
	SecTLVIntegrity  uint8 = 6 // INTEGRITY: a list of 1-byte integrity types
	SecTLVAuth       uint8 = 7 // AUTH: key type and auth key, repeated
	SecTLVEncryptKey uint8 = 8 // ENCRYPT: key type and encrypt key, repeated
)

var securityTLVNames = [...]string{SecTLVSAIdx: "SA_IDX", SecTLVSPI: "SPI", SecTLVFlags: "FLAGS", SecTLVProtocol: "PROTOCOL",
	SecTLVEncrypt: "ENCRYPT", SecTLVIntegrity: "INTEGRITY", SecTLVAuth: "AUTH", SecTLVEncryptKey: "ENCRYPT_KEY"}

// SecurityTLVName is the draft's name of an ATTR_TYPE_SECURITY sub-TLV
// type, "" for one it does not name.
func SecurityTLVName(t uint8) string {
	n, _ := enum.Lookup(securityTLVNames[:], t)
	return n
}

func securityTLVLen(t uint8) int {
	switch t {
	case SecTLVSAIdx:
		return 2
	case SecTLVSPI:
		return 4
	case SecTLVFlags:
		return 1
	}
	return -1
}

// AttrSecurity is ATTR_TYPE_SECURITY (section 3.1.3.18): sub-TLVs. The
// key lists (AUTH=7, ENCRYPT=8) are carried as bytes: the draft does not
// give the key length.
type AttrSecurity struct {
	TLVs []TLV
}

func (*AttrSecurity) AttrType() AttrType { return AttrTypeSecurity }

func (a *AttrSecurity) walk(w *walker) {
	w.truncAs(errUpOptAttr, func() {
		list(w, "tlv", &a.TLVs, 0, func(t *TLV) { walkTLV(w, t, securityTLVLen) })
	})
}

// Find returns the value of the first sub-TLV of type t.
func (a *AttrSecurity) Find(t uint8) ([]byte, bool) { return findTLV(a.TLVs, t) }

// Origin protocols (ATTR_TYPE_ORIGIN Proto). The draft names the order
// best-path step 5 uses but gives no numbers; these are ompconform's
// (docs/wire-format.md). Any other value ranks as OriginUnknown.
const (
	OriginUnknown      uint8 = 0
	OriginConnected    uint8 = 1
	OriginStatic       uint8 = 2
	OriginEBGP         uint8 = 3
	OriginOSPFIntra    uint8 = 4
	OriginOSPFInter    uint8 = 5
	OriginOSPFExternal uint8 = 6
	OriginIBGP         uint8 = 7
	OriginEIGRP        uint8 = 8
)

var originNames = [...]string{OriginUnknown: "UNKNOWN", OriginConnected: "CONNECTED", OriginStatic: "STATIC", OriginEBGP: "EBGP",
	OriginOSPFIntra: "OSPF_INTRA", OriginOSPFInter: "OSPF_INTER", OriginOSPFExternal: "OSPF_EXTERNAL", OriginIBGP: "IBGP", OriginEIGRP: "EIGRP"}

// OriginName is ompconform's name of an ATTR_TYPE_ORIGIN protocol number
// (the draft names the protocols but gives no numbers): "OSPF_INTRA",
// "PROTO_200".
func OriginName(p uint8) string { return enum.Name(originNames[:], p, "PROTO_%d") }

// AttrOrigin is ATTR_TYPE_ORIGIN (section 3.1.3.9): the PROTO sub-TLV
// (type 1, length 2: Proto, Proto Subtype) then the METRIC sub-TLV
// (type 2, length 4), in the order and sizes the draft draws.
type AttrOrigin struct {
	Proto        uint8
	ProtoSubtype uint8
	Metric       uint32
}

func (*AttrOrigin) AttrType() AttrType { return AttrTypeOrigin }

func (a *AttrOrigin) walk(w *walker) {
	w.truncAs(errUpOptAttr, func() {
		w.const8("proto_type", 1, errUpOptAttr)
		w.const8("proto_length", 2, errUpOptAttr)
		w.u8("proto", &a.Proto)
		w.u8("proto_subtype", &a.ProtoSubtype)
		w.const8("metric_type", 2, errUpOptAttr)
		w.const8("metric_length", 4, errUpOptAttr)
		w.u32("metric", &a.Metric)
	})
}

// ASPathSegment is one segment of ATTR_TYPE_ASPATH: Type, Number of AS
// (1 byte), AS numbers (4 bytes each).
type ASPathSegment struct {
	Type uint8
	ASNs []uint32
}

// AttrASPath is ATTR_TYPE_ASPATH (section 3.1.3.20): Number of Segments
// (4 bytes), then the segments.
type AttrASPath struct {
	Segments []ASPathSegment
}

func (*AttrASPath) AttrType() AttrType { return AttrTypeASPath }

func (a *AttrASPath) walk(w *walker) {
	w.truncAs(errUpOptAttr, func() {
		at := w.pos()
		n := w.count("number_of_segments", 4, len(a.Segments))
		if !w.decode {
			list(w, "segment", &a.Segments, 0, func(s *ASPathSegment) { s.walk(w) })
			return
		}
		// n is untrusted: read while it lasts, allocate by what remains.
		a.Segments = make([]ASPathSegment, 0, min(n, w.remaining()/2))
		for i := 0; i < n && w.ok(); i++ {
			if w.remaining() < 2 {
				w.failAt(errUpOptAttr, "number_of_segments", at, 4, "Number of Segments is %d but only %d segments fit", n, i)
				return
			}
			a.Segments = append(a.Segments, ASPathSegment{})
			w.group("segment", i, func() { a.Segments[i].walk(w) })
		}
	})
}

func (s *ASPathSegment) walk(w *walker) {
	w.u8("type", &s.Type)
	n := w.count("number_of_as", 1, len(s.ASNs))
	if w.decode {
		if n*4 > w.remaining() {
			w.failAt(errUpOptAttr, "number_of_as", w.off-1, 1, "Number of AS is %d but %d bytes remain", n, w.remaining())
			return
		}
		s.ASNs = make([]uint32, n)
	}
	w.seq("as", len(s.ASNs), false, func(i int) { w.u32("", &s.ASNs[i]) })
}

// ATTR_TYPE_ADAPT_QOS flags (section 3.1.3.24).
const (
	AdaptQoSDownstreamMin uint8 = 0x1  // ATTR_FLAG_ADAPT_QOS_DOWNSTREAM_MIN
	AdaptQoSDownstream    uint8 = 0x2  // ATTR_FLAG_ADAPT_QOS_DOWNSTREAM
	AdaptQoSDownstreamMax uint8 = 0x4  // ATTR_FLAG_ADAPT_QOS_DOWNSTREAM_MAX
	AdaptQoSPeriod        uint8 = 0x8  // ATTR_FLAG_ADAPT_QOS_PERIOD
	AdaptQoSUp            uint8 = 0x10 // ATTR_FLAG_ADAPT_QOS_UP
	adaptQoSKnown               = 0x1F
)

// adaptQoSFlagNames names the flag bits, in the order the data follows
// them.
var adaptQoSFlagNames = [...]struct {
	bit  uint8
	name string
}{
	{AdaptQoSDownstreamMin, "DOWNSTREAM_MIN"}, {AdaptQoSDownstream, "DOWNSTREAM"},
	{AdaptQoSDownstreamMax, "DOWNSTREAM_MAX"}, {AdaptQoSPeriod, "PERIOD"}, {AdaptQoSUp, "UP"},
}

// AdaptQoSFlagsName renders ATTR_TYPE_ADAPT_QOS Flags as the draft's flag
// names without the ATTR_FLAG_ADAPT_QOS_ prefix: "DOWNSTREAM_MIN|UP";
// bits the draft does not define follow in hex ("UP|0x40"), no flag is "0".
func AdaptQoSFlagsName(f uint8) string {
	var parts []string
	for _, n := range adaptQoSFlagNames {
		if f&n.bit != 0 {
			parts = append(parts, n.name)
		}
	}
	if rest := f &^ adaptQoSKnown; rest != 0 {
		parts = append(parts, "0x"+strconv.FormatUint(uint64(rest), 16))
	}
	if len(parts) == 0 {
		return "0"
	}
	return strings.Join(parts, "|")
}

// AttrAdaptQoS is ATTR_TYPE_ADAPT_QOS (section 3.1.3.24): Flags, then the
// data of each flag set, in ascending flag order (the draft does not state
// the order): 4 bytes each, 1 byte for UP.
type AttrAdaptQoS struct {
	Flags         uint8
	DownstreamMin uint32
	Downstream    uint32
	DownstreamMax uint32
	Period        uint32
	Up            uint8
}

func (*AttrAdaptQoS) AttrType() AttrType { return AttrTypeAdaptQoS }

func (a *AttrAdaptQoS) walk(w *walker) {
	at := w.pos()
	w.u8("flags", &a.Flags)
	if w.decode && w.ok() && a.Flags&^adaptQoSKnown != 0 {
		w.failAt(errUpOptAttr, "flags", at, 1, "ADAPT_QOS Flags 0x%02x has bits the draft does not define", a.Flags)
		return
	}
	if a.Flags&AdaptQoSDownstreamMin != 0 {
		w.u32("downstream_min", &a.DownstreamMin)
	}
	if a.Flags&AdaptQoSDownstream != 0 {
		w.u32("downstream", &a.Downstream)
	}
	if a.Flags&AdaptQoSDownstreamMax != 0 {
		w.u32("downstream_max", &a.DownstreamMax)
	}
	if a.Flags&AdaptQoSPeriod != 0 {
		w.u32("period", &a.Period)
	}
	if a.Flags&AdaptQoSUp != 0 {
		w.u8("up", &a.Up)
	}
}
