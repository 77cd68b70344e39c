package reports

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/ompconform/ompconform/dut"
	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/suites/catalog"
	"github.com/ompconform/ompconform/suites/runner"
	"github.com/ompconform/ompconform/transcript"
)

// ids are the cases of the test run: an ALERT case, a handshake, the
// two attributes that carry keys, a timer-free reflection, a case the
// reference controller skips, and one it does not support.
var ids = []string{"HDR-002", "HS-001", "UPD-105", "UPD-121", "RFL-001", "HS-112", "HS-095", "UPD-013"}

// testReport runs ids against the in-process reference controller, once.
var testReport = sync.OnceValues(func() (*runner.Report, error) {
	cases, err := catalog.Select(catalog.All(), "", ids)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	env := catalog.Env{Settle: 300 * time.Millisecond, Answer: 2 * time.Second}
	rep, err := runner.Run(ctx, runner.Config{Factory: dut.Reference(catalog.Controller, nil), Env: env, Parallel: 2}, cases)
	if err != nil {
		return nil, err
	}
	// One result in the baseline that passed, one that failed.
	rep.Results[0].Baseline, rep.Results[0].BaselinePassed = "known", true
	return rep, nil
})

func report(t *testing.T) *runner.Report {
	t.Helper()
	rep, err := testReport()
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != len(ids) {
		t.Fatalf("%d results for %d cases", len(rep.Results), len(ids))
	}
	return rep
}

func TestJUnitParsesAndHoldsEveryCase(t *testing.T) {
	rep := report(t)
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, rep, Options{}); err != nil {
		t.Fatal(err)
	}
	var got junitSuites
	if err := xml.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("JUnit does not parse: %v", err)
	}
	seen := map[string]bool{}
	fails := 0
	for _, s := range got.Suites {
		for _, c := range s.Cases {
			seen[strings.Fields(c.Name)[0]] = true
			if c.Failure != nil {
				fails++
			}
		}
	}
	for _, id := range ids {
		if !seen[id] {
			t.Errorf("JUnit lacks %s", id)
		}
	}
	if got.Tests != len(ids) || got.Failures != fails || fails == 0 {
		t.Errorf("tests=%d failures=%d (counted %d): the passing baseline entry must be a failure", got.Tests, got.Failures, fails)
	}
}

func TestHTMLParsesAndHoldsEveryCase(t *testing.T) {
	rep := report(t)
	var buf bytes.Buffer
	if err := WriteHTML(&buf, rep, Options{}); err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	var matrix, external int
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				switch {
				case a.Key == "id" && a.Val == "alert-matrix":
					matrix++
				case a.Key == "id":
					found[a.Val] = true
				case (a.Key == "src" || a.Key == "href") && !strings.HasPrefix(a.Val, "#"):
					external++
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	for _, id := range ids {
		if !found[id] {
			t.Errorf("HTML lacks case %s", id)
		}
	}
	// Every message of every transcript is in the page's table of
	// messages, with the field map its bytes are annotated from.
	l := lazyOf(t, buf.String())
	leaves := 0
	for _, m := range l.M {
		if len(m) < 4 {
			t.Fatalf("message %v", m)
		}
		leaves += len(m[2].([]any)) / 4
	}
	if matrix != 1 || leaves == 0 {
		t.Errorf("HTML has %d ALERT matrices and %d annotated fields", matrix, leaves)
	}
	if external != 0 {
		t.Errorf("HTML refers to %d external resources; it must be self-contained", external)
	}
	if !strings.Contains(buf.String(), "header.length") {
		t.Error("HTML does not name the fields of the annotated bytes")
	}
}

// jsonOf is rep's JSON report, also read back into v.
func jsonOf(t *testing.T, rep *runner.Report, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteJSON(&buf, rep, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(buf.Bytes(), v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestJSONHoldsEveryCaseAndTranscript(t *testing.T) {
	rep := report(t)
	var got struct {
		Counts  map[string]int `json:"counts"`
		Gating  []string       `json:"gating"`
		Results []struct {
			ID         string  `json:"id"`
			Grade      string  `json:"grade"`
			DurationMS float64 `json:"duration_ms"`
			Transcript []struct {
				Dir     string          `json:"dir"`
				Hex     string          `json:"hex"`
				Message json.RawMessage `json:"message"`
				Fields  json.RawMessage `json:"fields"`
			} `json:"transcript"`
		} `json:"results"`
	}
	// One result that did not pass: its messages keep their field maps.
	rep.Results[1].Grade = catalog.Fail
	if b := jsonOf(t, rep, &got); bytes.Count(b, []byte("\n")) != 1 {
		t.Error("the JSON report is indented: twice the size")
	}
	if len(got.Results) != len(ids) {
		t.Fatalf("%d results", len(got.Results))
	}
	for _, r := range got.Results {
		if r.Grade == "" {
			t.Errorf("%s: no grade", r.ID)
		}
		if r.Grade == "PASS" && len(r.Transcript) == 0 {
			t.Errorf("%s: no transcript", r.ID)
		}
		for _, e := range r.Transcript {
			if e.Hex != "" && e.Dir == "received" && len(e.Message) == 0 {
				t.Errorf("%s: a received message without its decoded form", r.ID)
			}
			if e.Hex != "" && (len(e.Fields) > 0) != (r.Grade == "FAIL") {
				t.Errorf("%s, %s: field map %.40s; want one only in a case that did not pass", r.ID, r.Grade, e.Fields)
			}
		}
	}
	if len(got.Gating) == 0 || got.Gating[0] != "HDR-002" {
		t.Errorf("gating %v, want the passing baseline entry HDR-002", got.Gating)
	}
}

func TestMarkdown(t *testing.T) {
	rep := report(t)
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, rep, Options{}); err != nil {
		t.Fatal(err)
	}
	s := buf.String()
	for _, want := range []string{"# OMP conformance", "Gate: failed", "HDR-002", "## By section", "Message Header Format", "## By message type"} {
		if !strings.Contains(s, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
}

// The keys of TLOC_ENCAP and SECURITY appear in no report unless asked.
func TestKeysAreRedacted(t *testing.T) {
	rep := report(t)
	keys := [][]byte{bytes.Repeat([]byte{0xA5}, 64), bytes.Repeat([]byte{0x5A}, 64), bytes.Repeat([]byte{0xC3}, 32), bytes.Repeat([]byte{0x3C}, 32)}
	hexKeys := []string{strings.Repeat("a5", 64), strings.Repeat("5a", 64), strings.Repeat("c3", 32), strings.Repeat("3c", 32)}
	sentKeys := false
	for _, r := range rep.Results {
		for _, e := range r.Transcript {
			for _, k := range keys {
				sentKeys = sentKeys || bytes.Contains(e.Raw, k)
			}
		}
	}
	if !sentKeys {
		t.Fatal("the test run sent no keys: nothing to redact")
	}
	write := map[string]func(io.Writer, *runner.Report, Options) error{"junit": WriteJUnit, "json": WriteJSON, "html": WriteHTML, "markdown": WriteMarkdown}
	for name, w := range write {
		for _, show := range []bool{false, true} {
			var buf bytes.Buffer
			if err := w(&buf, rep, Options{ShowKeys: show}); err != nil {
				t.Fatal(err)
			}
			has := false
			for _, k := range hexKeys {
				has = has || strings.Contains(buf.String(), k)
			}
			if has != show && name != "markdown" {
				t.Errorf("%s with ShowKeys=%v: keys present = %v", name, show, has)
			}
			if has && name == "markdown" {
				t.Errorf("markdown shows keys")
			}
		}
	}
	// Redact zeroes exactly the key bytes and leaves the message decodable.
	for _, r := range rep.Results {
		for _, e := range r.Transcript {
			red, ranges := Redact(e.Raw)
			if len(red) != len(e.Raw) {
				t.Fatal("Redact changed the length")
			}
			for _, k := range keys {
				if bytes.Contains(red, k) {
					t.Errorf("%s: a key survives Redact", r.ID)
				}
			}
			if len(ranges) > 0 {
				if _, err := omp.Decode(red); err != nil {
					t.Errorf("%s: redacted message does not decode: %v", r.ID, err)
				}
			}
		}
	}
}

// Without ShowKeys no key reaches a capture either.
func TestPcapRedactsKeys(t *testing.T) {
	rep := report(t)
	for _, r := range rep.Results {
		var buf bytes.Buffer
		if err := WritePcap(&buf, &r, Options{}); err != nil {
			t.Fatal(err)
		}
		for _, k := range [][]byte{bytes.Repeat([]byte{0xA5}, 64), bytes.Repeat([]byte{0xC3}, 32)} {
			if bytes.Contains(buf.Bytes(), k) {
				t.Errorf("%s: a key in the capture", r.ID)
			}
		}
	}
}

// The capture reads back with pcapgo, holds every message's bytes as TCP
// payload in order, and its TCP streams are consistent.
func TestPcapReadsBackWithTheTranscript(t *testing.T) {
	rep := report(t)
	dir := t.TempDir()
	if err := WritePcaps(dir, rep, Options{ShowKeys: true}); err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Results {
		var want [][]byte
		for _, e := range r.Transcript {
			if e.Dir != transcript.Event && len(e.Raw) > 0 {
				want = append(want, e.Raw)
			}
		}
		b, err := os.ReadFile(filepath.Join(dir, r.ID+".pcapng"))
		if len(r.Transcript) == 0 {
			if err == nil {
				t.Errorf("%s: a capture for a case with no transcript", r.ID)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		var got [][]byte
		next := map[[2]netip.AddrPort]uint32{}
		ps, _ := readPcap(t, b)
		for _, p := range ps {
			stream := [2]netip.AddrPort{p.src, p.dst}
			if n, ok := next[stream]; ok && p.seq != n {
				t.Errorf("%s: seq %d, want %d on %s>%s", r.ID, p.seq, n, p.src, p.dst)
			}
			next[stream] = p.nextSeq()
			if len(p.payload) > 0 {
				got = append(got, p.payload)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d payloads, %d messages in the transcript", r.ID, len(got), len(want))
			continue
		}
		for i := range want {
			if !bytes.Equal(got[i], want[i]) {
				t.Errorf("%s: payload %d differs from the transcript", r.ID, i)
			}
		}
	}
}

// A JUnit <failure> is exactly a result that fails the gate, strict or
// lenient: a SHOULD case's NON-STRICT fails only the strict gate, an INFO
// observation and an UNSUPPORTED case never fail it, an ERROR does.
func TestJUnitFailuresAreTheGate(t *testing.T) {
	results := []runner.Result{
		{Identity: catalog.Identity{ID: "HDR-002", Section: "3.1.1", Level: catalog.MUST}, Grade: catalog.Pass},
		{Identity: catalog.Identity{ID: "HDR-003", Section: "3.1.1", Level: catalog.SHOULD}, Grade: catalog.NonStrict},
		{Identity: catalog.Identity{ID: "HS-036", Section: "3.1.2", Level: catalog.INFORMATIONAL}, Grade: catalog.Info},
		{Identity: catalog.Identity{ID: "OPR-001", Section: "3.1.4", Level: catalog.MUST}, Grade: catalog.Unsupported},
		{Identity: catalog.Identity{ID: "HDR-004", Section: "3.1.1", Level: catalog.SHOULD}, Grade: catalog.Error},
		{Identity: catalog.Identity{ID: "HDR-001", Section: "3.1.1", Level: catalog.MUST}, Grade: catalog.Fail},
	}
	for _, lenient := range []bool{false, true} {
		rep := &runner.Report{Target: "t", Results: slices.Clone(results), LenientGate: lenient}
		got := junitOf(t, rep)
		var failed []string
		for _, s := range got.Suites {
			for _, c := range s.Cases {
				if c.Failure != nil {
					failed = append(failed, strings.Fields(c.Name)[0])
				}
			}
		}
		var gating []string
		for _, r := range rep.Gating() {
			gating = append(gating, r.ID)
		}
		slices.Sort(failed)
		slices.Sort(gating)
		if !slices.Equal(failed, gating) || len(gating) == 0 {
			t.Errorf("lenient=%v: JUnit failures %v, gate %v", lenient, failed, gating)
		}
		if !lenient && len(gating) != 3 || lenient && len(gating) != 1 {
			t.Errorf("lenient=%v: gate %v", lenient, gating)
		}
	}
}

// The JSON holds each case's own traffic only: no UPDATE it received
// names another case run's fake peer (10.s.s.n) as its ORIGINATOR, and
// what was left out is counted on the case.
func TestJSONHoldsOnlyTheCasesOwnTraffic(t *testing.T) {
	rep := report(t)
	type msg struct {
		Type string `json:"type"`
		Body struct {
			PeerRouterID string `json:"peer_router_id"`
			Attributes   []struct {
				Type  string `json:"type"`
				Value struct {
					Originator string `json:"originator"`
				} `json:"value"`
			} `json:"attributes"`
		} `json:"body"`
	}
	var got struct {
		Results []struct {
			ID         string                          `json:"id"`
			OtherRuns  *struct{ Entries, Bytes int64 } `json:"other_runs_not_recorded"`
			Transcript []struct {
				Dir     string `json:"dir"`
				Message *msg   `json:"message"`
			} `json:"transcript"`
		} `json:"results"`
	}
	jsonOf(t, rep, &got)
	left := int64(0)
	for _, r := range got.Results {
		own := map[string]bool{} // 10.s.s: the case's runs
		for _, e := range r.Transcript {
			if e.Dir == "sent" && e.Message != nil && e.Message.Type == "HANDSHAKE" {
				own[e.Message.Body.PeerRouterID[:strings.LastIndex(e.Message.Body.PeerRouterID, ".")]] = true
			}
		}
		for _, e := range r.Transcript {
			if e.Dir != "received" || e.Message == nil || e.Message.Type != "UPDATE" {
				continue
			}
			for _, a := range e.Message.Body.Attributes {
				if o := a.Value.Originator; a.Type == "ATTR_TYPE_ORIGINATOR" && strings.HasPrefix(o, "10.") && !own[o[:strings.LastIndex(o, ".")]] {
					t.Errorf("%s: the JSON holds another case run's UPDATE (ORIGINATOR %s)", r.ID, o)
				}
			}
		}
		if r.OtherRuns != nil {
			left += r.OtherRuns.Entries
		}
	}
	t.Logf("%d messages of other case runs left out", left)
}

// What a transcript left out of other case runs' traffic is counted in
// the JSON, the HTML and the capture's section comment.
func TestOtherRunsAreCounted(t *testing.T) {
	rep := bigReport(t, 1)
	rep.Results[0].OtherRuns = &transcript.Omitted{Entries: 57, Bytes: 9120}
	var j, h, p bytes.Buffer
	if err := WriteJSON(&j, rep, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := WriteHTML(&h, rep, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := WritePcap(&p, &rep.Results[0], Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(j.String(), `"other_runs_not_recorded":{"entries":57,"bytes":9120}`) {
		t.Error("the JSON does not count the messages of other case runs")
	}
	want := "not recorded: 57 messages (9120 bytes) of other case runs"
	if !strings.Contains(h.String(), want) {
		t.Error("the HTML does not count the messages of other case runs")
	}
	if _, c := readPcap(t, p.Bytes()); !strings.Contains(c, want) {
		t.Errorf("the capture's section comment %q", c)
	}
}

// A case keeps field maps for what it sent and for the last small
// messages, at most maxFieldMaps: a flood of large UPDATEs is shown as
// bytes and decoded form, not annotated field by field.
func TestFieldMapsAreBounded(t *testing.T) {
	var vs []omp.VRouteNLRI
	for i := range 180 {
		vs = append(vs, omp.VRouteNLRI{VPNID: 1, PathID: uint32(i), PrefixLen: 32, Address: netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)})})
	}
	big, err := omp.Encode(&omp.Update{Attributes: []omp.Attribute{omp.Attr(&omp.AttrTLOC{Address: netip.MustParseAddr("192.0.2.1"), Color: 1, Encap: 2}),
		omp.Attr(&omp.AttrReachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute, VRoutes: vs}})}})
	if err != nil {
		t.Fatal(err)
	}
	hello, _ := omp.Encode(&omp.Hello{})
	now := time.Now()
	r := &runner.Result{Start: now, Transcript: []transcript.Entry{{Time: now, Dir: transcript.Sent, Peer: "peer0", Raw: hello}}}
	for range 200 {
		r.Transcript = append(r.Transcript, transcript.Entry{Time: now, Dir: transcript.Received, Peer: "peer0", Raw: big})
	}
	r.Transcript = append(r.Transcript, transcript.Entry{Time: now, Dir: transcript.Received, Peer: "peer0", Raw: hello})
	es := entries(r, Options{})
	n := 0
	for _, e := range es {
		if e.Fields != nil {
			n++
		}
	}
	if es[0].Fields == nil || es[len(es)-1].Fields == nil || es[1].Fields != nil || n != 2 {
		t.Errorf("field maps: sent %v, last %v, a large UPDATE %v, %d in all; want the sent and the last HELLO only",
			es[0].Fields != nil, es[len(es)-1].Fields != nil, es[1].Fields != nil, n)
	}
}
