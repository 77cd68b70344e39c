package mutators

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/ompconform/ompconform/internal/testdut"
	"github.com/ompconform/ompconform/omp"
	"go.yaml.in/yaml/v3"
)

// encode returns the wire and field map of m.
func encode(t *testing.T, m omp.Message) ([]byte, omp.FieldMap) {
	t.Helper()
	wire, fm, err := omp.EncodeFields(m)
	if err != nil {
		t.Fatal(err)
	}
	return wire, fm
}

func field(t *testing.T, fm omp.FieldMap, name string) omp.Field {
	t.Helper()
	f, ok := fm.Lookup(name)
	if !ok {
		t.Fatalf("no field %s", name)
	}
	return f
}

// val reads field name of the ORIGINAL layout at the given offset shift.
func val(b []byte, f omp.Field, shift int) uint64 {
	return getUint(b[f.Offset+shift : f.Offset+shift+f.Length])
}

func mustApply(t *testing.T, wire []byte, fm omp.FieldMap, muts ...Mutation) []byte {
	t.Helper()
	out, err := Apply(wire, fm, muts...)
	if err != nil {
		t.Fatalf("%s: %v", Describe(muts), err)
	}
	return out
}

// decodeErr decodes b and returns its *omp.Error (failing if it decodes).
func decodeErr(t *testing.T, b []byte) *omp.Error {
	t.Helper()
	_, err := omp.Decode(b)
	e, ok := omp.AsError(err)
	if !ok {
		t.Fatalf("decode %x: want an *omp.Error, got %v", b, err)
	}
	return e
}

func wantAlert(t *testing.T, b []byte, code omp.AlertCode, sub omp.Subcode) *omp.Error {
	t.Helper()
	e := decodeErr(t, b)
	if e.Code != code || e.Subcode != sub {
		t.Fatalf("decode: got %v, want %s/%s", e, code, code.SubcodeName(sub))
	}
	return e
}

func TestSizePreservingOps(t *testing.T) {
	wire, fm := encode(t, BaseUpdate())
	hl := field(t, fm, "header.length")
	pref := field(t, fm, "update.attr[1].value.preference") // 100
	flags := field(t, fm, "update.attr[2].flags")           // 0x80
	addr := field(t, fm, "update.attr[0].value.address")    // 192.0.2.1
	cases := []struct {
		m    Mutation
		f    omp.Field
		want []byte
	}{
		{On(pref.Name, Set(7)), pref, []byte{0, 0, 0, 7}},
		{On(pref.Name, Zero()), pref, []byte{0, 0, 0, 0}},
		{On(pref.Name, AllOnes()), pref, []byte{0xFF, 0xFF, 0xFF, 0xFF}},
		{On(pref.Name, Inc()), pref, []byte{0, 0, 0, 101}},
		{On(pref.Name, Dec()), pref, []byte{0, 0, 0, 99}},
		{On(pref.Name, FlipBits(0x0100)), pref, []byte{0, 0, 1, 100}},
		{On(flags.Name, FlipFlags(0x20)), flags, []byte{0xA0}},
		{On(addr.Name, Set(0xE0000001)), addr, []byte{224, 0, 0, 1}},
		{On(pref.Name, Replace([]byte{9, 9, 9, 9})), pref, []byte{9, 9, 9, 9}},
		{On("header.marker", FlipBits(1)), field(t, fm, "header.marker"), append(bytes.Repeat([]byte{0xFF}, 15), 0xFE)},
		{On("header.marker", Set(5)), field(t, fm, "header.marker"), append(make([]byte, 15), 5)},
	}
	for _, c := range cases {
		out := mustApply(t, wire, fm, c.m)
		if len(out) != len(wire) {
			t.Errorf("%s: size %d -> %d", c.m, len(wire), len(out))
			continue
		}
		if got := out[c.f.Offset : c.f.Offset+c.f.Length]; !bytes.Equal(got, c.want) {
			t.Errorf("%s: field is %x, want %x", c.m, got, c.want)
		}
		// Everything else is unchanged.
		rest := append(append([]byte(nil), out[:c.f.Offset]...), out[c.f.Offset+c.f.Length:]...)
		orig := append(append([]byte(nil), wire[:c.f.Offset]...), wire[c.f.Offset+c.f.Length:]...)
		if !bytes.Equal(rest, orig) {
			t.Errorf("%s: bytes outside the field changed", c.m)
		}
		if val(out, hl, 0) != uint64(len(wire)) {
			t.Errorf("%s: header length changed", c.m)
		}
	}
	if !bytes.Equal(wire, testdut.Encode(t, BaseUpdate())) {
		t.Fatal("Apply modified its input")
	}
}

// TestExtendFixesLengths is the brief's proof: extending update.attr[1]'s
// value grows attr[1].length, attributes_length and header.length; when
// attr[1].length is itself a target it keeps its value, and the result
// decodes to the ALERT the inconsistency deserves.
func TestExtendFixesLengths(t *testing.T) {
	wire, fm := encode(t, BaseUpdate())
	hl, al := field(t, fm, "header.length"), field(t, fm, "update.attributes_length")
	l1 := field(t, fm, "update.attr[1].length")
	ext := []byte{0xAA, 0xBB}

	out := mustApply(t, wire, fm, On("update.attr[1].value", Extend(ext)))
	if len(out) != len(wire)+2 {
		t.Fatalf("size %d, want %d", len(out), len(wire)+2)
	}
	if got := val(out, hl, 0); got != val(wire, hl, 0)+2 {
		t.Errorf("header.length %d, want %d", got, val(wire, hl, 0)+2)
	}
	if got := val(out, al, 0); got != val(wire, al, 0)+2 {
		t.Errorf("attributes_length %d, want %d", got, val(wire, al, 0)+2)
	}
	if got := val(out, l1, 0); got != 6 {
		t.Errorf("attr[1].length %d, want 6", got)
	}
	v := field(t, fm, "update.attr[1].value")
	if !bytes.Equal(out[v.Offset+v.Length:v.Offset+v.Length+2], ext) {
		t.Errorf("extension not after the value: %x", out[v.Offset:v.Offset+v.Length+2])
	}
	// PREF of 6 bytes: an attribute Length error.
	e := wantAlert(t, out, omp.ErrUpdate, omp.SubErrUpdateLength)
	if !strings.HasPrefix(e.Field, "update.attr[1]") {
		t.Errorf("error at %s, want update.attr[1]", e.Field)
	}

	// Extending the attribute group itself: attr[1].length counts only the
	// value, so it stays; the two bytes become a malformed attribute.
	out = mustApply(t, wire, fm, On("update.attr[1]", Extend(ext)))
	if val(out, l1, 0) != 4 || val(out, al, 0) != val(wire, al, 0)+2 || val(out, hl, 0) != val(wire, hl, 0)+2 {
		t.Errorf("extend attr[1]: lengths %d %d %d", val(out, l1, 0), val(out, al, 0), val(out, hl, 0))
	}
	decodeErr(t, out)

	// attr[1].length is a target (pinned to its own value): not fixed up.
	out = mustApply(t, wire, fm, On("update.attr[1].value", Extend(ext)), On("update.attr[1].length", Set(4)))
	if got := val(out, l1, 0); got != 4 {
		t.Errorf("targeted attr[1].length %d, want 4", got)
	}
	if val(out, al, 0) != val(wire, al, 0)+2 || val(out, hl, 0) != val(wire, hl, 0)+2 {
		t.Errorf("outer lengths not fixed: %d %d", val(out, al, 0), val(out, hl, 0))
	}
	// PREF reads 4 bytes, then 0xAA 0xBB start an attribute with
	// undefined flag bits.
	wantAlert(t, out, omp.ErrUpdate, omp.SubErrUpdateFlags)

	// A targeted header.length is not fixed either.
	out = mustApply(t, wire, fm, On("update.attr[1].value", Extend(ext)), On("header.length", Inc()))
	if val(out, hl, 0) != val(wire, hl, 0)+1 || val(out, al, 0) != val(wire, al, 0)+2 {
		t.Errorf("header.length %d attributes_length %d", val(out, hl, 0), val(out, al, 0))
	}
}

func TestTruncateDropDuplicate(t *testing.T) {
	wire, fm := encode(t, BaseUpdate())
	hl, al := field(t, fm, "header.length"), field(t, fm, "update.attributes_length")
	a1 := field(t, fm, "update.attr[1]")
	l4 := field(t, fm, "update.attr[4].length")
	nl := field(t, fm, "update.attr[4].value.nlri_length")

	// Truncate the NLRI by 1: nlri_length, attr[4].length, attributes_length
	// and header.length all shrink by 1.
	out := mustApply(t, wire, fm, On("update.attr[4].value.nlri", Truncate(1)))
	for _, f := range []omp.Field{hl, al, l4, nl} {
		if val(out, f, 0) != val(wire, f, 0)-1 {
			t.Errorf("truncate: %s %d, want %d", f.Name, val(out, f, 0), val(wire, f, 0)-1)
		}
	}
	wantAlert(t, out, omp.ErrUpdate, omp.SubErrUpdateBadNet)

	// Drop attr[1] (PREF): the message is still valid.
	out = mustApply(t, wire, fm, On("update.attr[1]", Drop()))
	if len(out) != len(wire)-a1.Length || val(out, al, 0) != val(wire, al, 0)-uint64(a1.Length) {
		t.Fatalf("drop: size %d attributes_length %d", len(out), val(out, al, 0))
	}
	m, err := omp.Decode(out)
	if err != nil {
		t.Fatalf("drop attr[1]: %v", err)
	}
	if _, ok := m.(*omp.Update).Find(omp.AttrTypePref); ok {
		t.Error("PREF still there")
	}

	// Duplicate attr[1]: the copy follows it.
	out = mustApply(t, wire, fm, On("update.attr[1]", Duplicate()))
	end := a1.Offset + a1.Length
	if !bytes.Equal(out[end:end+a1.Length], wire[a1.Offset:end]) {
		t.Errorf("duplicate: %x", out[a1.Offset:end+a1.Length])
	}
	wantAlert(t, out, omp.ErrUpdate, omp.SubErrUpdateAttrList)
}

// Replace with a different size resizes like Truncate and Extend.
func TestReplaceResizes(t *testing.T) {
	wire, fm := encode(t, BaseUpdate())
	al, l0 := field(t, fm, "update.attributes_length"), field(t, fm, "update.attr[0].length")
	v6 := append(make([]byte, 15), 1, 7, 2) // ::1, color 7, encap 2
	out := mustApply(t, wire, fm, On("update.attr[0].value", Replace(v6)))
	if val(out, l0, 0) != 18 || val(out, al, 0) != val(wire, al, 0)+12 {
		t.Fatalf("lengths %d %d", val(out, l0, 0), val(out, al, 0))
	}
	m, err := omp.Decode(out)
	if err != nil {
		t.Fatal(err)
	}
	tl := m.(*omp.Update).Attributes[0].Value.(*omp.AttrTLOC)
	if !tl.Address.Is6() || tl.Color != 7 {
		t.Errorf("TLOC %+v", tl)
	}
}

func TestReorder(t *testing.T) {
	wire, fm := encode(t, BaseUpdate())
	a0, a1 := field(t, fm, "update.attr[0]"), field(t, fm, "update.attr[1]")
	out := mustApply(t, wire, fm, On("update.attr[1]", Reorder("update.attr[0]")))
	if len(out) != len(wire) {
		t.Fatal("size changed")
	}
	if !bytes.Equal(out[a0.Offset:a0.Offset+a1.Length], wire[a1.Offset:a1.Offset+a1.Length]) {
		t.Error("attr[1] not first")
	}
	m, err := omp.Decode(out)
	if err != nil {
		t.Fatal(err)
	}
	if m.(*omp.Update).Attributes[0].Type() != omp.AttrTypePref {
		t.Errorf("first attribute %s", m.(*omp.Update).Attributes[0].Type())
	}
	// Fields of different sizes in different regions cannot be swapped.
	if _, err := Apply(wire, fm, On("update.attr[0].value.color", Reorder("update.attr[1].value.preference"))); err == nil {
		t.Error("swapping fields of different regions and sizes: no error")
	}
}

func TestErrors(t *testing.T) {
	wire, fm := encode(t, BaseUpdate())
	cases := []struct {
		m    []Mutation
		want string
	}{
		{muts(On("update.attr[9].length", Inc())), `no field "update.attr[9].length"`},
		{muts(On("update.attr[9].length", Inc())), "update.attr[4]"}, // suggestion
		{muts(On("header.length", Set(70000))), "does not fit the 2-byte field"},
		{muts(On("update.attr[1].flags", Set(256))), "does not fit the 1-byte field"},
		{muts(On("header.marker", Inc())), "at most 8"},
		{muts(On("update.attr[1].flags", Dec())), "cannot be decremented"},
		{muts(On("header.length", AllOnes()), On("header.length", Inc())), "touches the same bytes"},
		{muts(On("update.attr[1]", Drop()), On("update.attr[1].value", Extend([]byte{1}))), "touches the same bytes"},
		{muts(On("update.attr[1].value", Truncate(5))), "truncate by 1 to 4"},
		{muts(On("update.attr[1].flags", FlipFlags(0))), "mask"},
		{muts(On("update.attr[1].flags", FlipBits(0x100))), "wider than"},
		{muts(On("update.attr[1].value.preference", FlipFlags(1))), "1-byte field"},
		{muts(On("update.attr[1].value", Extend(make([]byte, 300)))), "does not fit its 1-byte field"},
		{muts(On("update.attr[1]", Extend(nil))), "nothing to extend"},
	}
	for _, c := range cases {
		_, err := Apply(wire, fm, c.m...)
		var me *Error
		if !errors.As(err, &me) {
			t.Errorf("%s: want *Error, got %v", Describe(c.m), err)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q does not say %q", Describe(c.m), err, c.want)
		}
	}
}

func TestMutationString(t *testing.T) {
	cases := map[string]Mutation{
		"set header.length to 18":                       On("header.length", Set(18)),
		"zero handshake.holdtime":                       On("handshake.holdtime", Zero()),
		"increment update.attr[1].length":               On("update.attr[1].length", Inc()),
		"truncate update.attr[1].value by 2 bytes":      On("update.attr[1].value", Truncate(2)),
		"extend update.attr[1].value by 1 byte (00)":    On("update.attr[1].value", Extend([]byte{0})),
		"duplicate update.attr[1]":                      On("update.attr[1]", Duplicate()),
		"drop update.attr[0]":                           On("update.attr[0]", Drop()),
		"swap update.attr[0] with update.attr[1]":       On("update.attr[0]", Reorder("update.attr[1]")),
		"flip flags 0x20 in update.attr[1].flags":       On("update.attr[1].flags", FlipFlags(0x20)),
		"flip bits 0x1 in header.marker":                On("header.marker", FlipBits(1)),
		"set every bit of header.type":                  On("header.type", AllOnes()),
		"decrement header.length":                       On("header.length", Dec()),
		"replace update.attr[1].value with 1 byte (07)": On("update.attr[1].value", Replace([]byte{7})),
	}
	for want, m := range cases {
		if got := m.String(); got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

func TestOpKindText(t *testing.T) {
	for k := OpSet; k <= OpReplace; k++ {
		b, err := k.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back OpKind
		if err := back.UnmarshalText(b); err != nil || back != k {
			t.Errorf("%s: round trip %v %v", b, back, err)
		}
	}
	var k OpKind
	if err := k.UnmarshalText([]byte("explode")); err == nil {
		t.Error("unknown op accepted")
	}
}

// Extending a zero-length group (REFRESH's data) fixes every length up to
// the header through three levels of nesting.
func TestMessageAndHeaderFixup(t *testing.T) {
	wire, fm := encode(t, BaseHandshake())
	b, err := Message(BaseHandshake(), On("handshake.option[0].capability[6].data", Extend([]byte{1, 2})))
	if err != nil {
		t.Fatal(err)
	}
	if got := binary.BigEndian.Uint16(b[16:]); int(got) != len(b) || len(b) != len(wire)+2 {
		t.Errorf("header.length %d, message %d bytes", got, len(b))
	}
	for _, name := range []string{"handshake.options_length", "handshake.option[0].length", "handshake.option[0].capability[6].length"} {
		f := field(t, fm, name)
		if val(b, f, 0) != val(wire, f, 0)+2 {
			t.Errorf("%s: %d, want %d", name, val(b, f, 0), val(wire, f, 0)+2)
		}
	}
	// Lengths outside the extended range stay.
	if f := field(t, fm, "handshake.option[0].capability[5].length"); val(b, f, 0) != val(wire, f, 0) {
		t.Error("capability[5].length changed")
	}
	// REFRESH with 2 bytes of data: capability length error.
	wantAlert(t, b, omp.ErrHandshake, omp.SubErrHandshakeUnsupCap)
}

func TestMutationYAML(t *testing.T) {
	src := "- field: header.length\n  op: set\n  value: 18\n- field: update.attr[0]\n  op: reorder\n  other: update.attr[1]\n- field: update.attr[1].value\n  op: truncate\n  n: 2\n"
	var ms []Mutation
	if err := yaml.Unmarshal([]byte(src), &ms); err != nil {
		t.Fatal(err)
	}
	want := "set header.length to 18; swap update.attr[0] with update.attr[1]; truncate update.attr[1].value by 2 bytes"
	if got := Describe(ms); got != want {
		t.Errorf("got %q", got)
	}
	out, err := yaml.Marshal(ms)
	if err != nil {
		t.Fatal(err)
	}
	var back []Mutation
	if err := yaml.Unmarshal(out, &back); err != nil || Describe(back) != want {
		t.Errorf("round trip %q: %v", out, err)
	}
	if err := yaml.Unmarshal([]byte("- field: x\n  op: explode\n"), &ms); err == nil {
		t.Error("unknown op accepted")
	}
}

func muts(ms ...Mutation) []Mutation { return ms }
