// Package reports writes a conformance run (runner.Report) as JUnit XML,
// JSON (every case, grade, timings and transcript), a self-contained HTML
// page, a Markdown summary, and one pcapng capture per case.
//
// Every report renders messages from their bytes, through the codec's
// field map (omp.DecodeFields), after redaction: the keys carried in
// ATTR_TYPE_TLOC_ENCAP (AUTH_KEY, ENCRYPT_KEY) and ATTR_TYPE_SECURITY (AUTH,
// ENCRYPT) are zeroed unless Options.ShowKeys is set. Key regions are found
// from the layout (attribute and sub-TLV framing), not from a full decode,
// so that a message that does not decode leaks nothing either: where the
// framing of a key-bearing attribute breaks, the rest of it is redacted
// (see redact.go for the rules). Captures are redacted the same way.
//
// Transcripts are bounded (package transcript: the first 200 and the last
// 200 entries of a case by default, each message cut at 4160 bytes). Where
// a transcript dropped entries, every report says so with its summary
// line ("transcript truncated: 19600 entries (372400 bytes) over 1.2s not
// kept, ...": by direction and message type): JSON (an event at the gap
// and "transcript_dropped" on the result), HTML (the case and the gap),
// JUnit (a property and the system-out), Markdown (a "Truncated
// transcripts" list) and pcapng (a comment on the section and on the
// first packet after the gap, whose TCP sequence numbers skip the dropped
// bytes).
package reports

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/suites/runner"
	"github.com/ompconform/ompconform/transcript"
)

// Options change what reports show.
type Options struct {
	// ShowKeys keeps the key material of TLOC_ENCAP and SECURITY
	// attributes in reports and captures.
	ShowKeys bool
}

// entry is a transcript entry as reports show it.
type entry struct {
	At       time.Duration // from the case's start
	Time     time.Time
	Dir      string
	Peer     string
	Local    string
	Remote   string
	Note     string
	Err      string
	Raw      []byte // redacted unless ShowKeys
	Cut      int    // bytes of the message the transcript did not keep
	Redacted [][2]int
	Fields   omp.FieldMap
	Summary  string          // "ALERT OMP_ERR_HEADER/OMP_SUB_ERR_HEADER_LENGTH"
	JSON     json.RawMessage // omp.MessageJSON of the decoded bytes
	Decode   string          // the decode error, if the bytes do not decode
	Dropped  *transcript.Dropped
	Conn     transcript.Conn // on an event: the connection opened or ended
}

func entries(r *runner.Result, o Options) []entry {
	red := newRedactor(r.Transcript, o)
	out := make([]entry, 0, len(r.Transcript))
	for _, e := range r.Transcript {
		out = append(out, view(e, r.Start, red))
	}
	keepFieldMaps(out)
	return out
}

// Field maps (every field's name, offset, length and value) are what a
// report annotates bytes with, and they are some 30 times a message's
// size: a flood of large UPDATEs rendered with them made a run's reports
// gigabytes from 32 MiB of kept messages. A case keeps at most
// maxFieldMaps of them: for the messages it sent (what it mutated, at
// most half of them), then, from the end of the transcript back, for
// messages that did not decode and for those of at most maxMapFields
// fields (ALERTs, HELLOs, INFORMs, small UPDATEs). The others are shown
// as their bytes, summary and decoded form.
const (
	maxFieldMaps = 64
	maxMapFields = 256
)

// keepFieldMaps drops the field maps of es that the rule above does not
// keep.
func keepFieldMaps(es []entry) {
	keep := make([]bool, len(es))
	n := 0
	for i, e := range es {
		if e.Fields != nil && e.Dir == transcript.Sent.String() && n < maxFieldMaps/2 {
			keep[i], n = true, n+1
		}
	}
	for i := len(es) - 1; i >= 0 && n < maxFieldMaps; i-- {
		if e := es[i]; !keep[i] && e.Fields != nil && (e.Decode != "" || len(e.Fields) <= maxMapFields) {
			keep[i], n = true, n+1
		}
	}
	for i := range es {
		if !keep[i] {
			es[i].Fields = nil
		}
	}
}

// otherRuns says what the transcript left out of other case runs'
// traffic (runner.Result.OtherRuns).
func otherRuns(o *transcript.Omitted) string {
	return fmt.Sprintf("not recorded: %s of other case runs that the DUT reflected to this case's fake peers", o)
}

// dropped is what the case's transcript did not keep, nil if it kept
// everything.
func dropped(r *runner.Result) *transcript.Dropped {
	for _, e := range r.Transcript {
		if e.Dropped != nil {
			return e.Dropped
		}
	}
	return nil
}

func view(e transcript.Entry, start time.Time, red *redactor) entry {
	v := entry{At: e.Time.Sub(start), Time: e.Time, Dir: e.Dir.String(), Peer: e.Peer, Local: e.Local, Remote: e.Remote,
		Note: red.text(e.Note), Cut: e.Cut, Dropped: e.Dropped, Conn: e.Conn}
	if e.Err != nil {
		v.Err = red.text(e.Err.Error())
	}
	if e.Dir == transcript.Event {
		v.Summary = v.Note
		return v
	}
	v.Raw, v.Redacted = red.raw(e.Raw)
	if e.Cut > 0 && len(v.Raw) <= omp.HeaderLen {
		// Only the header was kept (the run's transcript budget was
		// spent): its type, not a decode of bytes that are not there.
		v.Summary = fmt.Sprintf("%s (%d bytes not kept)", typeOf(v.Raw), e.Cut)
		return v
	}
	m, fm, err := omp.DecodeFields(v.Raw)
	v.Fields = fm
	if err != nil {
		v.Decode = err.Error()
		v.Summary = "undecodable " + typeOf(v.Raw)
		if e.Cut > 0 {
			v.Summary += fmt.Sprintf(" (%d bytes not kept)", e.Cut)
		}
		if oe, ok := omp.AsError(err); ok {
			v.Summary += " (calls for ALERT " + oe.ID().String() + ")"
		}
		return v
	}
	v.Summary = omp.Describe(m)
	if j, err := omp.MessageJSON(m); err == nil {
		v.JSON = j
	}
	return v
}

func typeOf(raw []byte) string {
	if t, ok := omp.TypeOf(raw); ok {
		return t.String()
	}
	return fmt.Sprintf("%d bytes", len(raw))
}
