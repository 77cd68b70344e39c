package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/ompconform/ompconform/internal/fileout"
	"github.com/ompconform/ompconform/reports"
)

const reportUsage = `usage: ompconform report merge [--html FILE] [--markdown FILE] [--json FILE] [NAME=]REPORT.json...

Merges JSON reports of "ompconform run" into one matrix of
implementations against cases, as interop runners show them: the shards
of a run (--shard I/N) join into one column, several DUTs or versions
make several. A column is named NAME when given (NAME=REPORT.json), else
by the report's target and role. Without an output flag the Markdown
table goes to standard output. The merge is the gate of the merged runs:
it exits 1 when a column's gate fails (the shards of a run gate as one
run would), and when a column lacks one of its run's shards (it is
marked: its grades cover part of the cases only); 0 otherwise.

flags:
  --html FILE       write the matrix as a self-contained HTML page
  --markdown FILE   write it as a Markdown table
  --json FILE       write it as JSON (each column's grades and gate)
`

func init() {
	Register(&Command{Name: "report", Summary: "merge JSON reports (shards, DUTs, versions) into one matrix", Usage: reportUsage, Run: runReport})
}

func runReport(env *Env, args []string) int {
	if len(args) > 0 && slices.Contains([]string{"-h", "-help", "--help"}, args[0]) {
		fmt.Fprint(env.Stderr, reportUsage)
		return ExitOK
	}
	if len(args) == 0 || args[0] != "merge" {
		fmt.Fprint(env.Stderr, "ompconform report: want \"report merge\" (ompconform help report)\n")
		return ExitUsage
	}
	cmd := newCommand(env, "report", func() string { return reportUsage })
	htmlOut := cmd.String("html", "", "HTML file")
	mdOut := cmd.String("markdown", "", "Markdown file")
	jsonOut := cmd.String("json", "", "JSON file")
	files, exit, ok := cmd.parse(args[1:])
	if !ok {
		return exit
	}
	if len(files) == 0 {
		fmt.Fprint(env.Stderr, "ompconform report merge: give the JSON reports to merge\n")
		return ExitUsage
	}
	m, err := reports.MergeReports(files)
	if err != nil {
		fmt.Fprintf(env.Stderr, "ompconform report merge: %v\n", err)
		return ExitUsage
	}
	outs := []struct {
		path string
		w    func(io.Writer) error
	}{{*htmlOut, m.WriteHTML}, {*mdOut, m.WriteMarkdown}, {*jsonOut, m.WriteJSON}}
	wrote := false
	for _, o := range outs {
		if o.path == "" {
			continue
		}
		wrote = true
		if err := fileout.Write(o.path, o.w); err != nil {
			fmt.Fprintf(env.Stderr, "ompconform report merge: %v\n", err)
			return ExitUsage
		}
		fmt.Fprintf(env.Stdout, "wrote %s\n", o.path)
	}
	if !wrote {
		if err := m.WriteMarkdown(env.Stdout); err != nil {
			return ExitUsage
		}
	}
	if inc := m.Incomplete(); len(inc) > 0 {
		// A column without all its shards has graded part of the cases:
		// its "0 failing" says nothing of the rest.
		fmt.Fprintf(env.Stderr, "ompconform report merge: incomplete: %s\n", reports.Printable(strings.Join(inc, "; ")))
		return ExitFailure
	}
	var failed []string
	for _, c := range m.Columns {
		if len(c.Gating) > 0 {
			failed = append(failed, fmt.Sprintf("%s (%d failing)", c.Name, len(c.Gating)))
		}
	}
	if len(failed) > 0 {
		fmt.Fprintf(env.Stderr, "ompconform report merge: gate: FAILED: %s\n", reports.Printable(strings.Join(failed, "; ")))
		return ExitFailure
	}
	return ExitOK
}
