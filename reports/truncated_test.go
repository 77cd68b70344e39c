package reports

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"html"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/suites/catalog"
	"github.com/ompconform/ompconform/suites/runner"
	"github.com/ompconform/ompconform/transcript"
)

const local, remote = "127.0.0.2:40000", "127.0.0.1:12346"

// floodResult is a case whose DUT flooded HELLOs after the HANDSHAKE
// exchange, recorded in a transcript that keeps the first 4 and the last
// 4 entries, and sent one 5000-byte message, cut at 4160 bytes.
func floodResult(t *testing.T) (runner.Result, *transcript.Dropped) {
	t.Helper()
	tr := transcript.New(transcript.Limits{Head: 4, Tail: 4})
	add := func(dir transcript.Direction, raw []byte, note string) {
		tr.Add(transcript.Entry{Dir: dir, Peer: "edge", Local: local, Remote: remote, Raw: raw, Note: note})
	}
	hs, _ := omp.Encode(&omp.Handshake{Version: omp.Version, HoldTime: 30, PeerRouterID: netip.MustParseAddr("10.0.0.1")})
	hello, _ := omp.Encode(&omp.Hello{})
	start := time.Now()
	add(transcript.Event, nil, "connected")
	add(transcript.Sent, hs, "")
	add(transcript.Received, hs, "")
	for range 500 {
		add(transcript.Received, hello, "")
		add(transcript.Sent, hello, "auto-answer HELLO")
	}
	big := append(append([]byte(nil), hs...), make([]byte, 5000-len(hs))...)
	add(transcript.Sent, big, "raw")
	add(transcript.Event, nil, "connection dropped by harness: receive queue overflow")
	es := tr.Entries()
	var d *transcript.Dropped
	for _, e := range es {
		if e.Dropped != nil {
			d = e.Dropped
		}
	}
	if d == nil || d.Entries != 1003+2-8 {
		t.Fatalf("dropped %+v", d)
	}
	return runner.Result{Identity: catalog.Identity{ID: "TMR-001", Section: "3.1.5", Level: catalog.MUST, Requirement: "flood"}, Grade: catalog.Fail, Start: start, Transcript: es}, d
}

// Every report says what a truncated transcript dropped: the summary line
// at the gap (JSON, HTML, JUnit system-out), on the case (JSON
// transcript_dropped, HTML, a JUnit property, the Markdown list), and the
// capture leaves the gap in each stream with the summary as a comment.
func TestTruncatedTranscriptInEveryReport(t *testing.T) {
	r, d := floodResult(t)
	rep := &runner.Report{Target: "t", Results: []runner.Result{r}}
	line := d.String()
	if !strings.Contains(line, "transcript truncated: 997 entries") || !strings.Contains(line, "received HELLO 498") {
		t.Fatalf("summary %q", line)
	}
	out := map[string]string{}
	for name, w := range writers {
		var buf bytes.Buffer
		if err := w(&buf, rep, Options{}); err != nil {
			t.Fatal(err)
		}
		out[name] = buf.String()
	}
	for _, name := range []string{"html", "markdown", "pcapng"} {
		if s := out[name]; !strings.Contains(s, line) && !strings.Contains(s, html.EscapeString(line)) {
			t.Errorf("%s lacks the summary line", name)
		}
	}

	var js struct {
		Results []struct {
			Dropped struct {
				Summary string `json:"summary"`
				Entries int64  `json:"entries"`
				Kinds   []struct {
					Dir     string `json:"dir"`
					Type    string `json:"type"`
					Entries int64  `json:"entries"`
				} `json:"kinds"`
			} `json:"transcript_dropped"`
			Transcript []struct {
				Dir  string `json:"dir"`
				Note string `json:"note"`
				Cut  int    `json:"bytes_not_kept"`
			} `json:"transcript"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(out["json"]), &js); err != nil {
		t.Fatal(err)
	}
	jr := js.Results[0]
	if jr.Dropped.Summary != line || jr.Dropped.Entries != d.Entries || len(jr.Dropped.Kinds) == 0 || jr.Dropped.Kinds[0].Dir != "sent" {
		t.Errorf("JSON transcript_dropped %+v", jr.Dropped)
	}
	gap, cut := false, 0
	for _, e := range jr.Transcript {
		gap = gap || e.Dir == "event" && e.Note == line
		cut += e.Cut
	}
	if !gap || cut != 5000-transcript.DefaultMaxRaw || len(jr.Transcript) != 9 {
		t.Errorf("JSON transcript: gap %v, %d bytes not kept, %d entries", gap, cut, len(jr.Transcript))
	}

	var ju junitSuites
	if err := xml.Unmarshal([]byte(out["junit"]), &ju); err != nil {
		t.Fatal(err)
	}
	c := ju.Suites[0].Cases[0]
	prop := ""
	for _, p := range c.Properties {
		if p.Name == "transcript_dropped" {
			prop = p.Value
		}
	}
	if prop != line || !strings.Contains(c.SystemOut, line) || !strings.Contains(c.SystemOut, "bytes not kept") {
		t.Errorf("JUnit: property %q, system-out %q", prop, c.SystemOut)
	}
	if !strings.Contains(out["markdown"], "## Truncated transcripts\n\n- TMR-001: "+line) {
		t.Errorf("Markdown:\n%s", out["markdown"])
	}

	// The capture: the section and the first packet after the gap carry
	// the summary; each stream's sequence numbers skip the dropped bytes
	// and the bytes cut from the big message.
	ps, section := readPcap(t, []byte(out["pcapng"]))
	if !strings.Contains(section, line) {
		t.Errorf("section comment %q", section)
	}
	next := map[netip.AddrPort]uint32{}
	gaps := map[string]uint32{}
	comments, cutNotes := 0, 0
	for _, p := range ps {
		for _, c := range p.comments {
			if c == "840 bytes of this message not kept" {
				cutNotes++
			}
			if c == line && p.dropCount != nil && *p.dropCount == uint64(d.Entries) {
				comments++
			}
		}
		if n, ok := next[p.src]; ok && p.seq != n {
			gaps[p.src.String()] += p.seq - n
		}
		next[p.src] = p.nextSeq()
	}
	var sent, received int64
	for _, c := range d.Conns {
		sent, received = sent+c.Sent, received+c.Received
	}
	// Sent: the dropped HELLOs, then the 840 bytes cut from the big
	// message (the last packet: its gap shows in no later packet).
	if comments != 1 || cutNotes != 1 || int64(gaps[local]) != sent || int64(gaps[remote]) != received || sent == 0 || received == 0 {
		t.Errorf("capture: %d gap comments, %d cut comments, gaps %v, want sent %d received %d", comments, cutNotes, gaps, sent, received)
	}
}
