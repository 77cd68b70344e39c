package fake

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/ompconform/ompconform/transcript"
)

// Dial connects to the DUT at addr ("127.0.0.1:12346") from cfg.LocalAddr,
// over TLS if cfg.TLS is set, within timeout (TLS handshake included).
func Dial(cfg Config, addr string, timeout time.Duration) (*Peer, error) {
	cfg, err := cfg.withDefaults(true)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	start := time.Now()
	conn, raw, err := DialTransport(ctx, cfg.LocalAddr, addr, cfg.TLS)
	if err != nil {
		err = fmt.Errorf("%s: %w (within %s)", cfg.Name, err, timeout)
		e := transcript.Entry{Dir: transcript.Event, Peer: cfg.Name, Local: cfg.LocalAddr, Remote: addr, Err: err, Note: "dial failed"}
		if raw != nil {
			e.Local, e.Note = raw.LocalAddr().String(), "TLS handshake failed"
		}
		cfg.Transcript.Add(e)
		return nil, err
	}
	return newPeer(cfg, conn, raw, start, "connected to DUT"), nil
}

// DialTransport opens the transport to the DUT at addr before ctx ends:
// TCP from local (an address, with or without a port; "" for any), then
// TLS over it when c is set. conn is what OMP is spoken on, raw the TCP
// connection under it (conn itself without TLS). When the TLS handshake
// fails, raw is returned closed with the error, to say where it failed.
func DialTransport(ctx context.Context, local, addr string, c *tls.Config) (conn, raw net.Conn, err error) {
	var d net.Dialer
	if local != "" {
		l, err := parseLocal(local)
		if err != nil {
			return nil, nil, err
		}
		d.LocalAddr = &net.TCPAddr{IP: l.Addr().AsSlice(), Port: int(l.Port())}
	}
	raw, err = d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("dial %s from %s: %w", addr, cmp.Or(local, "any address"), err)
	}
	if c == nil {
		return raw, raw, nil
	}
	tc := tls.Client(raw, ClientTLS(c, addr))
	if err := tc.HandshakeContext(ctx); err != nil {
		raw.Close()
		return nil, raw, fmt.Errorf("TLS handshake with %s: %w", addr, err)
	}
	return tc, raw, nil
}

// ClientTLS is c for a session dialled to addr: one that verifies and
// names no ServerName verifies addr's host (an IP address: against the
// certificate's IP SANs), where Go's TLS refuses a config with neither.
func ClientTLS(c *tls.Config, addr string) *tls.Config {
	if c == nil || c.ServerName != "" || c.InsecureSkipVerify {
		return c
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil || host == "" {
		return c
	}
	c = c.Clone()
	c.ServerName = host
	return c
}

// Listener waits for a DUT to dial in (an edge router dialing its
// controller).
type Listener struct {
	cfg Config
	ln  *net.TCPListener
}

// Listen listens on cfg.LocalAddr (port 0: any free port; see Addr).
func Listen(cfg Config) (*Listener, error) {
	cfg, err := cfg.withDefaults(false)
	if err != nil {
		return nil, err
	}
	local, _ := parseLocal(cfg.LocalAddr)
	ln, err := net.ListenTCP("tcp", net.TCPAddrFromAddrPort(local))
	if err != nil {
		return nil, fmt.Errorf("%s: listen on %s: %w", cfg.Name, local, err)
	}
	return &Listener{cfg: cfg, ln: ln}, nil
}

// Addr is the address the listener listens on, with its port.
func (l *Listener) Addr() netip.AddrPort { return l.ln.Addr().(*net.TCPAddr).AddrPort() }

// Accept waits up to timeout for the DUT to connect (and complete the TLS
// handshake, with TLS). A DUT that does not dial gives *ErrTimeout.
func (l *Listener) Accept(timeout time.Duration) (*Peer, error) {
	return l.accept(context.Background(), l.cfg, timeout)
}

// AcceptAs is Accept for a peer described by cfg rather than by the
// listener's Config (its name, identity, TLS and transcript; LocalAddr is
// the listener's): one listener then serves a new fake peer per DUT
// connection, as a controller does for an edge that redials. A ctx that
// ends stops the wait early, with ctx's error.
func (l *Listener) AcceptAs(ctx context.Context, cfg Config, timeout time.Duration) (*Peer, error) {
	cfg.LocalAddr = l.Addr().String()
	cfg, err := cfg.withDefaults(false)
	if err != nil {
		return nil, err
	}
	return l.accept(ctx, cfg, timeout)
}

func (l *Listener) accept(ctx context.Context, cfg Config, timeout time.Duration) (*Peer, error) {
	deadline := time.Now().Add(timeout)
	if err := l.ln.SetDeadline(deadline); err != nil {
		return nil, err
	}
	start := time.Now()
	woken := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(woken)
		l.ln.SetDeadline(time.Now())
	})
	raw, err := l.ln.Accept()
	if !stop() {
		<-woken // its deadline must not outlive this Accept
	}
	if err != nil {
		var ne net.Error
		if ctx.Err() != nil {
			err = fmt.Errorf("%s: accept on %s: %w", cfg.Name, l.Addr(), ctx.Err())
		} else if errors.As(err, &ne) && ne.Timeout() {
			err = &ErrTimeout{Step: Step{Peer: cfg.Name, Name: "Accept", Expected: "a connection from the DUT on " + l.Addr().String(), Within: timeout}}
		} else {
			err = fmt.Errorf("%s: accept on %s: %w", cfg.Name, l.Addr(), err)
		}
		cfg.Transcript.Add(transcript.Entry{Dir: transcript.Event, Peer: cfg.Name, Local: l.Addr().String(), Err: err, Note: "accept failed"})
		return nil, err
	}
	conn := raw
	if cfg.TLS != nil {
		tc := tls.Server(raw, cfg.TLS)
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		err := tc.HandshakeContext(ctx)
		cancel()
		if err != nil {
			raw.Close()
			err = fmt.Errorf("%s: TLS handshake with %s: %w", cfg.Name, raw.RemoteAddr(), err)
			cfg.Transcript.Add(transcript.Entry{Dir: transcript.Event, Peer: cfg.Name, Local: raw.LocalAddr().String(), Remote: raw.RemoteAddr().String(), Err: err, Note: "TLS handshake failed"})
			return nil, err
		}
		conn = tc
	}
	return newPeer(cfg, conn, raw, start, "accepted DUT"), nil
}

// Close stops listening. Peers already accepted stay open.
func (l *Listener) Close() error { return l.ln.Close() }
