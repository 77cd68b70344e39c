package netfuzz

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/ompconform/ompconform/dut"
	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/peers/fake"
	"github.com/ompconform/ompconform/peers/reference"
)

// discoverRouterID is the router ID of the HANDSHAKE the fuzzer sends
// when it learns the DUT's (10.200.0.0/16 are the fuzz sessions').
var discoverRouterID = netip.MustParseAddr("10.199.0.1")

// RefRouterID is the in-process reference's router ID.
var RefRouterID = netip.MustParseAddr("10.254.0.1")

// device is the device under test as a run holds it: the DUT its
// factory started (or reached), which restart replaces, and what the
// DUT's HANDSHAKE said it is.
type device struct {
	start     dut.Factory
	restarts  bool // the factory starts the DUT (not a remote one)
	inProcess bool // the in-process reference
	// faults are the in-process reference's deliberate faults.
	faults []reference.Fault
	cur    dut.DUT
	addr   string
	role   omp.Role // the DUT's role (configured or learned)
	unit   time.Duration

	// Learned from its HANDSHAKE (dut.Profile).
	domain   uint32
	overlay  uint32
	hold     uint16 // the DUT's offered Hold Time
	refresh  bool   // it offers REFRESH
	probeFam omp.Family
	routerID netip.Addr
	waits    bool // it speaks only once spoken to (dut.Profile.Waits)
	// offerHold is the Hold Time the fake peers offer (Config.HoldTime).
	offerHold uint16
	// families are the MP families the fake peers offer when the DUT
	// lacks some of the default four (offerFor); nil: the default.
	families []omp.Family
}

// startDUT starts (or reaches) cfg's DUT: cfg.DUT's, else the target,
// else the reference in-process; and learns its HANDSHAKE.
func startDUT(ctx context.Context, cfg Config) (*device, error) {
	d := &device{start: cfg.DUT, restarts: cfg.DUT != nil, role: cfg.Role, unit: cfg.TimeUnit, offerHold: cfg.HoldTime}
	switch {
	case cfg.DUT != nil:
	case cfg.Target == "":
		d.inProcess, d.restarts = true, true
		d.faults = cfg.Faults
		if d.role == 0 {
			d.role = omp.RoleController
		}
		d.start = dut.ReferenceFrom(referenceConfig(d.role, cfg))
	default:
		d.start = dut.Remote(dut.Target{Addr: cfg.Target})
	}
	if err := d.launch(ctx, cfg.Revive); err != nil {
		return nil, err
	}
	return d, nil
}

// referenceConfig is the in-process reference the fuzzer starts: fast
// timers (cfg.TimeUnit), short handshake and write timeouts, cfg.Faults.
func referenceConfig(r omp.Role, cfg Config) reference.Config {
	gr := uint32(10)
	return reference.Config{
		Role: r, RouterID: RefRouterID, SiteID: 1, DomainID: 1,
		Listen:           []string{"127.0.0.1:0"},
		GRInterval:       &gr,
		TimeUnit:         cfg.TimeUnit,
		HandshakeTimeout: 2 * time.Second,
		WriteTimeout:     2 * time.Second,
		Faults:           cfg.Faults,
	}
}

// launch starts the DUT and learns its HANDSHAKE within revive.
func (d *device) launch(ctx context.Context, revive time.Duration) error {
	cur, err := d.start(ctx)
	if err != nil {
		return fmt.Errorf("netfuzz: %w", err)
	}
	d.cur, d.addr = cur, cur.Target().Addr
	// The HANDSHAKE a fake peer opens with, as far as it is known before
	// the DUT's (its Domain and Overlay ID are taken as 1, its families
	// as the default four): a DUT that waits for it before sending its
	// own is learned too.
	pt := d.role.Counterpart().PeerType()
	hs := fake.Config{RouterID: discoverRouterID, SiteID: 999, DomainID: 1, OverlayID: 1, HoldTime: d.offerHold, PeerType: pt,
		Capabilities: omp.DefaultCapabilities(pt, 1)}.Handshake()
	p, err := dut.Discover(ctx, cur.Target(), localFor(d.addr), revive, hs)
	if err != nil {
		d.close()
		return fmt.Errorf("netfuzz: %w", err)
	}
	d.learn(p)
	return nil
}

// restart replaces a DUT that died; false for a remote DUT, or one that
// did not come back.
func (d *device) restart(ctx context.Context, revive time.Duration) bool {
	if !d.restarts {
		return false
	}
	d.close()
	return d.launch(ctx, revive) == nil
}

func (d *device) close() {
	if d.cur != nil {
		d.cur.Close()
		d.cur = nil
	}
}

func (d *device) describe() string {
	if d.inProcess && len(d.faults) > 0 {
		return fmt.Sprintf("reference %s (in-process, %s, faults %v)", d.role, d.addr, d.faults)
	}
	if d.inProcess {
		return fmt.Sprintf("reference %s (in-process, %s)", d.role, d.addr)
	}
	return fmt.Sprintf("%s (%s)", d.addr, d.role)
}

// learn takes the fake peers' parameters from the DUT's profile: its
// role (unless configured; unknown: a controller), Domain ID, Overlay
// ID, Hold Time, router ID, whether it offers REFRESH, and the family of
// the probe (its first vRoute or TLOC family, else IPv4 vRoute).
func (d *device) learn(p dut.Profile) {
	d.domain, d.overlay, d.hold, d.refresh, d.routerID = p.DomainID, p.OverlayID, p.HoldTime, p.Refresh, p.RouterID
	if d.role == 0 {
		d.role = p.Role
	}
	if d.role == 0 {
		d.role = omp.RoleController
	}
	d.families = offerFor(p.Families)
	d.waits = p.Waits
	d.probeFam = omp.Family{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}
	for _, f := range p.Families {
		if (f.SAFI == omp.SAFIVRoute || f.SAFI == omp.SAFITLOC) && (f.AFI == omp.AFIIPv4 || f.AFI == omp.AFIIPv6) {
			d.probeFam = f
			break
		}
	}
}

// offerFor is what the fake peers offer a DUT that carries the MP
// families carried, so that a DUT which refuses a family it does not
// carry (as the reference does) still opens sessions: nil (the default
// four) when it carries them all or sent no MP capability; else the
// defaults it carries; else, if it carries none of them, its own.
func offerFor(carried []omp.Family) []omp.Family {
	if len(carried) == 0 {
		return nil
	}
	def := omp.DefaultFamilies()
	common := slices.DeleteFunc(slices.Clone(def), func(f omp.Family) bool { return !slices.Contains(carried, f) })
	switch {
	case len(common) == len(def):
		return nil
	case len(common) == 0:
		return carried
	}
	return common
}

// harnessType is the Peer Type the fake peer announces.
func (d *device) harnessType() omp.PeerType { return d.role.Counterpart().PeerType() }

// localFor is the fake peer's source address towards target: loopback
// of the same family.
func localFor(target string) string {
	if ap, err := netip.ParseAddrPort(target); err == nil && ap.Addr().Is6() && !ap.Addr().Is4In6() {
		return "::1"
	}
	return "127.0.0.1"
}
