package reference

import (
	"net"
	"runtime"
	"testing"
	"time"
)

// connMemory is the memory (heap in use and goroutine stacks) that n
// connections cost before any HANDSHAKE, per connection.
func connMemory(t testing.TB, n int) float64 {
	cfg := testConfig()
	cfg.MaxConnections, cfg.MaxConnectionsPerSource = -1, -1
	sp := startSpeaker(t, cfg)
	inUse := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		t.Logf("heap %d stack %d", ms.HeapInuse, ms.StackInuse)
		return ms.HeapInuse + ms.StackInuse
	}
	before := inUse()
	conns := make([]net.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range n {
		c, err := net.DialTimeout("tcp", sp.Addr().String(), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	waitFor(t, "every connection accepted", func() bool { sp.mu.Lock(); defer sp.mu.Unlock(); return sp.conns == n })
	// The speaker sends its HANDSHAKE first: read it, so that its
	// goroutines are where an idle, unauthenticated peer leaves them.
	buf := make([]byte, 4096)
	for _, c := range conns {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Read(buf); err != nil {
			t.Fatal(err)
		}
	}
	return float64(inUse()-before) / float64(n)
}

// An unauthenticated connection costs little before its HANDSHAKE
// (issue 9: 98 KB each let a flood of idle connections take the
// daemon's memory): small buffers until the session is established.
func TestConnectionMemoryBeforeHandshake(t *testing.T) {
	per := connMemory(t, 400)
	t.Logf("%.0f bytes per connection before HANDSHAKE", per)
	limit := 40 << 10
	if raceEnabled {
		limit *= 2 // the race detector's larger stacks and allocations
	}
	if per > float64(limit) {
		t.Errorf("%.0f bytes per connection before HANDSHAKE, want at most %d", per, limit)
	}
}
