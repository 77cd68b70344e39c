// Package lightpeer opens the light OMP sessions of load and soak runs:
// a raw connection that goes through the opening and then drops what the
// speaker sends undecoded, so that thousands of them cost the client
// next to nothing.
package lightpeer

import (
	"fmt"
	"io"
	"net"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// OpenTimeout bounds the opening: from the HANDSHAKE sent to the peer's
// HELLO.
const OpenTimeout = 10 * time.Second

// Open sends hs and a HELLO on c and reads until the peer's HELLO, within
// OpenTimeout: the session is up. Then c's deadline is cleared and what
// the peer sends is read and dropped undecoded, in a goroutine that ends
// when c is closed. An ALERT instead of the HELLO is an error naming it;
// on any error c is closed.
func Open(c net.Conn, hs *omp.Handshake) error {
	err := open(c, hs)
	if err != nil {
		c.Close()
	}
	return err
}

func open(c net.Conn, hs *omp.Handshake) error {
	b, err := omp.Append(nil, hs)
	if err != nil {
		return err
	}
	if b, err = omp.Append(b, &omp.Hello{}); err != nil {
		return err
	}
	c.SetDeadline(time.Now().Add(OpenTimeout))
	if _, err := c.Write(b); err != nil {
		return err
	}
	r := omp.NewReader(c)
	for {
		m, _, err := r.ReadMessage()
		if err != nil {
			return err
		}
		if a, ok := m.(*omp.Alert); ok {
			return fmt.Errorf("ALERT %s/%s", a.Code, a.Code.SubcodeName(a.Subcode))
		}
		if m.Type() == omp.TypeHello {
			c.SetDeadline(time.Time{})
			go io.Copy(io.Discard, c)
			return nil
		}
	}
}
