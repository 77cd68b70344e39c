package runner

import (
	"time"

	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/suites/catalog"
	"github.com/ompconform/ompconform/transcript"
)

// Result is one case's outcome, with everything a report shows.
type Result struct {
	Case *catalog.Case `json:"-"`

	catalog.Identity
	Type string `json:"message_type"`
	Sent string `json:"sent"`

	Grade    catalog.Grade         `json:"grade"`
	Expected string                `json:"expected"`
	Received string                `json:"received"`
	Reason   string                `json:"reason,omitempty"`
	Measured []catalog.Measurement `json:"measured,omitempty"`
	// ExpectedAlerts are the ALERTs a conforming DUT sends in this case;
	// Alert is the one it sent, if the verdict turned on one.
	ExpectedAlerts []omp.AlertID `json:"expected_alerts,omitempty"`
	Alert          *omp.AlertID  `json:"alert,omitempty"`

	// Liveness says whether a fresh session opened after the case.
	Liveness string `json:"liveness,omitempty"`
	// Baseline is the reason of the baseline entry that covers the case,
	// if any; BaselinePassed says the entry's case did not fail.
	Baseline       string `json:"baseline,omitempty"`
	BaselinePassed bool   `json:"baseline_passed,omitempty"`

	Start    time.Time     `json:"start"`
	Duration time.Duration `json:"duration_ns"`

	Transcript []transcript.Entry `json:"-"`
	// OtherRuns counts the messages of other case runs that reached this
	// case's fake peers (a controller DUT reflects every case's routes to
	// every peer) and were left out of its transcript; nil if none.
	OtherRuns *transcript.Omitted `json:"other_runs_not_recorded,omitempty"`

	seq int // the case run's catalog.Env.Seq
}

// Failed reports whether the result counts against the DUT: FAIL, or
// NON-STRICT (the DUT saw the error but reported it imperfectly).
func (r *Result) Failed() bool { return r.Grade == catalog.Fail || r.Grade == catalog.NonStrict }

// Gating reports whether the result fails the CI gate: a grade that
// gates (catalog.Grade.Gates: by default every FAIL, NON-STRICT and
// ERROR; with lenient, a MUST case's FAIL or ERROR) not covered by the
// baseline; or a baseline entry whose case passed.
func (r *Result) Gating(lenient bool) bool {
	if r.BaselinePassed {
		return true
	}
	return r.Baseline == "" && r.Grade.Gates(r.Level, lenient)
}

// Report is a whole run.
type Report struct {
	Target   string         `json:"target"`
	Role     catalog.Role   `json:"role"`
	DUT      string         `json:"dut_handshake"`
	Hello    *omp.Handshake `json:"-"`
	Start    time.Time      `json:"start"`
	Duration time.Duration  `json:"duration_ns"`
	Results  []Result       `json:"results"`
	// Notes are run-wide events: a DUT restarted, a DUT that stayed down,
	// an interruption.
	Notes []string `json:"notes,omitempty"`
	// Interrupted says the run was stopped (Ctrl-C, SIGTERM) before its
	// end: the cases it did not start are ERROR "not run".
	Interrupted bool `json:"interrupted,omitempty"`
	// DUTOutput is the end of what a DUT the harness started as a local
	// program (--dut-cmd) wrote to its standard output and error.
	DUTOutput string `json:"dut_output,omitempty"`
	// Shard is "I/N" when the run was the I-th of N slices of the cases
	// (ompconform run --shard), so that a merge of the shards can tell
	// when one is missing.
	Shard string `json:"shard,omitempty"`
	// LenientGate is the old gate (only a MUST case's FAIL or ERROR fails
	// it), which --gate lenient chooses; false is the strict default.
	LenientGate bool `json:"lenient_gate,omitempty"`
}

// Counts tallies the results by grade.
func (r *Report) Counts() map[catalog.Grade]int {
	m := map[catalog.Grade]int{}
	for _, x := range r.Results {
		m[x.Grade]++
	}
	return m
}

// Gating returns the results that fail a CI gate.
func (r *Report) Gating() []*Result {
	var out []*Result
	for i := range r.Results {
		if r.Results[i].Gating(r.LenientGate) {
			out = append(out, &r.Results[i])
		}
	}
	return out
}

// newResult fills a result's description from its case.
func newResult(c *catalog.Case) Result {
	r := Result{Case: c, Identity: c.Identity(), Sent: c.Sent(), Expected: c.Expected(), ExpectedAlerts: c.ExpectedAlerts()}
	if t := c.MsgType(); t != 0 {
		r.Type = t.String()
	}
	return r
}

// Detail is one labelled line of a result's verdict ("received", "no
// ALERT; the connection was closed").
type Detail struct{ Label, Text string }

// Details are the result's verdict as the plain-text reports give it, in
// this order: requirement, source, reading, sent, expected, received (a
// dash where empty), reason, each measurement, what a fresh session found
// after the case, and the baseline entry; the other empty ones left out.
func (r *Result) Details() []Detail {
	var ds []Detail
	add := func(label, text string, always bool) {
		if text == "" && always {
			text = "-"
		}
		if text != "" {
			ds = append(ds, Detail{label, text})
		}
	}
	add("requirement", r.Requirement, true)
	add("source", r.Source, false)
	add("reading", r.Reading, false)
	add("sent", r.Sent, true)
	add("expected", r.Expected, true)
	add("received", r.Received, true)
	add("reason", r.Reason, false)
	for _, m := range r.Measured {
		add("measured", m.String(), false)
	}
	add("after the case", r.Liveness, false)
	add("baseline", r.Baseline, false)
	return ds
}
