package omp

import (
	"bufio"
	"errors"
	"io"
)

// Reader reads whole OMP messages from a byte stream (a net.Conn) through
// one buffered read path: it peeks the 19-byte header, checks it, peeks
// the rest of the message in the same buffer, decodes, and discards.
// Deadlines are the caller's: set them on the conn.
type Reader struct {
	// Oversize, when set, frames a message whose Length is over 4096 by
	// its Length all the same (the field holds at most 65535): ReadRaw
	// returns the message whole with its LENGTH *Error, and the stream
	// stays framed. A harness reading a DUT sets it, to show and
	// attribute what the DUT sent; a speaker leaves it unset and ends the
	// session at the header (section 3.1.1).
	Oversize bool

	br   *bufio.Reader
	last int    // bytes to discard before the next read
	big  []byte // an oversize message (Oversize), reused
}

// NewReader returns a Reader on r. Its buffer holds two full messages.
func NewReader(r io.Reader) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 2*MaxMessageLen)}
}

// ErrTruncated is returned when the stream ends inside a message.
var ErrTruncated = errors.New("omp: stream ended inside a message")

// ReadRaw returns the bytes of the next message, header included,
// without decoding its body. The slice is valid until the next call.
//
// A header that cannot frame a message (Marker not all ones, Length under
// 19 or over 4096) is an *Error; the stream cannot be resynchronised
// after it, and raw holds the 19 header bytes. With Oversize, a Length
// over 4096 behind a good Marker is the one exception: raw is the whole
// message, and the next call reads the one after it. io.EOF means the stream
// ended cleanly between messages; ErrTruncated that it ended inside one.
func (r *Reader) ReadRaw() (raw []byte, err error) {
	if r.last > 0 {
		if _, err := r.br.Discard(r.last); err != nil {
			return nil, err
		}
		r.last = 0
	}
	h, err := r.br.Peek(HeaderLen)
	if err != nil {
		if errors.Is(err, io.EOF) {
			if len(h) == 0 {
				return nil, io.EOF
			}
			return h, ErrTruncated
		}
		return h, err
	}
	n, err := FrameLength(h)
	if err != nil {
		if r.Oversize && n > MaxMessageLen && [MarkerLen]byte(h) == allOnes {
			return r.readOversize(n, err)
		}
		// The *Error names UNSYNC or LENGTH with its field and offset.
		r.last = HeaderLen
		return h, err
	}
	b, err := r.br.Peek(n)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return b, ErrTruncated
		}
		return b, err
	}
	r.last = n
	return b, nil
}

// readOversize reads the n bytes of a message whose Length is over
// MaxMessageLen (n is at most 65535), past the buffer; lengthErr is its
// framing error.
func (r *Reader) readOversize(n int, lengthErr error) ([]byte, error) {
	if cap(r.big) < n {
		r.big = make([]byte, n)
	}
	b := r.big[:n]
	got, err := io.ReadFull(r.br, b)
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return b[:got], ErrTruncated
		}
		return b[:got], err
	}
	return b, lengthErr
}

// ReadMessage reads and decodes the next message. raw is its bytes,
// valid until the next call; on a decode error (an *Error) raw is still
// set, so the caller can report what it received.
func (r *Reader) ReadMessage() (m Message, raw []byte, err error) {
	raw, err = r.ReadRaw()
	if err != nil {
		return nil, raw, err
	}
	m, err = Decode(raw)
	return m, raw, err
}
