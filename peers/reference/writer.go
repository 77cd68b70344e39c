package reference

import (
	"bufio"
	"encoding/binary"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// writer is the only writer of conn. It drains the control queue, then
// pulls route messages from the routing half, writing through one
// bufio.Writer that it flushes whenever it runs out of work. When the
// session stops it writes the final ALERT, if any, and returns.
type writer struct {
	s       *session
	bw      *bufio.Writer
	buf     []byte // encoding buffer for one message
	out     []byte // the routing half's output
	err     error
	pending bool // the routing half may have output
}

func (s *session) writeLoop() {
	w := &writer{s: s, bw: bufio.NewWriterSize(s.conn, 4*omp.MaxMessageLen), buf: make([]byte, 0, omp.MaxMessageLen)}
	for w.err == nil {
		select {
		case <-s.stop:
			w.finish()
			return
		case o := <-s.ctrl:
			w.write(o)
			continue
		default:
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
		case o := <-s.ctrl:
			w.write(o)
		case <-ready:
			w.pending = true
		case <-s.wake:
			// Established: the routing half's output may flow.
			w.pending = true
		}
	}
	s.fail(nil, "write: "+w.err.Error(), true)
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
	w.out, more = box.Next(w.out[:0])
	w.pending = more && len(w.out) > 0 // never spin on an empty answer
	if len(w.out) == 0 {
		return false
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
	for len(b) >= omp.HeaderLen {
		c.countOut(omp.MsgType(b[omp.HeaderLen-1]))
		n := int(binary.BigEndian.Uint16(b[omp.MarkerLen:]))
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
	s.mu.Unlock()
	if a == nil || w.err != nil {
		return
	}
	s.conn.SetWriteDeadline(time.Now().Add(alertTimeout))
	b, err := omp.Append(w.buf[:0], a)
	if err == nil {
		_, err = w.bw.Write(b)
	}
	if err == nil {
		err = w.bw.Flush()
	}
	if err == nil {
		s.cnt.countOut(omp.TypeAlert)
		s.mu.Lock()
		rec.Written = true
		s.mu.Unlock()
	}
}
