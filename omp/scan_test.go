package omp

import (
	"bytes"
	"encoding/hex"
	"net/netip"
	"slices"
	"testing"
)

// raw is a message given in hex, spaces allowed.
func raw(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(string(bytes.ReplaceAll([]byte(s), []byte(" "), nil)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const mk = "ffffffffffffffffffffffffffffffff"

func TestTypeOfHeaderLength(t *testing.T) {
	for _, c := range []struct {
		hex    string
		typ    MsgType
		typeOK bool
		n      int
		lenOK  bool
	}{
		{mk + "0013 04", TypeHello, true, 19, true},
		{mk + "0017 02 0002 0000", TypeUpdate, true, 23, true},            // extra bytes: the Type is still byte 18
		{"00000000000000000000000000000000 0fff 09", 9, true, 4095, true}, // no Marker, no such Type: read as they are
		{mk + "0013", 0, false, 19, true},                                 // 18 bytes: the Length, no Type
		{mk + "00", 0, false, 0, false},
		{"", 0, false, 0, false},
	} {
		b := raw(t, c.hex)
		typ, ok := TypeOf(b)
		if typ != c.typ || ok != c.typeOK {
			t.Errorf("TypeOf(%s) = %v, %v; want %v, %v", c.hex, typ, ok, c.typ, c.typeOK)
		}
		n, ok := HeaderLength(b)
		if n != c.n || ok != c.lenOK {
			t.Errorf("HeaderLength(%s) = %d, %v; want %d, %v", c.hex, n, ok, c.n, c.lenOK)
		}
	}
}

func TestAttrSpan(t *testing.T) {
	for _, c := range []struct {
		hex  string
		at   int
		want *AttrHeader // nil: the header does not fit
	}{
		{"80 05 04 00000064", 0, &AttrHeader{AttrOptional, AttrTypePref, 3, 7}},
		{"90 05 0004 00000064", 0, &AttrHeader{AttrOptional | AttrExtended, AttrTypePref, 4, 8}},
		{"10 05 0104 00", 0, &AttrHeader{AttrExtended, AttrTypePref, 4, 264}},          // a Length past the bytes is reported, not trusted
		{"00 05 04 00000064 10 06 0002 0000", 7, &AttrHeader{AttrExtended, 6, 11, 13}}, // the second attribute
		{"10 05 00", 0, nil}, // ATTR_EXTENDED, 1 byte of Length
		{"00 05", 0, nil},
		{"00 05 00", 1, nil},
		{"00 05 00", -1, nil},
		{"00 05 00", 4, nil},
		{"", 0, nil},
	} {
		h, ok := AttrSpan(raw(t, c.hex), c.at)
		if ok != (c.want != nil) || ok && h != *c.want {
			t.Errorf("AttrSpan(%s, %d) = %+v, %v; want %+v", c.hex, c.at, h, ok, c.want)
		}
	}
}

func TestScanAttrs(t *testing.T) {
	// An UPDATE with ATTR_TYPE_PREF, then an extended ATTR_TYPE_ORIGINATOR.
	upd, err := Encode(&Update{Attributes: []Attribute{
		Attr(&AttrPref{Preference: 100}),
		{Flags: AttrExtended, Value: &AttrOriginator{Originator: netip.MustParseAddr("10.1.1.1")}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := hex.EncodeToString(upd[HeaderLen:]), "000f"+"000504"+"00000064"+"100c0004"+"0a010101"; got != want {
		t.Fatalf("the UPDATE body is %s, want %s", got, want)
	}
	type seen struct {
		t    AttrType
		data string
	}
	scan := func(b []byte, stop int) (out []seen) {
		ScanAttrs(b, func(h AttrHeader, data []byte) bool {
			out = append(out, seen{h.Type, hex.EncodeToString(data)})
			return len(out) != stop
		})
		return out
	}
	both := []seen{{AttrTypePref, "00000064"}, {AttrTypeOriginator, "0a010101"}}
	short := func(n int) []byte { return upd[:n] }
	lying := bytes.Clone(upd)
	lying[HeaderLen+1] = 7 // the Attributes Length ends inside the second attribute
	longAttr := bytes.Clone(upd)
	longAttr[HeaderLen+2+7+3] = 9 // the second attribute's Length runs past the message
	for _, c := range []struct {
		name string
		b    []byte
		stop int
		want []seen
	}{
		{"whole", upd, 0, both},
		{"stopped", upd, 1, both[:1]},
		{"truncated attribute", short(len(upd) - 1), 0, both[:1]},
		{"truncated extended Length", short(HeaderLen + 2 + 7 + 3), 0, both[:1]},
		{"Attributes Length short", lying, 0, both[:1]},
		{"attribute Length too long", longAttr, 0, both[:1]},
		{"no attribute", short(HeaderLen + 2), 0, nil},
		{"shorter than the Attributes Length", short(HeaderLen + 1), 0, nil},
		{"shorter than a header", short(3), 0, nil},
	} {
		if got := scan(c.b, c.stop); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// PutLength writes the message's own length into its header.
func TestPutLength(t *testing.T) {
	b, err := Encode(&Hello{})
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, 0, 0, 0)
	PutLength(b)
	if n, ok := HeaderLength(b); !ok || n != len(b) {
		t.Errorf("Length %d, %v after PutLength on %d bytes", n, ok, len(b))
	}
}
