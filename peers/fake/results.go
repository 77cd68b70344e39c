package fake

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ompconform/ompconform/internal/enum"
	"github.com/ompconform/ompconform/omp"
)

// Event is one thing a fake peer saw of the DUT: a message (or an
// unframeable chunk) it read, or the end of a wait on the connection
// (EvClosed, EvReset, EvTimeout). It is the one event model from the
// socket to the verdict: the catalogue judges these values as they are.
type Event struct {
	Kind EventKind
	// At is when it happened.
	At time.Time
	// Since is when it happened, from the moment the connection was made.
	Since time.Duration
	// Raw is the message's bytes, header included (EvMessage,
	// EvBadMessage).
	Raw []byte
	// Msg is the decoded message (EvMessage).
	Msg omp.Message
	// Err is, for EvBadMessage, the decode error (an *omp.Error carrying
	// the ALERT the DUT's message deserves); for EvReset, how the
	// connection broke.
	Err error
	// Unframeable says the header could not frame a message (Marker not
	// all ones, Length under 19): the stream is lost after it, and the
	// peer reads nothing more from it as messages. A Length over 4096
	// still frames one: it is an EvBadMessage, read whole, with its
	// HEADER/LENGTH error.
	Unframeable bool
	// Close is, for EvClosed and EvReset, how the connection ended.
	Close *CloseInfo
}

// EventKind says what an Event is.
type EventKind uint8

const (
	EvMessage    EventKind = iota + 1 // a message that decoded
	EvBadMessage                      // bytes that do not decode (Err is the *omp.Error)
	EvClosed                          // the DUT closed the connection (FIN) between messages
	EvReset                           // the connection broke (RST, the stream ended inside a message, ...)
	EvTimeout                         // nothing within the wait
)

var eventNames = [...]string{"", "message", "undecodable message", "closed", "reset", "timeout"}

func (k EventKind) String() string { return enum.Name(eventNames[:], k, "event_%d") }

// received is the event of bytes read from the DUT: a message if m
// decoded, an undecodable one if not.
func received(raw []byte, m omp.Message, err error) *Event {
	if m != nil {
		return &Event{Kind: EvMessage, Raw: raw, Msg: m}
	}
	return &Event{Kind: EvBadMessage, Raw: raw, Err: err}
}

// endOf is the event of a wait that ended without a message: EvClosed
// when the DUT closed between messages, EvReset for any other end of the
// connection.
func endOf(ci CloseInfo, since time.Duration) Event {
	ev := Event{Kind: EvReset, At: time.Now(), Since: since, Close: &ci, Err: errors.New(ci.String())}
	if ci.Kind == CloseEOF {
		ev.Kind, ev.Err = EvClosed, nil
	}
	return ev
}

// Type is the header Type of the message, read from Raw even when it did
// not decode; TypeInvalid if Raw is shorter than a header.
func (r *Event) Type() omp.MsgType {
	if r.Msg != nil {
		return r.Msg.Type()
	}
	t, _ := omp.TypeOf(r.Raw) // TypeInvalid if short
	return t
}

// Alert returns the event's message as an ALERT, if it is one that
// decoded.
func (r Event) Alert() (*omp.Alert, bool) {
	a, ok := r.Msg.(*omp.Alert)
	return a, ok
}

// String describes the event as a verdict quotes it: the message
// (omp.Describe), "undecodable message (...)", "connection reset (...)",
// or the kind.
func (r Event) String() string {
	switch r.Kind {
	case EvMessage:
		return omp.Describe(r.Msg)
	case EvBadMessage:
		return fmt.Sprintf("undecodable message (%v)", r.Err)
	case EvReset:
		if r.Err != nil {
			return fmt.Sprintf("connection reset (%v)", r.Err)
		}
		return "connection reset"
	}
	return r.Kind.String()
}

// What says what arrived, with its size: "UPDATE (45 bytes)",
// "ALERT OMP_ERR_UPDATE/OMP_SUB_ERR_UPDATE_FLAGS (21 bytes)",
// "undecodable UPDATE (45 bytes: ...)".
func (r *Event) What() string {
	switch {
	case r.Unframeable:
		return fmt.Sprintf("unframeable data (%d bytes: %s)", len(r.Raw), reason(r.Err))
	case r.Err != nil:
		return fmt.Sprintf("undecodable %s (%d bytes: %s)", r.Type(), len(r.Raw), reason(r.Err))
	}
	if a, ok := r.Alert(); ok {
		return fmt.Sprintf("ALERT %s (%d bytes)", a.ID(), len(r.Raw))
	}
	return describeBytes(r.Raw, r.Msg)
}

// when is What with the time: "UPDATE (45 bytes) at +12ms".
func (r *Event) when() string { return r.What() + " at " + fmtAt(r.Since) }

func reason(err error) string {
	if e, ok := omp.AsError(err); ok {
		return fmt.Sprintf("%s/%s at %s: %s", e.Code, e.Code.SubcodeName(e.Subcode), e.Field, e.Reason)
	}
	if err == nil {
		return "no error"
	}
	return err.Error()
}

// fmtAt writes a time since connect: "+12ms", "+1.503s", "+250µs".
func fmtAt(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return "+" + d.Round(time.Microsecond).String()
	case d < time.Second:
		return "+" + d.Round(100*time.Microsecond).String()
	}
	return "+" + d.Round(time.Millisecond).String()
}

// CloseKind says how a connection ended.
type CloseKind uint8

const (
	// CloseEOF: the DUT closed the connection between messages.
	CloseEOF CloseKind = iota + 1
	// CloseReset: the connection was reset (RST).
	CloseReset
	// CloseMidMessage: the DUT closed the connection inside a message.
	CloseMidMessage
	// CloseOverflow: the harness dropped the connection because the DUT
	// sent more messages than the queue holds while no step read them.
	CloseOverflow
	// CloseLocal: the harness closed the connection (Close, Reset).
	CloseLocal
	// CloseError: another read error (a TLS alert, a network error).
	CloseError
	// CloseFlood: the harness dropped the connection because the DUT sent
	// more than MaxSeen messages during one step without the one it
	// waited for.
	CloseFlood
)

var closeNames = [...]string{"", "connection closed by DUT", "connection reset", "connection closed by DUT inside a message", "connection dropped by harness: receive queue overflow", "connection closed by harness", "connection failed", "connection dropped by harness"}

func (k CloseKind) String() string { return enum.Name(closeNames[:], k, "close(%d)") }

// CloseInfo is how and when a connection ended.
type CloseInfo struct {
	Kind CloseKind
	// At is when, from the moment the connection was made.
	At time.Duration
	// Err is the read error behind it (io.EOF, a reset, a TLS error...).
	Err error
	// Partial is, for CloseMidMessage, how many bytes of the unfinished
	// message had arrived, and Want how many its header announced (0 if
	// the header itself was cut).
	Partial, Want int
}

// String: "connection closed by DUT at +15ms",
// "connection closed by DUT inside a message (7 of 45 bytes) at +3ms".
func (c *CloseInfo) String() string {
	s := c.Kind.String()
	switch {
	case c.Kind == CloseMidMessage && c.Want > 0:
		s += fmt.Sprintf(" (%d of %d bytes)", c.Partial, c.Want)
	case c.Kind == CloseMidMessage:
		s += fmt.Sprintf(" (%d bytes of a header)", c.Partial)
	case (c.Kind == CloseError || c.Kind == CloseOverflow || c.Kind == CloseFlood) && c.Err != nil:
		s += ": " + c.Err.Error()
	}
	return s + " at " + fmtAt(c.At)
}

// Step describes the step an error comes from.
type Step struct {
	Peer string // the fake peer's name
	// Name is the method: "Expect", "ExpectType", "Open".
	Name string
	// Expected is what the step waited for: "HANDSHAKE", "End-of-RIB".
	Expected string
	// Within is the step's deadline.
	Within time.Duration
	// Start is when the step began, from the moment the connection was made.
	Start time.Duration
	// Seen are the messages that arrived during the step and did not match
	// (HELLOs that were auto-answered are counted in Hellos instead).
	Seen []*Event
	// Hellos counts the auto-answered HELLOs the step skipped.
	Hellos int

	skipped int  // the messages it skipped, Seen or not
	keepAll bool // Seen keeps every one (Open pushes them back); else the first keptSeen
}

// keptSeen is how many of the messages a step skips it keeps to show (or
// Await returns whole): a flood's messages past it are counted, not held.
const keptSeen = 64

// lead is "expected X within 2s".
func (s *Step) lead() string {
	if s.Within > 0 {
		return fmt.Sprintf("%s: expected %s within %s", s.Peer, s.Expected, s.Within)
	}
	return fmt.Sprintf("%s: expected %s", s.Peer, s.Expected)
}

// seen is "; received A at +1ms, B at +2ms".
func (s *Step) seen() string {
	if len(s.Seen) == 0 {
		return ""
	}
	const show = 5
	parts := make([]string, 0, show+1)
	for i, r := range s.Seen {
		if i == show {
			break
		}
		parts = append(parts, r.when())
	}
	if n := max(s.skipped, len(s.Seen)); n > show {
		parts = append(parts, fmt.Sprintf("and %d more", n-show))
	}
	return "; received " + strings.Join(parts, ", ")
}

// ErrTimeout: the step's deadline passed without what it expected.
type ErrTimeout struct {
	Step
	// Partial is how many bytes of a message that never completed were
	// pending when the deadline passed (a half-written message).
	Partial int
}

func (e *ErrTimeout) Error() string {
	s := e.lead() + e.seen()
	if len(e.Seen) == 0 {
		s += "; received nothing"
	}
	if e.Partial > 0 {
		s += fmt.Sprintf("; %d bytes of an unfinished message pending", e.Partial)
	}
	return s + fmt.Sprintf(" (timed out at %s)", fmtAt(e.Start+e.Within))
}

// ErrClosed: the connection ended before the step got what it expected.
type ErrClosed struct {
	Step
	CloseInfo
}

func (e *ErrClosed) Error() string {
	then := "; "
	if len(e.Seen) > 0 {
		then = ", then "
	}
	return e.lead() + e.seen() + then + e.CloseInfo.String()
}

// Unwrap gives the read error behind the close.
func (e *ErrClosed) Unwrap() error { return e.Err }

// ErrUnexpected: a message arrived that the step does not allow (an
// ALERT or a stray message during Open).
type ErrUnexpected struct {
	Step
	Event *Event
}

func (e *ErrUnexpected) Error() string {
	return e.lead() + e.seen() + "; unexpected " + e.Event.when()
}

// SendError: a write to the DUT failed.
type SendError struct {
	Peer string
	// What was being sent: "HANDSHAKE (45 bytes)".
	What string
	At   time.Duration
	Err  error
}

func (e *SendError) Error() string {
	return fmt.Sprintf("%s: sending %s at %s: %v", e.Peer, e.What, fmtAt(e.At), e.Err)
}

func (e *SendError) Unwrap() error { return e.Err }
