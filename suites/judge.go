package suites

import (
	"github.com/onsi/gomega/types"

	"github.com/ompconform/ompconform/suites/catalog"
	"github.com/ompconform/ompconform/suites/runner"
)

// Judgement is what a case's spec does with its result: fail with Fail,
// or skip with Skip, or pass; and, in every case, add Entries as report
// entries (measurements, what an INFO or a non-gating grade saw).
type Judgement struct {
	Fail    string
	Skip    string
	Entries []Entry
}

// Entry is a report entry: a name and its value.
type Entry struct{ Name, Value string }

// Judge decides a spec from its case's result: it fails exactly when the
// result fails the gate (runner.Result.Gating, lenient for the lenient
// gate), as in `ompconform run` and every report; it skips a case that
// was SKIPPED (not for the DUT's role), UNSUPPORTED, or an expected
// failure of the baseline; any other grade passes, with what it saw as a
// report entry.
func Judge(r *runner.Result, lenient bool) Judgement {
	var j Judgement
	for _, m := range r.Measured {
		j.Entries = append(j.Entries, Entry{m.Name, m.String()})
	}
	if r.Gating(lenient) {
		j.Fail = failure(r)
		return j
	}
	switch {
	case r.Grade == catalog.Pass:
	case r.Baseline != "":
		j.Skip = "expected failure (baseline): " + r.Baseline + "\n" + r.Grade.String() + ": " + r.Received
	case r.Grade == catalog.Skipped, r.Grade == catalog.Unsupported:
		j.Skip = r.Grade.String() + ": " + r.Reason + " " + r.Received
	default:
		j.Entries = append(j.Entries, Entry{r.Grade.String(), r.Expected + " / " + r.Received + " (" + r.Reason + ")"})
	}
	return j
}

// failure says why a result fails the gate: the matcher of its case's
// requirement where one reads better, else what was expected and seen.
func failure(r *runner.Result) string {
	switch {
	case r.BaselinePassed:
		return "the baseline expects " + r.ID + " to fail, and it passed: remove the entry (" + r.Baseline + ")"
	case r.Grade == catalog.Error:
		return "ERROR (a setup or harness problem, or a DUT that would not open the session): " + r.Reason + "\n" + describe(r)
	}
	m := Conform(false)
	if r.Case != nil {
		m = MatcherFor(r.Case)
	}
	if ok, err := m.Match(r); err != nil || ok {
		return r.ID + ": " + r.Grade.String() + ", which fails the gate\n" + describe(r)
	}
	return m.FailureMessage(r)
}

// MatcherFor phrases a case's requirement as a matcher: an ALERT case
// reads Expect(r).To(HaveAlertedOneOf(...)), an acceptance case
// Expect(r).To(HaveAccepted()), and so on; other cases Conform.
func MatcherFor(c *catalog.Case) types.GomegaMatcher {
	exps := c.Expectations()
	if len(exps) == 1 {
		switch catalog.KindOf(exps[0]) {
		case catalog.KindAlert:
			return HaveAlertedOneOf(exps[0].Alerts()...)
		case catalog.KindAccept:
			return HaveAccepted()
		case catalog.KindClose:
			return HaveClosed()
		}
	}
	return Conform(false)
}
