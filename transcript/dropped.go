package transcript

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// Dropped summarises the entries a transcript did not keep.
type Dropped struct {
	// Entries is how many entries were dropped, Bytes their message bytes
	// (as sent or received: before any cut).
	Entries int64 `json:"entries"`
	Bytes   int64 `json:"bytes"`
	// First and Last are the times of the first and last dropped entries.
	First time.Time `json:"first"`
	Last  time.Time `json:"last"`
	// Head and Tail are the limits: how many entries were kept before and
	// after the gap.
	Head int `json:"head"`
	Tail int `json:"tail"`
	// Kinds count the dropped entries by direction and message type, most
	// entries first.
	Kinds []Count `json:"kinds"`
	// Conns are the dropped message bytes by connection (at most 64
	// connections; OtherBytes counts the rest), so that a capture can
	// leave the gap in each TCP stream.
	Conns      []ConnBytes `json:"conns,omitempty"`
	OtherBytes int64       `json:"other_bytes,omitempty"`
}

// Count is the dropped entries of one direction and message type.
type Count struct {
	Dir Direction `json:"dir"`
	// Type is the message type ("HELLO", "TYPE_9"), "short" for bytes too
	// few for a header, "" for events.
	Type    string `json:"type,omitempty"`
	Entries int64  `json:"entries"`
	Bytes   int64  `json:"bytes"`
}

// String is "received HELLO 9800 (186200 bytes)", or "event 3".
func (c Count) String() string {
	if c.Dir == Event {
		return fmt.Sprintf("event %d", c.Entries)
	}
	return fmt.Sprintf("%s %s %d (%d bytes)", c.Dir, c.Type, c.Entries, c.Bytes)
}

// ConnBytes is the message bytes dropped on one connection.
type ConnBytes struct {
	Peer     string `json:"peer"`
	Local    string `json:"local"`
	Remote   string `json:"remote"`
	Sent     int64  `json:"sent"`
	Received int64  `json:"received"`
}

// String is the summary line: "transcript truncated: 19600 entries
// (372400 bytes) over 1.2s not kept, between the first 200 and the last
// 200: received HELLO 9800 (186200 bytes), sent HELLO 9800 (186200
// bytes)": the eight kinds with the most entries, then how many more.
func (d *Dropped) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "transcript truncated: %d %s (%d bytes) over %s not kept, between the first %d and the last %d",
		d.Entries, plural(d.Entries, "entry", "entries"), d.Bytes, span(d.Last.Sub(d.First)), d.Head, d.Tail)
	for i, c := range d.Kinds {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString(", ")
		}
		if i == maxKindsShown {
			fmt.Fprintf(&b, "and %d more kinds", len(d.Kinds)-i)
			break
		}
		b.WriteString(c.String())
	}
	return b.String()
}

// span rounds a duration for the summary line: to the millisecond from
// 10ms on, to the microsecond below.
func span(d time.Duration) time.Duration {
	if d >= 10*time.Millisecond {
		return d.Round(time.Millisecond)
	}
	return d.Round(time.Microsecond)
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

type kindKey struct {
	dir Direction
	typ int16 // the header Type, -1 short, -2 event
}

type connKey struct{ peer, local, remote string }

// dropCounter accumulates what was dropped, in bounded memory: one count
// per direction and type (at most 3×258), per connection (at most
// maxConns).
type dropCounter struct {
	entries, bytes int64
	first, last    time.Time
	kinds          map[kindKey]*Count
	conns          map[connKey]*ConnBytes
	connOrder      []connKey
	other          int64
}

func (c *dropCounter) add(e *Entry) {
	n := int64(len(e.Raw) + e.Cut)
	if c.entries == 0 || e.Time.Before(c.first) {
		c.first = e.Time
	}
	if c.entries == 0 || e.Time.After(c.last) {
		c.last = e.Time
	}
	c.entries++
	c.bytes += n
	k := kindKey{e.Dir, -2}
	switch t, ok := omp.TypeOf(e.Raw); {
	case e.Dir == Event:
	case ok:
		k.typ = int16(t)
	default:
		k.typ = -1
	}
	if c.kinds == nil {
		c.kinds = map[kindKey]*Count{}
	}
	kc := c.kinds[k]
	if kc == nil {
		kc = &Count{Dir: e.Dir}
		switch k.typ {
		case -2:
		case -1:
			kc.Type = "short"
		default:
			kc.Type = omp.MsgType(k.typ).String()
		}
		c.kinds[k] = kc
	}
	kc.Entries++
	kc.Bytes += n
	if e.Dir == Event || n == 0 {
		return
	}
	ck := connKey{e.Peer, e.Local, e.Remote}
	cb := c.conns[ck]
	if cb == nil {
		if len(c.conns) >= maxConns {
			c.other += n
			return
		}
		if c.conns == nil {
			c.conns = map[connKey]*ConnBytes{}
		}
		cb = &ConnBytes{Peer: ck.peer, Local: ck.local, Remote: ck.remote}
		c.conns[ck] = cb
		c.connOrder = append(c.connOrder, ck)
	}
	if e.Dir == Sent {
		cb.Sent += n
	} else {
		cb.Received += n
	}
}

// summary is a snapshot of the counts.
func (c *dropCounter) summary(l Limits) *Dropped {
	d := &Dropped{Entries: c.entries, Bytes: c.bytes, First: c.first, Last: c.last, Head: l.Head, Tail: l.Tail, OtherBytes: c.other}
	for _, kc := range c.kinds {
		d.Kinds = append(d.Kinds, *kc)
	}
	slices.SortFunc(d.Kinds, func(a, b Count) int {
		return cmp.Or(cmp.Compare(b.Entries, a.Entries), cmp.Compare(a.Dir, b.Dir), cmp.Compare(a.Type, b.Type))
	})
	for _, k := range c.connOrder {
		d.Conns = append(d.Conns, *c.conns[k])
	}
	return d
}
