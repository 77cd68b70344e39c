// Package testdut is the listener of the tests' small DUTs: it accepts
// connections on loopback and runs the test's function on each, in
// goroutines the test owns. The test's cleanup closes the listener and
// every connection and waits for the goroutines. PKI issues the
// certificates of TLS on loopback.
package testdut

import (
	"crypto/tls"
	"net"
	"sync"
	"testing"
)

// Server accepts a test DUT's connections.
type Server struct {
	ln   net.Listener
	stop chan struct{}
	wg   sync.WaitGroup

	mu     sync.Mutex
	conns  map[net.Conn]bool
	closed bool
}

// Listen listens on addr ("127.0.0.1:0"), through TLS when tlsCfg is not
// nil; Serve starts accepting. The test's cleanup closes the server.
func Listen(t testing.TB, addr string, tlsCfg *tls.Config) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	if tlsCfg != nil {
		ln = tls.NewListener(ln, tlsCfg)
	}
	s := &Server{ln: ln, stop: make(chan struct{}), conns: map[net.Conn]bool{}}
	t.Cleanup(s.Close)
	return s
}

// Start listens on 127.0.0.1 and serves every connection with serve.
func Start(t testing.TB, serve func(net.Conn)) *Server {
	t.Helper()
	s := Listen(t, "127.0.0.1:0", nil)
	s.Serve(serve)
	return s
}

// Serve accepts connections until Stop and runs serve on each in a
// goroutine of its own; the connection is closed when serve returns.
// Call it once.
func (s *Server) Serve(serve func(net.Conn)) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := s.ln.Accept()
			if err != nil {
				return
			}
			if !s.add(c) {
				c.Close()
				return
			}
			go func() {
				defer s.wg.Done()
				defer s.remove(c)
				serve(c)
			}()
		}
	}()
}

// add counts c as open, unless the server has stopped.
func (s *Server) add(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[c] = true
	s.wg.Add(1)
	return true
}

func (s *Server) remove(c net.Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	c.Close()
}

// Addr is the listening address ("127.0.0.1:40123").
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Stop closes the listener and every open connection, as a DUT that dies
// does; a serve function may call it. It does not wait.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.closed = true
	close(s.stop)
	s.ln.Close()
	for c := range s.conns {
		c.Close()
	}
}

// Stopped is closed by Stop.
func (s *Server) Stopped() <-chan struct{} { return s.stop }

// Close stops the server and waits for its goroutines.
func (s *Server) Close() {
	s.Stop()
	s.wg.Wait()
}

// Each calls f on every open connection, with the server's lock held (f
// must not call Stop).
func (s *Server) Each(f func(net.Conn)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		f(c)
	}
}

// FreeAddr is a loopback address ("127.0.0.1:40123") that nothing listens
// on just now: a port the system gave and that was freed again.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
