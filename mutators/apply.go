package mutators

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sort"
	"strings"

	"github.com/ompconform/ompconform/omp"
)

// edit replaces old bytes at off (of the original message) with repl.
// anchor is the field range the edit belongs to: length fields whose
// counted range contains the anchor absorb the edit's size change.
type edit struct {
	off, old  int
	repl      []byte
	anchorOff int
	anchorLen int
	mut       int // index of the mutation, -1 for a length fix-up
}

func (e edit) end() int   { return e.off + e.old }
func (e edit) delta() int { return len(e.repl) - e.old }

// Apply returns a copy of wire with the mutations applied. fm is wire's
// field map (from omp.EncodeFields or omp.DecodeFields). Every mutation is
// resolved against the original wire and field map, so field names keep
// their meaning however many mutations change sizes (Duplicate copies the
// original bytes); two mutations may not touch overlapping bytes, nor may
// one remove or rewrite the field of another.
//
// After the mutations, every length field that counts a range containing
// a resized field (FieldMap.LengthFieldsOver, Field.Counts), the header
// Length included, is adjusted by the size change, unless a mutation
// touches that length field itself: a targeted length keeps the value the
// mutation gave it, so the result has exactly the inconsistencies asked
// for. A fix-up that does not fit its field (an attribute Length past 255)
// is an error.
//
// Errors are *Error and say which mutation failed and why.
func Apply(wire []byte, fm omp.FieldMap, muts ...Mutation) ([]byte, error) {
	var edits []edit
	targets := map[string]bool{}
	for i, m := range muts {
		e, err := resolve(wire, fm, m, i)
		if err != nil {
			return nil, err
		}
		for j := range edits {
			if overlap(edits[j], e) || covers(edits[j], e) || covers(e, edits[j]) {
				return nil, errorf(m, "touches the same bytes as %q", muts[edits[j].mut].String())
			}
		}
		edits = append(edits, e)
		targets[m.Field] = true
		if m.Op.Kind == OpReorder {
			targets[m.Op.Other] = true
		}
	}
	fixes, err := fixups(wire, fm, muts, edits, targets)
	if err != nil {
		return nil, err
	}
	edits = append(edits, fixes...)
	sort.SliceStable(edits, func(i, j int) bool {
		if edits[i].off != edits[j].off {
			return edits[i].off < edits[j].off
		}
		// An insertion at a range's start goes before the range.
		return edits[i].old == 0 && edits[j].old > 0
	})
	size := len(wire)
	for _, e := range edits {
		size += e.delta()
	}
	out := make([]byte, 0, max(size, 0))
	at := 0
	for _, e := range edits {
		out = append(out, wire[at:e.off]...)
		out = append(out, e.repl...)
		at = e.end()
	}
	out = append(out, wire[at:]...)
	return out, nil
}

// Message encodes m with its field map (messages over 4096 bytes allowed)
// and applies the mutations.
func Message(m omp.Message, muts ...Mutation) ([]byte, error) {
	wire, fm, err := omp.AppendWith(nil, m, &omp.EncodeOptions{Fields: true, Oversize: true})
	if err != nil {
		return nil, err
	}
	return Apply(wire, fm, muts...)
}

// lookup finds a field of fm and checks it lies inside wire.
func lookup(wire []byte, fm omp.FieldMap, m Mutation, name string) (omp.Field, error) {
	f, ok := fm.Lookup(name)
	if !ok {
		return f, errorf(m, "no field %q in the field map%s", name, suggest(fm, name))
	}
	if f.Offset < 0 || f.Length < 0 || f.Offset+f.Length > len(wire) {
		return f, errorf(m, "field %s (offset %d, %d bytes) lies outside the %d-byte message: the field map is not this message's", name, f.Offset, f.Length, len(wire))
	}
	return f, nil
}

// suggest lists field names that share the longest prefix with name.
func suggest(fm omp.FieldMap, name string) string {
	for cut := len(name); cut > 0; cut-- {
		if cut < len(name) && name[cut] != '.' && name[cut] != '[' {
			continue
		}
		prefix := name[:cut]
		var hits []string
		for _, f := range fm {
			if strings.HasPrefix(f.Name, prefix) && len(f.Name) > cut && (f.Name[cut] == '.' || f.Name[cut] == '[') {
				// Show one level below the prefix only.
				rest := f.Name[cut+1:]
				if strings.ContainsAny(strings.TrimSuffix(rest, "]"), ".") {
					continue
				}
				hits = append(hits, f.Name)
			}
		}
		if len(hits) > 0 {
			more := ""
			if len(hits) > 8 {
				more = fmt.Sprintf(", and %d more", len(hits)-8)
				hits = hits[:8]
			}
			return " (fields under " + prefix + ": " + strings.Join(hits, ", ") + more + ")"
		}
	}
	if len(fm) == 0 {
		return " (the field map is empty)"
	}
	var tops []string
	for _, f := range fm {
		if !strings.ContainsAny(f.Name, ".[") {
			tops = append(tops, f.Name)
		}
	}
	return " (top-level fields: " + strings.Join(tops, ", ") + ")"
}

// resolve turns a mutation into an edit of the original wire.
func resolve(wire []byte, fm omp.FieldMap, m Mutation, idx int) (edit, error) {
	f, err := lookup(wire, fm, m, m.Field)
	if err != nil {
		return edit{}, err
	}
	n := f.Length
	cur := wire[f.Offset : f.Offset+n]
	e := edit{off: f.Offset, old: n, anchorOff: f.Offset, anchorLen: n, mut: idx}
	needBytes := func() error {
		if n == 0 {
			return errorf(m, "%s has no bytes", m.Field)
		}
		return nil
	}
	o := m.Op
	switch o.Kind {
	case OpSet:
		if err := needBytes(); err != nil {
			return e, err
		}
		if n < 8 && o.Value>>(8*uint(n)) != 0 {
			return e, errorf(m, "%d does not fit the %d-byte field (max %d)", o.Value, n, uint64(1)<<(8*uint(n))-1)
		}
		e.repl = putUint(n, o.Value)
	case OpZero, OpAllOnes:
		if err := needBytes(); err != nil {
			return e, err
		}
		fill := byte(0)
		if o.Kind == OpAllOnes {
			fill = 0xFF
		}
		e.repl = bytes.Repeat([]byte{fill}, n)
	case OpInc, OpDec:
		if err := needBytes(); err != nil {
			return e, err
		}
		if n > 8 {
			return e, errorf(m, "%s is %d bytes; increment and decrement need at most 8", m.Field, n)
		}
		v := getUint(cur)
		maxV := ^uint64(0) >> (64 - 8*uint(n))
		if o.Kind == OpInc {
			if v == maxV {
				return e, errorf(m, "%d + 1 does not fit the %d-byte field", v, n)
			}
			v++
		} else {
			if v == 0 {
				return e, errorf(m, "%s is 0 and cannot be decremented", m.Field)
			}
			v--
		}
		e.repl = putUint(n, v)
	case OpTruncate:
		if o.N < 1 || o.N > n {
			return e, errorf(m, "%s is %d bytes; truncate by 1 to %d", m.Field, n, n)
		}
		e.off, e.old, e.repl = f.Offset+n-o.N, o.N, nil
	case OpExtend:
		if len(o.Bytes) == 0 {
			return e, errorf(m, "nothing to extend with")
		}
		e.off, e.old, e.repl = f.Offset+n, 0, append([]byte(nil), o.Bytes...)
	case OpDuplicate:
		if err := needBytes(); err != nil {
			return e, err
		}
		e.off, e.old, e.repl = f.Offset+n, 0, append([]byte(nil), cur...)
	case OpDrop:
		if err := needBytes(); err != nil {
			return e, err
		}
		e.repl = nil
	case OpReorder:
		return reorder(wire, fm, m, f, idx)
	case OpFlipFlags:
		if n != 1 {
			return e, errorf(m, "%s is %d bytes; flip flags needs a 1-byte field (use flip bits)", m.Field, n)
		}
		if o.Value == 0 || o.Value > 0xFF {
			return e, errorf(m, "mask 0x%x must be 0x01..0xff", o.Value)
		}
		e.repl = []byte{cur[0] ^ byte(o.Value)}
	case OpFlipBits:
		if err := needBytes(); err != nil {
			return e, err
		}
		if o.Value == 0 {
			return e, errorf(m, "mask is 0: nothing to flip")
		}
		if n < 8 && o.Value>>(8*uint(n)) != 0 {
			return e, errorf(m, "mask 0x%x is wider than the %d-byte field", o.Value, n)
		}
		e.repl = append([]byte(nil), cur...)
		for i := 0; i < 8 && i < n; i++ {
			e.repl[n-1-i] ^= byte(o.Value >> (8 * uint(i)))
		}
	case OpReplace:
		e.repl = append([]byte(nil), o.Bytes...)
	default:
		return e, errorf(m, "unknown op %d", uint8(o.Kind))
	}
	return e, nil
}

// reorder swaps two non-overlapping fields. A swap that would change the
// size of a counted range (two fields of different sizes in different
// length-bounded regions) is refused: it is not a reordering.
func reorder(wire []byte, fm omp.FieldMap, m Mutation, f omp.Field, idx int) (edit, error) {
	g, err := lookup(wire, fm, m, m.Op.Other)
	if err != nil {
		return edit{}, err
	}
	a, b := f, g
	if b.Offset < a.Offset {
		a, b = b, a
	}
	if a.Length == 0 || b.Length == 0 {
		return edit{}, errorf(m, "cannot swap a field that has no bytes")
	}
	if a.Offset+a.Length > b.Offset {
		return edit{}, errorf(m, "%s and %s overlap", f.Name, g.Name)
	}
	if a.Length != b.Length {
		for _, l := range fm {
			if l.Kind != omp.FieldLength || l.Counts == "message" {
				continue
			}
			c, ok := fm.Lookup(l.Counts)
			if !ok {
				continue
			}
			inA := a.Offset >= c.Offset && a.Offset+a.Length <= c.Offset+c.Length
			inB := b.Offset >= c.Offset && b.Offset+b.Length <= c.Offset+c.Length
			if inA != inB {
				return edit{}, errorf(m, "%s and %s are not siblings: the swap would change the size of %s", f.Name, g.Name, c.Name)
			}
		}
	}
	end := b.Offset + b.Length
	repl := make([]byte, 0, end-a.Offset)
	repl = append(repl, wire[b.Offset:end]...)
	repl = append(repl, wire[a.Offset+a.Length:b.Offset]...)
	repl = append(repl, wire[a.Offset:a.Offset+a.Length]...)
	return edit{off: a.Offset, old: end - a.Offset, repl: repl, anchorOff: a.Offset, anchorLen: end - a.Offset, mut: idx}, nil
}

// overlap reports whether two mutation edits touch the same bytes. An
// insertion conflicts with a range that strictly contains its point and
// with another insertion at the same point (their order would be
// arbitrary).
func overlap(x, y edit) bool {
	switch {
	case x.old == 0 && y.old == 0:
		return x.off == y.off
	case x.old == 0:
		return x.off > y.off && x.off < y.end()
	case y.old == 0:
		return y.off > x.off && y.off < x.end()
	}
	return x.off < y.end() && y.off < x.end()
}

// covers reports whether x rewrites or removes bytes that hold y's field,
// as Drop of an attribute and Extend of its value would.
func covers(x, y edit) bool {
	if x.old == 0 {
		return false
	}
	if y.anchorLen == 0 {
		return y.anchorOff > x.off && y.anchorOff < x.end()
	}
	return y.anchorOff >= x.off && y.anchorOff+y.anchorLen <= x.end()
}

// fixups computes the new values of the length fields over resized fields.
func fixups(wire []byte, fm omp.FieldMap, muts []Mutation, edits []edit, targets map[string]bool) ([]edit, error) {
	deltas := map[string]int{}
	var order []omp.Field
	blame := map[string]int{}
	for _, e := range edits {
		if e.delta() == 0 {
			continue
		}
		for _, l := range fm.LengthFieldsOver(e.anchorOff, e.anchorLen) {
			if _, seen := deltas[l.Name]; !seen {
				order = append(order, l)
				blame[l.Name] = e.mut
			}
			deltas[l.Name] += e.delta()
		}
	}
	var out []edit
	for _, l := range order {
		d := deltas[l.Name]
		if d == 0 || targets[l.Name] {
			continue
		}
		lt := edit{off: l.Offset, old: l.Length}
		touched := false
		for _, e := range edits {
			if overlap(e, lt) {
				touched = true
				break
			}
		}
		if touched {
			continue
		}
		if l.Length < 1 || l.Length > 8 || l.Offset+l.Length > len(wire) {
			continue
		}
		v := int64(getUint(wire[l.Offset : l.Offset+l.Length]))
		nv := v + int64(d)
		if nv < 0 || (l.Length < 8 && nv>>(8*uint(l.Length)) != 0) {
			return nil, errorf(muts[blame[l.Name]], "the fix-up of %s to %d does not fit its %d-byte field; pin it with a mutation of its own (or set the ATTR_EXTENDED flag)", l.Name, nv, l.Length)
		}
		lt.repl = putUint(l.Length, uint64(nv))
		lt.anchorOff, lt.anchorLen, lt.mut = l.Offset, l.Length, -1
		out = append(out, lt)
	}
	return out, nil
}

// putUint writes v big-endian into n bytes (right-aligned when n > 8).
func putUint(n int, v uint64) []byte {
	b := make([]byte, n)
	var full [8]byte
	binary.BigEndian.PutUint64(full[:], v)
	if n >= 8 {
		copy(b[n-8:], full[:])
	} else {
		copy(b, full[8-n:])
	}
	return b
}

// getUint reads up to 8 bytes big-endian.
func getUint(b []byte) uint64 {
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}
