package main

import (
	"net/netip"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ompconform/ompconform/omp"
)

func encode(t *testing.T, ms ...omp.Message) []byte {
	t.Helper()
	var out []byte
	for _, m := range ms {
		b, err := omp.Encode(m)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b...)
	}
	return out
}

// The codec's side reads a stream as the dissector must: messages split
// across segments wait for the rest, several in a segment are each read,
// and a header that cannot frame a message ends its segment.
func TestFeedFramesAStream(t *testing.T) {
	hello, eor := &omp.Hello{}, &omp.Inform{InformType: omp.InformEOR, AllFamilies: true}
	s := encode(t, hello, eor, hello)
	var d direction
	var got []string
	for _, seg := range [][]byte{s[:7], s[7:30], s[30:]} {
		for _, v := range d.feed(seg) {
			got = append(got, v.String())
		}
	}
	want := []string{"4:HELLO, Length 19", "7:INFORM, Length 22 [inform=1:OMP_INFORM_EOR]", "4:HELLO, Length 19"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("split stream:\n got %q\nwant %q", got, want)
	}
	bad := encode(t, hello)
	bad[17] = 3 // Length 3
	vs := d.feed(append(append(bad, s...), 0xFF))
	if len(vs) != 1 || !vs[0].Unframed || vs[0].Error != "1:OMP_ERR_HEADER/2:OMP_SUB_ERR_HEADER_LENGTH" || d.buf != nil {
		t.Errorf("a header of Length 3: %v, left %d bytes; want one unframed LENGTH and the segment dropped", vs, len(d.buf))
	}
	if vs := d.feed(encode(t, hello)); len(vs) != 1 || vs[0].Type != "4:HELLO" {
		t.Errorf("the next segment: %v, want a HELLO", vs)
	}
	malformed := encode(t, &omp.Handshake{Version: 2, HoldTime: 90, PeerRouterID: netipAddr("10.0.0.1")})
	if vs := d.feed(malformed); len(vs) != 1 || vs[0].Error != "2:OMP_ERR_HANDSHAKE/1:OMP_SUB_ERR_HANDSHAKE_VERSION" || vs[0].Details != nil {
		t.Errorf("a HANDSHAKE of Version 2: %v", vs)
	}
}

// The zoo is valid, and holds every message type and attribute type.
func TestZooCoversEveryKind(t *testing.T) {
	types, attrs := map[omp.MsgType]bool{}, map[omp.AttrType]bool{}
	for _, m := range zoo() {
		b := encode(t, m)
		got, err := omp.Decode(b)
		if err != nil {
			t.Errorf("%T: %v", m, err)
			continue
		}
		types[got.Type()] = true
		if u, ok := got.(*omp.Update); ok {
			for _, a := range u.Attributes {
				attrs[a.Type()] = true
			}
		}
	}
	for ty := omp.TypeHandshake; ty <= omp.TypeInform; ty++ {
		if !types[ty] {
			t.Errorf("no %s", ty)
		}
	}
	for a := omp.AttrTypeTLOC; a <= omp.MaxAttrType; a++ {
		if !attrs[a] {
			t.Errorf("no %s", a)
		}
	}
}

// With tshark at hand, the dissector reads the synthetic capture (every
// kind of message, every fixture, resegmented) as the codec does.
func TestDissectorMatchesCodec(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("no tshark: make dissector installs it")
	}
	path := filepath.Join(t.TempDir(), "synthetic.pcapng")
	if _, err := writeSynthetic(path); err != nil {
		t.Fatal(err)
	}
	lua, _ := filepath.Abs("../../tools/wireshark/omp.lua")
	r, err := check(tshark, lua, path, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d messages compared, %d of them malformed, by type %v", r.Messages, r.Malformed, r.ByType)
	if r.Messages < 500 || r.Malformed < 250 || len(r.Mismatches) > 0 {
		t.Errorf("%d messages, %d malformed compared; differences:\n%s", r.Messages, r.Malformed, strings.Join(r.Mismatches, "\n"))
	}
}

func netipAddr(s string) netip.Addr { return netip.MustParseAddr(s) }
