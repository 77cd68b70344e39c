package suites

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ompconform/ompconform/dut"
	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/reports"
	"github.com/ompconform/ompconform/suites/catalog"
	"github.com/ompconform/ompconform/suites/runner"
	"github.com/ompconform/ompconform/transcript"
)

// The reports of a suite run in several ginkgo processes are those of one
// run: results saved by other processes and merged by process 1 write the
// same JSON report, transcripts included, as the results themselves.
func TestPartsMergeAsOneReport(t *testing.T) {
	st, err := runner.Start(context.Background(), runner.Config{Factory: dut.Reference(catalog.Controller, nil)}, runner.Share{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var all []runner.Result
	for _, id := range []string{"HDR-002", "HS-001", "UPD-013", "INF-010"} {
		c, _ := catalog.Lookup(id)
		all = append(all, st.RunCase(context.Background(), c))
	}
	// A transcript that dropped entries and received an undecodable message.
	bad := append([]byte(nil), all[0].Transcript[len(all[0].Transcript)-1].Raw...)
	_, derr := omp.Decode([]byte{1, 2, 3})
	all[2].Transcript = append(all[2].Transcript,
		transcript.Entry{Time: time.Now(), Dir: transcript.Event, Note: "dropped", Dropped: &transcript.Dropped{Entries: 7, Bytes: 99,
			Kinds: []transcript.Count{{Dir: transcript.Received, Type: "HELLO", Entries: 7}}}},
		transcript.Entry{Time: time.Now(), Dir: transcript.Received, Raw: []byte{1, 2, 3}, Err: derr},
		transcript.Entry{Time: time.Now(), Dir: transcript.Received, Raw: bad, Cut: 10, Err: errors.New("cut")},
		transcript.Entry{Time: time.Now(), Dir: transcript.Event, Note: "closed", Conn: transcript.ConnFinRemote})

	// Times travel without their monotonic reading: compare wall clocks.
	for i := range all {
		all[i].Start = all[i].Start.Round(0)
		for j := range all[i].Transcript {
			all[i].Transcript[j].Time = all[i].Transcript[j].Time.Round(0)
		}
	}
	head := st.Head()
	whole := head
	whole.Results = all
	dir := t.TempDir()
	// Process 3 ran the last, process 2 the middle two, process 1 the first.
	if err := SavePart(dir, 3, head, all[3:]); err != nil {
		t.Fatal(err)
	}
	if err := SavePart(dir, 2, head, all[1:3]); err != nil {
		t.Fatal(err)
	}
	merged, err := MergeParts(dir, head, all[:1])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, partsDir)); !os.IsNotExist(err) {
		t.Errorf("the parts were not removed: %v", err)
	}
	merged.Duration, merged.Start = whole.Duration, whole.Start
	var want, got bytes.Buffer
	if err := reports.WriteJSON(&want, &whole, reports.Options{}); err != nil {
		t.Fatal(err)
	}
	if err := reports.WriteJSON(&got, merged, reports.Options{}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want.Bytes(), got.Bytes()) {
		t.Errorf("the merged report differs from the whole run's:\n%.2000s\n---\n%.2000s", got.String(), want.String())
	}
	for i, r := range merged.Results {
		if r.Case == nil || r.Case.ID != all[i].ID {
			t.Errorf("result %d: case %v, want %s", i, r.Case, all[i].ID)
		}
		for j, e := range r.Transcript {
			if w := all[i].Transcript[j]; e.Conn != w.Conn || (e.Err == nil) != (w.Err == nil) || (e.Message == nil) != (w.Message == nil) {
				t.Errorf("%s entry %d: %+v, want %+v", r.ID, j, e, w)
			}
		}
	}
	if err := WriteReports(filepath.Join(dir, "out"), merged); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"report.html", "report.json", "report.md", "report.xml", "pcap"} {
		if _, err := os.Stat(filepath.Join(dir, "out", f)); err != nil {
			t.Error(err)
		}
	}
}
