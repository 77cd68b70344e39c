package transcript

import (
	"testing"

	"github.com/ompconform/ompconform/omp"
)

// Transcripts that share a budget keep no more message bytes in all than
// it holds: past it, an entry keeps its header (its type) and counts the
// rest as cut; a dropped entry's bytes go back to the budget.
func TestSharedBudget(t *testing.T) {
	b := NewBudget(4500)
	var trs []*Transcript
	for range 3 {
		tr := New(Limits{Head: 2, Tail: 2})
		tr.SetBudget(b)
		trs = append(trs, tr)
	}
	for _, tr := range trs {
		for range 5 {
			tr.Add(Entry{Dir: Received, Raw: msg(omp.TypeUpdate, 1000), Err: &omp.Error{Data: make([]byte, 500)}})
		}
	}
	kept, cut, headers := 0, 0, 0
	for _, tr := range trs {
		for _, e := range tr.Entries() {
			if e.Dir == Event {
				continue
			}
			kept += len(e.Raw)
			cut += e.Cut
			if e.Cut > 0 {
				headers++
			}
			if oe, _ := e.Err.(*omp.Error); e.Cut > 0 && len(oe.Data) > 0 {
				t.Errorf("an entry cut to its header keeps %d bytes of error data", len(oe.Data))
			} else if e.Cut == 0 {
				kept += len(oe.Data)
			}
			if len(e.Raw) < omp.HeaderLen || len(e.Raw)+e.Cut != 1000 {
				t.Errorf("an entry of %d bytes kept, %d cut", len(e.Raw), e.Cut)
			}
			if tp, _ := omp.TypeOf(e.Raw); tp != omp.TypeUpdate {
				t.Errorf("an entry lost its type: %v", tp)
			}
		}
	}
	full := kept - omp.HeaderLen*headers
	if full > 4500 || b.Left() < 0 || cut == 0 || int64(4500)-b.Left() != int64(full) {
		t.Errorf("%d bytes of whole messages kept, %d cut; the budget has %d of 4500 left", full, cut, b.Left())
	}
}
