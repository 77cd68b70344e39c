package omp

import "github.com/ompconform/ompconform/internal/enum"

// FieldKind says what a Field of the field map is.
type FieldKind uint8

const (
	// FieldLeaf is a value on the wire: an integer, address or byte string.
	FieldLeaf FieldKind = iota
	// FieldLength is a leaf that gives the size of another field (Counts).
	FieldLength
	// FieldGroup spans other fields: a message part, an attribute, an NLRI.
	FieldGroup
)

var fieldKindNames = [...]string{FieldLeaf: "leaf", FieldLength: "length", FieldGroup: "group"}

func (k FieldKind) String() string {
	if n, ok := enum.Lookup(fieldKindNames[:], k); ok {
		return n
	}
	return "group"
}

// Field is one entry of a message's field map: a named byte range.
//
// Names are dotted paths of the draft's field names in lower case:
// "header.length", "handshake.holdtime", "update.attr[2].length",
// "update.attr[0].value.nlri[5].prefix_length". Leaves and length fields
// tile the message exactly; groups nest.
type Field struct {
	Name   string    `json:"name"`
	Offset int       `json:"offset"`
	Length int       `json:"length"`
	Kind   FieldKind `json:"-"`
	// Counts is, for a FieldLength, the name of the field whose size in
	// bytes it gives ("message" for the header Length).
	Counts string `json:"counts,omitempty"`
	// Value is the decoded value as text (leaves and length fields).
	Value string `json:"value,omitempty"`
}

// KindName is Kind as text, for JSON.
func (f Field) KindName() string { return f.Kind.String() }

// FieldMap is the field map of one encoded message, in wire order.
type FieldMap []Field

// Lookup returns the field with the given name.
func (m FieldMap) Lookup(name string) (Field, bool) {
	for _, f := range m {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// Leaves returns the leaf and length fields, which tile the message.
func (m FieldMap) Leaves() FieldMap {
	out := make(FieldMap, 0, len(m))
	for _, f := range m {
		if f.Kind != FieldGroup {
			out = append(out, f)
		}
	}
	return out
}

// At returns the innermost leaf (or length) field that holds byte off.
func (m FieldMap) At(off int) (Field, bool) {
	for _, f := range m {
		if f.Kind != FieldGroup && off >= f.Offset && off < f.Offset+f.Length {
			return f, true
		}
	}
	return Field{}, false
}

// LengthFieldsOver returns the length fields whose counted field contains
// the byte range [off, off+n), outermost first: the lengths that must change
// when that range grows or shrinks.
func (m FieldMap) LengthFieldsOver(off, n int) FieldMap {
	var out FieldMap
	for _, f := range m {
		if f.Kind != FieldLength {
			continue
		}
		if f.Counts == "message" {
			out = append(out, f)
			continue
		}
		c, ok := m.Lookup(f.Counts)
		if ok && off >= c.Offset && off+n <= c.Offset+c.Length {
			out = append(out, f)
		}
	}
	return out
}
