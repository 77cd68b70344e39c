package reference

import (
	"errors"
	"net"
	"testing"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// A responder says nothing on an accepted connection until the peer's
// HANDSHAKE begins to arrive, then runs the session as any speaker does;
// a peer that never speaks is dropped after HandshakeTimeout.
func TestResponderSpeaksSecond(t *testing.T) {
	sp := startWith(t, func(c *Config) { c.Responder = true; c.HandshakeTimeout = 400 * time.Millisecond })
	p := dialPeer(t, sp.Addr())
	var ne net.Error
	if m, err := p.recvErr(150 * time.Millisecond); !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("a responder sent %v (%v) before the peer spoke", m, err)
	}
	p.r = omp.NewReader(p.conn) // past the timed-out read
	p.send(edgeHandshake())
	if hs, ok := p.recv().(*omp.Handshake); !ok || hs.PeerRouterID != sp.settings().RouterID {
		t.Fatalf("its answer: %v", hs)
	}
	p.recvType(omp.TypeHello)
	p.send(&omp.Hello{})
	waitPeerState(t, sp, edgeID.String(), StateEstablished)

	silent := dialPeer(t, sp.Addr())
	if m, err := silent.recvErr(2 * time.Second); err == nil || errors.As(err, &ne) && ne.Timeout() {
		t.Errorf("a peer that says nothing: %v, %v; want the connection closed after HandshakeTimeout", m, err)
	}
}

// A speaker that is not a responder sends its HANDSHAKE on connect.
func TestSpeakerSpeaksFirst(t *testing.T) {
	sp := startWith(t, nil)
	p := dialPeer(t, sp.Addr())
	if m, err := p.recvErr(time.Second); err != nil || m.Type() != omp.TypeHandshake {
		t.Fatalf("first message %v, %v; want its HANDSHAKE unasked", m, err)
	}
}

// A responder waiting for a silent peer does not hold up the speaker's
// stop; and the final ALERT of its sessions is followed by the close at
// once (a half-close), as for any speaker.
func TestResponderStopsAndCloses(t *testing.T) {
	sp := startWith(t, func(c *Config) { c.Responder = true; c.HandshakeTimeout = 10 * time.Second })
	p := dialPeer(t, sp.Addr())
	p.send(edgeHandshake())
	p.recvType(omp.TypeHandshake)
	p.recvType(omp.TypeHello)
	p.send(&omp.Hello{})
	waitPeerState(t, sp, edgeID.String(), StateEstablished)
	silent := dialPeer(t, sp.Addr())
	time.Sleep(100 * time.Millisecond) // accepted, its session waiting for the peer to speak

	start := time.Now()
	done := make(chan struct{})
	go func() { sp.Close(); close(done) }()
	if _, ok := p.recvType(omp.TypeAlert).(*omp.Alert); !ok {
		t.Fatal("no ALERT at stop")
	}
	alertAt := time.Now()
	if _, err := p.recvErr(2 * time.Second); err == nil || time.Since(alertAt) > 300*time.Millisecond {
		t.Errorf("after the ALERT: %v %s later; want the close at once", err, time.Since(alertAt))
	}
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("Close waits for the silent peer's HANDSHAKE")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Close took %s with a silent peer waiting", d)
	}
	silent.conn.Close()
}
