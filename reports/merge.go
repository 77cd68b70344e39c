package reports

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"

	"github.com/ompconform/ompconform/internal/filein"
	"github.com/ompconform/ompconform/internal/shard"
	"github.com/ompconform/ompconform/suites/catalog"
)

// A matrix of implementations against cases, merged from JSON reports:
// the shards of one run (ompconform run --shard I/N), several DUTs, or
// several versions of one, as interop runners show them.

// Column is one implementation: the results of every report given for it
// (shards merge into one column).
type Column struct {
	Name   string            `json:"name"`
	Target string            `json:"target"`
	Role   string            `json:"role"`
	Grades map[string]string `json:"grades"` // case ID -> grade
	Gating map[string]bool   `json:"gating"` // case IDs that failed the gate
	Counts map[string]int    `json:"counts"`
	Titles map[string]string `json:"-"`
	Levels map[string]string `json:"-"`
	From   []string          `json:"reports"`
	// Missing are the shards ("2/3") of a sharded run that no report
	// given for the column is: its grades cover part of the cases only.
	Missing []string `json:"missing_shards,omitempty"`
	shards  map[string]bool
	ofN     int
}

// Matrix is the merged view.
type Matrix struct {
	Columns []*Column `json:"columns"`
	Cases   []string  `json:"cases"` // IDs, in the catalogue's order, then unknown ones
}

// reportSummary is what a merge reads of a JSON report.
type reportSummary struct {
	Target  string   `json:"target"`
	Role    string   `json:"role"`
	Shard   string   `json:"shard"`
	Gating  []string `json:"gating"`
	Results []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
		Level string `json:"level"`
		Grade string `json:"grade"`
	} `json:"results"`
}

// maxReportFile bounds a JSON report read back (its results with their
// transcripts), as the parts suites.MergeParts reads.
const maxReportFile = 1 << 30

// MergeReports reads JSON reports ("NAME=PATH" names the column; a bare
// path's column is its target and role) and merges them: reports of one
// column (shards) are joined, a case found twice in one column keeps its
// worse grade.
func MergeReports(specs []string) (*Matrix, error) {
	m := &Matrix{}
	byName := map[string]*Column{}
	seen := map[string]bool{}
	for _, spec := range specs {
		name, path, named := strings.Cut(spec, "=")
		if !named {
			path = spec
		}
		var rs reportSummary
		err := filein.ReadJSON(path, maxReportFile, &rs)
		switch {
		case errors.Is(err, filein.ErrNotJSON):
			return nil, fmt.Errorf("%w; not a JSON report of ompconform run", err)
		case err != nil:
			return nil, err
		case rs.Target == "":
			return nil, fmt.Errorf("%s: not a JSON report of ompconform run (no target)", path)
		}
		if !named {
			name = rs.Target + " (" + rs.Role + ")"
		}
		col := byName[name]
		if col == nil {
			col = &Column{Name: name, Target: rs.Target, Role: rs.Role, Grades: map[string]string{}, Gating: map[string]bool{},
				Counts: map[string]int{}, Titles: map[string]string{}, Levels: map[string]string{}}
			byName[name] = col
			m.Columns = append(m.Columns, col)
		}
		col.From = append(col.From, path)
		if err := col.addShard(rs.Shard); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		for _, id := range rs.Gating {
			col.Gating[id] = true
		}
		for _, r := range rs.Results {
			if old, ok := col.Grades[r.ID]; ok && !worse(r.Grade, old) {
				continue
			}
			col.Grades[r.ID], col.Titles[r.ID], col.Levels[r.ID] = r.Grade, r.Title, r.Level
			seen[r.ID] = true
		}
	}
	for _, col := range m.Columns {
		for _, g := range col.Grades {
			col.Counts[g]++
		}
		for i := 1; i <= col.ofN; i++ {
			if s := shard.Format(i, col.ofN); !col.shards[s] {
				col.Missing = append(col.Missing, s)
			}
		}
	}
	for _, c := range catalog.All() {
		if seen[c.ID] {
			m.Cases = append(m.Cases, c.ID)
			delete(seen, c.ID)
		}
	}
	var rest []string
	for id := range seen {
		rest = append(rest, id)
	}
	sort.Strings(rest)
	m.Cases = append(m.Cases, rest...)
	return m, nil
}

// addShard notes that a report of the column is shard s ("I/N"; "" for
// a whole run): the shards of one column must be of one N.
func (c *Column) addShard(s string) error {
	if s == "" {
		return nil
	}
	_, n, err := shard.Parse(s)
	if err != nil {
		return err
	}
	if c.ofN != 0 && c.ofN != n {
		return fmt.Errorf("shard %s of column %q, whose other reports are of %d shards", s, c.Name, c.ofN)
	}
	if c.shards == nil {
		c.shards = map[string]bool{}
	}
	c.ofN, c.shards[s] = n, true
	return nil
}

// Incomplete lists the columns that lack a shard, with the shards they
// lack: "mydut: 2/3".
func (m *Matrix) Incomplete() []string {
	var out []string
	for _, c := range m.Columns {
		if len(c.Missing) > 0 {
			out = append(out, c.Name+": shard "+strings.Join(c.Missing, ", "))
		}
	}
	return out
}

func worse(a, b string) bool {
	var ga, gb catalog.Grade
	if ga.UnmarshalText([]byte(a)) != nil || gb.UnmarshalText([]byte(b)) != nil {
		return false
	}
	return ga.Worse(gb)
}

// WriteJSON writes the matrix.
func (m *Matrix) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(m)
}

// WriteMarkdown writes the matrix as a table: a row per case, a column
// per implementation, with each column's counts first.
func (m *Matrix) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("# OMP conformance: implementations against cases\n\n| case |")
	for _, c := range m.Columns {
		fmt.Fprintf(&b, " %s |", mdEscape(c.Name))
	}
	b.WriteString("\n| --- |" + strings.Repeat(" --- |", len(m.Columns)) + "\n| gate |")
	for _, c := range m.Columns {
		fmt.Fprintf(&b, " %d failing |", len(c.Gating))
	}
	b.WriteString("\n")
	if len(m.Incomplete()) > 0 {
		b.WriteString("| missing shards |")
		for _, c := range m.Columns {
			fmt.Fprintf(&b, " %s |", mdEscape(strings.Join(c.Missing, ", ")))
		}
		b.WriteString("\n")
	}
	for _, id := range m.Cases {
		// The case IDs and grades are the input reports' words.
		fmt.Fprintf(&b, "| %s |", mdEscape(id))
		for _, c := range m.Columns {
			g := mdEscape(c.Grades[id])
			if g == "" {
				g = "-"
			} else if c.Gating[id] {
				g = "**" + g + "**"
			}
			fmt.Fprintf(&b, " %s |", g)
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteHTML writes the matrix as a self-contained page, cells coloured by
// grade (the report's classes), the gate's failures marked.
func (m *Matrix) WriteHTML(w io.Writer) error {
	type cell struct {
		Grade, Class string
		Gate         bool
	}
	type row struct {
		ID, Title, Level string
		Cells            []cell
	}
	var rows []row
	for _, id := range m.Cases {
		r := row{ID: id}
		for _, c := range m.Columns {
			if r.Title == "" {
				r.Title, r.Level = c.Titles[id], c.Levels[id]
			}
			g := c.Grades[id]
			var gr catalog.Grade
			class := "none"
			if gr.UnmarshalText([]byte(g)) == nil {
				class = gradeClass[gr]
			}
			r.Cells = append(r.Cells, cell{Grade: g, Class: class, Gate: c.Gating[id]})
		}
		rows = append(rows, r)
	}
	return mergeTmpl.Execute(w, struct {
		M    *Matrix
		Rows []row
	}{m, rows})
}

var mergeTmpl = template.Must(template.New("merge").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>ompconform: implementations against cases</title>
<style>
body{font:13px system-ui,sans-serif;margin:1em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:1px 5px}
` + gradeCSS + `.none{background:#fff}
td.gate{font-weight:bold;outline:2px solid #a00}
</style></head><body>
<h1>Implementations against cases</h1>
<table><tr><th>case</th><th>title</th><th>level</th>{{range .M.Columns}}<th title="{{.Target}} ({{.Role}}), {{len .From}} report(s)">{{.Name}}<br>{{len .Gating}} failing{{if .Missing}}<br><b>missing shards {{range .Missing}}{{.}} {{end}}</b>{{end}}</th>{{end}}</tr>
{{range .Rows}}<tr><td>{{.ID}}</td><td>{{.Title}}</td><td>{{.Level}}</td>{{range .Cells}}<td class="{{.Class}}{{if .Gate}} gate{{end}}">{{.Grade}}</td>{{end}}</tr>
{{end}}</table></body></html>
`))
