package lightpeer

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/ompconform/ompconform/omp"
)

var hs = &omp.Handshake{Version: omp.Version, SiteID: 1, PeerRouterID: netip.MustParseAddr("10.0.0.1")}

// speaker plays the speaker's side on one end of a pipe: it reads the
// opening and answers with answer; the test owns it through the
// returned channel, which gives what it read.
func speaker(t *testing.T, c net.Conn, answer ...omp.Message) <-chan []omp.MsgType {
	t.Helper()
	done := make(chan []omp.MsgType, 1)
	go func() {
		var got []omp.MsgType
		defer func() { done <- got }()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		r := omp.NewReader(c)
		for range 2 {
			m, _, err := r.ReadMessage()
			if err != nil {
				return
			}
			got = append(got, m.Type())
		}
		for _, m := range answer {
			b, _ := omp.Encode(m)
			if _, err := c.Write(b); err != nil {
				return
			}
		}
	}()
	return done
}

// A HELLO opens the session: Open returns, and what the speaker sends
// afterwards is dropped, so its writes do not block.
func TestOpen(t *testing.T) {
	client, server := net.Pipe()
	defer client.Close()
	defer server.Close()
	got := speaker(t, server, &omp.Hello{}, &omp.Hello{}, &omp.Hello{})
	if err := Open(client, hs); err != nil {
		t.Fatal(err)
	}
	if g := <-got; len(g) != 2 || g[0] != omp.TypeHandshake || g[1] != omp.TypeHello {
		t.Errorf("the speaker read %v, want HANDSHAKE and HELLO", g)
	}
	server.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := server.Write(bytes.Repeat([]byte{0xFF}, 1<<16)); err != nil {
		t.Errorf("after the opening, a write to the light peer: %v", err)
	}
}

// An ALERT instead of the HELLO is an error naming it, and the
// connection is closed.
func TestOpenRefused(t *testing.T) {
	client, server := net.Pipe()
	defer server.Close()
	got := speaker(t, server, &omp.Alert{Code: omp.ErrHandshake, Subcode: omp.SubErrHandshakeDomainMismatch})
	err := Open(client, hs)
	if err == nil || !strings.Contains(err.Error(), "ALERT OMP_ERR_HANDSHAKE/OMP_SUB_ERR_HANDSHAKE_DOMAIN_MISMATCH") {
		t.Fatalf("Open: %v", err)
	}
	<-got
	client.SetWriteDeadline(time.Now().Add(time.Second))
	if _, err := client.Write([]byte{0}); !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("a write after the refusal: %v, want the connection closed", err)
	}
}

// A speaker that closes during the opening is an error.
func TestOpenClosed(t *testing.T) {
	client, server := net.Pipe()
	got := speaker(t, server)
	go func() { <-got; server.Close() }()
	if err := Open(client, hs); err == nil {
		t.Fatal("Open succeeded on a closed connection")
	}
}
