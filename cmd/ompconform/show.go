package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/ompconform/ompconform/internal/filein"
	"github.com/ompconform/ompconform/reports"
	"github.com/ompconform/ompconform/suites/catalog"
	"github.com/ompconform/ompconform/transcript"
)

const showUsage = `usage: ompconform show [--report FILE] [--scenarios DIR] ID

Prints one case: its title, draft section, level, basis, the requirement
in the draft's words, the reading, the roles and what the DUT must
negotiate, each step it takes and what it expects. With --report (a JSON
report of "ompconform run --json" or --report-dir), also the case's
result there: its grade, what was expected and received, and its
transcript, message by message, decoded. A scenario's case (docs/
scenarios.md) is found with --scenarios, the folder run was given.
`

func init() {
	Register(&Command{Name: "show", Summary: "print one case, and its result and transcript from a JSON report", Usage: showUsage, Run: runShow})
}

func runShow(env *Env, args []string) int {
	cmd := newCommand(env, "show", func() string { return showUsage })
	report := cmd.String("report", "", "JSON report")
	scenarioDir := cmd.String("scenarios", "", "scenario files (YAML), as run was given them")
	ids, exit, ok := cmd.parse(args)
	if !ok {
		return exit
	}
	if len(ids) != 1 {
		return cmd.fail("give one case ID (ompconform list)")
	}
	all, err := withScenarios(*scenarioDir)
	if err != nil {
		return cmd.fail("%v", err)
	}
	i := slices.IndexFunc(all, func(c catalog.Case) bool { return strings.EqualFold(c.ID, ids[0]) })
	if i < 0 {
		if *scenarioDir == "" {
			return cmd.fail("no case %q (ompconform list; a scenario's needs --scenarios)", ids[0])
		}
		return cmd.fail("no case %q (ompconform list) nor scenario under %s", ids[0], *scenarioDir)
	}
	c := &all[i]
	// The report is read first: an unreadable one is an error, not a
	// case printed and then an error.
	var result bytes.Buffer
	if *report != "" {
		if err := printResult(&result, *report, c.ID); err != nil {
			return cmd.fail("%v", err)
		}
	}
	printCase(env.Stdout, c)
	result.WriteTo(env.Stdout)
	return ExitOK
}

func printCase(w io.Writer, c *catalog.Case) {
	roles := c.Roles
	if roles == 0 {
		roles = catalog.AnyRole
	}
	fmt.Fprintf(w, "%s  %s\n\n", c.ID, c.Headline())
	fmt.Fprintf(w, "section:     %s %s\n", c.Section, catalog.SectionTitle(c.Section))
	basis := c.Basis.String()
	if c.Source != "" {
		basis += " (" + c.Source + ")"
	}
	fmt.Fprintf(w, "level:       %s\nbasis:       %s\nroles:       %s\n", c.Level, basis, roles)
	if len(c.Needs) > 0 {
		var ns []string
		for _, n := range c.Needs {
			ns = append(ns, n.String())
		}
		fmt.Fprintf(w, "needs:       %s\n", strings.Join(ns, ", "))
	}
	fmt.Fprintf(w, "requirement: %s\n", c.Requirement)
	if c.Reading != "" {
		fmt.Fprintf(w, "reading:     %s\n", c.Reading)
	}
	fmt.Fprintln(w, "steps:")
	for i, s := range c.Steps() {
		fmt.Fprintf(w, "  %2d. %s\n", i+1, s)
	}
}

// reportCase is what show reads of a JSON report's result.
type reportCase struct {
	ID         string                 `json:"id"`
	Grade      string                 `json:"grade"`
	Expected   string                 `json:"expected"`
	Received   string                 `json:"received"`
	Reason     string                 `json:"reason"`
	Liveness   string                 `json:"liveness"`
	Transcript []transcript.JSONEntry `json:"transcript"`
}

// maxReportFile bounds the JSON report show --report reads.
const maxReportFile = 1 << 30

func printResult(w io.Writer, path, id string) error {
	b, err := filein.Read(path, maxReportFile)
	if err != nil {
		return err
	}
	var rep struct {
		Target  string       `json:"target"`
		Results []reportCase `json:"results"`
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		return fmt.Errorf("%s: not a JSON report of ompconform run: %w", path, err)
	}
	for _, r := range rep.Results {
		if r.ID != id {
			continue
		}
		// Every field is the report file's: printed escaped.
		p := reports.Printable
		fmt.Fprintf(w, "\nresult against %s: %s\n  expected: %s\n  received: %s\n", p(rep.Target), p(r.Grade), p(r.Expected), p(r.Received))
		if r.Reason != "" {
			fmt.Fprintf(w, "  reason:   %s\n", p(r.Reason))
		}
		if r.Liveness != "" {
			fmt.Fprintf(w, "  after:    %s\n", p(r.Liveness))
		}
		fmt.Fprintln(w, "transcript:")
		for _, e := range r.Transcript {
			var parts []string
			for _, x := range []string{e.Summary, e.Note, e.Decode, e.Error} {
				if x != "" && !slices.Contains(parts, x) && !strings.Contains(strings.Join(parts, " "), x) {
					parts = append(parts, x)
				}
			}
			what := strings.Join(parts, "; ")
			fmt.Fprintf(w, "  %9.3fms %-8s %-6s %s\n", e.AtMS, p(e.Dir), p(e.Peer), p(what))
		}
		return nil
	}
	return fmt.Errorf("%s holds no result of %s", path, id)
}
