package fake

import (
	"bytes"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ompconform/ompconform/transcript"
)

// floodHellos plays a DUT that opens the session and then writes HELLOs
// as fast as it can, for at most d or until the connection breaks,
// reading (and discarding) what the peer answers.
func floodHellos(d time.Duration) func(c net.Conn) {
	return func(c net.Conn) {
		if openDUT(c) == nil {
			return
		}
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			io.Copy(io.Discard, c)
		}()
		batch := bytes.Repeat(helloBytes, 256)
		end := time.Now().Add(d)
		c.SetWriteDeadline(end)
		for time.Now().Before(end) {
			if _, err := c.Write(batch); err != nil {
				break
			}
		}
		c.Close()
		wg.Wait()
	}
}

// A DUT that floods HELLOs after the HANDSHAKE exchange, during a step:
// the transcript, with its default limits, stays within Head+Tail entries
// and their bytes at every moment of the case, counts everything else,
// and the peer's flood protection (MaxSeen) still drops the connection
// and says why.
func TestFloodKeepsTranscriptBounded(t *testing.T) {
	addr := startDUT(t, "127.0.0.1:0", nil, floodHellos(5*time.Second))
	tr := &transcript.Transcript{}
	// A queue larger than MaxSeen, so that the step's flood limit, not the
	// queue's, is what trips.
	p := dial(t, Config{Transcript: tr, Buffer: 4 * DefaultMaxSeen}, addr)
	if _, err := p.Open(2 * time.Second); err != nil {
		t.Fatal(err)
	}
	maxKept := transcript.DefaultHead + transcript.DefaultTail
	maxBytes := maxKept * (transcript.DefaultMaxRaw + transcript.MaxText)

	stop, sampled := make(chan struct{}), make(chan transcript.Stats)
	go func() {
		var peak transcript.Stats
		for {
			st := tr.Stats()
			peak.Kept, peak.KeptBytes = max(peak.Kept, st.Kept), max(peak.KeptBytes, st.KeptBytes)
			select {
			case <-stop:
				sampled <- peak
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	var err error
	quick(t, 5*time.Second, func() { _, err = p.Expect(10*time.Second, anAlert) })
	close(stop)
	peak := <-sampled

	var ec *ErrClosed
	if !errors.As(err, &ec) || ec.Kind != CloseFlood {
		t.Fatalf("want ErrClosed flood, got %.300v", err)
	}
	if !strings.Contains(err.Error(), "flood: the DUT sent more than 10000 messages during Expect without ALERT") {
		t.Errorf("message: %.300s", err)
	}
	if peak.Kept > maxKept || peak.KeptBytes > maxBytes {
		t.Errorf("while the DUT flooded the transcript held up to %d entries and %d bytes; the limits are %d entries, %d bytes", peak.Kept, peak.KeptBytes, maxKept, maxBytes)
	}
	p.Close()
	st := tr.Stats()
	if st.Kept > maxKept || st.Dropped < DefaultMaxSeen-int64(maxKept) {
		t.Fatalf("after the flood: %+v", st)
	}
	t.Logf("HELLO flood: kept %d entries (%d bytes), dropped %d (%d bytes)", st.Kept, st.KeptBytes, st.Dropped, st.DroppedBytes)

	es := tr.Entries()
	if len(es) > maxKept+1 {
		t.Fatalf("%d entries", len(es))
	}
	var gap *transcript.Dropped
	for _, e := range es {
		if e.Dropped != nil {
			gap = e.Dropped
		}
	}
	if gap == nil || gap.Entries != st.Dropped || len(gap.Kinds) == 0 || gap.Kinds[0].Type != "HELLO" || gap.Kinds[0].Dir != transcript.Received {
		t.Fatalf("gap %+v", gap)
	}
	// The end of the case is kept: the close, which says why, and the
	// failed step.
	var tail []string
	for _, e := range es[len(es)-20:] {
		tail = append(tail, e.Note)
	}
	if s := strings.Join(tail, " | "); !strings.Contains(s, "connection dropped by harness: flood: the DUT sent more than 10000 messages") || !strings.Contains(s, "step failed") {
		t.Errorf("the last entries do not say how the case ended: %s", s)
	}
}
