package omp

import (
	"bytes"
	"encoding/binary"
	"reflect"
	"strings"
	"testing"
)

// checkSameDecode is the differential property of the bulk path at the
// message level: Decode (which fills fixed-size NLRI lists from their
// plans) and DecodeFields (which walks every field, recording the field
// map) give the same message, or the same error, field for field.
func checkSameDecode(t testing.TB, data []byte) {
	m, err := Decode(data)
	fm, _, ferr := DecodeFields(data)
	if !reflect.DeepEqual(err, ferr) {
		t.Fatalf("%x:\nDecode       %#v\nDecodeFields %#v", data, err, ferr)
	}
	if !reflect.DeepEqual(m, fm) {
		t.Fatalf("%x:\nDecode       %#v\nDecodeFields %#v", data, m, fm)
	}
}

// checkBulk is the differential property at the list level: data taken
// as the bytes of an NLRI list of each fixed layout decodes to the same
// elements, offset and error through fixedList (the plan) as through
// listOf (the walk, field by field), with the field map off and on.
func checkBulk(t testing.TB, data []byte) {
	for _, n := range []int{4, 16} {
		sameList(t, data, tlocNLRI, n)
		sameList(t, data, vrouteNLRI, n)
	}
}

func sameList[T any](t testing.TB, data []byte, l *fixedLayout[T], n int) {
	t.Helper()
	type result struct {
		s   []T
		off int
		err *Error
	}
	run := func(rec, bulk bool) result {
		w := newDecoder(data, rec)
		defer w.release()
		var s []T
		w.group("nlri_list", -1, func() {
			if bulk {
				fixedList(w, "nlri", &s, l, n)
			} else {
				listOf(w, "nlri", &s, l.plan(n).size, n, l.walk)
			}
		})
		return result{s, w.off, w.err}
	}
	want := run(false, false)
	for _, rec := range []bool{false, true} {
		if got := run(rec, true); !reflect.DeepEqual(got, want) {
			t.Fatalf("%T/%d, field map %v, %x:\nbulk %+v\nwalk %+v", *new(T), n, rec, data, got, want)
		}
	}
}

// vrouteWire is the NLRI of benchUpdate's REACHABLES: 100 IPv4 vRoutes.
func vrouteWire(t testing.TB) []byte {
	wire, err := Encode(benchUpdate())
	if err != nil {
		t.Fatal(err)
	}
	return wire[len(wire)-100*20:]
}

func TestBulkTakesThePlan(t *testing.T) {
	nlri := vrouteWire(t)
	p := vrouteNLRI.plan(4)
	if p == nil || p.size != 20 || len(p.ops) != 5 {
		t.Fatalf("IPv4 vRoute plan %+v, want 5 fields in 20 bytes", p)
	}
	if p := vrouteNLRI.plan(16); p == nil || p.size != 32 {
		t.Fatalf("IPv6 vRoute plan %+v, want 32 bytes", p)
	}
	if p := tlocNLRI.plan(16); p == nil || p.size != 18 {
		t.Fatalf("IPv6 TLOC plan %+v, want 18 bytes", p)
	}
	decodeBulk := func(b []byte) ([]VRouteNLRI, bool) {
		w := newDecoder(b, false)
		defer w.release()
		var s []VRouteNLRI
		return s, bulkDecode(w, &s, p)
	}
	s, ok := decodeBulk(nlri)
	if !ok || len(s) != 100 {
		t.Fatalf("bulk decode of 100 vRoutes: ok %v, %d routes", ok, len(s))
	}
	want := benchUpdate().Attributes[4].Value.(*AttrReachables).VRoutes
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("bulk decode:\n%+v\nwant\n%+v", s[:2], want[:2])
	}
	bad := bytes.Clone(nlri)
	bad[57*20+15] = 33
	if _, ok := decodeBulk(bad); ok {
		t.Fatal("bulk decode took a 33-bit IPv4 prefix length")
	}
	if _, ok := decodeBulk(nlri[:len(nlri)-1]); ok {
		t.Fatal("bulk decode took a list that is not whole elements")
	}
}

// Truncations of the list at every byte of its first elements and its
// last, and a bad prefix length in one element, decode alike through the
// plan and through the walk.
func TestBulkMatchesWalk(t *testing.T) {
	nlri := vrouteWire(t)
	for i := 0; i <= len(nlri); i++ {
		if i < 3*32 || i > len(nlri)-32 || i%13 == 0 {
			checkBulk(t, nlri[:i])
		}
	}
	for _, i := range []int{0, 1, 57, 99} {
		bad := bytes.Clone(nlri)
		bad[i*20+15] = 33 + byte(i)
		checkBulk(t, bad)
	}
	six := make([]byte, 5*32)
	for i := range six {
		six[i] = byte(i * 7)
	}
	for i := 0; i < 5; i++ {
		six[i*32+15] = 128
	}
	checkBulk(t, six)
	six[3*32+15] = 129
	checkBulk(t, six)
}

// A bad prefix length in the 58th vRoute of an UPDATE: Decode names it
// as the walk does.
func TestBulkDecodeError(t *testing.T) {
	wire, err := Encode(benchUpdate())
	if err != nil {
		t.Fatal(err)
	}
	at := len(wire) - 100*20 + 57*20 + 15
	wire[at] = 33
	_, err = Decode(wire)
	e, ok := AsError(err)
	if !ok || e.Code != ErrUpdate || e.Subcode != SubErrUpdateBadNet || e.Offset != at ||
		e.Field != "update.attr[4].value.nlri[57].prefix_length" || !bytes.Equal(e.Data, []byte{33}) {
		t.Fatalf("got %v, want BAD_NETWORK at update.attr[4].value.nlri[57].prefix_length, offset %d", err, at)
	}
	checkSameDecode(t, wire)
	binary.BigEndian.PutUint16(wire[len(wire)-100*20-2:], 100*20-1) // NLRI Length one short
	checkSameDecode(t, wire)
}

// planOf refuses a walk that is not a fixed sequence of fields.
func TestPlanRefuses(t *testing.T) {
	type two struct{ A, B uint8 }
	for name, c := range map[string]struct {
		walk func(*two, *walker, int)
		want string
	}{
		"branch on a value": {func(e *two, w *walker, _ int) {
			w.u8("a", &e.A)
			if e.A > 10 {
				w.u8("b", &e.B)
			}
		}, "reads differently"},
		"hidden check": {func(e *two, w *walker, _ int) {
			w.u8("a", &e.A)
			if w.decode && e.A == 0 {
				w.failAt(errUpBadNet, "a", 0, 1, "zero")
			}
		}, "fails in plan mode"},
		"field outside the element": {func(e *two, w *walker, _ int) {
			var x uint8
			w.u8("a", &x)
		}, "not stored in the element"},
		"variable part": {func(e *two, w *walker, _ int) {
			var b []byte
			w.bytes("b", &b, -1)
		}, "variable part"},
		"list": {func(e *two, w *walker, _ int) {
			var l []uint8
			list(w, "l", &l, 1, func(v *uint8) { w.u8("v", v) })
		}, "variable part"},
		"no field": {func(*two, *walker, int) {}, "reads no bytes"},
		"length field": {func(e *two, w *walker, _ int) {
			w.count("n", 1, 0)
		}, "fails in plan mode"},
	} {
		if _, err := planOf(c.walk, 4); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: planOf gives %v, want an error saying %q", name, err, c.want)
		}
	}
	if _, err := planOf((*MulticastNLRI).walk, 4); err == nil {
		t.Error("planOf accepts the multicast NLRI, whose layout depends on MCAST_TYPE")
	}
}

func TestBulkSeeds(t *testing.T) {
	for _, s := range seeds(t) {
		checkSameDecode(t, s)
		checkBulk(t, s)
	}
}
