package fake

import (
	"net"
	"runtime"
	"testing"
	"time"
)

// A peer knows its connection's round-trip time from the kernel, and
// still knows it once the connection has been reset, which is when a
// graceful restart case needs it.
func TestRTT(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("TCP_INFO is read on Linux only")
	}
	addr := startDUT(t, "127.0.0.1:0", nil, func(c net.Conn) {
		if openDUT(c) != nil {
			drain(c)
		}
	})
	p := dial(t, Config{Name: "peer0"}, addr)
	if _, err := p.Open(2 * time.Second); err != nil {
		t.Fatal(err)
	}
	rtt := p.RTT()
	if rtt <= 0 || rtt > time.Second {
		t.Fatalf("RTT on loopback %s, want more than 0 and less than 1 s", rtt)
	}
	p.Reset()
	if after := p.RTT(); after <= 0 || after > time.Second {
		t.Errorf("RTT after the reset %s, want the last estimate", after)
	}
}
