package reports

import (
	"fmt"
	"html"
	"html/template"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/suites/catalog"
	"github.com/ompconform/ompconform/suites/runner"
)

// The HTML report is one self-contained page: no script, no external
// style or font. A summary by section and by message type, the matrix of
// expected against received ALERTs, then every case with its verdict and
// its transcript, each message decoded and its bytes annotated field by
// field from the codec's field map.

type htmlPage struct {
	Rep       *runner.Report
	Counts    []htmlCount
	Gating    []*runner.Result
	Sections  []htmlRow
	Types     []htmlRow
	Matrix    htmlMatrix
	Cases     []htmlCase
	Generated string
	KeysShown bool
}

type htmlCount struct {
	Grade string
	N     int
}

type htmlRow struct {
	Key, Label string
	Counts     []int // in catalog.Grades() order
	Total      int
}

type htmlMatrix struct {
	Cols []string
	Rows []htmlMatrixRow
}

type htmlMatrixRow struct {
	Expected string
	Cells    []htmlCell
}

type htmlCell struct {
	N     int
	Class string
	IDs   string
}

type htmlCase struct {
	R       *runner.Result
	Grade   string
	Title   string
	Dropped string // the summary line of what the transcript did not keep
	Entries []htmlEntry
}

type htmlEntry struct {
	entry
	At     string
	Hex    template.HTML
	Fields []omp.Field
}

var gradeClass = map[catalog.Grade]string{catalog.Pass: "pass", catalog.NonStrict: "nonstrict", catalog.Fail: "fail",
	catalog.Unsupported: "unsup", catalog.Error: "error", catalog.Skipped: "skip", catalog.Info: "info"}

// WriteHTML writes the self-contained HTML page.
func WriteHTML(w io.Writer, rep *runner.Report, o Options) error {
	p := htmlPage{Rep: rep, Gating: rep.Gating(), Generated: time.Now().Format(time.RFC3339), KeysShown: o.ShowKeys}
	counts := rep.Counts()
	for _, g := range catalog.Grades() {
		p.Counts = append(p.Counts, htmlCount{g.String(), counts[g]})
	}
	rows := func(key func(*runner.Result) string, label func(string) string) []htmlRow {
		order, m := groupBy(rep, key)
		var out []htmlRow
		for _, k := range order {
			r := htmlRow{Key: k, Label: label(k), Total: m[k].total()}
			for _, g := range catalog.Grades() {
				r.Counts = append(r.Counts, m[k][g])
			}
			out = append(out, r)
		}
		return out
	}
	p.Sections = rows(func(r *runner.Result) string { return r.Section }, sectionName)
	p.Types = rows(func(r *runner.Result) string { return r.Type }, func(s string) string { return s })
	p.Matrix = alertMatrix(rep)
	for i := range rep.Results {
		r := &rep.Results[i]
		hc := htmlCase{R: r, Grade: gradeClass[r.Grade], Title: r.ID + " " + r.Title}
		if d := dropped(r); d != nil {
			hc.Dropped = d.String()
		}
		for _, e := range entries(r, o) {
			he := htmlEntry{entry: e, At: fmtAt(e.At)}
			if len(e.Raw) > 0 {
				he.Hex = annotatedHex(e)
				he.Fields = e.Fields.Leaves()
			}
			hc.Entries = append(hc.Entries, he)
		}
		p.Cases = append(p.Cases, hc)
	}
	return page.Execute(w, p)
}

// received is the column of a result in the ALERT matrix.
func received(r *runner.Result) string {
	switch {
	case r.Alert != nil:
		return r.Alert.String()
	case strings.Contains(r.Received, "closed") || strings.Contains(r.Received, "reset"):
		return "closed, no ALERT"
	}
	return "no ALERT"
}

// alertMatrix counts, for every case that expects an ALERT and was
// judged, the ALERT expected (the first the case accepts) against what
// the DUT did.
func alertMatrix(rep *runner.Report) htmlMatrix {
	type key struct{ exp, got string }
	n := map[key][]string{}
	rowSet, colSet := map[string]bool{}, map[string]bool{}
	var rowOrder []catalog.AlertID
	for i := range rep.Results {
		r := &rep.Results[i]
		if len(r.ExpectedAlerts) == 0 || r.Grade == catalog.Skipped || r.Grade == catalog.Unsupported || r.Grade == catalog.Error {
			continue
		}
		exp := r.ExpectedAlerts[0]
		got := received(r)
		if slices.ContainsFunc(r.ExpectedAlerts, func(a catalog.AlertID) bool { return a.String() == got }) {
			got = exp.String()
		}
		if !rowSet[exp.String()] {
			rowSet[exp.String()] = true
			rowOrder = append(rowOrder, exp)
		}
		colSet[got] = true
		n[key{exp.String(), got}] = append(n[key{exp.String(), got}], r.ID)
	}
	sort.Slice(rowOrder, func(i, j int) bool {
		a, b := rowOrder[i], rowOrder[j]
		return a.Code < b.Code || a.Code == b.Code && a.Subcode < b.Subcode
	})
	var m htmlMatrix
	for _, a := range catalog.AllAlerts() {
		if colSet[a.String()] {
			m.Cols = append(m.Cols, a.String())
			delete(colSet, a.String())
		}
	}
	var rest []string
	for c := range colSet {
		rest = append(rest, c)
	}
	sort.Strings(rest)
	m.Cols = append(m.Cols, rest...)
	for _, row := range rowOrder {
		mr := htmlMatrixRow{Expected: row.String()}
		for _, c := range m.Cols {
			ids := n[key{row.String(), c}]
			cell := htmlCell{N: len(ids), IDs: strings.Join(ids, " ")}
			switch {
			case len(ids) == 0:
			case c == row.String():
				cell.Class = "pass"
			case strings.HasPrefix(c, row.Code.String()+"/"), strings.HasPrefix(c, "closed"):
				cell.Class = "nonstrict"
			default:
				cell.Class = "fail"
			}
			mr.Cells = append(mr.Cells, cell)
		}
		m.Rows = append(m.Rows, mr)
	}
	return m
}

// annotatedHex renders a message's bytes field by field: each leaf of the
// field map is a span whose title names the field and its value; fields
// alternate in colour; redacted bytes show as "··"; bytes no field covers
// (after a decode error) are marked.
func annotatedHex(e entry) template.HTML {
	leaves := e.Fields.Leaves()
	sort.SliceStable(leaves, func(i, j int) bool { return leaves[i].Offset < leaves[j].Offset })
	red := func(i int) bool {
		for _, r := range e.Redacted {
			if i >= r[0] && i < r[1] {
				return true
			}
		}
		return false
	}
	bytesHTML := func(from, to int) string {
		var b strings.Builder
		for i := from; i < to && i < len(e.Raw); i++ {
			if red(i) {
				b.WriteString("·· ")
			} else {
				fmt.Fprintf(&b, "%02x ", e.Raw[i])
			}
		}
		return b.String()
	}
	var b strings.Builder
	at, k := 0, 0
	for _, f := range leaves {
		if f.Offset < at || f.Length <= 0 {
			continue
		}
		if f.Offset > at {
			fmt.Fprintf(&b, `<span class="unk" title="not read as a field">%s</span>`, bytesHTML(at, f.Offset))
		}
		title := fmt.Sprintf("%s @%d+%d", f.Name, f.Offset, f.Length)
		if f.Value != "" {
			title += " = " + f.Value
		}
		cls := fmt.Sprintf("f%d", k%2)
		if red(f.Offset) {
			cls = "red"
			title += " (key, redacted)"
		}
		fmt.Fprintf(&b, `<span class="%s" title="%s">%s</span>`, cls, html.EscapeString(title), bytesHTML(f.Offset, f.Offset+f.Length))
		at, k = f.Offset+f.Length, k+1
	}
	if at < len(e.Raw) {
		fmt.Fprintf(&b, `<span class="unk" title="not read as a field">%s</span>`, bytesHTML(at, len(e.Raw)))
	}
	return template.HTML(b.String())
}

var page = template.Must(template.New("page").Funcs(template.FuncMap{
	"secs": func(d time.Duration) string { return d.Round(time.Millisecond).String() },
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>OMP conformance: {{.Rep.Target}}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.5em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}
td.n{text-align:right}
.badge{display:inline-block;min-width:7em;padding:0 4px;border-radius:3px;font-weight:bold;text-align:center}
.pass{background:#d9f2d9}.nonstrict{background:#fff0c0}.fail{background:#f8d0d0}.unsup{background:#e4e4f4}.error{background:#f0d0f0}.skip{background:#eee}.info{background:#dde8f4}
details.case{border:1px solid #ddd;margin:3px 0;padding:2px 6px}details.case>summary{cursor:pointer}
dl{display:grid;grid-template-columns:9em 1fr;gap:2px 8px}dt{font-weight:bold}dd{margin:0}
.hex{font:12px/1.5 monospace;max-width:49ch;word-wrap:break-word}
.f0{background:#e8f0ff}.f1{background:#fff4e0}.red{background:#333;color:#fff}.unk{background:#fdd;text-decoration:underline wavy red}
.mono{font-family:monospace;font-size:12px}tr.gap td{background:#fff0c0;font-style:italic}pre{white-space:pre-wrap;margin:0}
</style></head><body>
<h1>OMP conformance: {{.Rep.Target}}</h1>
<p>draft-sthoria-omp-00 · DUT role <b>{{.Rep.Role}}</b> · started {{.Rep.Start.Format "2006-01-02 15:04:05 MST"}} · {{len .Rep.Results}} cases in {{secs .Rep.Duration}} · report generated {{.Generated}}{{if not .KeysShown}} · keys redacted{{end}}</p>
{{if .Rep.DUT}}<p>DUT: <span class="mono">{{.Rep.DUT}}</span></p>{{end}}
<p>{{range .Counts}}<span class="badge {{.Grade}}">{{.Grade}} {{.N}}</span> {{end}}</p>
{{if .Gating}}<p><b>Gate: failed</b> by {{range .Gating}}<a href="#{{.ID}}">{{.ID}}</a> {{end}}</p>{{else}}<p><b>Gate: passed.</b></p>{{end}}
{{range .Rep.Notes}}<p class="nonstrict">{{.}}</p>{{end}}
<h2>By section</h2>
<table><tr><th>section</th><th>PASS</th><th>INFO</th><th>NON-STRICT</th><th>FAIL</th><th>UNSUPPORTED</th><th>ERROR</th><th>SKIPPED</th><th>total</th></tr>
{{range .Sections}}<tr><td>{{.Label}}</td>{{range .Counts}}<td class="n">{{.}}</td>{{end}}<td class="n">{{.Total}}</td></tr>
{{end}}</table>
<h2>By message type</h2>
<table><tr><th>message type</th><th>PASS</th><th>INFO</th><th>NON-STRICT</th><th>FAIL</th><th>UNSUPPORTED</th><th>ERROR</th><th>SKIPPED</th><th>total</th></tr>
{{range .Types}}<tr><td>{{.Label}}</td>{{range .Counts}}<td class="n">{{.}}</td>{{end}}<td class="n">{{.Total}}</td></tr>
{{end}}</table>
<h2>ALERT expected (rows) against received (columns)</h2>
<table id="alert-matrix"><tr><th>expected \ received</th>{{range .Matrix.Cols}}<th class="mono">{{.}}</th>{{end}}</tr>
{{range .Matrix.Rows}}<tr><th class="mono">{{.Expected}}</th>{{range .Cells}}<td class="n {{.Class}}" title="{{.IDs}}">{{if .N}}{{.N}}{{end}}</td>{{end}}</tr>
{{end}}</table>
<h2>Cases</h2>
{{range .Cases}}<details class="case" id="{{.R.ID}}"><summary><span class="badge {{.Grade}}">{{.R.Grade}}</span> <b>{{.R.ID}}</b> [{{.R.Section}}, {{.R.Level}}, {{.R.Basis}}] {{.R.Requirement}}</summary>
<dl>
<dt>requirement</dt><dd>{{.R.Requirement}}</dd>
{{if .R.Source}}<dt>source</dt><dd>{{.R.Source}}</dd>{{end}}
{{if .R.Reading}}<dt>reading</dt><dd>{{.R.Reading}}</dd>{{end}}
<dt>sent</dt><dd>{{.R.Sent}}</dd>
<dt>expected</dt><dd>{{.R.Expected}}</dd>
<dt>received</dt><dd>{{.R.Received}}</dd>
{{if .R.Reason}}<dt>reason</dt><dd>{{.R.Reason}}</dd>{{end}}
{{range .R.Measured}}<dt>measured</dt><dd>{{.}}</dd>{{end}}
{{if .R.Liveness}}<dt>after the case</dt><dd>{{.R.Liveness}}</dd>{{end}}
{{if .R.Baseline}}<dt>baseline</dt><dd>{{.R.Baseline}}{{if .R.BaselinePassed}} — <b>the case passed: remove the entry</b>{{end}}</dd>{{end}}
<dt>duration</dt><dd>{{secs .R.Duration}}</dd>
{{if .Dropped}}<dt>transcript</dt><dd class="nonstrict">{{.Dropped}}</dd>{{end}}
</dl>
{{if .Entries}}<table class="transcript"><tr><th>at</th><th>dir</th><th>peer</th><th>what</th></tr>
{{range .Entries}}<tr{{if .Dropped}} class="gap"{{end}}><td class="mono">{{.At}}</td><td>{{.Dir}}</td><td>{{.Peer}}</td><td>{{.Summary}}{{if and .Note (ne .Dir "event")}} <i>[{{.Note}}]</i>{{end}}{{if .Err}} <span class="fail">{{.Err}}</span>{{end}}
{{if .Hex}}<details><summary>{{len .Raw}} bytes{{if .Cut}} (and {{.Cut}} more, not kept){{end}}</summary><div class="hex">{{.Hex}}</div>
{{if .Decode}}<p class="fail">{{.Decode}}</p>{{end}}
<table class="mono"><tr><th>field</th><th>offset</th><th>length</th><th>value</th></tr>{{range .Fields}}<tr><td>{{.Name}}</td><td class="n">{{.Offset}}</td><td class="n">{{.Length}}</td><td>{{.Value}}</td></tr>{{end}}</table></details>{{end}}</td></tr>
{{end}}</table>{{end}}
</details>
{{end}}
</body></html>
`))
