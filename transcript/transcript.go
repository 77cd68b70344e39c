// Package transcript records what crossed the wire in a conformance case:
// every message sent and received, with time, raw bytes, and the decoded
// message or decode error, and the connection events around them. The
// fake peer writes transcripts; reports read them.
package transcript

import (
	"sync"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// Direction says which way an entry went, seen from the harness.
type Direction uint8

const (
	Sent     Direction = iota // harness to DUT
	Received                  // DUT to harness
	Event                     // not a message: connect, close, timeout, note
)

func (d Direction) String() string {
	switch d {
	case Sent:
		return "sent"
	case Received:
		return "received"
	}
	return "event"
}

// Entry is one line of a transcript.
type Entry struct {
	Time    time.Time
	Dir     Direction
	Peer    string      // which fake peer (its name or router ID)
	Local   string      // local address of the connection
	Remote  string      // remote address of the connection
	Raw     []byte      // message bytes, header included (Sent, Received)
	Message omp.Message // decoded message, if it decoded
	Err     error       // decode error (*omp.Error), or the event's error
	Note    string      // what happened, for events; why, for mutated sends
}

// Transcript is a concurrency-safe, append-only list of entries.
type Transcript struct {
	mu      sync.Mutex
	entries []Entry
}

// Add appends an entry; its Raw is copied.
func (t *Transcript) Add(e Entry) {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	e.Raw = append([]byte(nil), e.Raw...)
	t.mu.Lock()
	t.entries = append(t.entries, e)
	t.mu.Unlock()
}

// Entries returns a copy of the entries so far.
func (t *Transcript) Entries() []Entry {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Entry(nil), t.entries...)
}
