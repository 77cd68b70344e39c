package omp

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unsafe"
)

// walker runs a layout in one of two directions. Every structure of the
// wire format has exactly one walk method that names its fields in order;
// the walker reads them (decode), writes them (encode), and, when asked,
// records the field map; it also renders them as JSON (json.go) and
// compiles fixed layouts (fixed.go). So each layout lives in one place.
//
// Decoding never reads past w.lim (the end of the innermost length-bounded
// region), never trusts a length that runs past its region, and stops at
// the first error: every primitive is a no-op once w.err is set.
type walker struct {
	decode bool
	fdec   bool   // decode fast path: decoding, not recording, no error yet
	flim   int    // lim while fdec, else -1: the one test of a fast read
	fenc   bool   // encode fast path: encoding, not recording
	buf    []byte // decode: the message; encode: the output
	off    int    // decode: read offset
	lim    int    // decode: end of the innermost region
	base   int    // encode: where the message starts in buf

	trunc AlertID // the ALERT for running out of bytes in this region
	err   *Error  // first decode error
	eerr  error   // first encode error

	rec    bool // record the field map
	fields FieldMap
	path   [32]seg
	depth  int
	pins   map[string]int

	plan *planner // plan mode (fixed.go): record the fields, read nothing
	js   *jsonOut // JSON mode (json.go): render the fields, write nothing
}

// Walkers escape (walk methods are called through interfaces), so they
// are pooled: Decode and Append allocate none.
var walkerPool = sync.Pool{New: func() any { return new(walker) }}

// newDecoder returns a pooled walker that decodes b.
func newDecoder(b []byte, rec bool) *walker {
	w := walkerPool.Get().(*walker)
	w.decode, w.fdec, w.buf, w.rec, w.trunc = true, !rec, b, rec, errHeaderLength
	w.flim = -1
	w.setLim(len(b))
	return w
}

// newEncoder returns a pooled walker that appends to dst.
func newEncoder(dst []byte, rec bool, pins map[string]int) *walker {
	w := walkerPool.Get().(*walker)
	w.fenc, w.buf, w.base, w.rec, w.pins = !rec, dst, len(dst), rec, pins
	w.flim = -1
	return w
}

// release returns w to the pool, dropping every reference it holds.
func (w *walker) release() {
	// Clear all but path, whose names are string constants: it is only
	// read below depth, and clearing it costs more than the rest.
	w.decode, w.fdec, w.fenc, w.rec = false, false, false, false
	w.flim, w.buf, w.off, w.lim, w.base = -1, nil, 0, 0, 0
	w.trunc, w.err, w.eerr = AlertID{}, nil, nil
	w.fields, w.depth, w.pins, w.js = nil, 0, nil, nil
	walkerPool.Put(w)
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

// setLim sets the end of the current region (decode).
func (w *walker) setLim(l int) {
	w.lim = l
	if w.fdec {
		w.flim = l
	}
}

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

// note sets the value text of the last recorded field to v's name. It
// is a function, not a method, so that v is not boxed when not recording.
func note[T fmt.Stringer](w *walker, v T) {
	if w.rec && w.ok() && len(w.fields) > 0 {
		w.fields[len(w.fields)-1].Value = v.String()
	} else if w.js != nil {
		w.js.name(v.String())
	}
}

// enumField is a 1- or 2-byte enumerated field, noted by its name.
func enumField[T interface {
	~uint8 | ~uint16
	fmt.Stringer
}](w *walker, leaf string, v *T) {
	if unsafe.Sizeof(*v) == 1 {
		w.u8(leaf, (*uint8)(unsafe.Pointer(v)))
	} else {
		w.u16(leaf, (*uint16)(unsafe.Pointer(v)))
	}
	note(w, *v)
}

// failAt records a decode error at field leaf, covering bytes [start, start+n).
func (w *walker) failAt(spec AlertID, leaf string, start, n int, format string, args ...any) {
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
	w.fdec, w.flim = false, -1
	w.err = &Error{
		Code:    spec.Code,
		Subcode: spec.Subcode,
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

// encFail records an encode error. JSON renders what it is given: in
// JSON mode, nothing is an error.
func (w *walker) encFail(format string, args ...any) {
	if w.eerr == nil && w.js == nil {
		w.eerr = fmt.Errorf("omp: encode: "+format, args...)
	}
}

// truncAs walks body with running out of bytes failing as spec (the
// sub-structure of an optional attribute: OMP_SUB_ERR_UPDATE_OPT_ATTR).
func (w *walker) truncAs(spec AlertID, body func()) {
	saved := w.trunc
	w.trunc = spec
	body()
	w.trunc = saved
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

// group walks body as the named part of the message, recording a group
// field around it. idx >= 0 makes it the idx'th element of a list.
func (w *walker) group(name string, idx int, body func()) {
	at := w.enter(name, idx)
	body()
	w.leave(at)
}

// enter starts a group: it names what follows and, when recording, adds
// the group's field, whose index it returns (-1 when not recording).
func (w *walker) enter(name string, idx int) int {
	w.push(name, idx)
	return w.groupStart()
}

func (w *walker) enterRec() int {
	w.record("", w.pos(), 0, FieldGroup, "", "")
	return len(w.fields) - 1
}

// leave ends the group enter started.
func (w *walker) leave(at int) {
	w.groupEnd(at)
	w.pop()
}

// length1 is a 1-byte length field named leaf, then the bytes it counts:
// the group named group, which body walks. A length that runs past the
// enclosing region, and a body that runs out of those bytes or leaves
// some unread, are errors of spec. Encoding computes the length after the
// body, unless EncodeOptions pins it.
func (w *walker) length1(leaf, group string, spec AlertID, body func()) {
	w.region(lengthField{leaf: leaf, width: 1, group: group, over: spec, inner: spec}, body)
}

// length2 is length1 with a 2-byte length field.
func (w *walker) length2(leaf, group string, spec AlertID, body func()) {
	w.region(lengthField{leaf: leaf, width: 2, group: group, over: spec, inner: spec}, body)
}

// lengthField describes a length field and the bytes it counts, for region.
type lengthField struct {
	leaf  string // the length field's name
	width int    // 1 or 2 bytes
	group string // the counted bytes' group
	enter bool   // body's fields are named under group
	over  AlertID
	inner AlertID
	widen bool // encoding: a 1-byte length may grow to 2
}

// region is the length field l, then the bytes it counts, which body
// walks; they are recorded as the group l.group, and with l.enter set,
// body's fields are named under it.
//
// Decoding: a length that runs past the enclosing region is an error of
// l.over; running out of bytes inside the body, or a body that leaves
// bytes unread, is an error of l.inner. Encoding: the length is computed
// after the body, unless a pinned length is given for it in
// EncodeOptions. With l.widen set, a 1-byte length whose body exceeds 255
// bytes is widened to 2 bytes in place, and region returns true.
func (w *walker) region(l lengthField, body func()) (widened bool) {
	lenLeaf, width, group := l.leaf, l.width, l.group // width may widen
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
			w.failAt(l.over, lenLeaf, lenStart, width, "%s is %d but only %d bytes remain", w.name(lenLeaf), n, w.remaining())
			return false
		}
	} else if w.js != nil {
		w.js.region(w, l, body)
		return false
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
		w.setLim(w.off + n)
	}
	w.trunc = l.inner
	groupAt := -1
	if w.rec {
		groupAt = len(w.fields)
		w.record(group, start, 0, FieldGroup, "", "")
	}
	if l.enter {
		w.push(group, -1)
	}
	body()
	if l.enter {
		w.pop()
	}
	w.trunc = savedTrunc
	if w.decode {
		if w.ok() && w.off != w.lim {
			w.failAt(l.inner, lenLeaf, lenStart, width, "%s is %d but its contents take %d bytes", w.name(lenLeaf), n, w.off-start)
		}
		w.setLim(savedLim)
	} else {
		n = w.pos() - start
		if width == 1 && n > 0xFF && l.widen {
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
