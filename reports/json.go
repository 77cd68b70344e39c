package reports

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"time"

	"github.com/ompconform/ompconform/suites/catalog"
	"github.com/ompconform/ompconform/suites/runner"
	"github.com/ompconform/ompconform/transcript"
)

// The JSON report: the run, then every case with its verdict, timings and
// transcript. Each transcript message carries its bytes (hex), its
// decoded form (omp.MessageJSON) or its decode error, and, in a case that
// did not pass (anything but PASS, INFO, SKIPPED and UNSUPPORTED), its
// field map: every field's name, offset, length and value. A passing
// case's field maps were four fifths of a run's report (37 MB of 45 for
// the whole catalogue); "ompconform decode HEX" gives one back.
// A transcript that was truncated has an event at the gap, and its result
// a "transcript_dropped" object: the summary line and the counts. The
// messages of other case runs left out of a transcript are counted in
// "other_runs_not_recorded"; an event that opened or ended a connection
// says so in "conn".

type jsonReport struct {
	Tool       string         `json:"tool"`
	Draft      string         `json:"draft"`
	Target     string         `json:"target"`
	Role       catalog.Role   `json:"role"`
	DUT        string         `json:"dut_handshake"`
	Start      time.Time      `json:"start"`
	DurationMS float64        `json:"duration_ms"`
	Counts     map[string]int `json:"counts"`
	Gating     []string       `json:"gating"`
	Notes      []string       `json:"notes,omitempty"`
	// Interrupted: Ctrl-C or SIGTERM stopped the run (runner.Report).
	Interrupted bool         `json:"interrupted,omitempty"`
	DUTOutput   string       `json:"dut_output,omitempty"`
	Shard       string       `json:"shard,omitempty"` // I/N of ompconform run --shard
	KeysShown   bool         `json:"keys_shown"`
	Results     []jsonResult `json:"results"`
}

type jsonResult struct {
	runner.Result
	DurationMS float64                `json:"duration_ms"`
	Transcript []transcript.JSONEntry `json:"transcript"`
	// Dropped is what the transcript did not keep (transcript.Limits).
	Dropped *jsonDropped `json:"transcript_dropped,omitempty"`
}

type jsonDropped struct {
	Summary string `json:"summary"`
	*transcript.Dropped
}

// WriteJSON writes the report as one JSON document, a result at a time:
// what it holds in memory is one case's transcript, decoded, not the
// run's.
func WriteJSON(w io.Writer, rep *runner.Report, o Options) error {
	out := jsonReport{Tool: "ompconform", Draft: "draft-sthoria-omp-00", Target: rep.Target, Role: rep.Role, DUT: rep.DUT,
		Start: rep.Start, DurationMS: transcript.MS(rep.Duration), Counts: map[string]int{}, Gating: []string{}, Notes: rep.Notes, Interrupted: rep.Interrupted, DUTOutput: rep.DUTOutput, Shard: rep.Shard, KeysShown: o.ShowKeys}
	for g, n := range rep.Counts() {
		out.Counts[g.String()] = n
	}
	for _, r := range rep.Gating() {
		out.Gating = append(out.Gating, r.ID)
	}
	head, err := json.Marshal(out)
	if err != nil {
		return err
	}
	// The head's last key is "results": null; the results follow in its
	// place. (Compact: indenting would double a large run's report; jq .
	// reads it indented.)
	const null = `null}`
	if !bytes.HasSuffix(head, []byte(`"results":`+null)) {
		return errors.New("reports: the JSON report's head does not end with its results")
	}
	bw := bufio.NewWriter(w)
	bw.Write(head[:len(head)-len(null)])
	bw.WriteByte('[')
	for i := range rep.Results {
		if i > 0 {
			bw.WriteByte(',')
		}
		b, err := json.Marshal(jsonResultOf(&rep.Results[i], o))
		if err != nil {
			return err
		}
		bw.Write(b)
	}
	bw.WriteString("]}\n")
	return bw.Flush()
}

// jsonResultOf is r as the JSON report gives it, its transcript decoded.
func jsonResultOf(r *runner.Result, o Options) jsonResult {
	jr := jsonResult{Result: *r, DurationMS: transcript.MS(r.Duration), Transcript: []transcript.JSONEntry{}}
	if d := dropped(r); d != nil {
		jr.Dropped = &jsonDropped{Summary: d.String(), Dropped: d}
	}
	passed := r.Grade == catalog.Pass || r.Grade == catalog.Info || r.Grade == catalog.Skipped || r.Grade == catalog.Unsupported
	for _, e := range entries(r, o) {
		je := transcript.JSONEntry{AtMS: transcript.MS(e.At), Time: e.Time, Dir: e.Dir, Peer: e.Peer, Local: e.Local, Remote: e.Remote, Note: e.Note, Error: e.Err,
			Summary: e.Summary, Cut: e.Cut, Redacted: e.Redacted, Message: e.JSON, Decode: e.Decode, Conn: e.Conn.String()}
		if !passed {
			je.Fields = e.Fields
		}
		if len(e.Raw) > 0 {
			je.Hex = hex.EncodeToString(e.Raw)
		}
		jr.Transcript = append(jr.Transcript, je)
	}
	return jr
}
