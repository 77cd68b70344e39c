package reference

import (
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// writer is the only writer of conn. It drains the control queue, then
// pulls route messages from the routing half, writing through one
// bufio.Writer that it flushes whenever it runs out of work. When the
// session stops it writes the final ALERT, if any, and returns.
type writer struct {
	s       *session
	bw      *msgWriter
	buf     []byte // encoding buffer for one message
	out     []byte // the routing half's output
	err     error
	pending bool // the routing half may have output
}

// msgWriter buffers whole messages for conn, and remembers the rest of
// a message that a failed (timed out) write cut, so that a final ALERT
// can follow a whole message rather than half of one.
type msgWriter struct {
	conn    net.Conn
	b       []byte
	partial []byte // the unwritten rest of the message a failed write cut
	err     error
}

func (m *msgWriter) Available() int { return cap(m.b) - len(m.b) }
func (m *msgWriter) Buffered() int  { return len(m.b) }

func (m *msgWriter) Write(p []byte) (int, error) {
	if m.err != nil {
		return 0, m.err
	}
	if len(m.b)+len(p) > cap(m.b) {
		if err := m.Flush(); err != nil {
			return 0, err
		}
	}
	if len(p) > cap(m.b) {
		return len(p), m.write(p)
	}
	m.b = append(m.b, p...)
	return len(p), nil
}

func (m *msgWriter) Flush() error {
	if m.err != nil || len(m.b) == 0 {
		return m.err
	}
	err := m.write(m.b)
	m.b = m.b[:0]
	return err
}

// write writes whole messages p; on a failure it keeps the rest of the
// message it cut.
func (m *msgWriter) write(p []byte) error {
	n, err := m.conn.Write(p)
	if err == nil {
		return nil
	}
	m.err = err
	for at := 0; at+omp.HeaderLen <= len(p); {
		l, _ := omp.HeaderLength(p[at:])
		if l < omp.HeaderLen || at+l > len(p) {
			break
		}
		if at < n && n < at+l {
			m.partial = append([]byte(nil), p[n:at+l]...)
			break
		}
		at += l
	}
	return err
}

func isTimeout(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }

func (s *session) writeLoop() {
	// No write buffer until the routing half has output: before that
	// a session writes a few messages, each as it is queued, so an idle,
	// unauthenticated connection holds none (docs/fsm.md, Limits).
	w := &writer{s: s, bw: &msgWriter{conn: s.conn}}
	for w.err == nil {
		select {
		case <-s.stop:
			w.finish()
			return
		default:
		}
		if o, ok := s.ctrl.pop(); ok {
			w.write(o)
			continue
		}
		if w.pull() {
			continue
		}
		w.flush()
		if w.err != nil {
			break
		}
		var ready <-chan struct{}
		if box := s.routes.Load(); box != nil {
			ready = box.Ready()
		}
		select {
		case <-s.stop:
			w.finish()
			return
		case <-s.ctrl.ready:
		case <-ready:
			w.pending = true
		case <-s.wake:
			// Established: the routing half's output may flow.
			w.pending = true
		}
	}
	if isTimeout(w.err) {
		// A slow receiver: dropped with an ALERT (docs/fsm.md, Limits).
		s.step(evWriteTimeout, input{reason: fmt.Sprintf("slow receiver: the peer took no data for %v (write-timeout)", s.set.WriteTimeout)})
	} else {
		s.step(evWriteFailed, input{reason: "write: " + w.err.Error()})
	}
	w.finish()
}

// pull writes one batch of the routing half's output; false when it had
// none.
func (w *writer) pull() bool {
	if !w.pending {
		return false
	}
	box := w.s.routes.Load()
	if box == nil {
		w.pending = false
		return false
	}
	var more bool
	callingRouting("Next")
	w.out, more = box.Next(w.out[:0])
	w.pending = more && len(w.out) > 0 // never spin on an empty answer
	if len(w.out) == 0 {
		return false
	}
	if w.bw.b == nil {
		w.bw.b = make([]byte, 0, 4*omp.MaxMessageLen)
	}
	// What the handler queued while this output was read goes first: a
	// QUERY's answer, queued before the handler took the REFRESH_REQUEST
	// after it, must not follow that REFRESH's End-of-RIB.
	for {
		o, ok := w.s.ctrl.pop()
		if !ok {
			break
		}
		w.write(o)
	}
	w.writeRaw(w.out)
	return true
}

func (w *writer) write(o outMsg) {
	if o.m == nil {
		w.writeRaw(o.raw)
		return
	}
	if w.err != nil || w.s.stopped() {
		return
	}
	b, err := omp.Append(w.buf[:0], o.m)
	if err != nil {
		w.s.logger().Error("encode", "type", o.m.Type().String(), "err", err)
		w.err = err
		return
	}
	w.buf = b[:0]
	w.writeRaw(b)
}

// writeRaw writes encoded messages and counts them by type.
func (w *writer) writeRaw(b []byte) {
	if w.err != nil || w.s.stopped() || len(b) == 0 {
		return
	}
	if w.bw.Available() < len(b) {
		w.s.conn.SetWriteDeadline(time.Now().Add(w.s.set.WriteTimeout))
	}
	if _, w.err = w.bw.Write(b); w.err == nil {
		countMessages(&w.s.cnt, b)
	}
}

// countMessages counts the encoded messages in b by their header Type.
func countMessages(c *counters, b []byte) {
	for t, ok := omp.TypeOf(b); ok; t, ok = omp.TypeOf(b) {
		c.countOut(t)
		n, _ := omp.HeaderLength(b)
		if n < omp.HeaderLen || n > len(b) {
			return
		}
		b = b[n:]
	}
}

func (w *writer) flush() {
	if w.err != nil || w.bw.Buffered() == 0 {
		return
	}
	w.s.conn.SetWriteDeadline(time.Now().Add(w.s.set.WriteTimeout))
	w.err = w.bw.Flush()
}

// finish writes what is buffered and the final ALERT, within
// alertTimeout. Queued messages not yet buffered are dropped.
func (w *writer) finish() {
	s := w.s
	s.mu.Lock()
	a, rec := s.final, s.alertOut
	written := rec != nil && rec.Written
	s.mu.Unlock()
	if a == nil || w.err != nil && !isTimeout(w.err) || written {
		return
	}
	// After a timed-out write the rest of the message it cut goes first
	// (what was buffered is dropped), then the ALERT; otherwise what is
	// buffered, then the ALERT.
	var b []byte
	if w.err != nil {
		b = append(b, w.bw.partial...)
	} else {
		b = append(b, w.bw.b...)
	}
	s.conn.SetWriteDeadline(time.Now().Add(alertTimeout))
	b, err := omp.Append(b, a)
	if err == nil {
		_, err = s.conn.Write(b)
	}
	if err == nil {
		s.cnt.countOut(omp.TypeAlert)
		s.mu.Lock()
		rec.Written = true
		s.mu.Unlock()
	}
}
