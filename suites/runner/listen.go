package runner

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"github.com/ompconform/ompconform/peers/fake"
)

// DefaultAcceptTimeout is how long listen mode waits, by default, for the
// DUT to dial in (it redials after each session with a backoff).
const DefaultAcceptTimeout = 30 * time.Second

// listener is the harness's side of listen mode: the DUT dials in, and
// each session the DUT opens becomes the next fake peer 0 (a case's, or
// the probe's). One accept at a time: the run is sequential.
type listener struct {
	mu      sync.Mutex
	ln      *fake.Listener
	timeout time.Duration
	tls     *tls.Config // the sessions' server config; nil: plain TCP
}

func listen(addr string, timeout time.Duration, tlsCfg *tls.Config) (*listener, error) {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		return nil, fmt.Errorf("listen address %q: want IP:PORT: %w", addr, err)
	}
	ln, err := fake.Listen(fake.Config{Name: "harness", LocalAddr: ap.String()})
	if err != nil {
		return nil, err
	}
	return &listener{ln: ln, timeout: timeout, tls: tlsCfg}, nil
}

func (l *listener) addr() string { return l.ln.Addr().String() }

// accept waits up to min(l.timeout, max) for the DUT's next connection,
// or until ctx ends.
func (l *listener) accept(ctx context.Context, cfg fake.Config, max time.Duration) (*fake.Peer, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	cfg.TLS = l.tls
	return l.ln.AcceptAs(ctx, cfg, min(l.timeout, max))
}

func (l *listener) close() error { return l.ln.Close() }
