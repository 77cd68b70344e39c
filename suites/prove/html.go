package prove

import (
	"html/template"
	"io"
	"slices"
	"time"

	"github.com/ompconform/ompconform/suites/catalog"
)

// FaultInfo is what the HTML shows of a fault: its name, area and what it
// does (the reference's registry, passed in so that this package does not
// depend on the reference).
type FaultInfo struct {
	Name, Area, Summary string
}

type htmlRow struct {
	Case    *catalog.Case
	Cells   []bool // one per fault column: the fault failed the case
	Killers int
}

type htmlFault struct {
	FaultInfo
	Roles  string
	Killed bool
	Cases  int
}

type htmlPage struct {
	M        *Matrix
	Took     time.Duration
	Problems Problems
	Faults   []htmlFault
	Rows     []htmlRow
}

// WriteHTML writes the kill matrix: one column per fault, one row per
// case, a mark where the fault failed the case; the faults that survived
// and the cases no fault failed first.
func (m *Matrix) WriteHTML(w io.Writer, cases []catalog.Case, faults []FaultInfo) error {
	p := htmlPage{M: m, Took: m.Duration.Round(time.Second), Problems: m.Check(cases)}
	caught := m.Caught(cases)
	for _, f := range faults {
		hf := htmlFault{FaultInfo: f, Cases: len(caught[f.Name])}
		var roles []string
		for _, r := range m.Runs {
			if r.Fault == f.Name {
				roles = append(roles, r.Role.String())
				hf.Killed = hf.Killed || r.Killed()
			}
		}
		hf.Roles = join(roles)
		p.Faults = append(p.Faults, hf)
	}
	for i := range cases {
		c := &cases[i]
		row := htmlRow{Case: c}
		for _, f := range faults {
			k := slices.Contains(caught[f.Name], c.ID)
			row.Cells = append(row.Cells, k)
			if k {
				row.Killers++
			}
		}
		p.Rows = append(p.Rows, row)
	}
	return htmlTmpl.Execute(w, p)
}

func join(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}

var htmlTmpl = template.Must(template.New("prove").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>ompconform: kill matrix</title>
<style>
body{font:13px system-ui,sans-serif;margin:1em}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:1px 4px}th.f{writing-mode:vertical-rl;font-weight:normal;max-height:16em}
td.k{background:#c33}td.n{background:#fff}tr.none td:first-child{background:#fc6}.bad{color:#a00;font-weight:bold}
</style></head><body>
<h1>Kill matrix</h1>
<p>The catalogue against the reference with each deliberate fault (docs/faults.md), in every role the fault shows in.
A red cell: the fault failed the case (the case failed the gate). {{len .M.Runs}} runs in {{.Took}}.</p>
{{if .Problems.OK}}<p><b>Proof holds:</b> the correct reference passes, every fault fails the gate, every case that is not INFORMATIONAL is failed by a fault.</p>
{{else}}<p class="bad">Proof fails.</p><ul>
{{range .Problems.CleanFailed}}<li class="bad">correct reference failed: {{.}}</li>{{end}}
{{range .Problems.Survived}}<li class="bad">fault survived: {{.}}</li>{{end}}
{{range .Problems.Errors}}<li class="bad">run error: {{.}}</li>{{end}}
{{if .Problems.Unkilled}}<li class="bad">cases no fault failed: {{range .Problems.Unkilled}}{{.}} {{end}}</li>{{end}}
</ul>{{end}}
<h2>Faults</h2>
<table><tr><th>fault</th><th>area</th><th>roles run</th><th>cases failed</th><th>what it does</th></tr>
{{range .Faults}}<tr><td{{if not .Killed}} class="bad"{{end}}>{{.Name}}</td><td>{{.Area}}</td><td>{{.Roles}}</td><td>{{.Cases}}</td><td>{{.Summary}}</td></tr>
{{end}}</table>
<h2>Cases against faults</h2>
<table><tr><th>case</th><th>level</th><th>faults</th>{{range .Faults}}<th class="f" title="{{.Summary}}">{{.Name}}</th>{{end}}</tr>
{{range .Rows}}<tr{{if eq .Killers 0}} class="none"{{end}}><td>{{.Case.ID}}</td><td>{{.Case.Level}}</td><td>{{.Killers}}</td>{{range .Cells}}<td class="{{if .}}k{{else}}n{{end}}"></td>{{end}}</tr>
{{end}}</table>
</body></html>
`))
