package transcript

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ompconform/ompconform/omp"
)

func msg(t omp.MsgType, n int) []byte {
	b := make([]byte, n)
	copy(b, bytes.Repeat([]byte{0xFF}, omp.MarkerLen))
	if n >= omp.HeaderLen {
		b[omp.HeaderLen-1] = byte(t)
	}
	return b
}

// The first Head and the last Tail entries are kept, in order, with one
// event at the gap that counts what was dropped by direction and type.
func TestHeadTailAndGap(t *testing.T) {
	tr := New(Limits{Head: 3, Tail: 4})
	t0 := time.Now()
	for i := range 20 {
		e := Entry{Time: t0.Add(time.Duration(i) * time.Millisecond), Dir: Received, Peer: "p", Local: "l", Remote: "r", Raw: msg(omp.TypeHello, 19), Note: fmt.Sprint(i)}
		switch {
		case i == 5:
			e.Dir, e.Raw = Event, nil
		case i%2 == 0:
			e.Dir = Sent
		}
		tr.Add(e)
	}
	es := tr.Entries()
	var notes []string
	for _, e := range es {
		if e.Dropped == nil {
			notes = append(notes, e.Note)
		}
	}
	if got, want := strings.Join(notes, " "), "0 1 2 16 17 18 19"; got != want {
		t.Fatalf("kept %q, want %q", got, want)
	}
	if len(es) != 8 || es[3].Dropped == nil || es[3].Dir != Event {
		t.Fatalf("want the gap event between head and tail: %+v", es)
	}
	d := es[3].Dropped
	if d.Entries != 13 || d.Bytes != 12*19 || d.Head != 3 || d.Tail != 4 {
		t.Errorf("dropped %+v", d)
	}
	if !d.First.Equal(t0.Add(3*time.Millisecond)) || !d.Last.Equal(t0.Add(15*time.Millisecond)) {
		t.Errorf("dropped from %v to %v", d.First.Sub(t0), d.Last.Sub(t0))
	}
	// 3..15: sent 4 6 8 10 12 14 (6), received 3 7 9 11 13 15 (6), event 5.
	want := "transcript truncated: 13 entries (228 bytes) over 12ms not kept, between the first 3 and the last 4: sent HELLO 6 (114 bytes), received HELLO 6 (114 bytes), event 1"
	if es[3].Note != want || d.String() != want {
		t.Errorf("summary\n got %q\nwant %q", es[3].Note, want)
	}
	if len(d.Conns) != 1 || d.Conns[0].Sent != 6*19 || d.Conns[0].Received != 6*19 {
		t.Errorf("conns %+v", d.Conns)
	}
	st := tr.Stats()
	if st.Kept != 7 || st.Dropped != 13 || st.DroppedBytes != 228 {
		t.Errorf("stats %+v", st)
	}
}

// Nothing dropped: no gap.
func TestNoGap(t *testing.T) {
	tr := New(Limits{Head: 2, Tail: 2})
	for range 4 {
		tr.Add(Entry{Dir: Sent, Raw: msg(omp.TypeHello, 19)})
	}
	for _, e := range tr.Entries() {
		if e.Dropped != nil {
			t.Fatal("a gap with nothing dropped")
		}
	}
	if len(tr.Entries()) != 4 {
		t.Fatal("entries lost")
	}
}

// Bytes beyond MaxRaw, long notes and heavy errors are not kept.
func TestEntryBounded(t *testing.T) {
	tr := New(Limits{MaxRaw: 100})
	big := msg(omp.TypeUpdate, 5000)
	type heavy struct{ error }
	he := heavy{errors.New(strings.Repeat("x", 10000))}
	oe := &omp.Error{Code: omp.ErrUpdate, Data: make([]byte, 3000), Reason: "r"}
	tr.Add(Entry{Dir: Received, Raw: big, Message: &omp.Update{}, Note: strings.Repeat("é", 5000), Err: he})
	tr.Add(Entry{Dir: Received, Raw: big[:50], Err: oe})
	tr.Add(Entry{Dir: Received, Raw: big[:50], Err: fmt.Errorf("read: %w", omp.ErrTruncated)})
	es := tr.Entries()
	e := es[0]
	if len(e.Raw) != 100 || e.Cut != 4900 || e.Message != nil {
		t.Errorf("raw %d cut %d message %v", len(e.Raw), e.Cut, e.Message)
	}
	if len(e.Note) > MaxText || !strings.Contains(e.Note, "more bytes not kept") || !strings.HasPrefix(e.Note, "éé") {
		t.Errorf("note of %d bytes: %.60q", len(e.Note), e.Note)
	}
	if _, ok := e.Err.(heavy); ok || len(e.Err.Error()) > MaxText {
		t.Errorf("error kept as %T of %d bytes", e.Err, len(e.Err.Error()))
	}
	got, ok := omp.AsError(es[1].Err)
	if !ok || len(got.Data) != 100 || got.Code != omp.ErrUpdate || len(oe.Data) != 3000 {
		t.Errorf("omp.Error %+v", got)
	}
	if !errors.Is(es[2].Err, omp.ErrTruncated) || es[2].Err.Error() != "read: "+omp.ErrTruncated.Error() {
		t.Errorf("truncation error %v", es[2].Err)
	}
	if st := tr.Stats(); st.KeptBytes > 3*(100+MaxText+100) {
		t.Errorf("kept %d bytes", st.KeptBytes)
	}
	// Add copied Raw: the caller may reuse its buffer.
	b := msg(omp.TypeHello, 19)
	tr.Add(Entry{Dir: Sent, Raw: b})
	b[0] = 0
	if es := tr.Entries(); es[len(es)-1].Raw[0] != 0xFF {
		t.Error("Raw not copied")
	}
}

// Many writers at once: the bounds hold at every moment, and every entry
// is either kept or counted.
func TestConcurrentBounded(t *testing.T) {
	tr := New(Limits{Head: 10, Tail: 10, MaxRaw: 64})
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var peak Stats
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			st := tr.Stats()
			peak.Kept, peak.KeptBytes = max(peak.Kept, st.Kept), max(peak.KeptBytes, st.KeptBytes)
			if n := len(tr.Entries()); n > 21 {
				t.Errorf("%d entries", n)
			}
		}
	}()
	var writers sync.WaitGroup
	for w := range 4 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			for i := range 5000 {
				tr.Add(Entry{Dir: Direction(w % 2), Raw: msg(omp.TypeHello, 19+i%200), Note: "n"})
			}
		}()
	}
	writers.Wait()
	close(stop)
	wg.Wait()
	st := tr.Stats()
	if st.Kept != 20 || int64(st.Kept)+st.Dropped != 20000 {
		t.Errorf("stats %+v", st)
	}
	if peak.Kept > 20 || peak.KeptBytes > 20*(64+1) {
		t.Errorf("peak %+v", peak)
	}
}

// A zero Transcript takes the default limits, which SetDefaultLimits
// changes for transcripts that have not recorded yet.
func TestDefaultLimits(t *testing.T) {
	if l := (&Transcript{}).Limits(); l != (Limits{DefaultHead, DefaultTail, DefaultMaxRaw}) {
		t.Fatalf("zero transcript limits %+v", l)
	}
	old := DefaultLimits()
	t.Cleanup(func() { SetDefaultLimits(old) })
	SetDefaultLimits(Limits{Head: 1, Tail: 1})
	tr := &Transcript{}
	for range 5 {
		tr.Add(Entry{Dir: Sent, Raw: msg(omp.TypeHello, 19)})
	}
	if st := tr.Stats(); st.Kept != 2 || st.Dropped != 3 {
		t.Errorf("stats %+v", st)
	}
	if l := tr.Limits(); l.MaxRaw != DefaultMaxRaw {
		t.Errorf("limits %+v", l)
	}
}

// The summary line names the eight kinds with the most entries, then
// counts the rest: it stays one line whatever the DUT sends.
func TestSummaryLineBounded(t *testing.T) {
	tr := New(Limits{Head: 1, Tail: 1})
	for typ := range 40 {
		for range 40 - typ {
			tr.Add(Entry{Dir: Received, Raw: msg(omp.MsgType(typ), 19)})
		}
	}
	es := tr.Entries()
	d := es[1].Dropped
	if d == nil || len(d.Kinds) != 39 { // the last type's one entry is the tail
		t.Fatalf("gap %+v", d)
	}
	if s := d.String(); strings.Count(s, "received") != 8 || !strings.HasSuffix(s, ", and 31 more kinds") || !strings.Contains(s, ": received HANDSHAKE 39 (741 bytes), received INVALID 39") {
		t.Errorf("summary %q", s)
	}
}

// An entry the Omit filter rejects is counted, not kept, and takes no
// room of the head or the tail.
func TestOmit(t *testing.T) {
	tr := New(Limits{Head: 2, Tail: 2})
	tr.SetOmit(func(e *Entry) bool { return e.Note == "other" })
	for i := range 10 {
		tr.Add(Entry{Dir: Received, Raw: msg(omp.TypeUpdate, 30), Note: "other"})
		tr.Add(Entry{Dir: Received, Raw: msg(omp.TypeHello, 19), Note: fmt.Sprint(i)})
	}
	var notes []string
	for _, e := range tr.Entries() {
		notes = append(notes, e.Note)
		if e.Note == "other" {
			t.Fatal("an omitted entry was kept")
		}
	}
	if got := tr.Omitted(); got != (Omitted{Entries: 10, Bytes: 300}) || got.String() != "10 messages (300 bytes)" {
		t.Errorf("omitted %+v (%s)", got, got)
	}
	if st := tr.Stats(); st.Kept != 4 || st.Dropped != 6 {
		t.Errorf("stats %+v: want 4 kept, 6 dropped (omitted entries are not dropped ones)", st)
	}
	if len(notes) != 5 || notes[0] != "0" || notes[4] != "9" {
		t.Errorf("kept %q", notes)
	}
}

func TestConnNames(t *testing.T) {
	for c, want := range map[Conn]string{ConnNone: "", ConnOpen: "open", ConnFinLocal: "fin-local", ConnRstRemote: "rst-remote"} {
		if c.String() != want {
			t.Errorf("%d: %q, want %q", c, c, want)
		}
	}
	if ConnOpen.Closes() || !ConnFinRemote.Closes() || !ConnRstLocal.Closes() {
		t.Error("Closes")
	}
}
