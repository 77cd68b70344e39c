package reports

import (
	"bytes"
	"encoding/hex"
	"regexp"
	"slices"
	"strings"

	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/transcript"
)

// Redaction finds key material from the layout alone, never from a full
// decode, so that it holds where decoding fails (a mutated sub-TLV before
// the key, a length that runs past its attribute, a cut message):
//
//   - An UPDATE's (or QUERY's) attribute list is walked by its own
//     Flags/Type/Length framing, whatever its Attributes Length and the
//     header say. In an ATTR_TYPE_TLOC_ENCAP (Encap Type, Length,
//     sub-TLVs) and an ATTR_TYPE_SECURITY (sub-TLVs) the sub-TLVs are
//     walked by their Type/Length framing: the values of AUTH_KEY and
//     ENCRYPT_KEY (TLOC_ENCAP), AUTH and ENCRYPT (SECURITY) are redacted.
//     Where that framing breaks (a Type the draft does not list, a
//     fixed-size sub-TLV of another size, a list sub-TLV longer than
//     maxList, a TLOC_ENCAP Length that is not the sub-TLVs' size) the
//     rest of the attribute's value is redacted, from that sub-TLV's value
//     on; where a sub-TLV runs past the attribute (whose Length may be
//     what is wrong), or the attribute past the message, the rest of the
//     message. A key-bearing attribute too short to hold a sub-TLV is
//     redacted, and what follows it scanned as bytes of no known layout.
//   - Bytes of no known layout (the value of an attribute whose format
//     the draft does not give, or whose Type it does not list; an
//     ALERT's Data, which may echo the offending attribute or its value;
//     a POLICY's data; the body of a message of an unknown Type) are
//     scanned for the header of a key sub-TLV, a Type of one and a Length
//     of minKey to maxKey(+1) bytes, whose value is redacted; and for key-
//     bearing attribute candidates, below.
//   - When an UPDATE does not decode, or its framing breaks, its framing
//     may be misplaced (a Type or Length mutated): the value of the
//     attribute the decoder failed in is scanned as bytes of no known
//     layout, and the whole list for candidates: every byte that is the
//     Type of a TLOC_ENCAP or SECURITY attribute (its Flags perhaps lost)
//     is taken as one, with the Length after it, and if its value holds
//     the header of one of its key sub-TLVs its keys are redacted as
//     above. A HANDSHAKE, HELLO or INFORM that does not decode is
//     scanned for candidates too.
//
// Within a case, a byte string of at least minSecret bytes that was
// redacted in one message is redacted wherever else it appears in the
// case (a DUT echoing it without any header), and so is a hex string in a
// note or error that spells part of one (a mutation that wrote a key).

// Layout constants of the walk.
const (
	attrListAt   = omp.HeaderLen + 2 // after the Attributes Length
	maxList      = 16                // bytes of a SECURITY list sub-TLV (PROTOCOL, ENCRYPT, INTEGRITY) taken at face value
	scanBudget   = 1 << 20           // bytes the scans of one message look at; past that the rest is redacted
	minKey       = 16                // bytes of the shortest key a scan looks for
	maxKey       = 128               // bytes of the longest
	windowLen    = 4 + 255           // bytes after a key-bearing Type over which a damaged attribute header may spread its sub-TLVs
	minSecret    = 8                 // bytes of a redacted string searched for elsewhere in the case
	maxSecrets   = 128               // strings searched for per case
	maxSecretLen = 4160              // longest string searched for
)

// sub-TLV kinds.
const (
	tlvUnknown = iota
	tlvKey
	tlvList
	tlvFixed // the fixed size follows
)

type tlvSpec func(t uint8) (kind, size int)

func encapTLV(t uint8) (int, int) {
	switch t {
	case omp.EncapTLVAuthKey, omp.EncapTLVEncryptKey:
		return tlvKey, 0
	case omp.EncapTLVGREKey, omp.EncapTLVSPI:
		return tlvFixed, 4
	case omp.EncapTLVAuth, omp.EncapTLVEncrypt:
		return tlvFixed, 1
	case omp.EncapTLVProtocol:
		return tlvFixed, 2
	}
	return tlvUnknown, 0
}

func securityTLV(t uint8) (int, int) {
	switch t {
	case omp.SecTLVAuth, omp.SecTLVEncryptKey:
		return tlvKey, 0
	case omp.SecTLVSAIdx:
		return tlvFixed, 2
	case omp.SecTLVSPI:
		return tlvFixed, 4
	case omp.SecTLVFlags:
		return tlvFixed, 1
	case omp.SecTLVProtocol, omp.SecTLVEncrypt, omp.SecTLVIntegrity:
		return tlvList, 0
	}
	return tlvUnknown, 0
}

func keyAttr(t byte) bool {
	return omp.AttrType(t) == omp.AttrTypeTLOCEncap || omp.AttrType(t) == omp.AttrTypeSecurity
}

// marks collects byte ranges to redact.
type marks [][2]int

func (m *marks) mark(from, to int) {
	if from < to {
		*m = append(*m, [2]int{from, to})
	}
}

// merged returns the ranges sorted and merged.
func (m marks) merged() [][2]int {
	if len(m) == 0 {
		return nil
	}
	s := slices.Clone(m)
	slices.SortFunc(s, func(a, b [2]int) int { return a[0] - b[0] })
	out := s[:1]
	for _, r := range s[1:] {
		last := &out[len(out)-1]
		if r[0] <= last[1] {
			last[1] = max(last[1], r[1])
		} else {
			out = append(out, r)
		}
	}
	return out
}

// keyRegions returns the ranges of raw that hold, or may hold, key
// material, as the layout says (see above), unmerged.
func keyRegions(raw []byte) marks {
	t, ok := omp.TypeOf(raw)
	if !ok {
		return nil
	}
	w := walk{raw: raw, end: len(raw), budget: scanBudget}
	switch t {
	case omp.TypeUpdate, omp.TypeQuery:
		broke := w.attrs(attrListAt)
		_, err := omp.Decode(raw)
		if err == nil && broke == w.end {
			return w.m
		}
		// Something is wrong, and the framing may be misplaced (a Type or
		// Length mutated). The attribute the decoder failed in may be a
		// key-bearing one whose Type was changed: its value is taken as
		// bytes of no known layout; and every key-bearing attribute header
		// is looked for in the whole list.
		if oe, ok := omp.AsError(err); ok {
			if v, vEnd, ok := w.valueAt(oe.Offset); ok {
				w.opaque(v, vEnd)
			}
		}
		w.doubt = true
		w.candidates(attrListAt, w.end)
	case omp.TypeHandshake, omp.TypeHello, omp.TypeInform:
		if !decodes(raw) {
			w.doubt = true
			w.candidates(omp.HeaderLen, w.end)
		}
	case omp.TypeAlert:
		w.opaque(omp.HeaderLen+2, w.end)
	default:
		w.opaque(omp.HeaderLen, w.end)
	}
	return w.m
}

// walk finds the key regions of one message.
type walk struct {
	doubt  bool // the framing is in doubt: where a value's framing breaks, the rest of the message is marked
	m      marks
	raw    []byte
	end    int // the end of the message
	budget int // bytes the scans may still look at
}

// attrHeader reads the attribute header at p: its type and the bounds of
// its value as its Length gives them (vEnd may pass the message's end).
// ok is false if the header itself does not fit.
func (w *walk) attrHeader(p int) (t byte, v, vEnd int, ok bool) {
	h, ok := omp.AttrSpan(w.raw[:w.end], p)
	return byte(h.Type), h.Data, h.End, ok
}

// attrs walks the attribute list from p by its framing and marks the keys
// of every key-bearing attribute, and whatever may be key material in the
// values without a format. It returns where the framing broke: the start
// of the attribute that does not fit, or the end.
func (w *walk) attrs(p int) int {
	for p < w.end {
		t, v, vEnd, ok := w.attrHeader(p)
		if !ok {
			return p
		}
		if vEnd > w.end {
			if keyAttr(t) {
				w.m.mark(v, w.end)
			}
			return p
		}
		switch {
		case keyAttr(t) && vEnd-v < 4:
			// A key-bearing attribute too short for a key: its Length
			// may be what was mutated, and its sub-TLVs follow it.
			w.m.mark(v, vEnd)
			w.opaque(vEnd, w.end)
		case keyAttr(t):
			w.keyAttrValue(t, v, vEnd)
		case opaqueAttr(t):
			w.opaque(v, vEnd)
		}
		p = vEnd
	}
	return w.end
}

// valueAt returns the bounds of the value of the attribute, as the list's
// framing places it, that holds byte off.
func (w *walk) valueAt(off int) (v, vEnd int, ok bool) {
	for p := attrListAt; p < w.end && p <= off; {
		_, v, vEnd, ok := w.attrHeader(p)
		if !ok || vEnd > w.end {
			return 0, 0, false
		}
		if off < vEnd {
			return v, vEnd, true
		}
		p = vEnd
	}
	return 0, 0, false
}

// opaqueAttr says an attribute's value is bytes the draft gives no format
// for (MULTICAST, GEN_ID, ..., or a type it does not list): they may hold
// anything.
func opaqueAttr(t byte) bool {
	switch omp.AttrType(t) {
	case omp.AttrTypeMulticast, omp.AttrTypeGenID, omp.AttrTypeUltimateTLOC, omp.AttrTypeSLA, omp.AttrTypeOverlayID,
		omp.AttrTypeQoSGroup, omp.AttrTypeCap, omp.AttrTypeTLOCInstalled, omp.AttrTypeExtCommunity:
		return true
	}
	return t == 0 || omp.AttrType(t) > omp.MaxAttrType
}

// keyTLVTypes are the Types of the sub-TLVs that carry keys in a
// key-bearing attribute of type t.
func keyTLVTypes(t byte) (byte, byte) {
	if omp.AttrType(t) == omp.AttrTypeSecurity {
		return omp.SecTLVAuth, omp.SecTLVEncryptKey
	}
	return omp.EncapTLVAuthKey, omp.EncapTLVEncryptKey
}

// keyTLVHeader says the two bytes at i read as the header of a key
// sub-TLV, of either attribute, whose Length is that of a key.
func keyTLVHeader(raw []byte, i int) bool {
	switch raw[i] {
	case omp.EncapTLVAuthKey, omp.EncapTLVEncryptKey, omp.SecTLVAuth, omp.SecTLVEncryptKey:
		return keyLen(int(raw[i+1]))
	}
	return false
}

// keyLen says a sub-TLV Length is that of a key: minKey to maxKey bytes
// (a SECURITY key has its 1-byte key type before it).
func keyLen(l int) bool { return l >= minKey && l <= maxKey+1 }

// decodes reports whether raw is a well-formed message.
func decodes(raw []byte) bool {
	_, err := omp.Decode(raw)
	return err == nil
}

// spend takes n from the scans' budget; past it, everything from at on is
// marked, and spend reports false.
func (w *walk) spend(n, at int) bool {
	if w.budget -= n; w.budget < 0 {
		w.m.mark(at, w.end)
		return false
	}
	return true
}

// opaque marks in raw[from:to], bytes of no known layout, whatever may be
// key material: what candidates finds, and the value of every key
// sub-TLV header (the attribute's own header perhaps lost or changed), as
// far as to.
func (w *walk) opaque(from, to int) {
	w.candidates(from, to)
	for i := from; i+1 < to; i++ {
		if !w.spend(1, i) {
			return
		}
		if keyTLVHeader(w.raw, i) {
			w.m.mark(i+2, min(i+2+int(w.raw[i+1]), to))
		}
	}
}

// candidates takes every byte of raw[from:to] that is the Type of a
// key-bearing attribute as one (its Flags perhaps lost), with a 1-byte
// Length, and a 2-byte one too if the byte before has ATTR_EXTENDED; a
// candidate whose value holds the header of one of its key sub-TLVs has
// its keys marked.
func (w *walk) candidates(from, to int) {
	raw := w.raw
	window := -1 // the end of the bytes after a key-bearing Type
	for q := from; q+1 < to; q++ {
		if !w.spend(1, q) {
			return
		}
		if w.doubt && q <= window && keyTLVHeader(raw, q) {
			// The attribute's header may be damaged past reading: a key
			// sub-TLV header soon after its Type is taken as one.
			w.m.mark(q+2, min(q+2+int(raw[q+1]), w.end))
		}
		if !keyAttr(raw[q]) {
			continue
		}
		window = max(window, q+windowLen)
		w.candidate(raw[q], q+2, int(raw[q+1]))
		if q > from && raw[q-1]&byte(omp.AttrExtended) != 0 && q+2 < to {
			w.candidate(raw[q], q+3, int(raw[q+1])<<8|int(raw[q+2]))
		}
	}
}

func (w *walk) candidate(t byte, v, l int) {
	vEnd := min(v+l, w.end)
	k1, k2 := keyTLVTypes(t)
	for i := v; i+1 < vEnd; i++ {
		if !w.spend(1, i) {
			return
		}
		if (w.raw[i] == k1 || w.raw[i] == k2) && keyLen(int(w.raw[i+1])) {
			if v+l > w.end {
				w.m.mark(v, w.end)
			} else {
				w.keyAttrValue(t, v, vEnd)
			}
			return
		}
	}
}

// keyAttrValue marks the keys in the value raw[v:vEnd] of a TLOC_ENCAP or
// SECURITY attribute.
func (w *walk) keyAttrValue(t byte, v, vEnd int) {
	if omp.AttrType(t) == omp.AttrTypeSecurity {
		w.tlvs(v, vEnd, securityTLV)
		return
	}
	// Encap Type (2), Length (2), sub-TLVs.
	if vEnd-v < 4 {
		w.m.mark(v, vEnd)
		return
	}
	n, tlvs := int(w.raw[v+2])<<8|int(w.raw[v+3]), v+4
	switch {
	case tlvs+n > vEnd:
		w.m.mark(tlvs, w.end) // the attribute's Length may be what is wrong
	case tlvs+n < vEnd:
		w.m.mark(tlvs, w.restEnd(vEnd))
	default:
		w.tlvs(tlvs, vEnd, encapTLV)
	}
}

// restEnd is where the rest of a value whose framing broke ends: the
// value's end, or the message's when the framing is in doubt.
func (w *walk) restEnd(vEnd int) int {
	if w.doubt {
		return w.end
	}
	return vEnd
}

// tlvs walks the sub-TLVs of raw[p:end], marking key values; where the
// framing breaks it marks the rest of the attribute, and where a sub-TLV
// runs past the attribute (whose Length may be what is wrong) the rest of
// the message.
func (w *walk) tlvs(p, end int, spec tlvSpec) {
	raw := w.raw
	for p < end {
		if end-p < 2 {
			w.m.mark(p, w.end)
			return
		}
		t, l, val := raw[p], int(raw[p+1]), p+2
		if val+l > end {
			w.m.mark(val, w.end)
			return
		}
		kind, size := spec(t)
		switch {
		case kind == tlvKey:
			w.m.mark(val, val+l)
		case kind == tlvFixed && l == size, kind == tlvList && l <= maxList:
		default:
			w.m.mark(val, w.restEnd(end))
			return
		}
		p = val + l
	}
}

// Redact returns a copy of a message's bytes with its key material
// zeroed, and the byte ranges it zeroed ([offset, offset+length)), found
// from the layout as described above, whether the message decodes or
// not.
func Redact(raw []byte) ([]byte, [][2]int) {
	return zero(raw, keyRegions(raw).merged())
}

func zero(raw []byte, ranges [][2]int) ([]byte, [][2]int) {
	out := slices.Clone(raw)
	for _, r := range ranges {
		clear(out[r[0]:r[1]])
	}
	return out, ranges
}

// redactor redacts the entries of one case: each message by its layout,
// then every string redacted anywhere in the case wherever it appears.
type redactor struct {
	show    bool
	secrets [][]byte
}

func newRedactor(es []transcript.Entry, o Options) *redactor {
	r := &redactor{show: o.ShowKeys}
	if r.show {
		return r
	}
	seen := map[string]bool{}
	for _, e := range es {
		for _, k := range keyRegions(e.Raw) {
			s := e.Raw[k[0]:k[1]]
			if len(s) < minSecret || len(s) > maxSecretLen || len(r.secrets) >= maxSecrets || seen[string(s)] || trivial(s) {
				continue
			}
			seen[string(s)] = true
			r.secrets = append(r.secrets, s)
		}
	}
	return r
}

// trivial says s is one byte repeated that every message is full of
// (zeros, the marker's ones): searching for it would redact everything.
func trivial(s []byte) bool {
	return (s[0] == 0 || s[0] == 0xFF) && len(bytes.Trim(s, string(s[:1]))) == 0
}

// raw redacts one message's bytes; ranges are what it zeroed, merged.
func (r *redactor) raw(b []byte) ([]byte, [][2]int) {
	if r.show {
		return b, nil
	}
	m := keyRegions(b)
	for _, s := range r.secrets {
		for at := 0; at+len(s) <= len(b); {
			i := bytes.Index(b[at:], s)
			if i < 0 {
				break
			}
			m.mark(at+i, at+i+len(s))
			at += i + 1
		}
	}
	return zero(b, m.merged())
}

var hexRun = regexp.MustCompile(`[0-9a-fA-F]{16,}`)

// text redacts, in a note or error text, every hex string of 8 bytes or
// more that is part of a redacted string of the case.
func (r *redactor) text(s string) string {
	if r.show || len(r.secrets) == 0 {
		return s
	}
	return hexRun.ReplaceAllStringFunc(s, func(h string) string {
		b, err := hex.DecodeString(h[:len(h)&^1])
		if err != nil {
			return h
		}
		for _, sec := range r.secrets {
			if bytes.Contains(sec, b) {
				return strings.Repeat("·", len(h))
			}
		}
		return h
	})
}
