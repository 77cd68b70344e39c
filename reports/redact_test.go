package reports

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ompconform/ompconform/fixtures"
	"github.com/ompconform/ompconform/mutators"
	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/suites/catalog"
	"github.com/ompconform/ompconform/suites/runner"
	"github.com/ompconform/ompconform/transcript"
)

// keyBytes is n bytes of key material no other byte string of a report
// holds by chance.
func keyBytes(label string, n int) []byte {
	var out []byte
	for i := 0; len(out) < n; i++ {
		h := sha256.Sum256(fmt.Appendf(nil, "%s/%d", label, i))
		out = append(out, h[:]...)
	}
	return out[:n]
}

var (
	encAuthKey = keyBytes("TLOC_ENCAP AUTH_KEY", 64)
	encEncKey  = keyBytes("TLOC_ENCAP ENCRYPT_KEY", 64)
	secAuthKey = keyBytes("SECURITY AUTH", 32)
	secEncKey  = keyBytes("SECURITY ENCRYPT", 32)
	allKeys    = [][]byte{encAuthKey, encEncKey, secAuthKey, secEncKey}
)

// The catalogue's key-bearing attributes (suites/catalog ipsecEncap and
// security), with the keys above.
func ipsecEncap() *omp.AttrTLOCEncap { return fixtures.IPsecEncap(encAuthKey, encEncKey) }

func security() *omp.AttrSecurity { return fixtures.Security(secAuthKey, secEncKey) }

// keyUpdate is a TLOC route (the catalogue's RouteUpdate shape): attr[0]
// REACHABLES, attr[1] TLOC, attr[2] v.
func keyUpdate(v omp.AttrValue) *omp.Update {
	reach := &omp.AttrReachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute, VRoutes: []omp.VRouteNLRI{
		{VPNID: 10, PathID: 1, Label: 1001, PrefixLen: 24, Address: netip.MustParseAddr("10.1.0.0")}}}}
	return &omp.Update{Attributes: []omp.Attribute{
		omp.Attr(reach),
		omp.Attr(&omp.AttrTLOC{Address: netip.MustParseAddr("192.0.2.1"), Color: 1, Encap: 2}),
		omp.Attr(v),
	}}
}

// malformed is a message that carries keys and does not decode.
type malformed struct {
	id, what string
	dir      transcript.Direction
	raw      []byte
	note     string
	keys     [][]byte // the keys it carries
}

func mutated(t *testing.T, id, what string, v omp.AttrValue, muts ...mutators.Mutation) malformed {
	t.Helper()
	b, err := mutators.Message(keyUpdate(v), muts...)
	if err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	keys := [][]byte{encAuthKey, encEncKey}
	if _, ok := v.(*omp.AttrSecurity); ok {
		keys = [][]byte{secAuthKey, secEncKey}
	}
	return malformed{id: id, what: what, dir: transcript.Sent, raw: b, note: "mutated: " + mutators.Describe(muts), keys: keys}
}

func malformedMessages(t *testing.T) []malformed {
	on := mutators.On
	ms := []malformed{
		mutated(t, "UPD-262", "TLOC_ENCAP IPsec PROTOCOL sub-TLV of 3 bytes", ipsecEncap(), on("update.attr[2].value.tlv[0].value", mutators.Extend([]byte{0}))),
		mutated(t, "UPD-265", "SECURITY SA IDX sub-TLV of 3 bytes", security(), on("update.attr[2].value.tlv[0].value", mutators.Extend([]byte{0}))),
		mutated(t, "UPD-266", "SECURITY SPI sub-TLV of 2 bytes", security(), on("update.attr[2].value.tlv[1].value", mutators.Truncate(2))),
		mutated(t, "ENCAP-SPI-LEN-1", "TLOC_ENCAP SPI Length 1: the sub-TLVs after it misframed", ipsecEncap(), on("update.attr[2].value.tlv[1].length", mutators.Set(1))),
		mutated(t, "ENCAP-AUTH-SWALLOWS", "TLOC_ENCAP AUTH Length 70: its value swallows AUTH_KEY", ipsecEncap(), on("update.attr[2].value.tlv[2].length", mutators.Set(70))),
		mutated(t, "SEC-INTEGRITY-SWALLOWS", "SECURITY INTEGRITY Length 40: its value swallows AUTH", security(), on("update.attr[2].value.tlv[5].length", mutators.Set(40))),
		mutated(t, "ENCAP-LENGTH", "TLOC_ENCAP Length runs past the attribute", ipsecEncap(), on("update.attr[2].value.length", mutators.Set(200))),
		mutated(t, "ENCAP-ATTR-LENGTH", "TLOC_ENCAP attribute Length runs past the message", ipsecEncap(), on("update.attr[2].length", mutators.Set(255))),
		mutated(t, "TLOC-ATTR-LENGTH", "the attribute before TLOC_ENCAP one byte short: the list misframed", ipsecEncap(), on("update.attr[1].length", mutators.Dec())),
		mutated(t, "SEC-BEHIND-REACH", "REACHABLES Length too long: SECURITY inside it", security(), on("update.attr[0].length", mutators.Set(40))),
		mutated(t, "HDR-TYPE", "an UPDATE with keys sent as Type 9", ipsecEncap(), on("header.type", mutators.Set(9))),
		mutated(t, "HDR-MARKER", "an UPDATE with keys and a broken Marker", security(), on("header.marker", mutators.Zero())),
		mutated(t, "REPLACE-KEY", "AUTH_KEY replaced by itself, one byte short (the note spells it)", ipsecEncap(),
			on("update.attr[2].value.tlv[3].value", mutators.Replace(encAuthKey[:63])), on("update.attr[2].value.tlv[0].value", mutators.Extend([]byte{0}))),
	}
	// A DUT's ALERT that echoes the malformed attribute, header and all,
	// as BGP's NOTIFICATION does.
	wire, fm, err := omp.EncodeFields(keyUpdate(ipsecEncap()))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := fm.Lookup("update.attr[2]")
	attr := slices.Clone(wire[a.Offset : a.Offset+a.Length])
	attr[5]++ // the first sub-TLV's Length
	echo, err := omp.Encode(&omp.Alert{Code: omp.ErrUpdate, Subcode: omp.SubErrUpdateOptAttr, Data: attr})
	if err != nil {
		t.Fatal(err)
	}
	ms = append(ms, malformed{id: "ALERT-ECHO", what: "an ALERT whose Data is the attribute", dir: transcript.Received, raw: echo, keys: [][]byte{encAuthKey, encEncKey}})
	// The same ALERT cut: Data is the attribute's value without its header.
	val := attr[3:]
	echo2, _ := omp.Encode(&omp.Alert{Code: omp.ErrUpdate, Subcode: omp.SubErrUpdateOptAttr, Data: val[:len(val)-10]})
	ms = append(ms, malformed{id: "ALERT-ECHO-VALUE", what: "an ALERT whose Data is most of the attribute's value", dir: transcript.Received, raw: echo2, keys: [][]byte{encAuthKey}})
	for _, m := range ms {
		if _, err := omp.Decode(m.raw); err == nil && m.id != "ALERT-ECHO" && m.id != "ALERT-ECHO-VALUE" {
			t.Fatalf("%s decodes: not a malformed message", m.id)
		}
		for _, k := range m.keys {
			if !bytes.Contains(m.raw, k[:24]) {
				t.Fatalf("%s does not carry the key it should", m.id)
			}
		}
	}
	return ms
}

// leaks lists the forms in which 8 bytes or more of key material appear
// in out: raw, hex (lower, upper, spaced as the HTML shows bytes),
// base64 (every alignment).
func leaks(out []byte, keys [][]byte) []string {
	var found []string
	for ki, k := range keys {
		for i := 0; i+8 <= len(k); i++ {
			w := k[i : i+8]
			h := hex.EncodeToString(w)
			var spaced strings.Builder
			for _, c := range w {
				fmt.Fprintf(&spaced, "%02x ", c)
			}
			forms := map[string][]byte{"raw": w, "hex": []byte(h), "HEX": []byte(strings.ToUpper(h)), "spaced hex": []byte(strings.TrimSpace(spaced.String()))}
			if i+9 <= len(k) {
				// 9 bytes at any alignment hold 6 whole base64 symbols
				// of at least one 3-byte-aligned group of 6 bytes.
				b := base64.StdEncoding.EncodeToString(k[i : i+9])
				forms["base64"] = []byte(b[:12])
			}
			for name, f := range forms {
				if bytes.Contains(out, f) {
					found = append(found, fmt.Sprintf("key %d bytes %d..%d as %s", ki, i, i+8, name))
				}
			}
		}
	}
	return found
}

// caseOf is a result whose transcript is the malformed message between a
// HANDSHAKE exchange and the DUT's close, recorded through a transcript.
func caseOf(m malformed, tr *transcript.Transcript) runner.Result {
	hs, _ := omp.Encode(&omp.Handshake{Version: omp.Version, HoldTime: 30, PeerRouterID: netip.MustParseAddr("10.0.0.1")})
	start := time.Now()
	tr.Add(transcript.Entry{Time: start, Dir: transcript.Event, Peer: "p", Local: "127.0.0.2:40000", Remote: "127.0.0.1:12346", Note: "connected"})
	tr.Add(transcript.Entry{Dir: transcript.Sent, Peer: "p", Local: "127.0.0.2:40000", Remote: "127.0.0.1:12346", Raw: hs})
	m0, err := omp.Decode(m.raw)
	tr.Add(transcript.Entry{Dir: m.dir, Peer: "p", Local: "127.0.0.2:40000", Remote: "127.0.0.1:12346", Raw: m.raw, Message: m0, Err: err, Note: m.note})
	tr.Add(transcript.Entry{Dir: transcript.Event, Peer: "p", Local: "127.0.0.2:40000", Remote: "127.0.0.1:12346", Note: "connection closed by DUT"})
	return runner.Result{Identity: catalog.Identity{ID: m.id, Section: "3.1.3.18", Requirement: m.what}, Start: start, Transcript: tr.Entries()}
}

var writers = map[string]func(io.Writer, *runner.Report, Options) error{
	"junit": WriteJUnit, "json": WriteJSON, "html": WriteHTML, "markdown": WriteMarkdown,
	"pcapng": func(w io.Writer, rep *runner.Report, o Options) error { return WritePcap(w, &rep.Results[0], o) },
}

// Malformed messages that carry keys, the catalogue's UPD-262, UPD-265
// and UPD-266 among them (a mutated sub-TLV before the key), and others
// that break the framing of the sub-TLVs, of the key-bearing attribute,
// of the attribute list, of the header; a DUT's ALERT that echoes one:
// no report shows 8 bytes of any key, as bytes, hex or base64, unless
// ShowKeys, and then every report with a transcript shows them.
func TestMalformedKeysNeverLeak(t *testing.T) {
	for _, m := range malformedMessages(t) {
		rep := &runner.Report{Target: "t", Results: []runner.Result{caseOf(m, &transcript.Transcript{})}}
		for name, w := range writers {
			for _, show := range []bool{false, true} {
				var buf bytes.Buffer
				if err := w(&buf, rep, Options{ShowKeys: show}); err != nil {
					t.Fatalf("%s %s: %v", m.id, name, err)
				}
				found := leaks(buf.Bytes(), m.keys)
				switch {
				case !show && len(found) > 0:
					t.Errorf("%s (%s): %s leaks %d windows of key material, the first %s", m.id, m.what, name, len(found), found[0])
				case show && name != "markdown" && len(found) == 0:
					t.Errorf("%s: %s with ShowKeys shows no key", m.id, name)
				}
			}
		}
	}
}

// A message cut by the transcript (MaxRaw) inside a key: the rest of the
// key is not kept, and what is kept is redacted.
func TestCutKeyNeverLeaks(t *testing.T) {
	wire, err := omp.Encode(keyUpdate(ipsecEncap()))
	if err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(wire, encAuthKey)
	tr := transcript.New(transcript.Limits{MaxRaw: at + 30})
	rep := &runner.Report{Target: "t", Results: []runner.Result{caseOf(malformed{id: "CUT", dir: transcript.Received, raw: wire}, tr)}}
	for name, w := range writers {
		var buf bytes.Buffer
		if err := w(&buf, rep, Options{}); err != nil {
			t.Fatal(err)
		}
		if found := leaks(buf.Bytes(), allKeys); len(found) > 0 {
			t.Errorf("%s: %s", name, found[0])
		}
	}
}

// On a well-formed message, the layout walk redacts exactly the values
// the field map names as keys, and the message still decodes.
func TestRedactWellFormedIsExact(t *testing.T) {
	for _, v := range []omp.AttrValue{ipsecEncap(), security()} {
		u := keyUpdate(v)
		u.Attributes = append(u.Attributes, omp.Attribute{Flags: omp.AttrExtended, Value: &omp.AttrPref{Preference: 0x04040404}})
		wire, fm, err := omp.EncodeFields(u)
		if err != nil {
			t.Fatal(err)
		}
		var want [][2]int
		keyTypes := []string{"4", "6"} // AUTH_KEY, ENCRYPT_KEY
		if v.AttrType() == omp.AttrTypeSecurity {
			keyTypes = []string{"7", "8"} // AUTH, ENCRYPT
		}
		for _, f := range fm {
			if f.Kind == omp.FieldLeaf && strings.HasPrefix(f.Name, "update.attr[2].value.tlv[") && strings.HasSuffix(f.Name, "].value") {
				tf, _ := fm.Lookup(strings.TrimSuffix(f.Name, ".value") + ".type")
				if slices.Contains(keyTypes, tf.Value) {
					want = append(want, [2]int{f.Offset, f.Offset + f.Length})
				}
			}
		}
		red, got := Redact(wire)
		if !slices.Equal(got, want) || len(want) != 2 {
			t.Errorf("%s: redacted %v, want %v", v.AttrType(), got, want)
		}
		if _, err := omp.Decode(red); err != nil {
			t.Errorf("redacted message does not decode: %v", err)
		}
	}
}

// Random single mutations of key-bearing UPDATEs (the fuzzer's
// mutators, a fixed seed): Redact keeps the length, its ranges lie inside
// the message, and no 8 bytes of a key survive it, whatever the mutation
// did to the framing.
func TestRedactRandomMutations(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, v := range []omp.AttrValue{ipsecEncap(), security()} {
		wire, fm, err := omp.EncodeFields(keyUpdate(v))
		if err != nil {
			t.Fatal(err)
		}
		n, leaked := 0, 0
		for range 5000 {
			m, b, err := mutators.Random(rng, wire, fm)
			if err != nil {
				continue
			}
			n++
			red := redactChecked(t, b)
			if found := rawLeaks(red); found != "" {
				if leaked++; leaked <= 5 {
					t.Errorf("%s: after %q, %s survives", v.AttrType(), m, found)
				}
			}
		}
		if leaked > 0 || n < 4000 {
			t.Errorf("%s: %d of %d mutations leak", v.AttrType(), leaked, n)
		}
	}
}

// redactChecked is Redact(b), checked: the length kept, every range
// inside the message.
func redactChecked(t *testing.T, b []byte) []byte {
	t.Helper()
	red, ranges := Redact(b)
	if len(red) != len(b) {
		t.Fatal("length changed")
	}
	for _, r := range ranges {
		if r[0] < 0 || r[1] > len(b) || r[0] >= r[1] {
			t.Fatalf("range %v of %d bytes", r, len(b))
		}
	}
	return red
}

// rawLeaks names the first 8 bytes of a key in b, if any.
func rawLeaks(b []byte) string {
	for ki, k := range allKeys {
		for i := 0; i+8 <= len(k); i++ {
			if bytes.Contains(b, k[i:i+8]) {
				return fmt.Sprintf("key %d bytes %d..%d", ki, i, i+8)
			}
		}
	}
	return ""
}

// FuzzRedact: any bytes, any Type: no panic, the length kept, every range
// inside the message.
func FuzzRedact(f *testing.F) {
	wire, _ := omp.Encode(keyUpdate(ipsecEncap()))
	f.Add(wire)
	wire, _ = omp.Encode(keyUpdate(security()))
	f.Add(wire)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		redactChecked(t, b)
		rd := newRedactor([]transcript.Entry{{Raw: b}}, Options{})
		rd.raw(b)
		rd.text(hex.EncodeToString(b))
	})
}
