package fake

import (
	"crypto/tls"
	"io"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/ompconform/ompconform/internal/testdut"
	"github.com/ompconform/ompconform/omp"
)

// startDUT runs a tiny server on addr ("127.0.0.1:0") that accepts
// connections and runs script on each, in goroutines the test owns:
// cleanup closes the listener and every connection and waits for them.
// It returns the listening address.
func startDUT(t *testing.T, addr string, tlsCfg *tls.Config, script func(c net.Conn)) string {
	t.Helper()
	s := testdut.Listen(t, addr, tlsCfg)
	s.Serve(script)
	return s.Addr()
}

// mustWrite writes m to c (test servers ignore write errors: the peer may
// be gone).
func mustWrite(c net.Conn, m omp.Message) {
	b, err := omp.Encode(m)
	if err != nil {
		panic(err)
	}
	c.Write(b)
}

// dutHandshake is the HANDSHAKE the test DUTs answer with.
func dutHandshake() *omp.Handshake {
	return &omp.Handshake{Version: omp.Version, SiteID: 1, DomainID: 1, HoldTime: 30, PeerRouterID: netip.MustParseAddr("10.0.0.100"),
		Options: []omp.Option{&omp.CapabilitiesOption{Capabilities: []omp.Capability{&omp.CapIdentity{PeerType: omp.PeerTypeVSmart}}}}}
}

// openDUT plays the DUT's side of the opening: read HANDSHAKE, answer,
// read HELLO, answer. It returns the reader, or nil if the peer misbehaved.
func openDUT(c net.Conn) *omp.Reader {
	r := omp.NewReader(c)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if m, _, err := r.ReadMessage(); err != nil || m.Type() != omp.TypeHandshake {
		return nil
	}
	mustWrite(c, dutHandshake())
	if m, _, err := r.ReadMessage(); err != nil || m.Type() != omp.TypeHello {
		return nil
	}
	mustWrite(c, &omp.Hello{})
	c.SetReadDeadline(time.Time{})
	return r
}

// openedDUT is a test DUT's script: it plays the DUT's side of the
// opening (openDUT) and, if the peer went through it, runs script with
// the session's reader.
func openedDUT(script func(c net.Conn, r *omp.Reader)) func(net.Conn) {
	return func(c net.Conn) {
		if r := openDUT(c); r != nil {
			script(c, r)
		}
	}
}

// eachHello reads r, the DUT's side of the session on c, for up to d or
// until the connection ends, and calls f at every HELLO.
func eachHello(c net.Conn, r *omp.Reader, d time.Duration, f func()) {
	c.SetReadDeadline(time.Now().Add(d))
	for {
		m, _, err := r.ReadMessage()
		if err != nil {
			return
		}
		if m.Type() == omp.TypeHello {
			f()
		}
	}
}

// drain reads and discards until the connection ends.
func drain(c net.Conn) { io.Copy(io.Discard, c) }

// testPKI issues the certificates of the TLS tests.
var testPKI = sync.OnceValue(testdut.NewPKI)

func serverTLS() *tls.Config { return testPKI().Config("dut") }

func clientTLS() *tls.Config {
	return &tls.Config{RootCAs: testPKI().Pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
}

// anAlert is what a case waits for after a malformed message: an ALERT
// that decodes.
var anAlert = Func("ALERT", func(r *Event) bool {
	_, ok := r.Alert()
	return ok
})

// anyMessage takes the next message, decoded or not (auto-answered HELLOs
// are still skipped).
var anyMessage = Func("any message", func(*Event) bool { return true })

// dial connects a test peer and closes it at cleanup.
func dial(t *testing.T, cfg Config, addr string) *Peer {
	t.Helper()
	p, err := Dial(cfg, addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// quick fails the test if f takes longer than limit.
func quick(t *testing.T, limit time.Duration, f func()) {
	t.Helper()
	start := time.Now()
	f()
	if d := time.Since(start); d > limit {
		t.Errorf("took %s, want under %s", d, limit)
	}
}
