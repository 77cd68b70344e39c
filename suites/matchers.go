package suites

import (
	"fmt"
	"slices"
	"strings"

	"github.com/onsi/gomega/types"

	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/suites/catalog"
	"github.com/ompconform/ompconform/suites/runner"
)

// resultMatcher judges a *runner.Result; its failure message shows what
// the case expected against what the DUT did.
type resultMatcher struct {
	what string
	ok   func(r *runner.Result) bool
}

func (m resultMatcher) Match(actual any) (bool, error) {
	r, err := result(actual)
	if err != nil {
		return false, err
	}
	return m.ok(r), nil
}

func result(actual any) (*runner.Result, error) {
	switch r := actual.(type) {
	case *runner.Result:
		if r == nil {
			return nil, fmt.Errorf("a nil *runner.Result: the case did not run")
		}
		return r, nil
	case runner.Result:
		return &r, nil
	}
	return nil, fmt.Errorf("expected a runner.Result, got %T", actual)
}

func (m resultMatcher) FailureMessage(actual any) string {
	r, err := result(actual)
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("%s: expected the DUT to have %s\n%s", r.ID, m.what, describe(r))
}

func (m resultMatcher) NegatedFailureMessage(actual any) string {
	r, err := result(actual)
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("%s: expected the DUT not to have %s\n%s", r.ID, m.what, describe(r))
}

func describe(r *runner.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  grade: %s [section %s, %s, %s]", r.Grade, r.Section, r.Level, r.Basis)
	for _, d := range r.Details() {
		fmt.Fprintf(&b, "\n  %s: %s", d.Label, d.Text)
	}
	return b.String()
}

// HaveAlerted succeeds when the DUT answered with ALERT code/sub, and the
// case passed (so it also closed, where the case asks for that).
func HaveAlerted(code omp.AlertCode, sub omp.Subcode) types.GomegaMatcher {
	return HaveAlertedOneOf(omp.AlertID{Code: code, Subcode: sub})
}

// HaveAlertedOneOf succeeds when the DUT answered with one of the ALERTs
// (where the draft's table leaves the choice open), and the case passed.
func HaveAlertedOneOf(alerts ...omp.AlertID) types.GomegaMatcher {
	var names []string
	for _, a := range alerts {
		names = append(names, "ALERT "+a.String())
	}
	return resultMatcher{"answered with " + strings.Join(names, " or "), func(r *runner.Result) bool {
		return r.Grade == catalog.Pass && r.Alert != nil && slices.Contains(alerts, *r.Alert)
	}}
}

// HaveAccepted succeeds when the DUT took what the case sent: no ALERT,
// no close, and whatever else the case asked for.
func HaveAccepted() types.GomegaMatcher {
	return resultMatcher{"accepted it (no ALERT, session up)", func(r *runner.Result) bool { return r.Grade == catalog.Pass && r.Alert == nil }}
}

// HaveClosed succeeds when the DUT ended the session without answering,
// as a BGP speaker does on a NOTIFICATION.
func HaveClosed() types.GomegaMatcher {
	return resultMatcher{"closed the session without an ALERT", func(r *runner.Result) bool { return r.Grade == catalog.Pass }}
}

// Conform succeeds when the case passed; with lenient, a NON-STRICT case
// (the error seen, reported imperfectly) passes too.
func Conform(lenient bool) types.GomegaMatcher {
	what := "met the requirement"
	if lenient {
		what += " (NON-STRICT allowed)"
	}
	return resultMatcher{what, func(r *runner.Result) bool {
		return r.Grade == catalog.Pass || lenient && r.Grade == catalog.NonStrict
	}}
}

// BeGraded succeeds when the case got grade g.
func BeGraded(g catalog.Grade) types.GomegaMatcher {
	return resultMatcher{"been graded " + g.String(), func(r *runner.Result) bool { return r.Grade == g }}
}
