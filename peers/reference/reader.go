package reference

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"syscall"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// readBufferSize is the read buffer of an established session; until
// then a session reads through a buffer of two whole messages
// (smallReadBuffer), so that an idle, unauthenticated connection costs
// little (docs/fsm.md, Limits).
const (
	readBufferSize  = 64 << 10
	smallReadBuffer = 2 * omp.MaxMessageLen
)

// inQueueLen bounds the messages decoded and not yet handled: about
// 4 KiB of wire each.
const inQueueLen = 16

// inMsg is a message the reader decoded (or why reading ended) for the
// handler.
type inMsg struct {
	m   omp.Message
	raw []byte // the message's bytes, kept for HANDSHAKE only (its MAC)
	err error  // a read or decode error: the last item
}

// readLoop reads and decodes messages and queues them for handleLoop,
// until a read or decode error (queued too, as the last item) or until
// the handler is done. Once the session stops it drops what it reads,
// undecoded, until conn closes or its read deadline passes. It closes
// in when it returns.
func (s *session) readLoop(in chan<- inMsg, handlerDone <-chan struct{}) {
	defer close(in)
	// omp.NewReader uses a bufio.Reader it is given when it is large
	// enough. Established, the session reads through a larger buffer:
	// fewer, larger reads in a flood.
	br := bufio.NewReaderSize(s.conn, smallReadBuffer)
	read := omp.NewReader(br).ReadRaw
	grown, lastLen := false, 0
	if s.set.faults.any(framingFaults) {
		read = s.set.faults.framer(bufio.NewReaderSize(s.conn, readBufferSize), s.conn)
		grown = true
	}
	for {
		if !grown && s.routes.Load() != nil {
			read, grown = growReader(br, lastLen, s.conn), true
		}
		raw, err := read()
		lastLen = len(raw)
		if s.stopped() && !s.set.faults.has(fHandlesAfterError) {
			if err != nil {
				return
			}
			continue
		}
		it := s.decodeOne(raw, err)
		if it.m == nil && it.err == nil {
			continue // dropped by a fault
		}
		select {
		case in <- it:
		case <-handlerDone:
			return
		}
		if it.err != nil && (err != nil || !s.set.faults.has(fHandlesAfterError)) {
			return // with the fault, it reads on past a message that does not decode
		}
	}
}

// growReader moves what br holds ahead of conn into a reader with the
// established session's buffer. Called between messages: the message
// last read (last bytes, still in br) is dropped, so the bytes moved
// start a message.
func growReader(br *bufio.Reader, last int, conn io.Reader) func() ([]byte, error) {
	br.Discard(last)
	var src io.Reader = conn
	if n := br.Buffered(); n > 0 {
		held, _ := br.Peek(n)
		src = io.MultiReader(bytes.NewReader(bytes.Clone(held)), conn)
	}
	return omp.NewReader(bufio.NewReaderSize(src, readBufferSize)).ReadRaw
}

// decodeOne counts and decodes one message read.
func (s *session) decodeOne(raw []byte, err error) inMsg {
	t, framed := omp.TypeOf(raw)
	if err != nil {
		if framed {
			s.cnt.countIn(t)
		}
		return inMsg{err: err}
	}
	// Any message restarts the hold timer.
	if s.set.faults.empty() || s.set.faults.restartsHold(t) {
		s.lastRecv.Store(time.Now().UnixNano())
	}
	s.cnt.countIn(t)
	m, err := omp.Decode(raw)
	if err != nil && s.set.faults.any(decodeFaults) {
		m, err = s.set.faults.redecode(raw, err)
	}
	if err != nil || m == nil {
		return inMsg{err: err}
	}
	it := inMsg{m: m}
	if m.Type() == omp.TypeHandshake {
		it.raw = append([]byte(nil), raw...)
	}
	return it
}

// handleLoop feeds the state machine with what the reader queued, in
// order, until a message or error ends the session; after that, and
// once the session stops or is quiesced, it drops what is queued. It
// returns when the queue is closed or when the session ended through it.
func (s *session) handleLoop(in <-chan inMsg) {
	drain := s.set.faults.has(fHandlesAfterError) // what was read after the end is handled too
	for it := range in {
		s.handleMu.Lock()
		if s.quiesced || s.stopped() && !drain {
			s.handleMu.Unlock()
			continue
		}
		ok := s.handleIn(it)
		s.handleMu.Unlock()
		if !ok && !drain {
			return
		}
	}
}

// handleIn runs the state machine on one queued item; false when the
// session ended through it (then the handler stops at once, and the
// connection closes as soon as the final ALERT is out).
func (s *session) handleIn(it inMsg) bool {
	if it.err != nil {
		ev, in := readEvent(it.err)
		s.step(ev, in)
		return false
	}
	ev := messageEvent(it.m)
	if ev == evNone { // the codec decodes no other type
		s.fsmError(s.getState(), &input{m: it.m})
		return false
	}
	return s.step(ev, input{m: it.m, raw: it.raw})
}

// readEvent is the event a read error makes: a message that does not
// decode, or the connection closed under the reader.
func readEvent(err error) (event, input) {
	if e, ok := omp.AsError(err); ok {
		return evUndecodable, input{alert: e.Alert(), reason: e.Error()}
	}
	switch {
	case errors.Is(err, io.EOF):
		return evPeerClosed, input{reason: "connection closed by the peer"}
	case errors.Is(err, omp.ErrTruncated):
		return evPeerClosed, input{reason: "connection closed inside a message"}
	case errors.Is(err, syscall.ECONNRESET):
		return evPeerClosed, input{reason: "connection reset by the peer"}
	}
	return evPeerClosed, input{reason: "read: " + err.Error()}
}
