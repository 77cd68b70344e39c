package fake

import (
	"net"
	"syscall"
	"time"
)

// RTT is the connection's round-trip time as the kernel estimates it
// (TCP_INFO's smoothed RTT, on Linux), or 0 where it cannot tell (another
// system, a connection that is not TCP). Once the connection has closed,
// it is the last estimate read. A timer the DUT starts on a message of
// the harness and that the harness sees end by the DUT's answer is
// measured one round trip long: the catalogue takes it off.
func (p *Peer) RTT() time.Duration {
	if d, ok := tcpRTT(p.raw); ok {
		p.rtt.Store(int64(d))
		return d
	}
	return time.Duration(p.rtt.Load())
}

// tcpRTT reads c's smoothed RTT from the kernel.
func tcpRTT(c net.Conn) (time.Duration, bool) {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return 0, false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return 0, false
	}
	var d time.Duration
	ok = false
	if err := rc.Control(func(fd uintptr) { d, ok = fdRTT(fd) }); err != nil {
		return 0, false
	}
	return d, ok
}
