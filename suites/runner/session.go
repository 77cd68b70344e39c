package runner

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/ompconform/ompconform/dut/control"
	"github.com/ompconform/ompconform/peers/fake"
	"github.com/ompconform/ompconform/suites/catalog"
	"github.com/ompconform/ompconform/transcript"
)

// session is a catalog.Session over a fake peer (peers/fake), which owns
// the connection, its reader and the transcript. The case's context
// ending (an interrupted run, the case's time bound) closes it, so that
// a wait on it ends at once instead of at its own deadline.
type session struct {
	p    *fake.Peer
	stop func() bool // undoes the context's hold on the session
}

// newSession is the session of p, closed when ctx ends.
func newSession(ctx context.Context, p *fake.Peer) session {
	return session{p: p, stop: context.AfterFunc(ctx, func() { p.Close() })}
}

func (s session) Name() string { return s.p.Name() }
func (s session) Close()       { s.stop(); s.p.Close() }
func (s session) Reset()       { s.stop(); s.p.Reset() }

// Keepalive starts (or stops) the fake peer's own HELLOs: the case has
// opened the session by hand, so the peer is told it is established.
func (s session) Keepalive(every time.Duration) {
	s.p.MarkEstablished()
	s.p.SetKeepalive(every)
}

// Send writes the catalogue's bytes as built (catalog.Msg.Build): the
// DUT gets w.Bytes, nothing is encoded or mutated again.
func (s session) Send(w catalog.Wire) error {
	if w.Pieces > 0 {
		return s.p.SendPieces(w.Bytes, w.Pieces, w.Note)
	}
	return s.p.SendBuilt(w.Bytes, w.Message, w.Muts...)
}

// RTT is the fake peer's connection's round-trip time
// (catalog.RoundTripper).
func (s session) RTT() time.Duration { return s.p.RTT() }

// Await is the fake peer's own: its events are what the verdict judges.
func (s session) Await(d time.Duration, what string, stop func(catalog.Event) bool) (catalog.Event, []catalog.Event) {
	return s.p.Await(d, what, stop)
}

// driver is the catalog.Driver of one case run: it dials the DUT for
// each fake peer, all of them recording into the case's transcript. In
// listen mode (ln set), fake peer 0 instead takes the DUT's next
// connection to the harness's listener; the other peers dial the DUT if
// it also listens (target.Addr), or cannot connect (catalog.ErrNoDial).
type driver struct {
	target  Target
	env     *catalog.Env
	tr      *transcript.Transcript
	connect time.Duration
	ln      *listener
	name    string // the fake peers' name, if not "peerN"
}

// peerName is fake peer i's name in the transcript.
func (d *driver) peerName(i int) string {
	switch {
	case d.name == "":
		return fmt.Sprintf("peer%d", i)
	case i == 0:
		return d.name
	}
	return fmt.Sprintf("%s%d", d.name, i)
}

func (d *driver) Connect(ctx context.Context, i int) (catalog.Session, error) {
	id := d.env.Peer(i)
	timeout := d.connect
	if dl, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(dl))
	}
	if d.ln != nil && i == 0 {
		if dl, ok := ctx.Deadline(); ok {
			timeout = time.Until(dl)
		} else {
			timeout = d.ln.timeout
		}
		p, err := d.ln.accept(ctx, fake.Config{
			Name:             d.peerName(0),
			RouterID:         id.RouterID,
			SiteID:           id.SiteID,
			DomainID:         d.env.DomainID(),
			PeerType:         id.PeerType,
			Transcript:       d.tr,
			DisableAutoHello: true,
		}, timeout)
		if err != nil {
			return nil, err
		}
		return newSession(ctx, p), nil
	}
	if d.ln != nil && d.target.Addr == "" {
		return nil, fmt.Errorf("%w: peer%d would have to dial the DUT, which only dials in to %s (give the DUT's own address as the target too, if it also listens)", catalog.ErrNoDial, i, d.ln.addr())
	}
	p, err := fake.Dial(fake.Config{
		Name:             d.peerName(i),
		LocalAddr:        localAddr(d.target.Addr, id.RouterID),
		RouterID:         id.RouterID,
		SiteID:           id.SiteID,
		DomainID:         d.env.DomainID(),
		PeerType:         id.PeerType,
		TLS:              d.target.TLS,
		Transcript:       d.tr,
		DisableAutoHello: true,
	}, d.target.Addr, timeout)
	if err != nil {
		return nil, err
	}
	return newSession(ctx, p), nil
}

func (d *driver) Control(ctx context.Context, r control.Request) ([]byte, error) {
	if d.target.Control == nil {
		return nil, control.ErrUnsupported
	}
	return d.target.Control(ctx, r)
}

// localAddr is the source address fake peer rid dials from: towards a
// loopback DUT, its own 127.a.b.c (the router ID's last three bytes), so a
// capture tells the peers apart; towards any other DUT, whatever the
// system picks.
func localAddr(target string, rid netip.Addr) string {
	host, _, err := net.SplitHostPort(target)
	if err != nil {
		host = target
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		if host == "localhost" {
			ip = netip.MustParseAddr("127.0.0.1")
		} else {
			return "0.0.0.0"
		}
	}
	switch {
	case ip.Is4() && ip.IsLoopback():
		b := rid.As4()
		return netip.AddrFrom4([4]byte{127, b[1], b[2], b[3]}).String()
	case ip.IsLoopback():
		return "::1"
	case ip.Is6():
		return "::"
	}
	return "0.0.0.0"
}
