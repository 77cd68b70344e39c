package suites

import (
	"strings"
	"testing"

	"github.com/ompconform/ompconform/suites/catalog"
	"github.com/ompconform/ompconform/suites/runner"
)

// A spec fails exactly when its case fails the gate, strict or lenient,
// with or without a baseline entry; it skips only what is not for the
// DUT, not negotiated, or expected by the baseline.
func TestJudgeFailsExactlyWhenTheCaseGates(t *testing.T) {
	c, _ := catalog.Lookup("HDR-002")
	grades := []catalog.Grade{catalog.Pass, catalog.Info, catalog.NonStrict, catalog.Fail, catalog.Error, catalog.Unsupported, catalog.Skipped}
	for _, g := range grades {
		for _, l := range []catalog.Level{catalog.MUST, catalog.SHOULD, catalog.INFORMATIONAL} {
			for _, lenient := range []bool{false, true} {
				for _, baseline := range []string{"", "known (ticket 1)"} {
					r := &runner.Result{Identity: catalog.Identity{ID: c.ID, Level: l}, Case: c, Grade: g, Baseline: baseline, BaselinePassed: baseline != "" && g == catalog.Pass,
						Expected: "ALERT X", Received: "ALERT Y", Reason: "why"}
					j := Judge(r, lenient)
					what := g.String() + " " + l.String() + " lenient=" + map[bool]string{true: "1", false: "0"}[lenient] + " baseline=" + baseline
					if (j.Fail != "") != r.Gating(lenient) {
						t.Errorf("%s: spec fails %v (%q), the gate %v", what, j.Fail != "", j.Fail, r.Gating(lenient))
					}
					if j.Fail != "" && j.Skip != "" {
						t.Errorf("%s: fails and skips", what)
					}
					skips := !r.Gating(lenient) && (g == catalog.Skipped || g == catalog.Unsupported || baseline != "" && g != catalog.Pass)
					if (j.Skip != "") != skips {
						t.Errorf("%s: skip %q, want a skip: %v", what, j.Skip, skips)
					}
					if j.Fail == "" && j.Skip == "" && g != catalog.Pass && len(j.Entries) == 0 {
						t.Errorf("%s: passes with no report entry saying what it saw", what)
					}
				}
			}
		}
	}
}

// A failing spec says what the case expected and what came back; a
// measurement is a report entry.
func TestJudgeSaysWhy(t *testing.T) {
	c, _ := catalog.Lookup("HDR-002")
	r := &runner.Result{Identity: catalog.Identity{ID: c.ID, Level: catalog.MUST}, Case: c, Grade: catalog.Fail, Expected: "ALERT OMP_ERR_HEADER", Received: "nothing",
		Measured: []catalog.Measurement{{Name: "hold timer expiry", Limit: "at most 3s"}}}
	j := Judge(r, false)
	if !strings.Contains(j.Fail, "expected the DUT to have answered with ALERT") || !strings.Contains(j.Fail, "received: nothing") {
		t.Errorf("failure message %q", j.Fail)
	}
	if len(j.Entries) != 1 || j.Entries[0].Name != "hold timer expiry" {
		t.Errorf("entries %v, want the measurement", j.Entries)
	}
	r.Grade, r.Reason = catalog.Error, "the DUT refused the session"
	if j := Judge(r, false); !strings.Contains(j.Fail, "ERROR") || !strings.Contains(j.Fail, "refused the session") {
		t.Errorf("ERROR's failure message %q", j.Fail)
	}
}
