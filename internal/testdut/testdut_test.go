package testdut

import (
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// A connection is served, Each sees it, and Stop ends it and refuses
// further dials.
func TestServer(t *testing.T) {
	got := make(chan string, 1)
	s := Start(t, func(c net.Conn) {
		b := make([]byte, 5)
		if _, err := io.ReadFull(c, b); err == nil {
			got <- string(b)
		}
		io.Copy(io.Discard, c)
	})
	c, err := net.DialTimeout("tcp", s.Addr(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("hello"))
	select {
	case m := <-got:
		if m != "hello" {
			t.Errorf("served %q", m)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the connection was not served")
	}
	n := 0
	s.Each(func(net.Conn) { n++ })
	if n != 1 {
		t.Errorf("Each saw %d connections, want 1", n)
	}
	s.Stop()
	select {
	case <-s.Stopped():
	default:
		t.Error("Stopped not closed after Stop")
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil || os.IsTimeout(err) {
		t.Errorf("the connection stayed open after Stop: %v", err)
	}
	s.Close()
	if c, err := net.DialTimeout("tcp", s.Addr(), time.Second); err == nil {
		c.Close()
		t.Error("dial after Close succeeded")
	}
}
