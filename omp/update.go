package omp

import (
	"encoding/binary"
	"fmt"
)

// Update is the UPDATE message (section 3.1.3): Attributes Length, then
// attributes. Routes travel in ATTR_TYPE_REACHABLES and withdrawals in
// ATTR_TYPE_UNREACHABLES.
type Update struct {
	Attributes []Attribute
}

func (*Update) Type() MsgType { return TypeUpdate }

func (m *Update) walk(w *walker) { walkAttrList(w, "attributes_length", &m.Attributes, true) }

// Query is the QUERY message (section 3.1.6): Attribute Length, then
// ATTR_TYPE_REACHABLES and ATTR_TYPE_UNREACHABLES attributes. Its
// attributes decode as an UPDATE's and fail with the same subcodes.
type Query struct {
	Attributes []Attribute
}

func (*Query) Type() MsgType { return TypeQuery }

func (m *Query) walk(w *walker) { walkAttrList(w, "attribute_length", &m.Attributes, false) }

// walkAttrList is the body of an UPDATE (update) or a QUERY: the
// attributes under their 2-byte length, named lengthLeaf, then the checks
// of the list as a whole.
func walkAttrList(w *walker, lengthLeaf string, attrs *[]Attribute, update bool) {
	w.length2(lengthLeaf, "attributes", errUpAttrList, func() {
		walkAttributes(w, attrs)
	})
	if w.decode && w.ok() {
		checkAttributes(w, *attrs, update)
	}
}

// Attribute is one path attribute: Flags, and a Value whose type gives
// the attribute Type. Length is computed on encode.
type Attribute struct {
	Flags AttrFlags
	Value AttrValue
}

// Type is the attribute Type.
func (a Attribute) Type() AttrType {
	if a.Value == nil {
		return 0
	}
	return a.Value.AttrType()
}

// AttrValue is an attribute's data in typed form, one type for each
// attribute format the draft gives (AttrTLOC, AttrPref, ...), or RawAttr.
type AttrValue interface {
	AttrType() AttrType
	walk(w *walker)
}

// Attr is an attribute with no flags set.
func Attr(v AttrValue) Attribute { return Attribute{Value: v} }

// Find returns the first attribute of type t.
func Find(attrs []Attribute, t AttrType) (AttrValue, bool) {
	for _, a := range attrs {
		if a.Type() == t {
			return a.Value, true
		}
	}
	return nil, false
}

// Find returns the UPDATE's first attribute of type t.
func (m *Update) Find(t AttrType) (AttrValue, bool) { return Find(m.Attributes, t) }

// attrBlock is what decoding an attribute list allocates: the typed
// values, and room for a typical number of attributes, in one allocation.
type attrBlock struct {
	set   attrSet
	attrs [8]Attribute
}

func walkAttributes(w *walker, attrs *[]Attribute) {
	var set *attrSet
	if w.decode {
		b := new(attrBlock)
		set = &b.set
		if n := countAttributes(w.buf[w.off:w.lim]); n <= len(b.attrs) {
			*attrs = b.attrs[:0]
		} else {
			*attrs = make([]Attribute, 0, n)
		}
	}
	list(w, "attr", attrs, 0, func(a *Attribute) { a.walk(w, set) })
}

// countAttributes counts the attribute headers in b, stopping at the
// first that does not fit, so that decode allocates the list once.
func countAttributes(b []byte) int {
	n := 0
	for at := 0; ; n++ {
		h, ok := AttrSpan(b, at)
		if !ok || h.End > len(b) {
			break
		}
		at = h.End
	}
	return n + 1
}

// The attribute header (section 3.1.3): Flags, Type, then a Length of 1
// byte, or of 2 with ATTR_EXTENDED.
const (
	attrHeaderLen    = 3                 // Flags, Type, 1-byte Length
	attrExtHeaderLen = attrHeaderLen + 1 // Flags, Type, 2-byte Length
)

// attrLenWidth is the width of the Length of an attribute with flags f.
func attrLenWidth(f AttrFlags) int {
	if f&AttrExtended != 0 {
		return 2
	}
	return 1
}

// AttrHeader is an attribute's header as the bytes give it, untrusted.
type AttrHeader struct {
	Flags AttrFlags
	Type  AttrType
	Data  int // offset of the data, after the Length
	End   int // offset after the data as the Length gives it: may pass the bytes' end
}

// AttrSpan reads the header of the attribute at offset at of b by the
// attribute list's own framing, as far as b goes: the message need not
// decode. ok is false, and h of no use, if the header does not fit in b
// (or at is outside b); End is not checked against len(b).
func AttrSpan(b []byte, at int) (h AttrHeader, ok bool) {
	if at < 0 || at > len(b)-attrHeaderLen {
		return
	}
	h.Flags, h.Type, h.Data, h.End = AttrFlags(b[at]), AttrType(b[at+1]), at+attrHeaderLen, int(b[at+2])
	if h.Flags&AttrExtended != 0 {
		if at > len(b)-attrExtHeaderLen {
			return
		}
		h.Data, h.End = at+attrExtHeaderLen, h.End<<8|int(b[at+3])
	}
	h.End += h.Data
	return h, true
}

// attrListAt is the offset of the first attribute of an UPDATE or a
// QUERY: after the header and the 2-byte Attributes Length.
const attrListAt = HeaderLen + 2

// ScanAttrs walks the attribute list of raw, a whole UPDATE or QUERY, by
// the list's own framing (Attributes Length, then each attribute's
// header, AttrSpan), as far as it goes: the message need not decode, and
// no length is trusted past the list or the bytes. f sees each
// attribute that fits, its header and data; returning false stops the
// walk.
func ScanAttrs(raw []byte, f func(h AttrHeader, data []byte) bool) {
	if len(raw) < attrListAt {
		return
	}
	n := int(binary.BigEndian.Uint16(raw[HeaderLen:]))
	list := raw[:min(len(raw), attrListAt+n)]
	for at := attrListAt; ; {
		h, ok := AttrSpan(list, at)
		if !ok || h.End > len(list) || !f(h, list[h.Data:h.End]) {
			return
		}
		at = h.End
	}
}

func (a *Attribute) walk(w *walker, set *attrSet) {
	flagsAt, flagsField := w.pos(), len(w.fields)
	enumField(w, "flags", &a.Flags)
	var t AttrType
	if !w.decode {
		if a.Value == nil {
			w.encFail("%s: attribute without a value", w.name(""))
			if !w.ok() {
				return
			}
		} else {
			t = a.Value.AttrType()
		}
	}
	typeAt := w.pos()
	enumField(w, "type", &t)
	if w.decode {
		if !w.ok() {
			return
		}
		if bad := a.Flags &^ attrFlagsKnown; bad != 0 {
			w.failAt(errUpFlags, "flags", flagsAt, 1, "Flags 0x%02x has bits the draft does not define (0x%02x)", uint8(a.Flags), uint8(bad))
			return
		}
		if a.Flags&AttrPartial != 0 && a.Flags&AttrOptional == 0 {
			w.failAt(errUpFlags, "flags", flagsAt, 1, "ATTR_PARTIAL is set on an attribute that is not ATTR_OPTIONAL")
			return
		}
		if set.mark(t) {
			w.failAt(errUpAttrList, "type", typeAt, 1, "%s appears more than once", t)
			return
		}
		a.Value = set.value(t)
		if a.Value == nil {
			if a.Flags&AttrOptional == 0 {
				w.failAt(errUpUnknown, "type", typeAt, 1, "attribute Type %d is not known and not ATTR_OPTIONAL", t)
				return
			}
			a.Value = &RawAttr{AType: t}
		}
	}
	width := attrLenWidth(a.Flags)
	if w.decode && !w.checkAttrLen(t, width) {
		return
	}
	widened := w.attrLength(width, func() {
		if a.Value != nil {
			a.Value.walk(w)
			w.jsonFix(a.Value)
		}
	})
	if widened {
		// The data outgrew a 1-byte Length: the wire carries
		// ATTR_EXTENDED, and so does the field map; a.Flags is the
		// caller's and stays as it is.
		w.buf[w.base+flagsAt] |= byte(AttrExtended)
		if w.rec && flagsField < len(w.fields) {
			w.fields[flagsField].Value = (a.Flags | AttrExtended).String()
		}
	}
}

// attrLength is an attribute's Length, of width bytes (1, or 2 with
// ATTR_EXTENDED), then its data, "value", whose fields body names under
// it. A Length that runs past the attribute list is ATTR_LIST; data that
// runs out of those bytes or leaves some unread is LENGTH. Encoding
// widens a 1-byte Length whose data outgrows it to 2 bytes in place, and
// reports that it did.
func (w *walker) attrLength(width int, body func()) (widened bool) {
	return w.region(lengthField{leaf: "length", width: width, group: "value", enter: true, over: errUpAttrList, inner: errUpLength, widen: true}, body)
}

// checkAttrLen refuses, as OMP_SUB_ERR_UPDATE_LENGTH on the Length field,
// an attribute of type t whose Length is not the fixed size of its data.
// A Length that runs past the attribute list is left to the region, as
// ATTR_LIST.
func (w *walker) checkAttrLen(t AttrType, width int) bool {
	if w.remaining() < width {
		return true
	}
	n := int(w.buf[w.off])
	if width == 2 {
		n = n<<8 | int(w.buf[w.off+1])
	}
	if n > w.remaining()-width || attrLenOK(t, n) {
		return true
	}
	w.failAt(errUpLength, "length", w.off, width, "%s data is %d bytes; the draft gives %s", t, n, attrLenText(t))
	return false
}

// checkAttributes applies the rule that spans attributes: a vRoute
// advertisement carries its TLOC next hop (MISSING). Duplicates were
// refused as each attribute was read.
func checkAttributes(w *walker, attrs []Attribute, update bool) {
	if !update {
		return
	}
	r, ok := Find(attrs, AttrTypeReachables)
	if !ok || r.(*AttrReachables).SAFI != SAFIVRoute {
		return
	}
	if _, ok := Find(attrs, AttrTypeTLOC); !ok {
		// The walk is in the UPDATE's group: the field is
		// "update.attributes", and Data the missing type, as in BGP.
		w.failAt(errUpMissing, "attributes", HeaderLen+2, 0, "ATTR_TYPE_REACHABLES of SAFI_VROUTE without ATTR_TYPE_TLOC")
		w.err.Data = []byte{byte(AttrTypeTLOC)}
	}
}

// RawAttr is an attribute whose data the codec does not interpret: a
// type the draft lists without a format (MULTICAST, GEN_ID, ULTIMATE_TLOC,
// SLA, OVERLAY_ID, QOS_GROUP, CAP, TLOC_INSTALLED, EXT_COMMUNITY), or an
// unknown optional type. It is carried byte for byte.
type RawAttr struct {
	AType AttrType
	Data  []byte
}

func (a *RawAttr) AttrType() AttrType { return a.AType }
func (a *RawAttr) walk(w *walker)     { w.bytes("data", &a.Data, -1) }

func (a *RawAttr) String() string { return fmt.Sprintf("%s %x", a.AType, a.Data) }
