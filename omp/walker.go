package omp

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// walker runs a layout in one of two directions. Every structure of the
// wire format has exactly one walk method that names its fields in order;
// the walker reads them (decode), writes them (encode), and, when asked,
// records the field map. So each layout lives in one place.
//
// Decoding never reads past w.lim (the end of the innermost length-bounded
// region), never trusts a length that runs past its region, and stops at
// the first error: every primitive is a no-op once w.err is set.
type walker struct {
	decode bool
	buf    []byte // decode: the message; encode: the output
	off    int    // decode: read offset
	lim    int    // decode: end of the innermost region
	base   int    // encode: where the message starts in buf

	trunc errSpec // the ALERT for running out of bytes in this region
	err   *Error  // first decode error
	eerr  error   // first encode error

	rec    bool // record the field map
	named  bool // build field names (rec, or pinned lengths)
	fields FieldMap
	path   [32]seg
	depth  int
	pins   map[string]int
}

type seg struct {
	name string
	idx  int // -1: not an element of a list
}

// ok reports whether walking should go on.
func (w *walker) ok() bool { return w.err == nil && w.eerr == nil }

// pos is the current offset from the start of the message.
func (w *walker) pos() int {
	if w.decode {
		return w.off
	}
	return len(w.buf) - w.base
}

// remaining is how many bytes are left in the current region (decode).
func (w *walker) remaining() int { return w.lim - w.off }

func (w *walker) push(name string, idx int) {
	if w.depth < len(w.path) {
		w.path[w.depth] = seg{name, idx}
	}
	w.depth++
}

func (w *walker) pop() { w.depth-- }

// name is the full field name of leaf under the current path.
func (w *walker) name(leaf string) string {
	var b strings.Builder
	for i := 0; i < w.depth && i < len(w.path); i++ {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(w.path[i].name)
		if w.path[i].idx >= 0 {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(w.path[i].idx))
			b.WriteByte(']')
		}
	}
	if leaf != "" {
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(leaf)
	}
	return b.String()
}

// record appends a field to the field map.
func (w *walker) record(leaf string, start, n int, kind FieldKind, counts, value string) {
	w.fields = append(w.fields, Field{Name: w.name(leaf), Offset: start, Length: n, Kind: kind, Counts: counts, Value: value})
}

// note sets the value text of the last recorded field.
func (w *walker) note(s string) {
	if w.rec && len(w.fields) > 0 {
		w.fields[len(w.fields)-1].Value = s
	}
}

// failAt records a decode error at field leaf, covering bytes [start, start+n).
func (w *walker) failAt(spec errSpec, leaf string, start, n int, format string, args ...any) {
	if w.err != nil {
		return
	}
	end := start + n
	if end > len(w.buf) {
		end = len(w.buf)
	}
	if start > end {
		start = end
	}
	w.err = &Error{
		Code:    spec.code,
		Subcode: spec.sub,
		Field:   w.name(leaf),
		Offset:  start,
		Data:    append([]byte(nil), w.buf[start:end]...),
		Reason:  fmt.Sprintf(format, args...),
	}
}

// short records running out of bytes while reading leaf.
func (w *walker) short(leaf string, want int) {
	w.failAt(w.trunc, leaf, w.off, w.remaining(), "%s needs %d bytes, %d remain", w.name(leaf), want, w.remaining())
}

// encFail records an encode error.
func (w *walker) encFail(format string, args ...any) {
	if w.eerr == nil {
		w.eerr = fmt.Errorf("omp: encode: "+format, args...)
	}
}

// take returns the next n bytes of the region (decode).
func (w *walker) take(leaf string, n int) []byte {
	if !w.ok() {
		return nil
	}
	if n > w.remaining() {
		w.short(leaf, n)
		return nil
	}
	b := w.buf[w.off : w.off+n]
	w.off += n
	return b
}

func (w *walker) leaf(leaf string, start, n int, value func() string) {
	if w.rec && w.ok() {
		w.record(leaf, start, n, FieldLeaf, "", value())
	}
}

func (w *walker) u8(leaf string, v *uint8) {
	start := w.pos()
	if w.decode {
		b := w.take(leaf, 1)
		if b == nil {
			return
		}
		*v = b[0]
	} else {
		w.buf = append(w.buf, *v)
	}
	if w.rec {
		w.leaf(leaf, start, 1, func() string { return strconv.Itoa(int(*v)) })
	}
}

func (w *walker) u16(leaf string, v *uint16) {
	start := w.pos()
	if w.decode {
		b := w.take(leaf, 2)
		if b == nil {
			return
		}
		*v = binary.BigEndian.Uint16(b)
	} else {
		w.buf = binary.BigEndian.AppendUint16(w.buf, *v)
	}
	if w.rec {
		w.leaf(leaf, start, 2, func() string { return strconv.Itoa(int(*v)) })
	}
}

// u24 is a 3-byte integer (the VROUTE and multicast Label).
func (w *walker) u24(leaf string, v *uint32) {
	start := w.pos()
	if w.decode {
		b := w.take(leaf, 3)
		if b == nil {
			return
		}
		*v = uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2])
	} else {
		if *v > 0xFFFFFF {
			w.encFail("%s: %d does not fit in 3 bytes", w.name(leaf), *v)
		}
		w.buf = append(w.buf, byte(*v>>16), byte(*v>>8), byte(*v))
	}
	if w.rec {
		w.leaf(leaf, start, 3, func() string { return strconv.FormatUint(uint64(*v), 10) })
	}
}

func (w *walker) u32(leaf string, v *uint32) {
	start := w.pos()
	if w.decode {
		b := w.take(leaf, 4)
		if b == nil {
			return
		}
		*v = binary.BigEndian.Uint32(b)
	} else {
		w.buf = binary.BigEndian.AppendUint32(w.buf, *v)
	}
	if w.rec {
		w.leaf(leaf, start, 4, func() string { return strconv.FormatUint(uint64(*v), 10) })
	}
}

func (w *walker) u64(leaf string, v *uint64) {
	start := w.pos()
	if w.decode {
		b := w.take(leaf, 8)
		if b == nil {
			return
		}
		*v = binary.BigEndian.Uint64(b)
	} else {
		w.buf = binary.BigEndian.AppendUint64(w.buf, *v)
	}
	if w.rec {
		w.leaf(leaf, start, 8, func() string { return strconv.FormatUint(*v, 10) })
	}
}

// addr is an IPv4 (n=4) or IPv6 (n=16) address. Encoding the zero Addr
// writes zeros; an IPv6 address in a 4-byte field is an encode error.
func (w *walker) addr(leaf string, v *netip.Addr, n int) {
	start := w.pos()
	if w.decode {
		b := w.take(leaf, n)
		if b == nil {
			return
		}
		if n == 4 {
			*v = netip.AddrFrom4([4]byte(b))
		} else {
			*v = netip.AddrFrom16([16]byte(b))
		}
	} else {
		switch {
		case !v.IsValid():
			w.buf = append(w.buf, make([]byte, n)...)
		case n == 4 && v.Is4():
			a := v.As4()
			w.buf = append(w.buf, a[:]...)
		case n == 16:
			a := v.As16()
			w.buf = append(w.buf, a[:]...)
		default:
			w.encFail("%s: %s is not a %d-byte address", w.name(leaf), v, n)
			w.buf = append(w.buf, make([]byte, n)...)
		}
	}
	if w.rec {
		w.leaf(leaf, start, n, func() string { return v.String() })
	}
}

// bytes is a byte string of n bytes, or of the rest of the region if n < 0.
// Decoding copies, so a decoded message never aliases its input.
func (w *walker) bytes(leaf string, v *[]byte, n int) {
	start := w.pos()
	if w.decode {
		if n < 0 {
			n = w.remaining()
		}
		b := w.take(leaf, n)
		if b == nil {
			return
		}
		*v = append([]byte(nil), b...)
	} else {
		if n >= 0 && len(*v) != n {
			w.encFail("%s: %d bytes, want %d", w.name(leaf), len(*v), n)
		}
		w.buf = append(w.buf, *v...)
		n = len(*v)
	}
	if w.rec && n > 0 {
		w.leaf(leaf, start, n, func() string { return hex.EncodeToString(*v) })
	}
}

// group walks body as the named part of the message, recording a group
// field around it. idx >= 0 makes it the idx'th element of a list.
func (w *walker) group(name string, idx int, body func()) {
	w.push(name, idx)
	start := w.pos()
	at := -1
	if w.rec {
		at = len(w.fields)
		w.record("", start, 0, FieldGroup, "", "")
	}
	body()
	if at >= 0 {
		w.fields[at].Length = w.pos() - start
	}
	w.pop()
}

// region is a length field of width bytes (1 or 2) followed by the bytes
// it counts, which body walks. The counted bytes are recorded as the group
// named group; if enter is set, body's fields are named under it.
//
// Decoding: a length that runs past the enclosing region is an error of
// over; running out of bytes inside the body, or a body that leaves bytes
// unread, is an error of inner. Encoding: the length is computed after
// the body, unless a pinned length is given for it in EncodeOptions.
// With widen set, a width-1 length whose body exceeds 255 bytes is widened
// to 2 bytes in place, and region returns true.
func (w *walker) region(lenLeaf string, width int, group string, enter bool, over, inner errSpec, widen bool, body func()) (widened bool) {
	lenStart := w.pos()
	var n int
	if w.decode {
		b := w.take(lenLeaf, width)
		if b == nil {
			return false
		}
		if width == 1 {
			n = int(b[0])
		} else {
			n = int(binary.BigEndian.Uint16(b))
		}
		if n > w.remaining() {
			w.failAt(over, lenLeaf, lenStart, width, "%s is %d but only %d bytes remain", w.name(lenLeaf), n, w.remaining())
			return false
		}
	} else {
		w.buf = append(w.buf, make([]byte, width)...)
	}
	lenAt := -1
	if w.rec {
		lenAt = len(w.fields)
		w.record(lenLeaf, lenStart, width, FieldLength, w.name(group), strconv.Itoa(n))
	}
	start := w.pos()
	savedLim, savedTrunc := w.lim, w.trunc
	if w.decode {
		w.lim = w.off + n
	}
	w.trunc = inner
	groupAt := -1
	if w.rec {
		groupAt = len(w.fields)
		w.record(group, start, 0, FieldGroup, "", "")
	}
	if enter {
		w.push(group, -1)
	}
	body()
	if enter {
		w.pop()
	}
	w.trunc = savedTrunc
	if w.decode {
		if w.ok() && w.off != w.lim {
			w.failAt(inner, lenLeaf, lenStart, width, "%s is %d but its contents take %d bytes", w.name(lenLeaf), n, w.off-start)
		}
		w.lim = savedLim
	} else {
		n = w.pos() - start
		if width == 1 && n > 0xFF && widen {
			// Make room for a second length byte and shift everything
			// written since, fields included.
			at := w.base + lenStart + 1
			w.buf = append(w.buf, 0)
			copy(w.buf[at+1:], w.buf[at:])
			w.buf[at] = 0
			for i := lenAt + 1; lenAt >= 0 && i < len(w.fields); i++ {
				w.fields[i].Offset++
			}
			width, widened, start = 2, true, start+1
			if lenAt >= 0 {
				w.fields[lenAt].Length = 2
			}
		}
		v := n
		if w.pins != nil {
			if p, ok := w.pins[w.name(lenLeaf)]; ok {
				v = p
			}
		}
		at := w.base + lenStart
		if width == 1 {
			if v > 0xFF {
				w.encFail("%s: %d does not fit in 1 byte", w.name(lenLeaf), v)
			}
			w.buf[at] = byte(v)
		} else {
			if v > 0xFFFF {
				w.encFail("%s: %d does not fit in 2 bytes", w.name(lenLeaf), v)
			}
			binary.BigEndian.PutUint16(w.buf[at:], uint16(v))
		}
		if lenAt >= 0 {
			w.fields[lenAt].Value = strconv.Itoa(v)
		}
	}
	if groupAt >= 0 {
		w.fields[groupAt].Length = w.pos() - start
	}
	return widened
}

// list walks the elements of a slice: on encode every element, on decode
// as many as the region holds. size, if positive, is the fixed wire size
// of an element, so decode allocates the slice once.
func list[T any](w *walker, name string, s *[]T, size int, each func(e *T)) {
	if !w.decode {
		for i := range *s {
			if !w.ok() {
				return
			}
			w.group(name, i, func() { each(&(*s)[i]) })
		}
		return
	}
	*s = (*s)[:0]
	if size > 0 && cap(*s) < w.remaining()/size {
		*s = make([]T, 0, w.remaining()/size)
	}
	for i := 0; w.ok() && w.remaining() > 0; i++ {
		var zero T
		*s = append(*s, zero)
		before := w.off
		w.group(name, i, func() { each(&(*s)[i]) })
		if w.ok() && w.off == before {
			// Cannot happen with a layout that reads at least one byte,
			// but a decoder must never spin.
			w.failAt(w.trunc, name, w.off, 0, "%s consumed no bytes", name)
		}
	}
}

// count is a count field of width bytes (1, 2 or 4) that gives the number
// of elements that follow. Encoding writes n (or a pinned value); decoding
// returns the value read, which the caller must not trust for allocation.
func (w *walker) count(leaf string, width int, n int) int {
	start := w.pos()
	if w.decode {
		b := w.take(leaf, width)
		if b == nil {
			return 0
		}
		switch width {
		case 1:
			n = int(b[0])
		case 2:
			n = int(binary.BigEndian.Uint16(b))
		default:
			n = int(binary.BigEndian.Uint32(b))
		}
	} else {
		if w.pins != nil {
			if p, ok := w.pins[w.name(leaf)]; ok {
				n = p
			}
		}
		switch width {
		case 1:
			w.buf = append(w.buf, byte(n))
		case 2:
			w.buf = binary.BigEndian.AppendUint16(w.buf, uint16(n))
		default:
			w.buf = binary.BigEndian.AppendUint32(w.buf, uint32(n))
		}
	}
	if w.rec && w.ok() {
		w.record(leaf, start, width, FieldLeaf, "", strconv.Itoa(n))
	}
	return n
}

// const8 is a 1-byte field whose value the layout fixes (a sub-TLV type or
// length drawn as "PROTO=1"). Decoding any other value is an error of spec.
func (w *walker) const8(leaf string, want uint8, spec errSpec) {
	v := want
	start := w.pos()
	w.u8(leaf, &v)
	if w.decode && w.ok() && v != want {
		w.failAt(spec, leaf, start, 1, "%s is %d, the layout requires %d", w.name(leaf), v, want)
	}
}
