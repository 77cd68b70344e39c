package fake

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/ompconform/ompconform/transcript"
)

// AcceptAs gives each DUT connection a peer of its own: its name, router
// ID and transcript, on the listener's address.
func TestAcceptAs(t *testing.T) {
	ln, err := Listen(Config{LocalAddr: "127.0.0.7", Name: "listener"})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	for i, rid := range []string{"10.0.0.1", "10.0.0.2"} {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		tr := &transcript.Transcript{}
		p, err := ln.AcceptAs(context.Background(), Config{Name: "peer0", RouterID: netip.MustParseAddr(rid), Transcript: tr}, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if p.Name() != "peer0" || p.Handshake().PeerRouterID.String() != rid {
			t.Errorf("%d: name %s, router ID %s", i, p.Name(), p.Handshake().PeerRouterID)
		}
		if len(tr.Entries()) == 0 {
			t.Errorf("%d: nothing in the peer's transcript", i)
		}
		p.Close()
		c.Close()
	}
	quick(t, time.Second, func() { _, err = ln.AcceptAs(context.Background(), Config{Name: "late"}, 50*time.Millisecond) })
	var et *ErrTimeout
	if err == nil || !errors.As(err, &et) || et.Peer != "late" {
		t.Fatalf("got %v", err)
	}
	// A context that ends stops the wait at once.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	quick(t, time.Second, func() { _, err = ln.AcceptAs(ctx, Config{Name: "cancelled"}, time.Minute) })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v", err)
	}
}
