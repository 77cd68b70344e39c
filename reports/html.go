package reports

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/suites/catalog"
	"github.com/ompconform/ompconform/suites/runner"
	"github.com/ompconform/ompconform/transcript"
)

// The HTML report is one self-contained page: no external script, style
// or font. A summary by section (in the draft's order) and by message
// type, the matrix of expected against received ALERTs (short names, with
// a legend), then every case with its verdict and its transcript, each
// message decoded and its bytes annotated field by field from the codec's
// field map.
//
// The page stays small and quick to open however many cases pass. The
// cases that fail (the gating ones first, then the other FAIL, NON-STRICT
// and ERROR) come first, open, their transcripts written out in the page
// (each message's bytes in hex), readable without script. Every other
// case is closed, and its transcript is rendered from a compact JSON
// block when it is opened: entries refer to a table of strings and a
// table of distinct messages (bytes, field map), so that the HELLOs,
// End-of-RIBs and DUT HANDSHAKEs that every case has are held once. A
// message opened in any transcript shows its bytes annotated field by
// field and its field table, from that table. A small inline script
// renders them and filters the cases by grade, section and text.

type htmlPage struct {
	Rep       *runner.Report
	Counts    []htmlCount
	Gating    []*runner.Result
	Sections  []htmlRow
	Types     []htmlRow
	Matrix    htmlMatrix
	Cases     []htmlCase
	Grades    []htmlCount     // the grades present, for the filter
	Columns   []catalog.Grade // every grade, the tables' columns (htmlRow.Counts)
	Failing   int             // how many cases lead the list, open
	Lazy      template.JS     // the transcripts of the closed cases (lazyData)
	Generated string
	KeysShown bool
	Live      string // runner.LivenessPeer
}

type htmlCount struct {
	Grade string
	Class string
	N     int
}

type htmlRow struct {
	Key, Label string
	Counts     []int // in catalog.Grades() order
	Total      int
}

type htmlMatrix struct {
	Cols   []htmlMatrixCol
	Rows   []htmlMatrixRow
	Legend []htmlLegend // the ALERTs named, in full
}

type htmlMatrixCol struct {
	Code, Sub string // the short name: "HEADER", "LENGTH"
	Full      string
}

type htmlMatrixRow struct {
	Expected htmlMatrixCol
	Cells    []htmlCell
}

type htmlCell struct {
	N     int
	Class string
	IDs   string
}

type htmlLegend struct{ Short, Full string }

type htmlCase struct {
	R         *runner.Result
	Grade     string // CSS class
	Open      bool   // failing: open, transcript in the page
	Lazy      bool   // the transcript is in the JSON block
	Dropped   string // the summary line of what the transcript did not keep
	OtherRuns string
	Entries   []htmlEntry
}

type htmlEntry struct {
	entry
	At    string
	Live  bool   // the liveness check's
	M     int    // the message's index in lazyData.M
	Plain string // its bytes in hex, redacted bytes as "··"
}

var gradeClass = map[catalog.Grade]string{catalog.Pass: "pass", catalog.NonStrict: "nonstrict", catalog.Fail: "fail",
	catalog.Unsupported: "unsup", catalog.Error: "error", catalog.Skipped: "skip", catalog.Info: "info"}

// failing reports whether a case leads the page, open: it fails the gate,
// or has a grade that would were it not in the baseline or the gate
// lenient.
func failing(r *runner.Result, lenient bool) bool {
	return r.Gating(lenient) || r.Grade == catalog.Fail || r.Grade == catalog.NonStrict || r.Grade == catalog.Error
}

// WriteHTML writes the self-contained HTML page.
func WriteHTML(w io.Writer, rep *runner.Report, o Options) error {
	p := htmlPage{Rep: rep, Gating: rep.Gating(), Generated: time.Now().Format(time.RFC3339), KeysShown: o.ShowKeys, Live: runner.LivenessPeer}
	counts := rep.Counts()
	for _, g := range catalog.Grades() {
		p.Counts = append(p.Counts, htmlCount{g.String(), gradeClass[g], counts[g]})
		if counts[g] > 0 {
			p.Grades = append(p.Grades, htmlCount{g.String(), gradeClass[g], counts[g]})
		}
	}
	rows := func(key func(*runner.Result) string, label func(string) string, sorted bool) []htmlRow {
		order, m := groupBy(rep, key)
		if sorted {
			sortSections(order)
		}
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
	p.Sections = rows(func(r *runner.Result) string { return r.Section }, sectionName, true)
	p.Types = rows(func(r *runner.Result) string { return r.Type }, func(s string) string { return s }, false)
	p.Matrix = alertMatrix(rep)

	// Failing cases first, the gating ones before the others; then the
	// rest, in the report's order.
	var gating, other, rest []*runner.Result
	for i := range rep.Results {
		r := &rep.Results[i]
		switch {
		case r.Gating(rep.LenientGate):
			gating = append(gating, r)
		case failing(r, rep.LenientGate):
			other = append(other, r)
		default:
			rest = append(rest, r)
		}
	}
	p.Failing = len(gating) + len(other)
	lazy := newLazy()
	for i, r := range slices.Concat(gating, other, rest) {
		hc := htmlCase{R: r, Grade: gradeClass[r.Grade], Open: i < p.Failing}
		if d := dropped(r); d != nil {
			hc.Dropped = d.String()
		}
		if r.OtherRuns != nil {
			hc.OtherRuns = otherRuns(r.OtherRuns)
		}
		es := entries(r, o)
		switch {
		case len(es) == 0:
		case hc.Open:
			for _, e := range es {
				he := htmlEntry{entry: e, At: fmtAt(e.At), Live: e.Peer == runner.LivenessPeer}
				if len(e.Raw) > 0 {
					he.M, he.Plain = lazy.msg(e), plainHex(e)
				}
				hc.Entries = append(hc.Entries, he)
			}
		default:
			hc.Lazy = true
			lazy.add(r.ID, es)
		}
		p.Cases = append(p.Cases, hc)
	}
	js, err := json.Marshal(lazy) // escapes <, > and &: safe in a script element
	if err != nil {
		return err
	}
	p.Lazy = template.JS(js)
	p.Columns = catalog.Grades()
	return page.Execute(w, p)
}

// sortSections puts section keys in the draft's order (catalog.Sections),
// keys it does not list last, in their order.
func sortSections(keys []string) {
	index := map[string]int{}
	for i, s := range catalog.Sections {
		index[s.Key] = i
	}
	pos := func(k string) int {
		if i, ok := index[k]; ok {
			return i
		}
		return len(catalog.Sections)
	}
	sort.SliceStable(keys, func(i, j int) bool { return pos(keys[i]) < pos(keys[j]) })
}

// lazyData is the transcripts of the cases the page renders on demand, as
// compact JSON. S is a table of strings (S[0] is ""), M a table of
// distinct messages: [hex, summary, leaves, redacted, decode error], where
// leaves are flat (offset, length, name, value) quadruples and redacted
// flat (from, to) pairs, strings as indexes into S. C maps a case ID to
// its entries: [at (ms), dir (0 sent, 1 received, 2 event, 3 the gap of a
// truncated transcript), peer, message (index into M, -1 for an event),
// note, error, bytes not kept], trailing zeros and -1 left off.
type lazyData struct {
	S []string           `json:"s"`
	M [][]any            `json:"m"`
	C map[string][][]any `json:"c"`

	strs map[string]int
	msgs map[string]int
}

func newLazy() *lazyData {
	return &lazyData{S: []string{""}, M: [][]any{}, C: map[string][][]any{}, strs: map[string]int{"": 0}, msgs: map[string]int{}}
}

func (l *lazyData) str(s string) int {
	i, ok := l.strs[s]
	if !ok {
		i = len(l.S)
		l.S = append(l.S, s)
		l.strs[s] = i
	}
	return i
}

func (l *lazyData) msg(e entry) int {
	key := string(e.Raw) + "\x00" + fmt.Sprint(e.Redacted)
	if i, ok := l.msgs[key]; ok {
		return i
	}
	var leaves, red []int
	for _, f := range e.Fields.Leaves() {
		leaves = append(leaves, f.Offset, f.Length, l.str(f.Name), l.str(f.Value))
	}
	for _, r := range e.Redacted {
		red = append(red, r[0], r[1])
	}
	m := []any{hex.EncodeToString(e.Raw), l.str(e.Summary), nonNilInts(leaves), nonNilInts(red)}
	if e.Decode != "" {
		m = append(m, l.str(e.Decode))
	}
	i := len(l.M)
	l.M = append(l.M, m)
	l.msgs[key] = i
	return i
}

func nonNilInts(s []int) []int {
	if s == nil {
		return []int{}
	}
	return s
}

func (l *lazyData) add(id string, es []entry) {
	out := make([][]any, 0, len(es))
	for _, e := range es {
		dir := 2
		switch {
		case e.Dropped != nil:
			dir = 3
		case e.Dir == transcript.Sent.String():
			dir = 0
		case e.Dir == transcript.Received.String():
			dir = 1
		}
		m := -1
		if len(e.Raw) > 0 {
			m = l.msg(e)
		}
		note := e.Note
		if e.Dir == transcript.Event.String() {
			note = e.Summary
		}
		row := []any{math.Round(float64(e.At.Microseconds())/100) / 10, dir, l.str(e.Peer), m, l.str(note), l.str(e.Err), e.Cut}
		for len(row) > 3 && (row[len(row)-1] == 0 || row[len(row)-1] == -1) {
			row = row[:len(row)-1]
		}
		out = append(out, row)
	}
	l.C[id] = out
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

// shortAlert splits an ALERT's name into its code and subcode without
// their prefixes: "OMP_ERR_HEADER/OMP_SUB_ERR_HEADER_LENGTH" is "HEADER",
// "LENGTH". Anything else ("closed, no ALERT") is its own code.
func shortAlert(s string) htmlMatrixCol {
	code, sub, ok := strings.Cut(s, "/")
	if !ok || !strings.HasPrefix(code, "OMP_ERR_") {
		return htmlMatrixCol{Code: s, Full: s}
	}
	code = strings.TrimPrefix(code, "OMP_ERR_")
	sub = strings.TrimPrefix(strings.TrimPrefix(sub, "OMP_SUB_ERR_"), code+"_")
	return htmlMatrixCol{Code: code, Sub: sub, Full: s}
}

func (c htmlMatrixCol) String() string {
	if c.Sub == "" {
		return c.Code
	}
	return c.Code + "/" + c.Sub
}

// alertMatrix counts, for every case that expects an ALERT and was
// judged, the ALERT expected (the first the case accepts) against what
// the DUT did.
func alertMatrix(rep *runner.Report) htmlMatrix {
	type key struct{ exp, got string }
	n := map[key][]string{}
	rowSet, colSet := map[string]bool{}, map[string]bool{}
	var rowOrder []omp.AlertID
	for i := range rep.Results {
		r := &rep.Results[i]
		if len(r.ExpectedAlerts) == 0 || r.Grade == catalog.Skipped || r.Grade == catalog.Unsupported || r.Grade == catalog.Error {
			continue
		}
		exp := r.ExpectedAlerts[0]
		got := received(r)
		if slices.ContainsFunc(r.ExpectedAlerts, func(a omp.AlertID) bool { return a.String() == got }) {
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
	var cols []string
	for _, a := range omp.AllAlerts() {
		if colSet[a.String()] {
			cols = append(cols, a.String())
			delete(colSet, a.String())
		}
	}
	var rest []string
	for c := range colSet {
		rest = append(rest, c)
	}
	sort.Strings(rest)
	cols = append(cols, rest...)
	named := map[string]bool{}
	legend := func(c htmlMatrixCol) {
		if c.Sub != "" && !named[c.Full] {
			named[c.Full] = true
			m.Legend = append(m.Legend, htmlLegend{c.String(), c.Full})
		}
	}
	for _, c := range cols {
		m.Cols = append(m.Cols, shortAlert(c))
	}
	for _, row := range rowOrder {
		mr := htmlMatrixRow{Expected: shortAlert(row.String())}
		legend(mr.Expected)
		for _, c := range cols {
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
	for _, c := range m.Cols {
		legend(c)
	}
	sort.Slice(m.Legend, func(i, j int) bool { return m.Legend[i].Short < m.Legend[j].Short })
	return m
}

// plainHex is a message's bytes in hex, redacted bytes as "··": what a
// failing case's transcript shows without script. The page's script
// renders the bytes annotated field by field (hexHTML), and the field
// table, from lazyData.M when the message is opened.
func plainHex(e entry) string {
	var b strings.Builder
	for i, c := range e.Raw {
		red := false
		for _, r := range e.Redacted {
			red = red || i >= r[0] && i < r[1]
		}
		if red {
			b.WriteString("·· ")
		} else {
			fmt.Fprintf(&b, "%02x ", c)
		}
	}
	return strings.TrimSuffix(b.String(), " ")
}

// gradeCSS colours a grade's class (gradeClass) wherever a page shows
// one.
const gradeCSS = `.pass{background:#d9f2d9}.nonstrict{background:#fff0c0}.fail{background:#f8d0d0}.unsup{background:#e4e4f4}.error{background:#f0d0f0}.skip{background:#eee}.info{background:#dde8f4}`

var page = template.Must(template.New("page").Funcs(template.FuncMap{
	"secs": func(d time.Duration) string { return d.Round(time.Millisecond).String() },
}).Parse(pageHTML))

const pageHTML = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>OMP conformance: {{.Rep.Target}}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.5em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}
td.n{text-align:right}
.badge{display:inline-block;min-width:7em;padding:0 4px;border-radius:3px;font-weight:bold;text-align:center}.badge.zero{opacity:.45;font-weight:normal}
button.badge{border:1px solid #bbb;font:inherit;font-weight:bold;cursor:pointer}
` + gradeCSS + `
details.case{border:1px solid #ddd;margin:3px 0;padding:2px 6px}details.case>summary{cursor:pointer}
.sec{color:#666;font-size:12px}
dl{display:grid;grid-template-columns:9em 1fr;gap:2px 8px}dt{font-weight:bold}dd{margin:0}
.hex{font:12px/1.5 monospace;max-width:49ch;word-wrap:break-word}
.f0{background:#e8f0ff}.f1{background:#fff4e0}.red{background:#333;color:#fff}.unk{background:#fdd;text-decoration:underline wavy red}
table.transcript{width:100%}td>details{display:inline-block;margin-left:.8em}td>details[open]{display:block;margin-left:0}table.transcript td:last-child{overflow-wrap:anywhere}.msg{display:flex;flex-wrap:wrap;gap:4px 1.5em;align-items:flex-start}
.mono{font-family:monospace;font-size:12px}tr.gap td{background:#fff0c0;font-style:italic}tr.live td{color:#555}pre{white-space:pre-wrap;margin:0}
#alert-matrix th.col{font:11px/1.2 monospace;vertical-align:bottom;writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;padding:4px 2px}#alert-matrix th.row{font:11px monospace;white-space:nowrap}
#alert-matrix td{min-width:1.6em;text-align:center}
.legend{columns:36em;font-size:12px;margin:.5em 0}.legend div{break-inside:avoid;overflow-wrap:anywhere;padding-left:2em;text-indent:-2em}
#filter{position:sticky;top:0;background:#fff;padding:4px 0;border-bottom:1px solid #ddd;z-index:1}#filter input{width:20em}
.hidden{display:none}
</style></head><body>
<h1>OMP conformance: {{.Rep.Target}}</h1>
<p>draft-sthoria-omp-00 · DUT role <b>{{.Rep.Role}}</b> · started {{.Rep.Start.Format "2006-01-02 15:04:05 MST"}} · {{len .Rep.Results}} cases in {{secs .Rep.Duration}} · report generated {{.Generated}}{{if not .KeysShown}} · keys redacted{{end}}</p>
{{if .Rep.DUT}}<p>DUT: <span class="mono">{{.Rep.DUT}}</span></p>{{end}}
<p>{{range .Counts}}<span class="badge {{.Class}}{{if not .N}} zero{{end}}">{{.Grade}} {{.N}}</span> {{end}}</p>
{{if .Gating}}<p><b>Gate: failed</b> by {{range .Gating}}<a href="#{{.ID}}">{{.ID}}</a> {{end}}</p>{{else}}<p><b>Gate: passed.</b></p>{{end}}
{{range .Rep.Notes}}<p class="nonstrict">{{.}}</p>{{end}}
<h2>By section</h2>
<table><tr><th>section</th>{{range .Columns}}<th>{{.}}</th>{{end}}<th>total</th></tr>
{{range .Sections}}<tr><td><a href="#cases" data-section="{{.Key}}">{{.Label}}</a></td>{{range .Counts}}<td class="n">{{if .}}{{.}}{{end}}</td>{{end}}<td class="n">{{.Total}}</td></tr>
{{end}}</table>
<h2>By message type</h2>
<table><tr><th>message type</th>{{range .Columns}}<th>{{.}}</th>{{end}}<th>total</th></tr>
{{range .Types}}<tr><td>{{.Label}}</td>{{range .Counts}}<td class="n">{{if .}}{{.}}{{end}}</td>{{end}}<td class="n">{{.Total}}</td></tr>
{{end}}</table>
<h2>ALERT expected (rows) against received (columns)</h2>
<p>Each cell counts the cases that expect the row's ALERT (the first one a case accepts) and got the column's; hover for their IDs. <span class="badge pass">as expected</span> <span class="badge nonstrict">right code, other subcode; or a close without the ALERT</span> <span class="badge fail">another ALERT, or none</span></p>
<table id="alert-matrix"><tr><th>expected \ received</th>{{range .Matrix.Cols}}<th class="col" title="{{.Full}}">{{.}}</th>{{end}}</tr>
{{range .Matrix.Rows}}<tr><th class="row" title="{{.Expected.Full}}">{{.Expected}}</th>{{range .Cells}}<td class="n {{.Class}}"{{if .IDs}} title="{{.IDs}}"{{end}}>{{if .N}}{{.N}}{{end}}</td>{{end}}</tr>
{{end}}</table>
{{if .Matrix.Legend}}<p>Names are the ALERT code and subcode without their prefixes: CODE/SUB is OMP_ERR_CODE with OMP_SUB_ERR_CODE_SUB.</p>
<div class="legend">{{range .Matrix.Legend}}<div><span class="mono">{{.Short}}</span>: {{.Full}}</div>{{end}}</div>{{end}}
<h2 id="cases">Cases</h2>
<div id="filter">grade <select id="f-grade"><option value="">all</option>{{range .Grades}}<option value="{{.Class}}">{{.Grade}} ({{.N}})</option>{{end}}</select>
section <select id="f-section"><option value="">all</option>{{range .Sections}}<option value="{{.Key}}">{{.Label}} ({{.Total}})</option>{{end}}</select>
<input id="f-text" type="search" placeholder="ID, title, requirement, verdict">
<span id="f-count"></span> <button id="f-open" type="button">open shown</button> <button id="f-close" type="button">close all</button></div>
{{if .Failing}}<p>{{.Failing}} failing {{if eq .Failing 1}}case{{else}}cases{{end}} first, open; then the rest, closed.</p>{{end}}
<noscript><p>Without script, only the failing cases show their transcripts; the others are in report.json.</p></noscript>
{{range .Cases}}<details class="case" id="{{.R.ID}}" data-grade="{{.Grade}}" data-section="{{.R.Section}}"{{if .Open}} open{{end}}{{if .Lazy}} data-lazy{{end}}><summary><span class="badge {{.Grade}}">{{.R.Grade}}</span> <b>{{.R.ID}}</b> {{.R.Title}} <span class="sec">[{{.R.Section}}, {{.R.Level}}, {{.R.Basis}}]</span></summary>
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
{{if .OtherRuns}}<dt>other case runs</dt><dd>{{.OtherRuns}}</dd>{{end}}
</dl>
{{if .Entries}}<table class="transcript"><tr><th>at</th><th>dir</th><th>peer</th><th>what</th></tr>
{{range .Entries}}<tr{{if .Dropped}} class="gap"{{else if .Live}} class="live"{{end}}><td class="mono">{{.At}}</td><td>{{.Dir}}</td><td>{{.Peer}}</td><td>{{.Summary}}{{if and .Note (ne .Dir "event")}} <i>[{{.Note}}]</i>{{end}}{{if .Err}} <span class="fail">{{.Err}}</span>{{end}}
{{if .Raw}}<details data-m="{{.M}}"><summary>{{len .Raw}} bytes{{if .Cut}} (and {{.Cut}} more, not kept){{end}}</summary><div class="hex plain">{{.Plain}}</div>{{if and .Decode (not .Err)}}<p class="fail">{{.Decode}}</p>{{end}}</details>{{end}}</td></tr>
{{end}}</table>{{end}}{{if .Lazy}}<div class="lazy"></div>{{end}}
</details>
{{end}}
<script type="application/json" id="transcripts">{{.Lazy}}</script>
<script>
(function(){
"use strict";
var data=null,S,M,live={{.Live}};
function load(){if(!data){data=JSON.parse(document.getElementById("transcripts").textContent);S=data.s;M=data.m;}}
function esc(s){return String(s).replace(/[&<>"]/g,function(c){return {"&":"&amp;","<":"&lt;",">":"&gt;","\"":"&quot;"}[c];});}
function at(ms){return ms<1?"+"+Math.round(ms*1000)+"µs":ms<1000?"+"+ms+"ms":"+"+(ms/1000).toFixed(3)+"s";}
var dirs=["sent","received","event","event"];
function hexHTML(m){
  var hx=m[0],n=hx.length/2,lv=m[2],rd=m[3],i,out="",pos=0,k=0,fs=[];
  function red(b){for(var j=0;j<rd.length;j+=2){if(b>=rd[j]&&b<rd[j+1])return true;}return false;}
  function bytes(a,b){var s="";for(var j=a;j<b&&j<n;j++){s+=red(j)?"·· ":hx.substr(2*j,2)+" ";}return s;}
  for(i=0;i<lv.length;i+=4)fs.push([lv[i],lv[i+1],lv[i+2],lv[i+3],i]);
  fs.sort(function(a,b){return a[0]-b[0]||a[4]-b[4];});
  for(i=0;i<fs.length;i++){var f=fs[i];if(f[0]<pos||f[1]<=0)continue;
    if(f[0]>pos)out+='<span class="unk" title="not read as a field">'+bytes(pos,f[0])+"</span>";
    var t=S[f[2]]+" @"+f[0]+"+"+f[1]+(S[f[3]]?" = "+S[f[3]]:""),c="f"+(k%2);
    if(red(f[0])){c="red";t+=" (key, redacted)";}
    out+='<span class="'+c+'" title="'+esc(t)+'">'+bytes(f[0],f[0]+f[1])+"</span>";pos=f[0]+f[1];k++;}
  if(pos<n)out+='<span class="unk" title="not read as a field">'+bytes(pos,n)+"</span>";
  return out;}
function fieldsHTML(m){var lv=m[2],s='<table class="mono"><tr><th>field</th><th>offset</th><th>length</th><th>value</th></tr>';
  for(var i=0;i<lv.length;i+=4)s+="<tr><td>"+esc(S[lv[i+2]])+'</td><td class="n">'+lv[i]+'</td><td class="n">'+lv[i+1]+"</td><td>"+esc(S[lv[i+3]])+"</td></tr>";
  return s+"</table>";}
function render(d){
  var box=d.querySelector("div.lazy");if(!box||box.dataset.done)return;load();box.dataset.done="1";
  var es=data.c[d.id]||[],s='<table class="transcript"><tr><th>at</th><th>dir</th><th>peer</th><th>what</th></tr>';
  for(var i=0;i<es.length;i++){var e=es[i],mi=e.length>3?e[3]:-1,m=mi>=0?M[mi]:null,note=S[e[4]||0],err=S[e[5]||0],cut=e[6]||0,peer=S[e[2]];
    var cls=e[1]===3?"gap":peer===live?"live":"";
    s+="<tr"+(cls?' class="'+cls+'"':"")+'><td class="mono">'+at(e[0])+"</td><td>"+dirs[e[1]]+"</td><td>"+esc(peer)+"</td><td>";
    s+=m?esc(S[m[1]]):esc(note);
    if(m&&note)s+=" <i>["+esc(note)+"]</i>";
    if(err)s+=' <span class="fail">'+esc(err)+"</span>";
    if(m)s+='<details data-m="'+mi+'"><summary>'+(m[0].length/2)+" bytes"+(cut?" (and "+cut+" more, not kept)":"")+"</summary></details>";
    s+="</td></tr>";}
  box.innerHTML=s+"</table>";}
function renderMsg(d){if(d.dataset.done)return;d.dataset.done="1";load();var m=M[+d.dataset.m],x,shown=d.parentNode.querySelector("span.fail");
  while((x=d.querySelector("summary~*")))x.remove();
  d.insertAdjacentHTML("beforeend",(m[4]&&!shown?'<p class="fail">'+esc(S[m[4]])+"</p>":"")+'<div class="msg"><div class="hex">'+hexHTML(m)+"</div>"+fieldsHTML(m)+"</div>");}
document.addEventListener("toggle",function(ev){var d=ev.target;if(!d.open)return;
  if(d.classList.contains("case")&&d.hasAttribute("data-lazy"))render(d);else if(d.dataset&&d.dataset.m!==undefined)renderMsg(d);},true);
var cases=[].slice.call(document.querySelectorAll("details.case")),texts=null;
var fg=document.getElementById("f-grade"),fs=document.getElementById("f-section"),ft=document.getElementById("f-text"),fc=document.getElementById("f-count");
function filter(){
  if(!texts)texts=cases.map(function(d){var c=d.cloneNode(true),l=c.querySelector("div.lazy");if(l)l.remove();var t=c.querySelector("table.transcript");if(t)t.remove();return c.textContent.toLowerCase();});
  var g=fg.value,sec=fs.value,q=ft.value.trim().toLowerCase(),n=0;
  cases.forEach(function(d,i){var ok=(!g||d.dataset.grade===g)&&(!sec||d.dataset.section===sec)&&(!q||texts[i].indexOf(q)>=0);d.classList.toggle("hidden",!ok);if(ok)n++;});
  fc.textContent=n+" of "+cases.length+" cases";}
fg.onchange=fs.onchange=filter;ft.oninput=filter;
document.getElementById("f-open").onclick=function(){cases.forEach(function(d){if(!d.classList.contains("hidden"))d.open=true;});};
document.getElementById("f-close").onclick=function(){cases.forEach(function(d){d.open=false;});};
[].forEach.call(document.querySelectorAll("a[data-section]"),function(a){a.onclick=function(){fs.value=a.dataset.section;fg.value="";filter();};});
function hash(){var id=decodeURIComponent(location.hash.slice(1)),d=id&&document.getElementById(id);
  if(d&&d.classList.contains("case")){d.classList.remove("hidden");d.open=true;d.scrollIntoView();}}
window.addEventListener("hashchange",hash);
fc.textContent=cases.length+" cases";hash();
})();
</script>
</body></html>
`
