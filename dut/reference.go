package dut

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"

	"github.com/ompconform/ompconform/dut/control"
	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/peers/reference"
	"github.com/ompconform/ompconform/suites/catalog"
)

// ReferenceRouterID is the router ID of the in-process reference DUT
// (fake peers use 10.0.0.0/8).
var ReferenceRouterID = netip.MustParseAddr("192.0.2.1")

// ReferenceOverlayID is the in-process reference's Overlay ID.
const ReferenceOverlayID = 5

// ReferenceHoldTime is the Hold Time the in-process reference offers:
// shorter than the daemon's default (omp.DefaultHoldTime), so that the
// cases that wait on the DUT's own offer (HLD-007, HLD-010, HLD-011: up
// to one of it) take seconds, not the daemon default's minute.
const ReferenceHoldTime uint16 = 9

var (
	referenceTLOC   = reference.TLOCKey{Address: netip.MustParseAddr("198.51.100.1"), Color: 1, Encap: uint8(omp.EncapIPsec)}
	referenceTLOCs  = []reference.TLOCConfig{{TLOCKey: referenceTLOC}}
	referenceRoutes = []reference.RouteConfig{{VPN: 1, Prefix: netip.MustParsePrefix("10.255.0.0/24"), TLOC: referenceTLOC, Origin: "connected"}}
)

// Reference is the Factory of the in-process reference implementation
// (peers/reference) as the catalogue tests it, in role r (0: a
// controller), listening on a loopback port: ReferenceFrom with
// ReferenceConfig. faults are deliberate bugs (reference.Faults) the
// reference is started with: `make prove` shows that the catalogue
// catches each.
func Reference(r catalog.Role, logger *slog.Logger, faults ...reference.Fault) Factory {
	cfg := ReferenceConfig(r.Personality())
	cfg.Logger, cfg.Faults = logger, faults
	return ReferenceFrom(cfg)
}

// ReferenceConfig is the configuration of the in-process reference in
// role r (0: a controller) that the catalogue is written against.
func ReferenceConfig(r omp.Role) reference.Config {
	cfg := reference.Config{
		Role:     r,
		RouterID: ReferenceRouterID,
		SiteID:   1,
		DomainID: 1,
		// An overlay of its own, as a deployed controller has: the fake
		// peers learn it from its HANDSHAKE (HS-121 needs one).
		OverlayID: ReferenceOverlayID,
		HoldTime:  new(ReferenceHoldTime),
		Listen:    []string{"127.0.0.1:0"},
	}
	if cfg.Role == 0 {
		cfg.Role = omp.RoleController
	}
	if cfg.Role != omp.RoleController {
		// An SDN router has a TLOC and a route of its own, which it
		// advertises to its controller (INF-015).
		cfg.TLOCs, cfg.Routes = referenceTLOCs, referenceRoutes
	}
	return cfg
}

// ReferenceFrom is the Factory of the in-process reference started with
// cfg (cfg.Listen: a loopback port). Its Control performs the operator
// actions through the reference's own dispatcher (reference.Control, as
// the daemon's control endpoint does), terminate by stopping the speaker
// and starting a new one on the same address (a process restart). Each call starts a new
// speaker, on a port of its own.
func ReferenceFrom(cfg reference.Config) Factory {
	return func(ctx context.Context) (DUT, error) {
		sp, err := reference.Start(context.WithoutCancel(ctx), cfg)
		if err != nil {
			return nil, fmt.Errorf("start the reference: %w", err)
		}
		d := &refDUT{cfg: cfg, addr: sp.Addr().String(), role: catalog.RoleSet(cfg.Role), sp: sp}
		d.ctl = reference.NewControl(sp, d.restart)
		return d, nil
	}
}

type refDUT struct {
	cfg  reference.Config // as started (a restart starts it again)
	addr string           // the address it listens on
	role catalog.Role
	mu   sync.Mutex
	sp   *reference.Speaker
	ctl  *reference.Control // sp's
}

func (d *refDUT) speaker() *reference.Speaker {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.sp
}

func (d *refDUT) Target() Target {
	name := "reference (in-process, " + d.role.String() + ")"
	if len(d.cfg.Faults) > 0 {
		name = fmt.Sprintf("reference (in-process, %s, faults %v)", d.role, d.cfg.Faults)
	}
	return Target{Addr: d.addr, Role: d.role, Control: d.answer, Name: name}
}

func (d *refDUT) Close() error { return d.speaker().Close() }

// answer performs r through the reference's own dispatcher
// (reference.Control), as the daemon's control endpoint does; its
// terminate is restart.
func (d *refDUT) answer(ctx context.Context, r control.Request) ([]byte, error) {
	d.mu.Lock()
	ctl := d.ctl
	d.mu.Unlock()
	return ctl.Do(ctx, r)
}

// restart stops the speaker and starts a new one on the same address, as
// the process would start again.
func (d *refDUT) restart(ctx context.Context) error {
	d.speaker().Close()
	cfg := d.cfg
	cfg.Listen = []string{d.addr}
	sp, err := reference.Start(context.WithoutCancel(ctx), cfg)
	if err != nil {
		return fmt.Errorf("restart the reference: %w", err)
	}
	d.mu.Lock()
	d.sp, d.ctl = sp, reference.NewControl(sp, d.restart)
	d.mu.Unlock()
	return nil
}
