// Package fake is the scripted fake peer: the harness side of every
// conformance case. A Peer plays either end of an OMP session: it dials a
// DUT (Dial) or accepts a DUT that dials in (Listen, Accept), over TCP or
// TLS, from its own source address in 127.0.0.0/8, with its own router ID,
// site ID and peer type. Several peers can take part in one case and share
// one transcript.
//
// A case drives a Peer by steps, each bounded by a deadline: Send,
// SendBuilt (bytes built beforehand, mutated or not, sent as they are),
// SendRaw, Open, Expect (the first message a Predicate accepts),
// ExpectType. What a case makes of the DUT's answer (the ALERT it wants,
// the close) is the caller's: the runner judges Expect's messages and
// its end by the catalogue's expectations. Nothing a DUT does
// (silence, garbage, a flood, a half-written message, a reset) can hang
// or crash the harness: one reader goroutine per connection, owned by the
// Peer and stopped by Close, feeds a bounded queue; a DUT that fills the
// queue gets its connection dropped with ErrClosed{Kind: CloseOverflow},
// one that floods a step (MaxSeen) with ErrClosed{Kind: CloseFlood}.
//
// Steps fail with typed errors that say exactly what happened on the
// wire, so that a runner can grade: *ErrTimeout, *ErrClosed,
// *ErrUnexpected, *SendError. Every byte sent and
// received, and every connection and step event, goes to the transcript,
// which is bounded (package transcript: the first and last entries kept,
// those in between counted), so a flooding DUT costs the harness no more
// than MaxSeen and Buffer allow.
//
// A Peer's steps are meant to be called from one goroutine (the case);
// Close may be called from any goroutine, any number of times.
package fake

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"time"

	"github.com/ompconform/ompconform/internal/defaults"
	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/transcript"
)

// Defaults for the Config fields left zero.
const (
	DefaultBuffer       = 1024            // received messages queued before overflow
	DefaultOverflowWait = 5 * time.Second // a full queue waits this long for a step to read
	DefaultMaxSeen      = 10000           // messages one step may skip before it calls it a flood
	DefaultWriteTimeout = 5 * time.Second
)

// Config describes one fake peer.
type Config struct {
	// Name names the peer in the transcript and in errors; default: its
	// router ID.
	Name string
	// LocalAddr is the peer's own address: "127.0.0.2" or
	// "127.0.0.2:12346". Dial binds it as the source address (port 0
	// unless given); Listen listens on it (port 0, chosen by the system,
	// unless given). Default: 127.0.0.1.
	LocalAddr string
	// RouterID is the HANDSHAKE Peer Router ID (the system IP). Default:
	// the LocalAddr's IPv4 address, or 1.1.1.1.
	RouterID netip.Addr
	// SiteID, DomainID and OverlayID are sent as given (0 is a legal value).
	SiteID    uint32
	DomainID  uint32
	OverlayID uint32
	// HoldTime is the HANDSHAKE Hold Time in seconds; 0 means
	// omp.DefaultHoldTime. To send a Hold Time of 0, use OpenWith with a
	// HANDSHAKE of your own or SendBuilt.
	HoldTime uint16
	// PeerType is the IDENTITY capability. Default: VIP_DEVICE_VDEDGE for
	// a peer that dials (it plays an edge router dialing its controller),
	// VIP_DEVICE_VSMART for a peer that listens.
	PeerType omp.PeerType
	// Capabilities are the capabilities of the HANDSHAKE. nil means
	// omp.DefaultCapabilities(PeerType, OverlayID); an empty non-nil slice
	// sends no Capabilities option at all.
	Capabilities []omp.Capability
	// Auth, if set, is sent as the HANDSHAKE's Authentication option,
	// before the Capabilities option.
	Auth *omp.AuthenticationOption
	// TLS, if set, runs the session over TLS: a client config for Dial, a
	// server config (with Certificates) for Listen.
	TLS *tls.Config
	// Transcript records the peer's traffic and events; peers of one case
	// share one. nil gives the peer a transcript of its own.
	Transcript *transcript.Transcript
	// DisableAutoHello turns off answering the DUT's HELLOs. By default,
	// once the session is established (Open, or MarkEstablished), every
	// HELLO received is answered with a HELLO at once, and steps skip
	// HELLOs they are not waiting for.
	DisableAutoHello bool
	// HelloInterval, if positive, makes the peer send a HELLO at that
	// interval once established, until Close.
	HelloInterval time.Duration
	// Buffer bounds the queue of received messages not yet read by a
	// step; default DefaultBuffer. A full queue stops the reading (TCP
	// holds the DUT back) until a step reads; none for OverflowWait
	// (default DefaultOverflowWait) has the connection dropped
	// (CloseOverflow).
	Buffer       int
	OverflowWait time.Duration
	// MaxSeen bounds how many messages one step may skip while waiting;
	// default DefaultMaxSeen. A DUT that sends more during one step without
	// the one expected is flooding: the connection is dropped and the step
	// fails with *ErrClosed{Kind: CloseFlood}.
	MaxSeen int
	// WriteTimeout bounds every write; default DefaultWriteTimeout.
	WriteTimeout time.Duration
	// Logger receives debug logs; default: none.
	Logger *slog.Logger
}

// withDefaults fills the zero fields. dialing says which role the peer
// plays when PeerType is unset.
func (c Config) withDefaults(dialing bool) (Config, error) {
	if c.LocalAddr == "" {
		c.LocalAddr = "127.0.0.1"
	}
	ap, err := parseLocal(c.LocalAddr)
	if err != nil {
		return c, err
	}
	if !c.RouterID.IsValid() {
		if ap.Addr().Is4() && !ap.Addr().IsUnspecified() {
			c.RouterID = ap.Addr()
		} else {
			c.RouterID = netip.AddrFrom4([4]byte{1, 1, 1, 1})
		}
	}
	if c.Name == "" {
		c.Name = c.RouterID.String()
	}
	if c.HoldTime == 0 {
		c.HoldTime = omp.DefaultHoldTime
	}
	if c.PeerType == 0 {
		c.PeerType = omp.RoleEdge.Counterpart().PeerType() // dialled, by an edge router
		if dialing {
			c.PeerType = omp.RoleController.Counterpart().PeerType() // dialing a controller
		}
	}
	if c.Capabilities == nil {
		c.Capabilities = omp.DefaultCapabilities(c.PeerType, c.OverlayID)
	}
	if c.Transcript == nil {
		c.Transcript = &transcript.Transcript{}
	}
	defaults.Positive(&c.Buffer, DefaultBuffer)
	defaults.Positive(&c.OverflowWait, DefaultOverflowWait)
	defaults.Positive(&c.MaxSeen, DefaultMaxSeen)
	defaults.Positive(&c.WriteTimeout, DefaultWriteTimeout)
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// parseLocal reads "127.0.0.2" or "127.0.0.2:179" or "[::1]:179".
func parseLocal(s string) (netip.AddrPort, error) {
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.AddrPortFrom(a, 0), nil
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("fake: local address %q: want an IP address or address:port", s)
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("fake: local address %q: %v", s, err)
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("fake: local address %q: bad port", s)
	}
	return netip.AddrPortFrom(a, uint16(p)), nil
}

// Handshake is the HANDSHAKE this configuration sends: Version
// omp.Version, its Site ID, Domain ID, Hold Time, Router ID, Auth option
// (if any) and Capabilities option (unless empty). Each call returns a
// fresh message that the caller may change.
func (c Config) Handshake() *omp.Handshake {
	hs := &omp.Handshake{
		Version:      omp.Version,
		SiteID:       c.SiteID,
		DomainID:     c.DomainID,
		HoldTime:     c.HoldTime,
		PeerRouterID: c.RouterID,
	}
	if c.Auth != nil {
		a := *c.Auth
		hs.Options = append(hs.Options, &a)
	}
	if len(c.Capabilities) > 0 {
		hs.Options = append(hs.Options, &omp.CapabilitiesOption{Capabilities: append([]omp.Capability(nil), c.Capabilities...)})
	}
	return hs
}
