// Package transcript records what crossed the wire in a conformance case:
// the messages sent and received, with time, raw bytes, and the decoded
// message or decode error, and the connection events around them. The
// fake peer writes transcripts; reports read them.
//
// A transcript is bounded, whatever the DUT does: it keeps the first
// Limits.Head entries (default 200) and the last Limits.Tail (default
// 200), and counts the entries in between instead of keeping them, by
// direction and message type, with their bytes and the connection they
// crossed. Entries then holds one more entry at the gap, an Event whose
// Note says what was dropped and whose Dropped has the counts. Each kept
// entry holds at most Limits.MaxRaw bytes of its message (default 4160: a
// message is at most 4096 bytes, but garbage is not; Cut counts the
// rest), at most MaxText bytes of its Note and error text, and no error
// value but an *omp.Error (its Data cut to MaxRaw) or omp.ErrTruncated:
// any other error is kept as its text, so that an entry never holds on to
// what an error refers to (a step's list of skipped messages). A
// transcript therefore holds at most Head+Tail entries of a few kilobytes
// each, however long the case runs and however fast the DUT sends.
//
// A transcript may also leave entries out by a filter (SetOmit): a case
// keeps out the traffic of other cases that reaches its peers, and
// Omitted counts what was left out. Events that open or end a connection
// say so (Entry.Conn), so that a capture can draw the TCP handshake and
// the FIN or RST.
//
// The zero Transcript uses the limits of SetDefaultLimits, read at its
// first Add; New gives one its own.
package transcript

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ompconform/ompconform/internal/defaults"
	"github.com/ompconform/ompconform/internal/enum"
	"github.com/ompconform/ompconform/omp"
)

// Direction says which way an entry went, seen from the harness.
type Direction uint8

const (
	Sent     Direction = iota // harness to DUT
	Received                  // DUT to harness
	Event                     // not a message: connect, close, timeout, note
)

var directionNames = [...]string{Sent: "sent", Received: "received", Event: "event"}

func (d Direction) String() string {
	if n, ok := enum.Lookup(directionNames[:], d); ok {
		return n
	}
	return "event"
}

// MarshalText gives the direction as text ("sent"), for JSON.
func (d Direction) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Entry is one line of a transcript.
type Entry struct {
	Time    time.Time
	Dir     Direction
	Peer    string      // which fake peer (its name or router ID)
	Local   string      // local address of the connection
	Remote  string      // remote address of the connection
	Raw     []byte      // message bytes, header included (Sent, Received), at most Limits.MaxRaw
	Cut     int         // bytes of the message after Raw, not kept (beyond Limits.MaxRaw, or past a spent Budget)
	Message omp.Message // decoded message, if it decoded (nil when Cut > 0)
	Err     error       // decode error (*omp.Error), or the event's error (as text)
	Note    string      // what happened, for events; why, for mutated sends
	// Dropped is set on the one Event that Entries puts where entries
	// were dropped: what they were. Its Note is Dropped.String().
	Dropped *Dropped
	// Conn, on an Event, says the connection (Local, Remote) opened or
	// ended here, and how: what a capture draws as SYN, FIN or RST.
	Conn Conn

	charged int // bytes of Raw taken from the transcript's Budget
}

// Conn is what an Event says of its connection.
type Conn uint8

const (
	ConnNone      Conn = iota // the event says nothing of the connection
	ConnOpen                  // the connection opened (TCP handshake done)
	ConnFinLocal              // the harness closed it (FIN)
	ConnRstLocal              // the harness reset it (RST)
	ConnFinRemote             // the DUT closed it (FIN)
	ConnRstRemote             // the DUT reset it (RST)
)

var connNames = [...]string{"", "open", "fin-local", "rst-local", "fin-remote", "rst-remote"}

func (c Conn) String() string {
	if int(c) < len(connNames) {
		return connNames[c]
	}
	return fmt.Sprintf("conn(%d)", uint8(c))
}

// MarshalText gives the connection event as text ("fin-remote"), for JSON.
func (c Conn) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// Closes reports whether c ends the connection.
func (c Conn) Closes() bool { return c >= ConnFinLocal && c <= ConnRstRemote }

// Defaults of Limits, and the bound of an entry's text.
const (
	DefaultHead   = 200
	DefaultTail   = 200
	DefaultMaxRaw = omp.MaxMessageLen + 64
	// MaxText bounds an entry's Note and error text, in bytes.
	MaxText = 4096
	// maxConns bounds the connections Dropped counts bytes for.
	maxConns = 64
	// maxKindsShown bounds the kinds the summary line names.
	maxKindsShown = 8
)

// Limits bound a transcript. Fields that are zero or negative take the
// defaults.
type Limits struct {
	// Head is how many entries are kept from the start of the case.
	Head int
	// Tail is how many entries are kept from the end of the case.
	Tail int
	// MaxRaw is how many bytes of each kept entry's message are kept.
	MaxRaw int
}

func (l Limits) withDefaults() Limits {
	defaults.Positive(&l.Head, DefaultHead)
	defaults.Positive(&l.Tail, DefaultTail)
	defaults.Positive(&l.MaxRaw, DefaultMaxRaw)
	return l
}

var defaultLimits atomic.Pointer[Limits]

// SetDefaultLimits sets the limits of the zero Transcripts (&Transcript{},
// what the runner and the fake peer make) that have not recorded yet.
// Zero fields take the package defaults.
func SetDefaultLimits(l Limits) {
	l = l.withDefaults()
	defaultLimits.Store(&l)
}

// DefaultLimits returns the limits a zero Transcript takes.
func DefaultLimits() Limits {
	if l := defaultLimits.Load(); l != nil {
		return *l
	}
	return Limits{}.withDefaults()
}

// Transcript is a concurrency-safe, append-only, bounded list of entries.
type Transcript struct {
	mu     sync.Mutex
	lim    Limits
	inited bool
	head   []Entry
	tail   []Entry // a ring of at most lim.Tail entries, oldest at next
	next   int
	kept   int // bytes held by the kept entries: Raw, Note and error text
	drop   dropCounter
	omit   func(*Entry) bool
	omits  Omitted
	budget *Budget // shared with other transcripts; nil: none
}

// New returns an empty transcript with limits l.
func New(l Limits) *Transcript {
	return &Transcript{lim: l.withDefaults(), inited: true}
}

// Limits returns the transcript's limits.
func (t *Transcript) Limits() Limits {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.init()
	return t.lim
}

func (t *Transcript) init() {
	if !t.inited {
		t.lim, t.inited = DefaultLimits(), true
	}
}

// Omitted counts the entries a transcript's Omit filter kept out.
type Omitted struct {
	Entries int64 `json:"entries"`
	Bytes   int64 `json:"bytes"` // their message bytes
}

// String is "57 messages (9120 bytes)".
func (o Omitted) String() string {
	return fmt.Sprintf("%d %s (%d bytes)", o.Entries, plural(o.Entries, "message", "messages"), o.Bytes)
}

// SetOmit sets a filter: the entries it reports true for are counted
// (Omitted) instead of recorded. A case's transcript uses it to leave out
// the traffic of other cases that reaches its fake peers (a controller
// reflects every case's routes to every peer). It is called with the
// entry as given to Add, under the transcript's lock, so it must be quick
// and must not call back into the transcript.
func (t *Transcript) SetOmit(f func(*Entry) bool) {
	t.mu.Lock()
	t.omit = f
	t.mu.Unlock()
}

// Omitted returns what the Omit filter kept out.
func (t *Transcript) Omitted() Omitted {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.omits
}

// Add appends an entry: a copy of its Raw cut to MaxRaw, its Note and
// error bounded. Once Head entries are kept, an entry goes to the tail,
// and the oldest entry of a full tail is counted as dropped. An entry the
// Omit filter rejects is only counted.
func (t *Transcript) Add(e Entry) {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	e.Dropped = nil
	t.mu.Lock()
	defer t.mu.Unlock()
	t.init()
	if t.omit != nil && t.omit(&e) {
		t.omits.Entries++
		t.omits.Bytes += int64(len(e.Raw) + e.Cut)
		return
	}
	bound(&e, t.lim.MaxRaw)
	if len(t.head) >= t.lim.Head && len(t.tail) >= t.lim.Tail {
		t.refund(&t.tail[t.next]) // the entry e replaces gives its bytes back first
	}
	t.spend(&e)
	if len(t.head) < t.lim.Head {
		t.head = append(t.head, e)
		t.kept += size(&e)
		return
	}
	if len(t.tail) < t.lim.Tail {
		t.tail = append(t.tail, e)
		t.kept += size(&e)
		return
	}
	old := &t.tail[t.next]
	t.drop.add(old)
	t.kept += size(&e) - size(old)
	*old = e
	t.next = (t.next + 1) % len(t.tail)
}

// bound cuts e's bytes, text and error to the limits.
func bound(e *Entry, maxRaw int) {
	n := len(e.Raw)
	if n > maxRaw {
		e.Raw = append([]byte(nil), e.Raw[:maxRaw]...)
		e.Cut += n - maxRaw
		e.Message = nil // decoded from bytes no longer held
	} else {
		e.Raw = append([]byte(nil), e.Raw...)
	}
	if len(e.Raw) == 0 {
		e.Raw = nil
	}
	e.Note = capText(e.Note)
	e.Err = boundErr(e.Err, maxRaw)
}

// boundErr keeps an *omp.Error (Data cut to maxRaw) and omp.ErrTruncated;
// any other error becomes its text.
func boundErr(err error, maxRaw int) error {
	switch oe, _ := err.(*omp.Error); {
	case err == nil, err == omp.ErrTruncated:
		return err
	case oe != nil:
		if len(oe.Data) <= maxRaw && len(oe.Reason) <= MaxText && len(oe.Field) <= MaxText {
			return oe
		}
		c := *oe
		c.Data = append([]byte(nil), oe.Data[:min(len(oe.Data), maxRaw)]...)
		c.Reason, c.Field = capText(c.Reason), capText(c.Field)
		return &c
	}
	te := &textError{s: capText(err.Error())}
	if errors.Is(err, omp.ErrTruncated) {
		te.is = omp.ErrTruncated
	}
	return te
}

// textError is an error kept as its text.
type textError struct {
	s  string
	is error // omp.ErrTruncated, if the error was one
}

func (e *textError) Error() string { return e.s }
func (e *textError) Unwrap() error { return e.is }

// capText cuts s to MaxText bytes, saying so.
func capText(s string) string {
	if len(s) <= MaxText {
		return s
	}
	cut := MaxText - 40
	for cut > 0 && s[cut]&0xC0 == 0x80 { // not inside a UTF-8 sequence
		cut--
	}
	return s[:cut] + fmt.Sprintf("… (%d more bytes not kept)", len(s)-cut)
}

// size is what a kept entry holds, in bytes of message and text.
func size(e *Entry) int {
	n := len(e.Raw) + len(e.Note)
	if e.Err != nil {
		if oe, ok := e.Err.(*omp.Error); ok {
			n += len(oe.Data) + len(oe.Reason)
		} else if te, ok := e.Err.(*textError); ok {
			n += len(te.s)
		}
	}
	return n
}

// Entries returns a copy of the entries kept so far, in the order they
// were added; where entries were dropped, an Event with Dropped set.
func (t *Transcript) Entries() []Entry {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]Entry, 0, len(t.head)+len(t.tail)+1)
	out = append(out, t.head...)
	if t.drop.entries > 0 {
		d := t.drop.summary(t.lim)
		out = append(out, Entry{Time: d.First, Dir: Event, Note: d.String(), Dropped: d})
	}
	out = append(out, t.tail[t.next:]...)
	out = append(out, t.tail[:t.next]...)
	return out
}

// Stats says how much a transcript holds and how much it dropped.
type Stats struct {
	Kept         int   // entries kept
	KeptBytes    int   // bytes the kept entries hold: message bytes, notes and error text
	Dropped      int64 // entries dropped
	DroppedBytes int64 // message bytes of the dropped entries
}

// Stats returns the transcript's counts, cheaply.
func (t *Transcript) Stats() Stats {
	t.mu.Lock()
	defer t.mu.Unlock()
	return Stats{Kept: len(t.head) + len(t.tail), KeptBytes: t.kept, Dropped: t.drop.entries, DroppedBytes: t.drop.bytes}
}
