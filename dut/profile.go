package dut

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/peers/fake"
)

// Profile is what a DUT's HANDSHAKE (section 3.1.2) says it is: the facts
// the harness's fake peers take from it to be let in.
type Profile struct {
	// Handshake is the HANDSHAKE the profile was learnt from.
	Handshake *omp.Handshake
	// Role is the personality its IDENTITY capability's Peer Type
	// announces; 0 if it sent none, or an undefined Peer Type.
	Role omp.Role
	// RouterID, SiteID, DomainID and HoldTime are the HANDSHAKE's own
	// fields (Peer Router ID: the DUT's).
	RouterID netip.Addr
	SiteID   uint32
	DomainID uint32
	HoldTime uint16
	// OverlayID is its (first) OVERLAY ID capability's; 0 if it
	// sent none.
	OverlayID uint32
	// Refresh says it offers the REFRESH capability.
	Refresh bool
	// Families are the families of its MP capabilities, in the order it
	// sent them, each once; none if it sent no MP capability.
	Families []omp.Family
	// Waits says it sent its HANDSHAKE only once it had the peer's
	// (Discover): a responder, which a session must speak to first.
	Waits bool
}

// Learn reads the Profile of a DUT from its HANDSHAKE.
func Learn(hs *omp.Handshake) Profile {
	p := Profile{Handshake: hs, RouterID: hs.PeerRouterID, SiteID: hs.SiteID, DomainID: hs.DomainID, HoldTime: hs.HoldTime, Families: hs.Families()}
	if id, ok := omp.CapOf[*omp.CapIdentity](hs); ok {
		p.Role = omp.RoleOf(id.PeerType)
	}
	if o, ok := omp.CapOf[*omp.CapOverlayID](hs); ok {
		p.OverlayID = o.OverlayID
	}
	_, p.Refresh = omp.CapOf[*omp.CapRefresh](hs)
	return p
}

// Discover connects to t from the local address (host only; "" lets the
// system choose) and learns the Profile from the HANDSHAKE the DUT sends
// first, over TLS if t.TLS is set. When the DUT says nothing for a moment
// (speakFirst) and hs is not nil, hs is sent: a DUT that waits for the
// peer's HANDSHAKE before it sends its own is learned too, with Waits
// set. (A DUT merely slow to speak is then taken for one that waits,
// which costs nothing: a session speaks first to it, and its HANDSHAKE
// crosses the peer's.) It tries again until within has passed or ctx
// ends.
func Discover(ctx context.Context, t Target, local string, within time.Duration, hs *omp.Handshake) (Profile, error) {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	var last error
	for {
		theirs, waited, err := readHandshake(ctx, t, local, hs)
		if err == nil {
			p := Learn(theirs)
			p.Waits = waited
			return p, nil
		}
		last = err
		select {
		case <-ctx.Done():
			return Profile{}, fmt.Errorf("the DUT at %s sent no HANDSHAKE within %s: %w", t.Addr, within, last)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// speakFirst is how long Discover waits at most for the DUT to speak
// before it sends its own HANDSHAKE.
const speakFirst = 500 * time.Millisecond

// readHandshake opens one connection to t and reads the DUT's first
// message, which must be a HANDSHAKE, before ctx ends; if the DUT says
// nothing within speakFirst and hs is not nil, hs is sent first (waited
// true).
func readHandshake(ctx context.Context, t Target, local string, hs *omp.Handshake) (theirs *omp.Handshake, waited bool, err error) {
	c, _, err := fake.DialTransport(ctx, local, t.Addr, t.TLS)
	if err != nil {
		return nil, false, err
	}
	defer c.Close()
	deadline, _ := ctx.Deadline()
	c.SetDeadline(deadline)
	in := bufio.NewReader(c)
	if hs != nil {
		// A quarter of the time left at most, so that a short budget
		// still leaves the exchange its time.
		c.SetReadDeadline(time.Now().Add(min(speakFirst, time.Until(deadline)/4)))
		if _, err := in.Peek(1); err != nil {
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				return nil, false, err
			}
			b, err := omp.Encode(hs)
			if err != nil {
				return nil, false, err
			}
			if _, err := c.Write(b); err != nil {
				return nil, false, err
			}
			waited = true
		}
		c.SetReadDeadline(deadline)
	}
	m, _, err := omp.NewReader(in).ReadMessage()
	if err != nil {
		return nil, waited, err
	}
	theirs, ok := m.(*omp.Handshake)
	if !ok {
		return nil, waited, errors.New("its first message is " + m.Type().String() + ", not a HANDSHAKE")
	}
	return theirs, waited, nil
}
