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
	if x, ok := w.uintSlow(leaf, opU8, unsafe.Pointer(v), 1, 1, uint64(*v)); ok {
		*v = uint8(x)
	}
}

// uintSlow is the slow path of the n-byte big-endian integers (u8 to
// u64; goSize is the Go value's size, for plan mode): it returns the
// value decoded, and whether there is one to store.
func (w *walker) uintSlow(leaf string, k opKind, p unsafe.Pointer, goSize uintptr, n int, v uint64) (uint64, bool) {
	if w.plan != nil {
		w.planField(k, p, goSize, n, 0)
		return 0, false
	}
	if w.js != nil {
		w.js.uint(w, leaf, v)
		return 0, false
	}
	start := w.pos()
	if w.decode {
		b := w.take(leaf, n)
		if b == nil {
			return 0, false
		}
		v = 0
		for _, c := range b {
			v = v<<8 | uint64(c)
		}
	} else {
		if n < 8 && v>>(8*n) != 0 {
			w.encFail("%s: %d does not fit in %d bytes", w.name(leaf), v, n)
		}
		for i := n - 1; i >= 0; i-- {
			w.buf = append(w.buf, byte(v>>(8*i)))
		}
	}
	if w.rec && w.ok() {
		w.record(leaf, start, n, FieldLeaf, "", strconv.FormatUint(v, 10))
	}
	return v, w.decode
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
	if x, ok := w.uintSlow(leaf, opU16, unsafe.Pointer(v), 2, 2, uint64(*v)); ok {
		*v = uint16(x)
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
	if x, ok := w.uintSlow(leaf, opU24, unsafe.Pointer(v), 4, 3, uint64(*v)); ok {
		*v = uint32(x)
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
	if x, ok := w.uintSlow(leaf, opU32, unsafe.Pointer(v), 4, 4, uint64(*v)); ok {
		*v = uint32(x)
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
	if x, ok := w.uintSlow(leaf, opU64, unsafe.Pointer(v), 8, 8, *v); ok {
		*v = x
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
