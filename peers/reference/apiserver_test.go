package reference

import (
	"net"
	"testing"
	"time"
)

// The state API holds at most its bound of connections: one more waits
// until one of them closes.
func TestLimitListener(t *testing.T) {
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := limitListener(raw, 2)
	defer ln.Close()
	accepted := make(chan net.Conn, 3)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	for i := 0; i < 3; i++ {
		c, err := net.Dial("tcp", raw.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	var held []net.Conn
	for i := 0; i < 2; i++ {
		select {
		case c := <-accepted:
			held = append(held, c)
		case <-time.After(5 * time.Second):
			t.Fatal("the first two connections were not accepted")
		}
	}
	select {
	case <-accepted:
		t.Fatal("a third connection was accepted while two were open")
	case <-time.After(200 * time.Millisecond):
	}
	held[0].Close()
	select {
	case c := <-accepted:
		c.Close()
	case <-time.After(5 * time.Second):
		t.Fatal("the third connection was not accepted once one closed")
	}
	held[1].Close()

	// With every slot held, closing the listener ends a waiting Accept.
	full := limitListener(raw, 0)
	waiting := make(chan error, 1)
	go func() { _, err := full.Accept(); waiting <- err }()
	full.Close()
	select {
	case err := <-waiting:
		if err == nil {
			t.Error("Accept on a closed listener took a connection")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Accept still waits for a slot after Close")
	}
}

// A request's body must arrive within the read timeout, and an idle
// connection is not kept for ever.
func TestAPIServerTimeouts(t *testing.T) {
	s := apiServer(nil)
	if s.ReadTimeout <= 0 || s.ReadHeaderTimeout <= 0 || s.IdleTimeout <= 0 || s.WriteTimeout <= 0 {
		t.Errorf("timeouts: header %s, read %s, write %s, idle %s", s.ReadHeaderTimeout, s.ReadTimeout, s.WriteTimeout, s.IdleTimeout)
	}
}
