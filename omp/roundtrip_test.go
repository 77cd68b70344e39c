package omp

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var cmpOpts = []cmp.Option{
	cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
	cmpopts.EquateEmpty(),
}

func TestRoundTripCatalog(t *testing.T) {
	for _, c := range catalog() {
		t.Run(c.name, func(t *testing.T) {
			wire := mustEncode(t, c.m)
			if got := int(wire[16])<<8 | int(wire[17]); got != len(wire) {
				t.Fatalf("header Length %d, message %d bytes", got, len(wire))
			}
			if MsgType(wire[18]) != c.m.Type() {
				t.Fatalf("header Type %d, want %s", wire[18], c.m.Type())
			}
			d, err := Decode(wire)
			if err != nil {
				t.Fatalf("decode %x: %v", wire, err)
			}
			if diff := cmp.Diff(c.m, d, cmpOpts...); diff != "" {
				t.Fatalf("decoded differs (-sent +decoded):\n%s", diff)
			}
			again := mustEncode(t, d)
			if !bytes.Equal(wire, again) {
				t.Fatalf("re-encoded differs:\n%x\n%x", wire, again)
			}
		})
	}
}

// Every attribute type 1..38 is in the catalogue, and decodes to the
// type the codec documents: typed where the draft gives a format, raw
// where it does not.
func TestCatalogCoversAttrTypes(t *testing.T) {
	seen := map[AttrType]bool{}
	for _, v := range attrValues() {
		seen[v.AttrType()] = true
		_, raw := v.(*RawAttr)
		set := new(attrSet)
		_, typed := set.value(v.AttrType()).(*RawAttr)
		if raw != typed {
			t.Errorf("%s: catalogue raw=%v, decoder raw=%v", v.AttrType(), raw, typed)
		}
	}
	for ty := AttrTypeTLOC; ty <= MaxAttrType; ty++ {
		if !seen[ty] {
			t.Errorf("%s is not in the catalogue", ty)
		}
	}
}

// minBody, derived from the layouts, is the smallest body the draft draws
// for each message type, and the decoder refuses one byte less.
func TestMinBodyMatchesLayouts(t *testing.T) {
	draft := map[MsgType]int{TypeHandshake: 16, TypeUpdate: 2, TypeAlert: 2, TypeHello: 0, TypeQuery: 2, TypePolicy: 1, TypeInform: 3}
	for mt := TypeHandshake; mt <= TypeInform; mt++ {
		if minBody[mt] != draft[mt] {
			t.Errorf("%s: the layout gives %d bytes, the draft %d", mt, minBody[mt], draft[mt])
		}
		if draft[mt] == 0 {
			continue
		}
		b := append(append([]byte(nil), marker...), 0, 0, byte(mt))
		b = append(b, make([]byte, draft[mt]-1)...)
		b[MarkerLen+1] = byte(len(b))
		_, err := Decode(b)
		if e, ok := AsError(err); !ok || e.Code != ErrHeader || e.Subcode != SubErrHeaderLength || e.Field != "header.length" {
			t.Errorf("%s body of %d bytes: %v, want HEADER LENGTH at header.length", mt, draft[mt]-1, err)
		}
	}
}

// capLen, derived from the layouts, is the length the draft gives each
// capability (section 3.1.2), and the encoder's data fields have it.
func TestCapLenMatchesLayouts(t *testing.T) {
	draft := map[CapCode]int{CapCodeMP: 4, CapCodeIdentity: 4, CapCodeGracefulRestart: 4,
		CapCodeRefresh: 0, CapCodeSecurity: 0, CapCodeOverlayID: 4}
	for code := range CapCode(len(capLen)) {
		want, ok := draft[code]
		if !ok {
			want = -1
		}
		if capLen[code] != want {
			t.Errorf("%s: the layout gives length %d, the draft %d", code, capLen[code], want)
		}
	}
	for code := range draft {
		c := newCapability(code)
		if c.CapCode() != code {
			t.Errorf("code %d makes a %s", code, c.CapCode())
		}
		_, fm, err := EncodeFields(&Handshake{Version: Version, PeerRouterID: ip4("1.1.1.1"),
			Options: []Option{&CapabilitiesOption{Capabilities: []Capability{c}}}})
		if err != nil {
			t.Fatal(err)
		}
		if f, ok := fm.Lookup("handshake.option[0].capability[0].data"); !ok || f.Length != draft[code] {
			t.Errorf("%s: the encoder gives %+v", code, f)
		}
	}
	if c, ok := newCapability(99).(*RawCapability); !ok || c.Code != 99 {
		t.Errorf("code 99 makes %#v", newCapability(99))
	}
}

// attrSizes, derived from the layouts, are the sizes the draft gives
// (docs/wire-format.md), and the encoder's value fields have them.
func TestAttrLenMatchesLayouts(t *testing.T) {
	draft := map[AttrType][]int{
		AttrTypeTLOC: {6, 18}, AttrTypeTLOCV4Private: {6}, AttrTypeTLOCV4Public: {6},
		AttrTypeTLOCV6Private: {18}, AttrTypeTLOCV6Public: {18},
		AttrTypePref: {4}, AttrTypeWeight: {4}, AttrTypeTag: {4}, AttrTypeDomain: {4}, AttrTypeSiteID: {4},
		AttrTypeOriginator: {4}, AttrTypeVersion: {4}, AttrTypeBandwidth: {4}, AttrTypeSrcVPN: {8},
		AttrTypeQuery: {1}, AttrTypeStale: {1}, AttrTypeCarrier: {1}, AttrTypeRestrict: {1},
		AttrTypeBorder: {1}, AttrTypeOnDemand: {1},
	}
	for ty := AttrType(0); ty <= MaxAttrType; ty++ {
		if !slices.Equal(attrSizes[ty], draft[ty]) {
			t.Errorf("%s: the layout gives sizes %v, the draft %v", ty, attrSizes[ty], draft[ty])
		}
	}
	for _, v := range attrValues() {
		ty := v.AttrType()
		_, fm, err := EncodeFields(&Update{Attributes: []Attribute{Attr(v)}})
		if err != nil {
			t.Fatal(err)
		}
		f, ok := fm.Lookup("update.attr[0].value")
		if !ok {
			t.Fatalf("%s: no value field", ty)
		}
		if !attrLenOK(ty, f.Length) {
			t.Errorf("%s: the encoder gives %d bytes, attrSizes %v", ty, f.Length, attrSizes[ty])
		}
	}
	if got := attrLenText(AttrTypeTLOC); got != "6 (IPv4) or 18 (IPv6)" {
		t.Errorf("TLOC sizes read %q", got)
	}
	for _, c := range []struct {
		ty   AttrType
		n    int
		want bool
	}{{AttrTypeTLOC, 6, true}, {AttrTypeTLOC, 18, true}, {AttrTypeTLOC, 7, false}, {AttrTypePref, 3, false},
		{AttrTypeCommunity, 5, true}, {AttrTypeMulticast, 0, true}, {200, 3, true}} {
		if attrLenOK(c.ty, c.n) != c.want {
			t.Errorf("attrLenOK(%s, %d) = %v", c.ty, c.n, !c.want)
		}
	}
}

// An attribute whose data outgrows a 1-byte Length is sent with a 2-byte
// Length and ATTR_EXTENDED set, without changing the caller's message.
func TestAttrAutoWiden(t *testing.T) {
	comm := &AttrCommunity{}
	for i := range 70 { // 280 bytes
		comm.Communities = append(comm.Communities, uint32(i))
	}
	m := &Update{Attributes: []Attribute{Attr(&AttrPref{Preference: 1}), Attr(comm), Attr(&AttrWeight{Weight: 2})}}
	wire, fm, err := EncodeFields(m)
	if err != nil {
		t.Fatal(err)
	}
	if m.Attributes[1].Flags != 0 {
		t.Fatalf("Encode changed the caller's flags to %s", m.Attributes[1].Flags)
	}
	flags, _ := fm.Lookup("update.attr[1].flags")
	length, _ := fm.Lookup("update.attr[1].length")
	if wire[flags.Offset] != byte(AttrExtended) || flags.Value != "EXTENDED" {
		t.Fatalf("flags byte %#x (%q), want ATTR_EXTENDED", wire[flags.Offset], flags.Value)
	}
	if length.Length != 2 || length.Value != "280" || int(wire[length.Offset])<<8|int(wire[length.Offset+1]) != 280 {
		t.Fatalf("length field %+v, wire %x", length, wire[length.Offset:length.Offset+2])
	}
	checkTiling(t, wire, fm)
	d, err := Decode(wire)
	if err != nil {
		t.Fatal(err)
	}
	u := d.(*Update)
	if u.Attributes[1].Flags != AttrExtended || len(u.Attributes[1].Value.(*AttrCommunity).Communities) != 70 {
		t.Fatalf("decoded %+v", u.Attributes[1])
	}
	if w, _ := u.Find(AttrTypeWeight); w.(*AttrWeight).Weight != 2 {
		t.Fatalf("attribute after the widened one: %+v", w)
	}
	_, dfm, err := DecodeFields(wire)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(fm, dfm); diff != "" {
		t.Fatalf("encode and decode field maps differ:\n%s", diff)
	}
	// Widening a 2-byte length is never needed; a value over 65535
	// bytes cannot be sent.
	big := &RawAttr{AType: 200, Data: make([]byte, 70000)}
	if _, _, err := AppendWith(nil, &Update{Attributes: []Attribute{{Flags: AttrOptional, Value: big}}}, &EncodeOptions{Oversize: true}); err == nil {
		t.Fatal("a 70000-byte attribute encoded")
	}
}

// EncodeOptions.Lengths pins length and count fields by name, and the
// field map reports the pinned values.
func TestLengthPins(t *testing.T) {
	m := &Update{Attributes: []Attribute{
		Attr(&AttrPref{Preference: 1}),
		Attr(&AttrASPath{Segments: []ASPathSegment{{Type: 2, ASNs: []uint32{1, 2}}}}),
		tloc(),
		Attr(&AttrReachables{Reach{AFI: AFIIPv4, SAFI: SAFIVRoute, VRoutes: []VRouteNLRI{{VPNID: 1, Label: 1, PrefixLen: 8, Address: ip4("10.0.0.0")}}}}),
	}}
	pins := map[string]int{
		"header.length":                                77,
		"update.attributes_length":                     1000,
		"update.attr[0].length":                        3,
		"update.attr[1].value.number_of_segments":      9,
		"update.attr[1].value.segment[0].number_of_as": 200,
		"update.attr[3].value.nlri_length":             21,
	}
	wire, fm, err := AppendWith(nil, m, &EncodeOptions{Lengths: pins, Fields: true})
	if err != nil {
		t.Fatal(err)
	}
	plain := mustEncode(t, m)
	if len(wire) != len(plain) {
		t.Fatalf("pins changed the size: %d vs %d", len(wire), len(plain))
	}
	for name, v := range pins {
		f, ok := fm.Lookup(name)
		if !ok {
			t.Fatalf("no field %s", name)
		}
		got := 0
		for _, b := range wire[f.Offset : f.Offset+f.Length] {
			got = got<<8 | int(b)
		}
		if got != v || f.Value != itoa(v) {
			t.Errorf("%s: wire %d, field value %q, want %d", name, got, f.Value, v)
		}
	}
	// Only the pinned bytes differ from the plain encoding.
	pinned := map[int]bool{}
	for name := range pins {
		f, _ := fm.Lookup(name)
		for i := f.Offset; i < f.Offset+f.Length; i++ {
			pinned[i] = true
		}
	}
	for i := range wire {
		if wire[i] != plain[i] && !pinned[i] {
			t.Errorf("byte %d differs (%#x vs %#x) but is not pinned", i, wire[i], plain[i])
		}
	}
	// A pin that does not fit its field is an encode error.
	if _, _, err := AppendWith(nil, m, &EncodeOptions{Lengths: map[string]int{"update.attr[0].length": 256}}); err == nil {
		t.Fatal("a 1-byte length pinned to 256 encoded")
	}
}

// checkTiling asserts that the leaf and length fields of fm cover every
// byte of wire exactly once, and that groups lie inside the message.
func checkTiling(t testing.TB, wire []byte, fm FieldMap) {
	t.Helper()
	if err := tiling(wire, fm); err != nil {
		t.Fatal(err)
	}
}

func tiling(wire []byte, fm FieldMap) error {
	covered := make([]int, len(wire))
	for _, f := range fm {
		if f.Offset < 0 || f.Length < 0 || f.Offset+f.Length > len(wire) {
			return fmt.Errorf("field %s [%d,+%d) outside the %d-byte message", f.Name, f.Offset, f.Length, len(wire))
		}
		if f.Kind == FieldGroup {
			continue
		}
		if f.Length == 0 {
			return fmt.Errorf("leaf %s is empty", f.Name)
		}
		for i := f.Offset; i < f.Offset+f.Length; i++ {
			covered[i]++
		}
	}
	for i, c := range covered {
		if c != 1 {
			at, _ := fm.At(i)
			return fmt.Errorf("byte %d covered %d times (%s)", i, c, at.Name)
		}
	}
	return nil
}

func TestFieldMapTilesCatalog(t *testing.T) {
	for _, c := range catalog() {
		t.Run(c.name, func(t *testing.T) {
			wire, efm, err := EncodeFields(c.m)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(wire, mustEncode(t, c.m)) {
				t.Fatal("EncodeFields and Encode differ")
			}
			checkTiling(t, wire, efm)
			_, dfm, err := DecodeFields(wire)
			if err != nil {
				t.Fatal(err)
			}
			checkTiling(t, wire, dfm)
			if diff := cmp.Diff(efm, dfm); diff != "" {
				t.Fatalf("encode and decode field maps differ (-encode +decode):\n%s", diff)
			}
			// Names are unique, and every length field counts a group
			// that exists and starts right after it.
			// (A group may share its name with the one leaf it holds,
			// "hello.tlv[1].data": both name the same bytes.)
			names := map[string]Field{}
			for _, f := range dfm {
				if g, dup := names[f.Name]; dup && (g.Kind != FieldGroup || f.Kind == FieldGroup || g.Offset != f.Offset || g.Length != f.Length) {
					t.Fatalf("field name %s twice: %+v, %+v", f.Name, g, f)
				}
				names[f.Name] = f
				if f.Kind != FieldLength || f.Counts == "message" {
					continue
				}
				g, ok := dfm.Lookup(f.Counts)
				if !ok || g.Offset != f.Offset+f.Length {
					t.Fatalf("length %s counts %q (%+v)", f.Name, f.Counts, g)
				}
				if f.Value != itoa(g.Length) {
					t.Fatalf("length %s is %s, its group %d bytes", f.Name, f.Value, g.Length)
				}
			}
			if !strings.HasPrefix(dfm[len(dfm)-1].Name, fieldName(c.m.Type())) && len(wire) > HeaderLen {
				t.Fatalf("last field %s", dfm[len(dfm)-1].Name)
			}
		})
	}
}

// Encoding does not depend on what the pool's walkers did before: a
// walker is returned clean.
func TestWalkerReleaseClears(t *testing.T) {
	w := newDecoder([]byte{1, 2, 3}, true)
	w.fields = append(w.fields, Field{Name: "x"})
	w.err = &Error{}
	w.pins = map[string]int{"a": 1}
	w.off, w.depth, w.base = 2, 3, 4
	w.release()
	clean := walker{flim: -1, path: w.path}
	if w.buf != nil || w.fields != nil || w.pins != nil || w.err != nil || w.eerr != nil {
		t.Fatal("release kept a reference")
	}
	if !reflect.DeepEqual(*w, clean) {
		t.Fatalf("release left %+v", *w)
	}
}

// An unknown optional attribute is kept raw, with its flags; a short
// attribute sent with ATTR_EXTENDED keeps its 2-byte Length.
func TestUnknownOptionalAndExtendedKept(t *testing.T) {
	m := &Update{Attributes: []Attribute{
		{Flags: AttrOptional | AttrPartial, Value: &RawAttr{AType: 77, Data: []byte{9, 9}}},
		{Flags: AttrExtended, Value: &AttrPref{Preference: 5}},
	}}
	wire, fm, err := EncodeFields(m)
	if err != nil {
		t.Fatal(err)
	}
	if l, _ := fm.Lookup("update.attr[1].length"); l.Length != 2 || l.Value != "4" {
		t.Fatalf("extended length field %+v", l)
	}
	d, err := Decode(wire)
	if err != nil {
		t.Fatal(err)
	}
	got := d.(*Update).Attributes
	raw, ok := got[0].Value.(*RawAttr)
	if !ok || raw.AType != 77 || got[0].Flags != AttrOptional|AttrPartial || !bytes.Equal(raw.Data, []byte{9, 9}) {
		t.Fatalf("unknown optional attribute decoded as %+v (%T)", got[0], got[0].Value)
	}
	if got[1].Flags != AttrExtended || got[1].Value.(*AttrPref).Preference != 5 {
		t.Fatalf("extended PREF decoded as %+v", got[1])
	}
}

// The partial field map of a malformed message keeps the values it read:
// a field that could not be read does not overwrite the one before it.
func TestPartialFieldMapValues(t *testing.T) {
	w, _ := wireOf(t, update(Attr(&AttrPref{}), Attribute{Flags: AttrOptional, Value: &AttrWeight{}}), nil)
	w = w[:len(w)-6] // the WEIGHT attribute cut after its Flags
	binary.BigEndian.PutUint16(w[16:], uint16(len(w)))
	binary.BigEndian.PutUint16(w[19:], uint16(len(w)-21))
	_, fm, err := DecodeFields(w)
	if e, _ := AsError(err); e == nil || e.Field != "update.attr[1].type" {
		t.Fatalf("got %v", err)
	}
	f, ok := fm.Lookup("update.attr[1].flags")
	if !ok || f.Value != "OPTIONAL" {
		t.Fatalf("flags field %+v", f)
	}
	if h, ok := fm.Lookup("header"); !ok || h.Kind != FieldGroup || h.Length != HeaderLen {
		t.Fatalf("header group %+v", h)
	}
}
