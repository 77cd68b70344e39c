package fake

import (
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/transcript"
)

// countingReader counts the bytes read from the connection, so that a
// step that times out can say how much of an unfinished message arrived.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n.Add(int64(n))
	return n, err
}

// maxGarbageEntries bounds the transcript entries for unframeable data.
const maxGarbageEntries = 32

// maxOversize bounds the messages over 4096 bytes (up to 65535 each) a
// connection reads whole: past it, the next is unframeable, so that a
// queue of Buffer messages holds at most this many large ones.
const maxOversize = 16

// readLoop is the connection's only reader. It blocks on a full queue for
// OverflowWait at the most, then drops the connection (CloseOverflow).
func (p *Peer) readLoop() {
	defer p.wg.Done()
	r := omp.NewReader(countingReader{p.conn, &p.rx})
	// A message over 4096 bytes is the DUT's error, but its Length still
	// frames it: it is read whole, shown and blamed (a reflected one, by
	// its ORIGINATOR, on the case that sent it), and the stream goes on.
	r.Oversize = true
	oversize := 0
	for {
		raw, err := r.ReadRaw()
		_, framing := omp.AsError(err)
		var ev *Event
		switch {
		case err == nil:
			m, derr := safeDecode(raw)
			ev = received(append([]byte(nil), raw...), m, derr)
		case framing && len(raw) > omp.HeaderLen && oversize < maxOversize: // read whole (Oversize)
			oversize++
			ev = received(append([]byte(nil), raw...), nil, err)
		case framing:
			ev = received(append([]byte(nil), raw...), nil, err)
			ev.Unframeable = true
		default:
			p.partialEntry(err, raw)
			p.finish(p.classify(err, raw))
			return
		}
		p.framed.Add(int64(len(raw)))
		if !p.deliver(ev) {
			return
		}
		if ev.Unframeable {
			p.desync(r)
			return
		}
	}
}

// partialEntry records the bytes of a message the connection ended inside.
func (p *Peer) partialEntry(err error, raw []byte) {
	if errors.Is(err, omp.ErrTruncated) && len(raw) > 0 {
		p.tr.Add(transcript.Entry{Dir: transcript.Received, Peer: p.cfg.Name, Local: p.local, Remote: p.remote, Raw: raw, Err: err, Note: "incomplete: the connection ended inside this message"})
	}
}

// safeDecode is omp.Decode that turns a codec panic into an error: no
// bytes from a DUT may bring the harness down.
func safeDecode(raw []byte) (m omp.Message, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("fake: the codec panicked decoding %d bytes: %v", len(raw), r)
		}
	}()
	return omp.Decode(raw)
}

// desync reads what follows unframeable data until the connection ends,
// recording it but delivering nothing: the stream cannot be framed again.
func (p *Peer) desync(r *omp.Reader) {
	entries, dropped := 0, 0
	for {
		raw, err := r.ReadRaw()
		if err != nil {
			if _, ok := omp.AsError(err); !ok {
				if dropped > 0 {
					p.event(nil, "%d more bytes of unframeable data not recorded", dropped)
				} else {
					p.partialEntry(err, raw)
				}
				ci := p.classify(err, raw)
				if ci.Kind == CloseMidMessage {
					// Nothing is framed after unframeable data.
					ci.Kind, ci.Partial, ci.Want = CloseEOF, 0, 0
				}
				p.finish(ci)
				return
			}
		}
		p.framed.Add(int64(len(raw)))
		if entries < maxGarbageEntries {
			entries++
			p.tr.Add(transcript.Entry{Dir: transcript.Received, Peer: p.cfg.Name, Local: p.local, Remote: p.remote, Raw: raw, Err: err, Note: "after unframeable data: not read as a message"})
		} else {
			dropped += len(raw)
		}
	}
}

// deliver records r, answers a HELLO, and queues r; false if the queue
// overflowed and the connection was dropped.
func (p *Peer) deliver(r *Event) bool {
	r.At = time.Now()
	r.Since = r.At.Sub(p.start)
	note := ""
	if r.Unframeable {
		note = "unframeable: the stream is lost after this"
	}
	p.tr.Add(transcript.Entry{Time: r.At, Dir: transcript.Received, Peer: p.cfg.Name, Local: p.local, Remote: p.remote, Raw: r.Raw, Message: r.Msg, Err: r.Err, Note: note})
	if _, ok := r.Msg.(*omp.Hello); ok {
		p.helloMu.Lock()
		if p.established.Load() {
			if !p.cfg.DisableAutoHello {
				p.requestHello()
			}
		} else {
			p.unanswered++
		}
		p.helloMu.Unlock()
	}
	select {
	case p.ch <- r:
		return true
	default:
	}
	// The queue is full. A step that reads makes room soon (a DUT that
	// sends faster than the step judges is held back by TCP meanwhile);
	// none within OverflowWait drops the connection.
	t := time.NewTimer(p.cfg.OverflowWait)
	defer t.Stop()
	select {
	case p.ch <- r:
		return true
	case <-p.stop:
		p.finish(CloseInfo{Kind: CloseLocal, At: p.Since()})
		return false
	case <-t.C:
	}
	p.finish(CloseInfo{Kind: CloseOverflow, At: p.Since(), Err: fmt.Errorf("more than %d received messages unread for %s", cap(p.ch), p.cfg.OverflowWait)})
	p.raw.Close()
	return false
}

// autoHello reports whether HELLOs are answered and skipped now.
func (p *Peer) autoHello() bool {
	return !p.cfg.DisableAutoHello && p.established.Load()
}

// classify names the end of the connection from the read error.
func (p *Peer) classify(err error, raw []byte) CloseInfo {
	ci := CloseInfo{At: p.Since(), Err: err, Partial: p.partial()}
	p.dropMu.Lock()
	dropErr := p.dropErr
	p.dropMu.Unlock()
	switch {
	case dropErr != nil:
		ci.Kind, ci.Err = CloseFlood, dropErr
	case p.closing.Load():
		ci.Kind = CloseLocal
	case errors.Is(err, omp.ErrTruncated):
		ci.Kind, ci.Partial = CloseMidMessage, len(raw)
		ci.Want, _ = omp.HeaderLength(raw)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		ci.Kind = CloseEOF
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		ci.Kind = CloseReset
	default:
		ci.Kind = CloseError
	}
	return ci
}

// connEnd is how the TCP connection ended, as a capture draws it: the
// harness's FIN (a close, a dropped flood) or RST (Reset), the DUT's FIN
// or RST; ConnNone when the read error says neither (a TLS alert, a
// network error).
func (p *Peer) connEnd(k CloseKind) transcript.Conn {
	switch k {
	case CloseLocal, CloseOverflow, CloseFlood:
		if p.resetting.Load() {
			return transcript.ConnRstLocal
		}
		return transcript.ConnFinLocal
	case CloseEOF, CloseMidMessage:
		return transcript.ConnFinRemote
	case CloseReset:
		return transcript.ConnRstRemote
	}
	return transcript.ConnNone
}

// finish records the end of the connection and closes the queue. The
// reader calls it exactly once, last.
func (p *Peer) finish(ci CloseInfo) {
	p.info = ci
	var err error
	if ci.Kind != CloseLocal && ci.Kind != CloseEOF {
		err = ci.Err
	}
	p.connEvent(p.connEnd(ci.Kind), err, ci.String())
	close(p.ch)
	close(p.readerDone)
}
