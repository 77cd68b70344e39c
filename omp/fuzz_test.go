package omp

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// Native fuzz targets. Seeds: the catalogue, the error table, and the
// fixtures (../fixtures/*/*.yaml "hex" entries, and any *.hex file).
//
//	go test -run xxx -fuzz FuzzDecode -fuzztime 20s ./omp/

func seeds(t testing.TB) [][]byte {
	out := catalogWire(t)
	for _, c := range errCases(t) {
		out = append(out, c.wire)
	}
	return append(out, fixtureSeeds(t)...)
}

// fixtureSeeds reads the messages of the fixtures directory, if any.
func fixtureSeeds(t testing.TB) [][]byte {
	var out [][]byte
	yamls, _ := filepath.Glob("../fixtures/*/*.yaml")
	for _, name := range yamls {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var entries []struct {
			Hex string `yaml:"hex"`
		}
		if err := yaml.Unmarshal(b, &entries); err != nil {
			continue // not a fixtures file
		}
		for _, e := range entries {
			if m, ok := parseHex(e.Hex); ok {
				out = append(out, m)
			}
		}
	}
	hexes, _ := filepath.Glob("../fixtures/*.hex")
	more, _ := filepath.Glob("../fixtures/*/*.hex")
	for _, name := range append(hexes, more...) {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if m, ok := parseHex(string(b)); ok {
			out = append(out, m)
		}
	}
	return out
}

// parseHex reads hex with whitespace, 0x prefixes and '#' comments.
func parseHex(s string) ([]byte, bool) {
	var clean strings.Builder
	for line := range strings.Lines(s) {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		for _, f := range strings.Fields(line) {
			clean.WriteString(strings.TrimPrefix(f, "0x"))
		}
	}
	b, err := hex.DecodeString(clean.String())
	return b, err == nil && len(b) > 0
}

// checkDecode is FuzzDecode's property: Decode never panics; an error is
// an *Error whose offset and data lie in the message; a message decoded
// re-encodes to exactly the input, and decoding that again is stable.
// Decode and DecodeFields agree, and so do the bulk and the per-field
// decoding of data taken as an NLRI list (fixed_test.go).
func checkDecode(t testing.TB, data []byte) {
	checkSameDecode(t, data)
	checkBulk(t, data)
	m, err := Decode(data)
	if err != nil {
		e, ok := AsError(err)
		if !ok {
			t.Fatalf("decode error %v is not an *Error", err)
		}
		if m != nil {
			t.Fatalf("a message and an error")
		}
		if e.Offset < 0 || e.Offset > len(data) || e.Field == "" {
			t.Fatalf("error %v: offset or field out of the message", e)
		}
		if !(e.Code == ErrUpdate && e.Subcode == SubErrUpdateMissing) &&
			(e.Offset+len(e.Data) > len(data) || !bytes.Equal(e.Data, data[e.Offset:e.Offset+len(e.Data)])) {
			t.Fatalf("error %v: Data %x is not the bytes at its offset", e, e.Data)
		}
		return
	}
	wire, err := Encode(m)
	if err != nil {
		t.Fatalf("decoded %x but cannot encode it: %v", data, err)
	}
	if !bytes.Equal(wire, data) {
		t.Fatalf("re-encoding differs:\n in  %x\n out %x", data, wire)
	}
	m2, err := Decode(wire)
	if err != nil {
		t.Fatalf("re-encoded message does not decode: %v", err)
	}
	wire2, err := Encode(m2)
	if err != nil || !bytes.Equal(wire2, wire) {
		t.Fatalf("second round trip differs (%v):\n%x\n%x", err, wire, wire2)
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkDecode(t, data) })
}

// checkFieldMap is FuzzFieldMap's property: the field map of a decoded
// message tiles it, and agrees with the encoder's; the partial map of a
// malformed one lies inside it and covers no byte twice.
func checkFieldMap(t testing.TB, data []byte) {
	m, fm, err := DecodeFields(data)
	if err != nil {
		covered := make([]bool, len(data))
		for _, f := range fm {
			if f.Offset < 0 || f.Length < 0 || f.Offset+f.Length > len(data) {
				t.Fatalf("field %+v outside the %d-byte message", f, len(data))
			}
			if f.Kind == FieldGroup {
				continue
			}
			for i := f.Offset; i < f.Offset+f.Length; i++ {
				if covered[i] {
					t.Fatalf("byte %d covered twice (%s)", i, f.Name)
				}
				covered[i] = true
			}
		}
		return
	}
	if err := tiling(data, fm); err != nil {
		t.Fatal(err)
	}
	_, efm, err := EncodeFields(m)
	if err != nil {
		t.Fatal(err)
	}
	if len(efm) != len(fm) {
		t.Fatalf("decode field map has %d fields, encode %d", len(fm), len(efm))
	}
	for i := range fm {
		if fm[i] != efm[i] {
			t.Fatalf("field %d: decode %+v, encode %+v", i, fm[i], efm[i])
		}
	}
}

func FuzzFieldMap(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkFieldMap(t, data) })
}

// chunks is a stream that returns its data in pieces whose sizes cycle
// through sizes, so that the Reader sees short reads at every offset.
type chunks struct {
	data  []byte
	sizes []byte
	i     int
}

func (c *chunks) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := 1
	if len(c.sizes) > 0 {
		n = int(c.sizes[c.i%len(c.sizes)]) + 1
		c.i++
	}
	n = min(n, len(p), len(c.data))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

// checkReader is FuzzReader's property: reading any stream returns
// whole messages framed by their Length, *Errors, and then io.EOF or
// ErrTruncated, in a bounded number of calls, without panicking.
func checkReader(t testing.TB, sizes, stream []byte) {
	r := NewReader(&chunks{data: stream, sizes: sizes})
	consumed := 0
	for calls := 0; ; calls++ {
		if calls > len(stream)/HeaderLen+2 {
			t.Fatalf("%d calls on a %d-byte stream", calls, len(stream))
		}
		m, raw, err := r.ReadMessage()
		switch {
		case err == io.EOF:
			if consumed != len(stream) || raw != nil {
				t.Fatalf("EOF after %d of %d bytes", consumed, len(stream))
			}
			return
		case errors.Is(err, ErrTruncated):
			if !bytes.Equal(raw, stream[consumed:]) {
				t.Fatalf("truncated: raw %x, rest of stream %x", raw, stream[consumed:])
			}
			return
		}
		if len(raw) < HeaderLen || !bytes.Equal(raw, stream[consumed:consumed+len(raw)]) {
			t.Fatalf("raw %x is not the stream at %d (%v)", raw, consumed, err)
		}
		if e, ok := AsError(err); ok && e.Code == ErrHeader && len(raw) == HeaderLen && (e.Subcode == SubErrHeaderUnsync || e.Field == "header.length") {
			consumed += HeaderLen // a header that cannot frame: skipped
			continue
		}
		if n := int(raw[16])<<8 | int(raw[17]); n != len(raw) {
			t.Fatalf("raw of %d bytes, Length %d", len(raw), n)
		}
		if err == nil {
			checkDecode(t, raw)
			if m.Type() != MsgType(raw[18]) {
				t.Fatalf("type %s", m.Type())
			}
		} else if _, ok := AsError(err); !ok {
			t.Fatalf("error %v", err)
		}
		consumed += len(raw)
	}
}

func FuzzReader(f *testing.F) {
	all := seeds(f)
	f.Add([]byte{0}, bytes.Join(all[:4], nil))
	f.Add([]byte{3, 200, 17}, bytes.Join(all, nil))
	for i, s := range all {
		f.Add([]byte{byte(i)}, s)
	}
	f.Fuzz(func(t *testing.T, sizes, stream []byte) { checkReader(t, sizes, stream) })
}

// The seeds pass the properties in plain go test runs too.
func TestFuzzSeeds(t *testing.T) {
	all := seeds(t)
	if len(fixtureSeeds(t)) == 0 {
		t.Log("no fixtures found; seeding from the catalogue and the error table only")
	}
	for _, s := range all {
		checkDecode(t, s)
		checkFieldMap(t, s)
	}
	checkReader(t, nil, bytes.Join(all, nil))
}

// checkScanAttrs is FuzzScanAttrs's property: the attribute scanner,
// which reads lists the codec refuses, never leaves the bytes, and on a
// list the codec decodes finds the attributes the codec does, with their
// Flags and Types: one framing, read two ways.
func checkScanAttrs(t testing.TB, data []byte) {
	var seen []AttrHeader
	ScanAttrs(data, func(h AttrHeader, v []byte) bool {
		if h.Data < attrListAt || h.End < h.Data || h.End > len(data) || len(v) != h.End-h.Data {
			t.Fatalf("attribute %+v (%d bytes) outside the %d-byte message", h, len(v), len(data))
		}
		seen = append(seen, h)
		return true
	})
	var attrs []Attribute
	switch m, _ := Decode(data); m := m.(type) {
	case *Update:
		attrs = m.Attributes
	case *Query:
		attrs = m.Attributes
	default:
		return
	}
	if len(seen) != len(attrs) {
		t.Fatalf("scanned %d attributes, decoded %d", len(seen), len(attrs))
	}
	for i, a := range attrs {
		if seen[i].Flags != a.Flags || seen[i].Type != a.Type() {
			t.Fatalf("attribute %d: scanned %s %s, decoded %s %s", i, seen[i].Flags, seen[i].Type, a.Flags, a.Type())
		}
	}
}

func FuzzScanAttrs(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkScanAttrs(t, data) })
}
