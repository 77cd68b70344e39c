package dut

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/ompconform/ompconform/omp"
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
// first, over TLS if t.TLS is set. It sends nothing: the DUT's HANDSHAKE
// comes before it has seen the harness's. It tries again until within
// has passed or ctx ends.
func Discover(ctx context.Context, t Target, local string, within time.Duration) (Profile, error) {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	var last error
	for {
		hs, err := readHandshake(ctx, t, local)
		if err == nil {
			return Learn(hs), nil
		}
		last = err
		select {
		case <-ctx.Done():
			return Profile{}, fmt.Errorf("the DUT at %s sent no HANDSHAKE within %s: %w", t.Addr, within, last)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// readHandshake opens one connection to t and reads the DUT's first
// message, which must be a HANDSHAKE, before ctx ends.
func readHandshake(ctx context.Context, t Target, local string) (*omp.Handshake, error) {
	var d net.Dialer
	if local != "" {
		ip, err := netip.ParseAddr(local)
		if err != nil {
			return nil, fmt.Errorf("local address %q: %w", local, err)
		}
		d.LocalAddr = &net.TCPAddr{IP: ip.AsSlice()}
	}
	c, err := d.DialContext(ctx, "tcp", t.Addr)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	deadline, _ := ctx.Deadline()
	c.SetDeadline(deadline)
	if t.TLS != nil {
		tc := tls.Client(c, t.TLS)
		if err := tc.HandshakeContext(ctx); err != nil {
			return nil, fmt.Errorf("TLS handshake: %w", err)
		}
		c = tc
	}
	m, _, err := omp.NewReader(c).ReadMessage()
	if err != nil {
		return nil, err
	}
	hs, ok := m.(*omp.Handshake)
	if !ok {
		return nil, errors.New("its first message is " + m.Type().String() + ", not a HANDSHAKE")
	}
	return hs, nil
}
