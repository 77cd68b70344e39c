// Package mutators changes encoded OMP messages on purpose, field by field,
// to make the malformed messages a conformance case or a fuzzer sends.
//
// A mutation is data: a field of the message's field map (omp.FieldMap,
// names such as "header.length", "handshake.holdtime",
// "update.attr[2].length") and an operation (Set, Zero, Inc, Truncate,
// Drop, ...). Apply works on the bytes through the field map. When a
// mutation changes the size of a field, every length field that counts a
// range containing that field is fixed up, except a length field that is
// itself touched by a mutation, so that exactly the inconsistencies asked
// for are introduced and no others.
//
// Standards is a table of standard mutations, each paired with the answer
// the draft (or, where the draft is silent, the BGP reading) requires.
// Random picks a bounded random mutation for a network fuzzer.
package mutators

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/ompconform/ompconform/internal/enum"
)

// OpKind names an operation.
type OpKind uint8

const (
	OpSet       OpKind = iota + 1 // write Value, big-endian, into the field
	OpZero                        // every byte 0x00
	OpAllOnes                     // every byte 0xFF
	OpInc                         // the field as a big-endian integer, plus one
	OpDec                         // the field as a big-endian integer, minus one
	OpTruncate                    // drop the N trailing bytes of the field
	OpExtend                      // append Bytes after the field's last byte
	OpDuplicate                   // repeat the field right after itself
	OpDrop                        // remove the field
	OpReorder                     // swap the field with the field Other
	OpFlipFlags                   // xor the 1-byte field with Value
	OpFlipBits                    // xor the field, as a big-endian integer, with Value
	OpReplace                     // replace the field's bytes with Bytes (any length)
)

var opNames = [...]string{"", "set", "zero", "all_ones", "inc", "dec", "truncate", "extend", "duplicate", "drop", "reorder", "flip_flags", "flip_bits", "replace"}

// String is the op's name as used in YAML and JSON: "set", "all_ones", ...
func (k OpKind) String() string { return enum.Name(opNames[:], k, "op_%d") }

// MarshalText writes the op's name.
func (k OpKind) MarshalText() ([]byte, error) {
	n, ok := enum.Lookup(opNames[:], k)
	if !ok {
		return nil, fmt.Errorf("mutators: unknown op %d", uint8(k))
	}
	return []byte(n), nil
}

// UnmarshalText reads an op's name.
func (k *OpKind) UnmarshalText(b []byte) (err error) {
	*k, err = enum.Parse[OpKind](opNames[:], "mutators: op", string(b))
	return err
}

// Op is an operation on one field. Build it with Set, Zero, AllOnes, Inc,
// Dec, Truncate, Extend, Duplicate, Drop, Reorder, FlipFlags, FlipBits or
// Replace; the struct form exists so that mutations can be read from YAML.
type Op struct {
	Kind OpKind `yaml:"op" json:"op"`
	// Value is the value of Set and the mask of FlipFlags and FlipBits.
	Value uint64 `yaml:"value,omitempty" json:"value,omitempty"`
	// N is how many bytes Truncate drops.
	N int `yaml:"n,omitempty" json:"n,omitempty"`
	// Bytes is what Extend appends and what Replace writes.
	Bytes []byte `yaml:"bytes,omitempty" json:"bytes,omitempty"`
	// Other is the field Reorder swaps with.
	Other string `yaml:"other,omitempty" json:"other,omitempty"`
}

// Set writes v into the field as a big-endian integer of the field's
// width (right-aligned in fields wider than 8 bytes). A v that does not
// fit the field is an error.
func Set(v uint64) Op { return Op{Kind: OpSet, Value: v} }

// Zero sets every byte of the field to 0x00.
func Zero() Op { return Op{Kind: OpZero} }

// AllOnes sets every byte of the field to 0xFF.
func AllOnes() Op { return Op{Kind: OpAllOnes} }

// Inc adds one to the field read as a big-endian integer (at most 8
// bytes wide). Overflow is an error: use Set(0) to wrap on purpose.
func Inc() Op { return Op{Kind: OpInc} }

// Dec subtracts one from the field read as a big-endian integer (at most
// 8 bytes wide). Underflow is an error.
func Dec() Op { return Op{Kind: OpDec} }

// Truncate drops the n trailing bytes of the field (1 <= n <= its size).
func Truncate(n int) Op { return Op{Kind: OpTruncate, N: n} }

// Extend appends b right after the field's last byte. The new bytes
// belong to the field: length fields counting a range that contains the
// field grow with it.
func Extend(b []byte) Op { return Op{Kind: OpExtend, Bytes: append([]byte(nil), b...)} }

// Duplicate repeats the field (typically a group: an attribute, an
// option, an NLRI) right after itself.
func Duplicate() Op { return Op{Kind: OpDuplicate} }

// Drop removes the field.
func Drop() Op { return Op{Kind: OpDrop} }

// Reorder swaps the field with other, typically two sibling groups
// ("update.attr[0]" and "update.attr[1]"). The two must not overlap.
func Reorder(other string) Op { return Op{Kind: OpReorder, Other: other} }

// FlipFlags xors mask into a 1-byte flags field.
func FlipFlags(mask uint8) Op { return Op{Kind: OpFlipFlags, Value: uint64(mask)} }

// FlipBits xors mask into the field read as a big-endian integer: bit 0
// is the lowest bit of the field's last byte. In fields wider than 8
// bytes only the last 8 are reachable. A mask wider than the field is an
// error.
func FlipBits(mask uint64) Op { return Op{Kind: OpFlipBits, Value: mask} }

// Replace replaces the field's bytes with b, of any length (a length
// change is fixed up as for Truncate and Extend).
func Replace(b []byte) Op { return Op{Kind: OpReplace, Bytes: append([]byte(nil), b...)} }

// Mutation is one operation on one field of a message's field map.
type Mutation struct {
	// Field is a field map name: "header.length", "update.attr[2]".
	Field string `yaml:"field" json:"field"`
	Op    Op     `yaml:",inline" json:"op"`
}

// On is a shorthand for Mutation{Field: field, Op: op}.
func On(field string, op Op) Mutation { return Mutation{Field: field, Op: op} }

// String reads well in a report: "set header.length to 18".
func (m Mutation) String() string {
	f := m.Field
	o := m.Op
	switch o.Kind {
	case OpSet:
		return fmt.Sprintf("set %s to %d", f, o.Value)
	case OpZero:
		return fmt.Sprintf("zero %s", f)
	case OpAllOnes:
		return fmt.Sprintf("set every bit of %s", f)
	case OpInc:
		return fmt.Sprintf("increment %s", f)
	case OpDec:
		return fmt.Sprintf("decrement %s", f)
	case OpTruncate:
		return fmt.Sprintf("truncate %s by %d %s", f, o.N, plural(o.N, "byte"))
	case OpExtend:
		return fmt.Sprintf("extend %s by %d %s (%s)", f, len(o.Bytes), plural(len(o.Bytes), "byte"), shortHex(o.Bytes))
	case OpDuplicate:
		return fmt.Sprintf("duplicate %s", f)
	case OpDrop:
		return fmt.Sprintf("drop %s", f)
	case OpReorder:
		return fmt.Sprintf("swap %s with %s", f, o.Other)
	case OpFlipFlags:
		return fmt.Sprintf("flip flags 0x%02x in %s", o.Value, f)
	case OpFlipBits:
		return fmt.Sprintf("flip bits 0x%x in %s", o.Value, f)
	case OpReplace:
		return fmt.Sprintf("replace %s with %d %s (%s)", f, len(o.Bytes), plural(len(o.Bytes), "byte"), shortHex(o.Bytes))
	}
	return fmt.Sprintf("%s %s", o.Kind, f)
}

// Describe joins the mutations' texts: "set header.length to 18; drop
// update.attr[0]".
func Describe(muts []Mutation) string {
	s := make([]string, len(muts))
	for i, m := range muts {
		s[i] = m.String()
	}
	return strings.Join(s, "; ")
}

func plural(n int, s string) string {
	if n == 1 {
		return s
	}
	return s + "s"
}

func shortHex(b []byte) string {
	if len(b) > 16 {
		return hex.EncodeToString(b[:16]) + "..."
	}
	return hex.EncodeToString(b)
}

// Error is a mutation that cannot be applied: an unknown field, a value
// that does not fit, overlapping mutations, a length that cannot be fixed
// up.
type Error struct {
	Mutation Mutation
	Reason   string
}

func (e *Error) Error() string {
	return fmt.Sprintf("mutators: %s: %s", e.Mutation, e.Reason)
}

func errorf(m Mutation, format string, args ...any) *Error {
	return &Error{Mutation: m, Reason: fmt.Sprintf(format, args...)}
}
