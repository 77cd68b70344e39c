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
