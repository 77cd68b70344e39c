package main

import (
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/ompconform/ompconform/omp"
)

// bytesPerLine is how many bytes of a field one dump line shows.
const bytesPerLine = 16

// printDump prints message n of the input as an annotated dump of its
// field map; for a malformed message, the ALERT first and the fields read
// before the error. It reports whether the message decoded.
func printDump(w io.Writer, n int, c chunk) (bool, error) {
	m, fields, err := omp.DecodeFields(c.b)
	var e *omp.Error
	if err != nil {
		var ok bool
		if e, ok = omp.AsError(err); !ok {
			return false, err
		}
	}
	var b strings.Builder
	what := "malformed"
	if m != nil {
		what = m.Type().String()
	} else if t, ok := omp.TypeOf(c.b); ok {
		what = "malformed " + t.String()
	}
	fmt.Fprintf(&b, "message %d: %s, %d bytes at input offset %d\n", n, what, len(c.b), c.off)
	if e != nil {
		fmt.Fprintf(&b, "ALERT %s (%d) / %s (%d)\n", e.Code, e.Code, e.Code.SubcodeName(e.Subcode), e.Subcode)
		fmt.Fprintf(&b, "  field   %s at offset %d\n", e.Field, e.Offset)
		fmt.Fprintf(&b, "  reason  %s\n", e.Reason)
		if len(e.Data) > 0 {
			fmt.Fprintf(&b, "  data    %x\n", e.Data)
		}
		b.WriteString("fields read:\n")
	}
	writeFields(&b, c.b, withHeaderGroup(fields, len(c.b)), e)
	_, err = io.WriteString(w, b.String())
	return e == nil, err
}

// withHeaderGroup adds the "header" group the decoder's field map lacks
// (the encoder's has it), so the header's fields nest like the others.
func withHeaderGroup(fields omp.FieldMap, n int) omp.FieldMap {
	if len(fields) == 0 || fields[0].Name == "header" || !strings.HasPrefix(fields[0].Name, "header.") {
		return fields
	}
	h := omp.Field{Name: "header", Offset: 0, Length: min(n, omp.HeaderLen), Kind: omp.FieldGroup}
	return append(omp.FieldMap{h}, fields...)
}

type dumpRow struct {
	off   int
	data  []byte // leaves and lengths: the field's bytes
	label string // indented short name
	value string
}

// writeFields lays out one row per field, then the bytes no field
// covers (after a decode error) as "(not decoded)".
func writeFields(b *strings.Builder, msg []byte, fields omp.FieldMap, e *omp.Error) {
	var rows []dumpRow
	var stack []omp.Field // enclosing groups
	end := 0
	for _, f := range fields {
		for len(stack) > 0 && !inside(f, stack[len(stack)-1]) {
			stack = stack[:len(stack)-1]
		}
		r := dumpRow{off: f.Offset, label: strings.Repeat("  ", len(stack)) + shortName(f.Name)}
		switch f.Kind {
		case omp.FieldGroup:
			r.value = "(" + plural(f.Length, "byte") + ")"
			stack = append(stack, f)
		case omp.FieldLength:
			r.data = fieldBytes(msg, f)
			r.value = f.Value + " (length of " + f.Counts + ")"
		default:
			r.data = fieldBytes(msg, f)
			if f.Value != hex.EncodeToString(r.data) {
				r.value = f.Value
			}
		}
		if e != nil && f.Name == e.Field {
			r.value = strings.TrimSpace(r.value + "  <== " + e.Code.SubcodeName(e.Subcode))
		}
		if f.Kind != omp.FieldGroup {
			end = max(end, f.Offset+f.Length)
		}
		rows = append(rows, r)
	}
	if end < len(msg) {
		r := dumpRow{off: end, data: msg[end:], label: "(not decoded)"}
		if e != nil && e.Offset >= end {
			r.value = "<== " + e.Field
		}
		rows = append(rows, r)
	}
	width := len("field")
	for _, r := range rows {
		width = max(width, len(r.label))
	}
	hexWidth := 2 * bytesPerLine
	fmt.Fprintf(b, "%6s  %-*s  %-*s  %s\n", "offset", hexWidth, "bytes", width, "field", "value")
	for _, r := range rows {
		first := r.data
		if len(first) > bytesPerLine {
			first = first[:bytesPerLine]
		}
		line := fmt.Sprintf("%6d  %-*x  %-*s  %s", r.off, hexWidth, first, width, r.label, r.value)
		b.WriteString(strings.TrimRight(line, " "))
		b.WriteByte('\n')
		for i := bytesPerLine; i < len(r.data); i += bytesPerLine {
			fmt.Fprintf(b, "%6d  %x\n", r.off+i, r.data[i:min(i+bytesPerLine, len(r.data))])
		}
	}
}

// inside reports whether field f lies within group g. A field of no bytes
// at a group's edge belongs to it if its name says so.
func inside(f, g omp.Field) bool {
	end := g.Offset + g.Length
	if f.Length > 0 {
		return f.Offset >= g.Offset && f.Offset+f.Length <= end
	}
	return f.Offset >= g.Offset && f.Offset <= end &&
		(strings.HasPrefix(f.Name, g.Name+".") || strings.HasPrefix(f.Name, g.Name+"["))
}

// shortName is the last segment of a field name: "attr[2]", "length".
func shortName(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i+1:]
	}
	return name
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}
