package omp

import (
	"encoding/binary"
	"encoding/hex"
	"net/netip"
	"strconv"
	"unsafe"
)

// The primitives: one field of the wire format each. Every primitive has
// a fast path for plain decoding (the bytes are below w.flim, which is -1
// unless decoding without a field map and without an error) and plain
// encoding (w.fenc: no field map), taken first, and a slow path that does
// everything else: recording the field map, naming and reporting errors,
// validating encoder input. u8's fast path is small enough to inline.

func (w *walker) u8(leaf string, v *uint8) {
	if w.off < w.flim {
		*v = w.buf[w.off]
		w.off++
		return
	}
	w.u8Slow(leaf, v)
}

func (w *walker) u8Slow(leaf string, v *uint8) {
	if w.fenc {
		w.buf = append(w.buf, *v)
		return
	}
	if w.plan != nil {
		w.planField(opU8, unsafe.Pointer(v), 1, 1, 0)
		return
	}
	if w.js != nil {
		w.js.uint(w, leaf, uint64(*v))
		return
	}
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
	if w.rec && w.ok() {
		w.record(leaf, start, 1, FieldLeaf, "", strconv.Itoa(int(*v)))
	}
}

func (w *walker) u16(leaf string, v *uint16) {
	if o := w.off + 2; o <= w.flim {
		*v = binary.BigEndian.Uint16(w.buf[w.off:])
		w.off = o
		return
	}
	if w.fenc {
		w.buf = binary.BigEndian.AppendUint16(w.buf, *v)
		return
	}
	if w.plan != nil {
		w.planField(opU16, unsafe.Pointer(v), 2, 2, 0)
		return
	}
	if w.js != nil {
		w.js.uint(w, leaf, uint64(*v))
		return
	}
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
	if w.rec && w.ok() {
		w.record(leaf, start, 2, FieldLeaf, "", strconv.Itoa(int(*v)))
	}
}

// u24 is a 3-byte integer (the VROUTE and multicast Label).
func (w *walker) u24(leaf string, v *uint32) {
	if o := w.off + 3; o <= w.flim {
		b := w.buf[w.off:o]
		*v = uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2])
		w.off = o
		return
	}
	if w.fenc && *v <= 0xFFFFFF {
		w.buf = append(w.buf, byte(*v>>16), byte(*v>>8), byte(*v))
		return
	}
	if w.plan != nil {
		w.planField(opU24, unsafe.Pointer(v), 4, 3, 0)
		return
	}
	if w.js != nil {
		w.js.uint(w, leaf, uint64(*v))
		return
	}
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
	if w.rec && w.ok() {
		w.record(leaf, start, 3, FieldLeaf, "", strconv.FormatUint(uint64(*v), 10))
	}
}

func (w *walker) u32(leaf string, v *uint32) {
	if o := w.off + 4; o <= w.flim {
		*v = binary.BigEndian.Uint32(w.buf[w.off:])
		w.off = o
		return
	}
	if w.fenc {
		w.buf = binary.BigEndian.AppendUint32(w.buf, *v)
		return
	}
	if w.plan != nil {
		w.planField(opU32, unsafe.Pointer(v), 4, 4, 0)
		return
	}
	if w.js != nil {
		w.js.uint(w, leaf, uint64(*v))
		return
	}
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
	if w.rec && w.ok() {
		w.record(leaf, start, 4, FieldLeaf, "", strconv.FormatUint(uint64(*v), 10))
	}
}

func (w *walker) u64(leaf string, v *uint64) {
	if o := w.off + 8; o <= w.flim {
		*v = binary.BigEndian.Uint64(w.buf[w.off:])
		w.off = o
		return
	}
	if w.fenc {
		w.buf = binary.BigEndian.AppendUint64(w.buf, *v)
		return
	}
	if w.plan != nil {
		w.planField(opU64, unsafe.Pointer(v), 8, 8, 0)
		return
	}
	if w.js != nil {
		w.js.uint(w, leaf, *v)
		return
	}
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
	if w.rec && w.ok() {
		w.record(leaf, start, 8, FieldLeaf, "", strconv.FormatUint(*v, 10))
	}
}

// addr is an IPv4 (n=4) or IPv6 (n=16) address. Encoding the zero Addr
// writes zeros; an IPv6 address in a 4-byte field is an encode error.
func (w *walker) addr(leaf string, v *netip.Addr, n int) {
	if o := w.off + 4; n == 4 && o <= w.flim {
		*v = netip.AddrFrom4([4]byte(w.buf[w.off:o]))
		w.off = o
		return
	}
	if w.fenc && n == 4 && v.Is4() {
		a := v.As4()
		w.buf = append(w.buf, a[:]...)
		return
	}
	if w.plan != nil {
		k := opAddr4
		if n == 16 {
			k = opAddr16
		} else if n != 4 {
			w.plan.bad = "an address of neither 4 nor 16 bytes"
		}
		w.planField(k, unsafe.Pointer(v), unsafe.Sizeof(*v), n, 0)
		return
	}
	if w.js != nil {
		w.js.str(w, leaf, addrJSON(*v))
		return
	}
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
	if w.rec && w.ok() {
		w.record(leaf, start, n, FieldLeaf, "", v.String())
	}
}

// bytes is a byte string of n bytes, or of the rest of the region if n < 0.
// Decoding copies, so a decoded message never aliases its input.
func (w *walker) bytes(leaf string, v *[]byte, n int) {
	if w.plan != nil && n < 0 {
		w.plan.variable(leaf)
		return
	}
	if w.js != nil {
		w.js.str(w, leaf, hex.EncodeToString(*v))
		return
	}
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
	if w.rec && n > 0 && w.ok() {
		w.record(leaf, start, n, FieldLeaf, "", hex.EncodeToString(*v))
	}
}

// prefixLen is a prefix length, in bits, of an address of n bytes: 1 byte
// whose value may not exceed n*8 (OMP_SUB_ERR_UPDATE_BAD_NETWORK, the
// Reason naming it what).
func (w *walker) prefixLen(leaf string, v *uint8, n int, what string) {
	if w.plan != nil {
		w.planField(opPrefixLen, unsafe.Pointer(v), 1, 1, n*8)
		return
	}
	at := w.pos()
	w.u8(leaf, v)
	if w.decode && w.ok() && int(*v) > n*8 {
		w.failAt(errUpBadNet, leaf, at, 1, "%s %d exceeds %d bits", what, *v, n*8)
	}
}
