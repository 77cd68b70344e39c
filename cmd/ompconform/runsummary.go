package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ompconform/ompconform/reports"
	"github.com/ompconform/ompconform/suites/catalog"
	"github.com/ompconform/ompconform/suites/runner"
)

// progressText is the short reason after a grade: why it did not pass,
// what was measured, or, for INFO, what the DUT was seen to do.
func progressText(r *runner.Result) string {
	switch r.Grade {
	case catalog.Info:
		return r.Title + ": " + r.Received
	case catalog.Pass:
		if len(r.Measured) > 0 {
			return r.Title + " (" + r.Measured[0].String() + ")"
		}
		return r.Title
	case catalog.Skipped:
		return r.Reason
	}
	return catalog.Verdict{Expected: r.Expected, Received: r.Received, Reason: r.Reason}.Summary()
}

// progressLine is run's line for a case done: the texts are the DUT's
// and its control adapter's words, and the scenario files', printed
// escaped (reports.Printable).
func progressLine(r *runner.Result, width, done, total int) string {
	p := reports.Printable
	return fmt.Sprintf("[%*d/%d] %-11s %-8s %-16s %-13s %7s  %s\n", width, done, total, r.Grade, p(r.ID), p(r.Section), r.Level,
		r.Duration.Round(time.Millisecond), p(progressText(r)))
}

func reasonText(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

func summarize(w io.Writer, rep *runner.Report, passed []runner.BaselineEntry) int {
	counts := rep.Counts()
	var parts []string
	for _, g := range catalog.Grades() {
		if counts[g] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[g], g))
		}
	}
	baselined := 0
	for _, r := range rep.Results {
		if r.Baseline != "" && !r.BaselinePassed {
			baselined++
		}
	}
	if baselined > 0 {
		parts = append(parts, fmt.Sprintf("%d of them expected failures (baseline)", baselined))
	}
	sectionSummary(w, rep)
	what := plural(len(rep.Results), "case")
	if len(parts) > 0 {
		what += " in " + rep.Duration.Round(time.Millisecond).String() + ": " + strings.Join(parts, ", ")
	} else if rep.Shard != "" {
		what += ": this shard (" + rep.Shard + ") holds none of the selected cases"
	}
	// What the DUT, its control adapter, the scenario and baseline files
	// said is printed escaped (reports.Printable): none of it can end a
	// line, move the cursor or write "gate: passed".
	p := reports.Printable
	fmt.Fprintf(w, "\n%s: %s\n", p(rep.Target), p(what))
	for _, n := range rep.Notes {
		fmt.Fprintf(w, "note: %s\n", p(n))
	}
	for _, e := range passed {
		fmt.Fprintf(w, "baseline entry passed, remove it: %s (%s)\n", p(e.ID), p(e.Reason))
	}
	gating := rep.Gating()
	for _, r := range gating {
		if !r.BaselinePassed {
			fmt.Fprintf(w, "%s %s: %s %s (%s): expected %s; received %s%s\n", r.Level, r.Grade, p(r.ID), p(r.Title), p(r.Section), p(r.Expected), p(r.Received), p(reasonText(r.Reason)))
		}
	}
	if len(gating) > 0 {
		fmt.Fprintf(w, "gate: FAILED (%d)\n", len(gating))
		return ExitFailure
	}
	fmt.Fprintln(w, "gate: passed")
	return ExitOK
}

// sectionSummary prints a line per draft section, in the draft's order:
// how many of its cases passed, were INFORMATIONAL observations, failed
// the gate, or none of these.
func sectionSummary(w io.Writer, rep *runner.Report) {
	type tally struct{ pass, info, gate, other int }
	by := map[string]*tally{}
	for i := range rep.Results {
		r := &rep.Results[i]
		t := by[r.Section]
		if t == nil {
			t = &tally{}
			by[r.Section] = t
		}
		switch {
		case r.Gating(rep.LenientGate):
			t.gate++
		case r.Grade == catalog.Pass:
			t.pass++
		case r.Grade == catalog.Info:
			t.info++
		default:
			t.other++
		}
	}
	fmt.Fprintf(w, "\n%-16s %-48s %6s %6s %6s %6s\n", "SECTION", "TITLE", "PASS", "INFO", "FAILED", "OTHER")
	for _, sec := range catalog.Sections {
		if t := by[sec.Key]; t != nil {
			fmt.Fprintf(w, "%-16s %-48s %6d %6d %6d %6d\n", sec.Key, sec.Title, t.pass, t.info, t.gate, t.other)
		}
	}
}
