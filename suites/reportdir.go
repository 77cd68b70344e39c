package suites

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"time"

	"github.com/ompconform/ompconform/internal/filein"
	"github.com/ompconform/ompconform/internal/fileout"
	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/reports"
	"github.com/ompconform/ompconform/suites/catalog"
	"github.com/ompconform/ompconform/suites/runner"
	"github.com/ompconform/ompconform/transcript"
)

// OMPCONFORM_REPORT_DIR's reports hold the cases of every ginkgo process:
// each process but the first saves its results as a part in
// DIR/.ginkgo-parts when its specs are done; the first, which ginkgo runs
// last, merges them with its own and writes the reports.

const partsDir = ".ginkgo-parts"

// maxPart bounds a process's part of the report (its results, with
// transcripts), read back by MergeParts.
const maxPart = 1 << 30

// part is one process's results; each result's transcript travels
// separately, gob-encoded as a transcript (a transcript entry's JSON form
// is not read back).
type part struct {
	Process     int             `json:"process"`
	Head        runner.Report   `json:"head"`
	Results     []runner.Result `json:"results"`
	Transcripts [][]byte        `json:"transcripts"`
}

// wireTranscript is a transcript without its entries' decoded messages
// (decoded again from Raw) and with their errors as text.
type wireTranscript struct {
	Entries []transcript.Entry
	Errs    []string
}

// ClearParts removes the parts an interrupted run left in dir: process 1
// calls it before any other process starts.
func ClearParts(dir string) error { return os.RemoveAll(filepath.Join(dir, partsDir)) }

// SavePart saves the results ginkgo process proc ran, and its run's head,
// for process 1 to merge.
func SavePart(dir string, proc int, head runner.Report, results []runner.Result) error {
	p := part{Process: proc, Head: head, Results: results}
	p.Head.Results = nil
	for _, r := range results {
		wt := wireTranscript{Entries: make([]transcript.Entry, len(r.Transcript)), Errs: make([]string, len(r.Transcript))}
		for i, e := range r.Transcript {
			if e.Err != nil {
				wt.Errs[i] = e.Err.Error()
			}
			e.Message, e.Err = nil, nil
			wt.Entries[i] = e
		}
		var b bytes.Buffer
		if err := gob.NewEncoder(&b).Encode(wt); err != nil {
			return fmt.Errorf("%s: transcript: %w", r.ID, err)
		}
		p.Transcripts = append(p.Transcripts, b.Bytes())
	}
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dir, partsDir), 0o755); err != nil {
		return err
	}
	return fileout.WriteIn(filepath.Join(dir, partsDir, fmt.Sprintf("process-%d.json", proc)), func(w io.Writer) error { _, err := w.Write(b); return err })
}

func (p *part) restore() error {
	if len(p.Transcripts) != len(p.Results) {
		return fmt.Errorf("process %d: %d transcripts for %d results", p.Process, len(p.Transcripts), len(p.Results))
	}
	for i := range p.Results {
		r := &p.Results[i]
		if c, ok := catalog.Lookup(r.ID); ok {
			r.Case = c
		}
		var wt wireTranscript
		if err := gob.NewDecoder(bytes.NewReader(p.Transcripts[i])).Decode(&wt); err != nil || len(wt.Errs) != len(wt.Entries) {
			return fmt.Errorf("process %d, %s: transcript: %v", p.Process, r.ID, err)
		}
		r.Transcript = wt.Entries
		for j := range r.Transcript {
			e := &r.Transcript[j]
			var derr error
			if e.Dir != transcript.Event && e.Cut == 0 && len(e.Raw) > 0 {
				if e.Message, derr = omp.Decode(e.Raw); derr != nil {
					e.Message = nil
				}
			}
			if text := wt.Errs[j]; text != "" {
				e.Err = errors.New(text)
				if derr != nil && derr.Error() == text {
					e.Err = derr
				}
			}
		}
	}
	return nil
}

// MergeParts is the report of the whole suite: head and own are process
// 1's, the other processes' come from the parts in dir, which it
// removes. Results are in catalogue order; notes say which process each
// is from.
func MergeParts(dir string, head runner.Report, own []runner.Result) (*runner.Report, error) {
	parts := []part{{Process: 1, Head: head, Results: own}}
	files, err := filepath.Glob(filepath.Join(dir, partsDir, "process-*.json"))
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		var p part
		if err := filein.ReadJSON(f, maxPart, &p); err != nil {
			return nil, err
		}
		if err := p.restore(); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		parts = append(parts, p)
	}
	sort.Slice(parts, func(i, j int) bool { return parts[i].Process < parts[j].Process })
	rep := head
	rep.Results, rep.Notes = nil, nil
	for _, p := range parts {
		rep.Results = append(rep.Results, p.Results...)
		for _, n := range p.Head.Notes {
			if len(parts) > 1 {
				n = fmt.Sprintf("process %d: %s", p.Process, n)
			}
			rep.Notes = append(rep.Notes, n)
		}
		if !p.Head.Start.IsZero() && p.Head.Start.Before(rep.Start) {
			rep.Start = p.Head.Start
		}
	}
	order := map[string]int{}
	for i, c := range catalog.All() {
		order[c.ID] = i
	}
	slices.SortStableFunc(rep.Results, func(a, b runner.Result) int { return order[a.ID] - order[b.ID] })
	rep.Duration = time.Since(rep.Start)
	return &rep, os.RemoveAll(filepath.Join(dir, partsDir))
}

// WriteReports writes report.html, report.json, report.md, report.xml and
// pcap/ into dir.
func WriteReports(dir string, rep *runner.Report) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, w := range map[string]func(io.Writer, *runner.Report, reports.Options) error{
		"report.html": reports.WriteHTML, "report.json": reports.WriteJSON, "report.md": reports.WriteMarkdown, "report.xml": reports.WriteJUnit,
	} {
		if err := fileout.WriteIn(filepath.Join(dir, name), func(f io.Writer) error { return w(f, rep, reports.Options{}) }); err != nil {
			return err
		}
	}
	return reports.WritePcaps(filepath.Join(dir, "pcap"), rep, reports.Options{})
}
