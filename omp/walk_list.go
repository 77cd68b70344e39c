package omp

import (
	"encoding/binary"
	"strconv"
)

// list walks the elements of a slice: on encode every element, on decode
// as many as the region holds. size, if positive, is the fixed wire size
// of an element, so decode allocates the slice once. Each element is a
// group named name[i]; each is the element's layout. When not recording,
// an element costs one call of each and no group bookkeeping.
func list[T any](w *walker, name string, s *[]T, size int, each func(e *T)) {
	listOf(w, name, s, size, 0, func(e *T, _ *walker, _ int) { each(e) })
}

// listOf is list for elements whose layout is a method taking the walker
// and one parameter (the address size of an NLRI): listOf calls it
// directly, one call per element with no closure in between.
func listOf[T any](w *walker, name string, s *[]T, size, arg int, each func(e *T, w *walker, arg int)) {
	d := w.depth
	w.push(name, 0)
	defer w.pop()
	if !w.decode {
		if w.js != nil {
			w.js.list(w, d)
		}
		for i := range *s {
			if !w.ok() {
				return
			}
			w.elem(d, i)
			at := w.groupStart()
			each(&(*s)[i], w, arg)
			w.groupEnd(at)
		}
		return
	}
	if w.plan != nil {
		w.plan.variable(name)
		return
	}
	*s = (*s)[:0]
	if size > 0 {
		// Elements of a fixed size: allocate them all at once, zeroed.
		if k := w.remaining() / size; cap(*s) < k {
			*s = make([]T, k)
		} else {
			*s = (*s)[:k]
			clear(*s)
		}
	}
	i := 0
	for ; w.ok() && w.remaining() > 0; i++ {
		if i == len(*s) {
			var zero T
			*s = append(*s, zero)
		}
		before := w.off
		w.elem(d, i)
		at := w.groupStart()
		each(&(*s)[i], w, arg)
		w.groupEnd(at)
		if w.ok() && w.off == before {
			// Cannot happen with a layout that reads at least one byte,
			// but a decoder must never spin.
			w.depth = d // name the list, not the element
			w.failAt(w.trunc, name, w.off, 0, "%s consumed no bytes", name)
			w.depth = d + 1
		}
	}
	*s = (*s)[:i]
}

// seq walks the n elements of a list whose length the layout gives (a
// count field before it) rather than its region: each is name[i], which
// each walks; with grouped set, each is recorded as a group.
func (w *walker) seq(name string, n int, grouped bool, each func(i int)) {
	d := w.depth
	w.push(name, 0)
	defer w.pop()
	if w.js != nil {
		w.js.list(w, d)
	}
	for i := range n {
		w.elem(d, i)
		at := -1
		if grouped {
			at = w.groupStart()
		}
		each(i)
		w.groupEnd(at)
	}
}

// elem makes the path entry at depth d, pushed by list, the i'th element.
func (w *walker) elem(d, i int) {
	if d < len(w.path) {
		w.path[d].idx = i
	}
}

// groupStart records the start of a group whose name is on the path;
// it returns the field's index, or -1 when not recording.
func (w *walker) groupStart() int {
	if !w.rec {
		return -1
	}
	return w.enterRec()
}

// groupEnd sets the length of the group groupStart began.
func (w *walker) groupEnd(at int) {
	if at >= 0 {
		w.fields[at].Length = w.pos() - w.fields[at].Offset
	}
}

// count is a count field of width bytes (1, 2 or 4) that gives the number
// of elements that follow. Encoding writes n (or a pinned value); decoding
// returns the value read, which the caller must not trust for allocation.
func (w *walker) count(leaf string, width int, n int) int {
	if w.js != nil {
		return n // JSON shows the elements, not their number
	}
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
func (w *walker) const8(leaf string, want uint8, spec AlertID) {
	if w.js != nil {
		return // JSON shows values, not the layout's constants
	}
	v := want
	start := w.pos()
	w.u8(leaf, &v)
	if w.decode && w.ok() && v != want {
		w.failAt(spec, leaf, start, 1, "%s is %d, the layout requires %d", w.name(leaf), v, want)
	}
}
