package reports

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ompconform/ompconform/suites/catalog"
	"github.com/ompconform/ompconform/suites/runner"
)

// tally is a count per grade.
type tally map[catalog.Grade]int

func (t tally) total() int {
	n := 0
	for _, v := range t {
		n += v
	}
	return n
}

// groupBy tallies the results by key, in first-seen order.
func groupBy(rep *runner.Report, key func(*runner.Result) string) ([]string, map[string]tally) {
	var order []string
	m := map[string]tally{}
	for i := range rep.Results {
		k := key(&rep.Results[i])
		if m[k] == nil {
			m[k] = tally{}
			order = append(order, k)
		}
		m[k][rep.Results[i].Grade]++
	}
	return order, m
}

func mdEscape(s string) string {
	// Every CommonMark line ending (LF, CR, CRLF) and tab is a space;
	// what else does not print, and bytes that are not UTF-8, are
	// escaped (Printable); a pipe cannot end the cell, nor < open HTML.
	s = mdSpace.Replace(s)
	return mdMarkup.Replace(Printable(s))
}

var (
	mdSpace  = strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ", "\t", " ")
	mdMarkup = strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;")
)

// gateRule says in words what fails the gate.
func gateRule(lenient bool) string {
	if lenient {
		return "lenient gate: no MUST case FAILed or ERRORed outside the baseline, no baseline entry passed"
	}
	return "no FAIL, NON-STRICT or ERROR outside the baseline, no baseline entry passed"
}

// WriteMarkdown writes a summary: counts, the gate, a table by section
// and by message type, every case that did not pass, and the summary line
// of every transcript that was truncated.
func WriteMarkdown(w io.Writer, rep *runner.Report, o Options) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# OMP conformance: %s\n\n", mdEscape(rep.Target))
	fmt.Fprintf(&b, "draft-sthoria-omp-00 · DUT role %s · %s · %d case%s in %s\n\n", rep.Role, rep.Start.Format(time.RFC3339), len(rep.Results), pluralS(len(rep.Results)), rep.Duration.Round(time.Millisecond))
	if rep.DUT != "" {
		fmt.Fprintf(&b, "DUT: %s\n\n", mdEscape(rep.DUT))
	}
	counts := rep.Counts()
	b.WriteString("| grade | cases |\n| --- | ---: |\n")
	for _, g := range catalog.Grades() {
		fmt.Fprintf(&b, "| %s | %d |\n", g, counts[g])
	}
	gating := rep.Gating()
	if len(gating) == 0 {
		b.WriteString("\n**Gate: passed** (" + gateRule(rep.LenientGate) + ").\n")
	} else {
		fmt.Fprintf(&b, "\n**Gate: failed** by %d case(s):\n\n", len(gating))
		for _, r := range gating {
			what := r.Level.String() + ", " + r.Grade.String()
			if r.BaselinePassed {
				what = "baseline entry passed: remove it"
			}
			fmt.Fprintf(&b, "- %s (%s): %s\n", r.ID, what, mdEscape(r.Title))
		}
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(&b, "\n> %s\n", mdEscape(n))
	}

	table := func(title, col string, key func(*runner.Result) string, label func(string) string) {
		order, m := groupBy(rep, key)
		if col == "section" {
			sortSections(order)
		}
		fmt.Fprintf(&b, "\n## %s\n\n| %s |", title, col)
		for _, g := range catalog.Grades() {
			fmt.Fprintf(&b, " %s |", g)
		}
		b.WriteString("\n| --- |" + strings.Repeat(" ---: |", len(catalog.Grades())) + "\n")
		for _, k := range order {
			fmt.Fprintf(&b, "| %s |", mdEscape(label(k)))
			for _, g := range catalog.Grades() {
				fmt.Fprintf(&b, " %d |", m[k][g])
			}
			b.WriteString("\n")
		}
	}
	table("By section", "section", func(r *runner.Result) string { return r.Section }, sectionName)
	table("By message type", "message type", func(r *runner.Result) string { return r.Type }, func(s string) string { return s })

	b.WriteString("\n## Cases that did not pass\n\n")
	none := true
	for i := range rep.Results {
		r := &rep.Results[i]
		if r.Grade == catalog.Pass || r.Grade == catalog.Skipped {
			continue
		}
		none = false
		fmt.Fprintf(&b, "### %s %s: %s (%s, %s, %s)\n\n", r.ID, r.Grade, mdEscape(r.Title), r.Section, r.Level, r.Basis)
		for _, d := range r.Details() {
			fmt.Fprintf(&b, "- %s: %s\n", d.Label, mdEscape(d.Text))
		}
		b.WriteByte('\n')
	}
	if none {
		b.WriteString("None.\n")
	}
	head := false
	for i := range rep.Results {
		if d := dropped(&rep.Results[i]); d != nil {
			if !head {
				b.WriteString("\n## Truncated transcripts\n\n")
				head = true
			}
			fmt.Fprintf(&b, "- %s: %s\n", rep.Results[i].ID, mdEscape(d.String()))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// pluralS is "s" unless n is 1: "1 case", "2 cases".
func pluralS(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
