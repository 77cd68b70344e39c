package netfuzz

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/peers/fake"
	"github.com/ompconform/ompconform/peers/reference"
)

// RefRouterID is the in-process reference's router ID.
var RefRouterID = netip.MustParseAddr("10.254.0.1")

// dut is the device under test: an address, and for the in-process
// reference the speaker, which restart replaces.
type dut struct {
	addr      string
	inProcess bool
	role      omp.Role // the DUT's role (configured or learned)
	sp        *reference.Speaker
	unit      time.Duration
	faults    []reference.Fault // the in-process reference's

	// Learned from its HANDSHAKE.
	hs        *omp.Handshake
	domain    uint32
	overlay   uint32
	hold      uint16 // the DUT's offered Hold Time
	refresh   bool   // it offers REFRESH
	probeFam  omp.Family
	routerID  netip.Addr
	mpOffered bool
}

// startDUT resolves cfg's target, starting the reference in-process when
// there is none, and learns the DUT's HANDSHAKE.
func startDUT(ctx context.Context, cfg Config) (*dut, error) {
	d := &dut{addr: cfg.Target, role: cfg.Role, unit: cfg.TimeUnit, faults: cfg.Faults}
	if cfg.Target == "" {
		d.inProcess = true
		if d.role == 0 {
			d.role = omp.RoleController
		}
		if err := d.startReference(ctx); err != nil {
			return nil, err
		}
	}
	if err := d.discover(cfg.Revive); err != nil {
		d.close()
		return nil, err
	}
	return d, nil
}

func (d *dut) referenceConfig() reference.Config {
	gr := uint32(10)
	return reference.Config{
		Role: d.role, RouterID: RefRouterID, SiteID: 1, DomainID: 1,
		Listen:           []string{"127.0.0.1:0"},
		GRInterval:       &gr,
		TimeUnit:         d.unit,
		HandshakeTimeout: 2 * time.Second,
		WriteTimeout:     2 * time.Second,
		Faults:           d.faults,
	}
}

func (d *dut) startReference(ctx context.Context) error {
	sp, err := reference.Start(context.WithoutCancel(ctx), d.referenceConfig())
	if err != nil {
		return fmt.Errorf("netfuzz: start the reference: %w", err)
	}
	d.sp, d.addr = sp, sp.Addr().String()
	return nil
}

// restart replaces a dead in-process reference; false for a remote DUT.
func (d *dut) restart(ctx context.Context, revive time.Duration) bool {
	if !d.inProcess {
		return false
	}
	d.close()
	if d.startReference(ctx) != nil {
		return false
	}
	return d.discover(revive) == nil
}

func (d *dut) close() {
	if d.sp != nil {
		d.sp.Close()
		d.sp = nil
	}
}

func (d *dut) describe() string {
	if d.inProcess {
		return fmt.Sprintf("reference %s (in-process, %s)", d.role, d.addr)
	}
	return fmt.Sprintf("%s (%s)", d.addr, d.role)
}

// discover connects once and reads the DUT's HANDSHAKE: its role, Domain
// ID, Overlay ID, Hold Time, and whether it offers REFRESH.
func (d *dut) discover(within time.Duration) error {
	deadline := time.Now().Add(within)
	var lastErr error
	for time.Now().Before(deadline) {
		p, err := fake.Dial(fake.Config{Name: "netfuzz-discover", LocalAddr: localFor(d.addr)}, d.addr, time.Until(deadline))
		if err != nil {
			lastErr = err
			time.Sleep(min(50*time.Millisecond, max(time.Until(deadline), 0)))
			continue
		}
		r, err := p.ExpectType(omp.TypeHandshake, time.Until(deadline))
		p.Close()
		if err != nil {
			lastErr = err
			continue
		}
		d.learn(r.Msg.(*omp.Handshake))
		return nil
	}
	return fmt.Errorf("netfuzz: the DUT at %s sent no HANDSHAKE within %s: %v", d.addr, within, lastErr)
}

func (d *dut) learn(hs *omp.Handshake) {
	d.hs, d.domain, d.hold, d.routerID = hs, hs.DomainID, hs.HoldTime, hs.PeerRouterID
	d.probeFam = omp.Family{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}
	first := true
	for _, c := range hs.Capabilities() {
		switch c := c.(type) {
		case *omp.CapIdentity:
			if d.role == 0 {
				d.role = omp.RoleOf(c.PeerType) // unknown: a controller, below
			}
		case *omp.CapOverlayID:
			d.overlay = c.OverlayID
		case *omp.CapRefresh:
			d.refresh = true
		case *omp.CapMP:
			d.mpOffered = true
			if first && (c.SAFI == omp.SAFIVRoute || c.SAFI == omp.SAFITLOC) && (c.AFI == omp.AFIIPv4 || c.AFI == omp.AFIIPv6) {
				d.probeFam = omp.Family{AFI: c.AFI, SAFI: c.SAFI}
				first = false
			}
		}
	}
	if d.role == 0 {
		d.role = omp.RoleController
	}
}

// harnessType is the Peer Type the fake peer announces: every session
// has a controller on one side.
func (d *dut) harnessType() omp.PeerType { return d.role.Counterpart().PeerType() }

// localFor is the fake peer's source address towards target: loopback
// of the same family.
func localFor(target string) string {
	if ap, err := netip.ParseAddrPort(target); err == nil && ap.Addr().Is6() && !ap.Addr().Is4In6() {
		return "::1"
	}
	return "127.0.0.1"
}
