package reference

import (
	"errors"
	"fmt"
	"io"

	"github.com/ompconform/ompconform/omp"
)

// Faults of how the speaker opens a connection, and frames what it reads
// on it (faults.go): handshake-identity-wrong-peer-type,
// handshake-hello-first, framing-one-read-per-message.

// helloFirst is the speaker's HANDSHAKE hs with a HELLO before it, as a
// speaker with handshake-hello-first opens a connection.
func (s *session) helloFirst(hs []byte) []byte {
	b, err := omp.Append(nil, s.hello())
	if err != nil {
		return hs
	}
	s.cnt.countOut(omp.TypeHello)
	return append(b, hs...)
}

// oneReadFramer is omp.Reader.ReadRaw as a speaker with the
// framing-one-read-per-message fault frames messages: it takes what one
// Read of conn returns to end at a message boundary. The messages a read
// holds whole are framed one by one; a message the read cuts (its header,
// or its body, comes in a later TCP segment) is taken as one whose Length
// runs past its end: ALERT OMP_ERR_HEADER/LENGTH.
func oneReadFramer(conn io.Reader) func() ([]byte, error) {
	f := &oneReadFrame{conn: conn, buf: make([]byte, readBufferSize)}
	return f.read
}

type oneReadFrame struct {
	conn io.Reader
	buf  []byte
	rest []byte // what the last read returned and is not framed yet
}

func (f *oneReadFrame) read() ([]byte, error) {
	if len(f.rest) == 0 {
		n, err := f.conn.Read(f.buf)
		if n == 0 {
			if err == nil {
				err = io.ErrNoProgress
			}
			return nil, err
		}
		f.rest = f.buf[:n] // an error with data comes again at the next read
	}
	b := f.rest
	f.rest = nil
	switch n, err := omp.FrameLength(b); {
	case err == nil && n <= len(b):
		f.rest = b[n:]
		return b[:n], nil
	case err != nil && !errors.Is(err, omp.ErrTruncated):
		// A header that cannot frame a message: the codec names the
		// error, as omp.Reader has it do.
		return b[:omp.HeaderLen], err
	}
	e := &omp.Error{Code: omp.ErrHeader, Subcode: omp.SubErrHeaderLength, Field: "header.length", Offset: omp.MarkerLen,
		Reason: fmt.Sprintf("a read of %d bytes ends inside the message", len(b))}
	if len(b) >= omp.MarkerLen+2 {
		e.Data = append([]byte(nil), b[omp.MarkerLen:omp.MarkerLen+2]...)
	}
	return b, e
}

// wrongPeerType is the IDENTITY Peer Type a speaker in role r with the
// handshake-identity-wrong-peer-type fault announces: an edge's for a
// controller, a controller's for an edge or hub.
func wrongPeerType(r omp.Role) omp.PeerType { return r.Counterpart().PeerType() }
