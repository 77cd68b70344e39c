package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ompconform/ompconform/suites/catalog"
	"github.com/ompconform/ompconform/suites/runner"
)

// JUnit XML, one testsuite per draft section, one testcase per case:
// FAIL and NON-STRICT are failures (typed by grade), ERROR an error,
// SKIPPED and UNSUPPORTED skipped; a case in the baseline that failed is
// skipped ("expected failure"), one that passed is a failure.

type junitSuites struct {
	XMLName xml.Name `xml:"testsuites"`
	Name    string   `xml:"name,attr"`
	junitCounts
	Suites []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name string `xml:"name,attr"`
	junitCounts
	Cases []junitCase `xml:"testcase"`
}

// junitCounts are the attributes a <testsuites> and a <testsuite> share.
type junitCounts struct {
	Tests    int    `xml:"tests,attr"`
	Failures int    `xml:"failures,attr"`
	Errors   int    `xml:"errors,attr"`
	Skipped  int    `xml:"skipped,attr"`
	Time     string `xml:"time,attr"`
}

// count counts c: a test, and its failure, error or skip.
func (n *junitCounts) count(c *junitCase) {
	n.Tests++
	switch {
	case c.Failure != nil:
		n.Failures++
	case c.Error != nil:
		n.Errors++
	case c.Skipped != nil:
		n.Skipped++
	}
}

type junitCase struct {
	Name       string          `xml:"name,attr"`
	Classname  string          `xml:"classname,attr"`
	Time       string          `xml:"time,attr"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Failure    *junitMessage   `xml:"failure,omitempty"`
	Error      *junitMessage   `xml:"error,omitempty"`
	Skipped    *junitMessage   `xml:"skipped,omitempty"`
	SystemOut  string          `xml:"system-out,omitempty"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Body    string `xml:",chardata"`
}

// junitClass is the JUnit classname of a section: "ompconform.s3_1_1",
// so that CI viewers, which split class names at dots, show one level.
func junitClass(section string) string {
	return "ompconform.s" + strings.NewReplacer(".", "_", "-", "_").Replace(section)
}

func secs(r *runner.Result) string { return fmt.Sprintf("%.3f", r.Duration.Seconds()) }

// WriteJUnit writes the report as JUnit XML.
func WriteJUnit(w io.Writer, rep *runner.Report, o Options) error {
	top := junitSuites{Name: "ompconform " + rep.Target, junitCounts: junitCounts{Time: fmt.Sprintf("%.3f", rep.Duration.Seconds())}}
	index := map[string]int{}
	var durs []time.Duration
	// One suite per section, in the draft's order.
	var keys []string
	for i := range rep.Results {
		if _, ok := index[rep.Results[i].Section]; !ok {
			index[rep.Results[i].Section] = -1
			keys = append(keys, rep.Results[i].Section)
		}
	}
	sortSections(keys)
	for _, k := range keys {
		index[k] = len(top.Suites)
		top.Suites = append(top.Suites, junitSuite{Name: sectionName(k)})
		durs = append(durs, 0)
	}
	for i := range rep.Results {
		r := &rep.Results[i]
		k := index[r.Section]
		durs[k] += r.Duration
		s := &top.Suites[k]
		c := junitCase{Name: r.ID + " " + r.Title, Classname: junitClass(r.Section), Time: secs(r),
			Properties: []junitProperty{{"id", r.ID}, {"section", r.Section}, {"level", r.Level.String()}, {"basis", r.Basis.String()},
				{"grade", r.Grade.String()}, {"message_type", r.Type}}}
		if r.Source != "" {
			c.Properties = append(c.Properties, junitProperty{"source", r.Source})
		}
		for _, m := range r.Measured {
			c.Properties = append(c.Properties, junitProperty{"measured " + m.Name, m.Value.String()})
		}
		if d := dropped(r); d != nil {
			c.Properties = append(c.Properties, junitProperty{"transcript_dropped", d.String()})
		}
		detail := verdictText(r)
		msg := &junitMessage{Message: oneLine(r), Type: r.Grade.String(), Body: detail}
		// A <failure> is exactly a case that fails the gate; everything
		// else passes or is skipped, its grade in the properties.
		switch {
		case r.BaselinePassed:
			msg.Type, msg.Message = "BASELINE-PASSED", "the baseline expects this case to fail, and it passed: remove the entry ("+r.Baseline+")"
			c.Failure = msg
		case r.Gating(rep.LenientGate):
			c.Failure = msg
		case r.Baseline != "" && r.Grade.Gates(r.Level, rep.LenientGate):
			c.Skipped = &junitMessage{Message: "expected failure (baseline): " + r.Baseline, Body: detail}
		case r.Grade == catalog.Skipped || r.Grade == catalog.Unsupported:
			c.Skipped = &junitMessage{Message: r.Grade.String() + ": " + r.Reason + " " + r.Received}
		}
		c.SystemOut = transcriptText(r, o)
		s.Cases = append(s.Cases, c)
		s.count(&c)
		top.count(&c)
	}
	for i := range top.Suites {
		top.Suites[i].Time = fmt.Sprintf("%.3f", durs[i].Seconds())
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(top); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func sectionName(key string) string {
	if t := catalog.SectionTitle(key); t != "" {
		if strings.HasPrefix(t, strings.SplitN(key, "-", 2)[0]) {
			return t
		}
		return strings.SplitN(key, "-", 2)[0] + " " + t
	}
	return key
}

// oneLine is "expected X; received Y (reason)".
func oneLine(r *runner.Result) string {
	return catalog.Verdict{Expected: r.Expected, Received: r.Received, Reason: r.Reason}.Summary()
}

// verdictText is a case's verdict in plain text, for JUnit bodies and
// Markdown.
func verdictText(r *runner.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s [%s, %s, %s]\n", r.ID, r.Grade, r.Section, r.Level, r.Basis)
	for _, d := range r.Details() {
		fmt.Fprintf(&b, "%s: %s\n", d.Label, d.Text)
	}
	return b.String()
}

// transcriptText is the transcript, one line per entry; where entries
// were dropped, the event that says what they were.
func transcriptText(r *runner.Result, o Options) string {
	var b strings.Builder
	for _, e := range entries(r, o) {
		fmt.Fprintf(&b, "%10s %-8s %-6s %s", fmtAt(e.At), e.Dir, e.Peer, e.Summary)
		if e.Note != "" && e.Dir != "event" {
			fmt.Fprintf(&b, " [%s]", e.Note)
		}
		if e.Err != "" {
			fmt.Fprintf(&b, " (%s)", e.Err)
		}
		if len(e.Raw) > 0 {
			fmt.Fprintf(&b, " %x", e.Raw)
		}
		if e.Cut > 0 {
			fmt.Fprintf(&b, " (and %d bytes not kept)", e.Cut)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// fmtAt writes a time since the case's start: "+12.3ms", "+1.503s".
func fmtAt(d time.Duration) string {
	switch {
	case d < time.Second:
		return "+" + d.Round(100*time.Microsecond).String()
	}
	return "+" + d.Round(time.Millisecond).String()
}
