package omp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"slices"
	"unsafe"
)

// Bulk decoding of lists of fixed-size elements (the TLOC and VROUTE
// NLRI). The element's walk method stays its only layout: at init, the
// walker runs it once in plan mode, where each primitive records its
// field (the primitive, its offset on the wire, where it lives in the
// Go value) instead of reading. Plain Decode then fills a whole list
// from that plan, one field at a time across every element, with no
// call per field. Anything the plan does not cover (a field map, an
// error, a list that does not divide into whole elements) takes the
// per-field walk, which is the exact path: the bulk path either gives
// the walk's result or gives way to it.

// fieldOp is one field of a fixed layout.
type fieldOp struct {
	kind opKind
	at   int     // offset of the field in the element, on the wire
	dst  uintptr // offset of the field in the Go value
	max  int     // opPrefixLen: the largest valid value
}

type opKind uint8

const (
	opU8 opKind = iota + 1
	opU16
	opU24
	opU32
	opU64
	opAddr4
	opAddr16
	opPrefixLen // a u8 with a largest value (prefixLen)
)

// plan is a fixed layout compiled from a walk method: size bytes per
// element, the fields in the order the walk reads them.
type plan struct {
	size int
	ops  []fieldOp
}

// planner is the walker's state in plan mode: the Go value the walk is
// run on, and the fields recorded so far.
type planner struct {
	base, end uintptr
	ops       []fieldOp
	bad       string // why the walk is not a fixed layout
}

// variable records, in plan mode, a part of the walk whose size depends
// on the bytes (a list, a byte string to the end of its region): the
// layout is not fixed.
func (pl *planner) variable(name string) {
	if pl.bad == "" {
		pl.bad = "a variable part (" + name + ")"
	}
}

// planField records a primitive's field in plan mode: width bytes on the
// wire, into the Go value at p of goSize bytes.
func (w *walker) planField(k opKind, p unsafe.Pointer, goSize uintptr, width, max int) {
	pl := w.plan
	a := uintptr(p)
	if a < pl.base || a+goSize > pl.end {
		if pl.bad == "" {
			pl.bad = fmt.Sprintf("field at wire offset %d is not stored in the element", w.off)
		}
	} else {
		pl.ops = append(pl.ops, fieldOp{kind: k, at: w.off, dst: a - pl.base, max: max})
	}
	w.off += width
}

// planOf compiles walk, run with arg, into a plan (planWalk).
func planOf[T any](walk func(*T, *walker, int), arg int) (plan, error) {
	e := new(T)
	return planWalk(unsafe.Pointer(e), unsafe.Sizeof(*e), func(w *walker) { walk(e, w, arg) })
}

// planWalk compiles walk, the layout of the zero Go value of size bytes
// at e, into a plan. It fails if the walk uses a primitive plans do not
// cover, stores a field outside the value, reads no bytes, or reads
// differently when every field holds its largest value rather than zero
// (a branch or a check on a value that the plan would not see). It
// leaves the value with every field at its largest value.
func planWalk(e unsafe.Pointer, size uintptr, walk func(w *walker)) (plan, error) {
	run := func() ([]fieldOp, int, error) {
		base := uintptr(e)
		pl := &planner{base: base, end: base + size}
		w := &walker{decode: true, flim: -1, plan: pl, trunc: errUpBadNet}
		walk(w)
		switch {
		case w.err != nil:
			return nil, 0, fmt.Errorf("the walk fails in plan mode: %v", w.err)
		case pl.bad != "":
			return nil, 0, fmt.Errorf("%s", pl.bad)
		case w.off == 0:
			return nil, 0, errNoBytes
		}
		return pl.ops, w.off, nil
	}
	ops, n, err := run()
	if err != nil {
		return plan{}, err
	}
	p := plan{size: n, ops: ops}
	p.fill(e)
	again, n2, err := run()
	if err != nil {
		return plan{}, fmt.Errorf("with every field at its largest value: %v", err)
	}
	if n2 != n || !slices.Equal(again, ops) {
		return plan{}, fmt.Errorf("the walk reads differently when every field is at its largest value")
	}
	return p, nil
}

// errNoBytes is planWalk's error for a walk that reads no bytes and has
// no variable part: a plan is of at least one byte, but such a layout has
// a fixed size, 0.
var errNoBytes = errors.New("the walk reads no bytes")

// fixedSize is the wire size of the walk of the value v points to, if it
// is a fixed layout (a plan, or a walk that reads nothing, of size 0).
func fixedSize(v any, walk func(*walker)) (int, error) {
	r := reflect.ValueOf(v)
	p, err := planWalk(r.UnsafePointer(), r.Type().Elem().Size(), walk)
	if errors.Is(err, errNoBytes) {
		return 0, nil
	}
	return p.size, err
}

// fill sets every field of the element at e to its largest value.
func (p *plan) fill(e unsafe.Pointer) {
	for _, op := range p.ops {
		d := unsafe.Add(e, op.dst)
		switch op.kind {
		case opU8, opPrefixLen:
			*(*uint8)(d) = 0xFF
		case opU16:
			*(*uint16)(d) = 0xFFFF
		case opU24:
			*(*uint32)(d) = 0xFFFFFF
		case opU32:
			*(*uint32)(d) = 0xFFFFFFFF
		case opU64:
			*(*uint64)(d) = 0xFFFFFFFFFFFFFFFF
		case opAddr4:
			*(*netip.Addr)(d) = netip.AddrFrom4([4]byte{255, 255, 255, 255})
		case opAddr16:
			*(*netip.Addr)(d) = netip.AddrFrom16([16]byte{0: 0xFF, 15: 0xFF})
		}
	}
}

// decode fills the k elements at base, esz bytes apart, from src, which
// holds exactly k elements. It goes field by field, each across all the
// elements. It returns false if a field fails its check (a prefix length
// too long): the caller then walks the list to name the error.
//
// Every field lies inside its element (planOf), and src holds k whole
// elements, so the reads need no bounds checks.
func (p *plan) decode(src []byte, base unsafe.Pointer, esz uintptr, k int) bool {
	size := p.size
	if k <= 0 || len(src) != k*size {
		return false
	}
	var hi uint8 // the largest prefix length read, against its check
	ok := true
	// o and j step through the elements and their bytes; the pointers
	// made from them never leave the two buffers.
	for _, op := range p.ops {
		d, s := unsafe.Add(base, op.dst), unsafe.Add(unsafe.Pointer(unsafe.SliceData(src)), op.at)
		switch op.kind {
		case opU8:
			for o, j := uintptr(0), 0; j < len(src); o, j = o+esz, j+size {
				*(*uint8)(unsafe.Add(d, o)) = *(*uint8)(unsafe.Add(s, j))
			}
		case opPrefixLen:
			hi = 0
			for o, j := uintptr(0), 0; j < len(src); o, j = o+esz, j+size {
				v := *(*uint8)(unsafe.Add(s, j))
				hi = max(hi, v)
				*(*uint8)(unsafe.Add(d, o)) = v
			}
			ok = ok && int(hi) <= op.max
		case opU16:
			for o, j := uintptr(0), 0; j < len(src); o, j = o+esz, j+size {
				*(*uint16)(unsafe.Add(d, o)) = binary.BigEndian.Uint16((*[2]byte)(unsafe.Add(s, j))[:])
			}
		case opU24:
			for o, j := uintptr(0), 0; j < len(src); o, j = o+esz, j+size {
				b := (*[3]byte)(unsafe.Add(s, j))
				*(*uint32)(unsafe.Add(d, o)) = uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2])
			}
		case opU32:
			for o, j := uintptr(0), 0; j < len(src); o, j = o+esz, j+size {
				*(*uint32)(unsafe.Add(d, o)) = binary.BigEndian.Uint32((*[4]byte)(unsafe.Add(s, j))[:])
			}
		case opU64:
			for o, j := uintptr(0), 0; j < len(src); o, j = o+esz, j+size {
				*(*uint64)(unsafe.Add(d, o)) = binary.BigEndian.Uint64((*[8]byte)(unsafe.Add(s, j))[:])
			}
		case opAddr4:
			for o, j := uintptr(0), 0; j < len(src); o, j = o+esz, j+size {
				*(*netip.Addr)(unsafe.Add(d, o)) = netip.AddrFrom4(*(*[4]byte)(unsafe.Add(s, j)))
			}
		case opAddr16:
			for o, j := uintptr(0), 0; j < len(src); o, j = o+esz, j+size {
				*(*netip.Addr)(unsafe.Add(d, o)) = netip.AddrFrom16(*(*[16]byte)(unsafe.Add(s, j)))
			}
		}
	}
	return ok
}

// fixedLayout is the layout of a list element of a fixed wire size for
// each value of its walk's parameter (the address size of an NLRI): the
// walk method, and the plans compiled from it.
type fixedLayout[T any] struct {
	walk  func(*T, *walker, int)
	args  []int
	plans []plan
}

// newFixedLayout compiles walk for each of args. A walk that is not a
// fixed layout is a programming error: it panics, at init.
func newFixedLayout[T any](walk func(*T, *walker, int), args ...int) *fixedLayout[T] {
	l := &fixedLayout[T]{walk: walk, args: args}
	for _, a := range args {
		p, err := planOf(walk, a)
		if err != nil {
			panic(fmt.Sprintf("omp: %T with %d is not a fixed layout: %v", *new(T), a, err))
		}
		l.plans = append(l.plans, p)
	}
	return l
}

// plan returns the plan for arg, or nil if there is none.
func (l *fixedLayout[T]) plan(arg int) *plan {
	for i, a := range l.args {
		if a == arg {
			return &l.plans[i]
		}
	}
	return nil
}

// fixedList is listOf for elements of layout l: plain decoding fills the
// list from l's plan; everything else (encoding, the field map, errors)
// walks it element by element.
func fixedList[T any](w *walker, name string, s *[]T, l *fixedLayout[T], arg int) {
	p := l.plan(arg)
	if p == nil {
		listOf(w, name, s, 0, arg, l.walk)
		return
	}
	if w.fdec && bulkDecode(w, s, p) {
		return
	}
	listOf(w, name, s, p.size, arg, l.walk)
}

// bulkDecode decodes the rest of the region into s as whole elements of
// plan p, as listOf would, and reports whether it did. If it did not (the
// region does not divide into elements, or a field fails its check), the
// walker is as it was and listOf takes over.
func bulkDecode[T any](w *walker, s *[]T, p *plan) bool {
	rem := w.remaining()
	k := rem / p.size
	if k == 0 || k*p.size != rem {
		return false
	}
	if cap(*s) < k {
		*s = make([]T, k)
	} else {
		*s = (*s)[:k]
		clear(*s)
	}
	var zero T
	if !p.decode(w.buf[w.off:w.lim], unsafe.Pointer(unsafe.SliceData(*s)), unsafe.Sizeof(zero), k) {
		return false
	}
	w.off = w.lim
	return true
}
