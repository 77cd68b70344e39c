package runner

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"

	"github.com/ompconform/ompconform/peers/reference"
	"github.com/ompconform/ompconform/suites/catalog"
)

// ReferenceRouterID is the router ID of the in-process reference DUT
// (fake peers use 10.0.0.0/8).
var ReferenceRouterID = netip.MustParseAddr("192.0.2.1")

// Reference is the Factory of the in-process reference implementation
// (peers/reference) in role r, listening on a loopback port. Its Control
// performs the operator actions: clear, shutdown and configuration change
// through the speaker's API, terminate by stopping the speaker and
// starting a new one on the same address (a process restart).
func Reference(r catalog.Role, logger *slog.Logger) Factory {
	return func(ctx context.Context) (DUT, error) {
		cfg := reference.Config{
			RouterID: ReferenceRouterID,
			SiteID:   1,
			DomainID: 1,
			Listen:   []string{"127.0.0.1:0"},
			Logger:   logger,
		}
		switch r {
		case catalog.Edge:
			cfg.Role = reference.RoleEdge
		case catalog.Hub:
			cfg.Role = reference.RoleHub
		default:
			cfg.Role, r = reference.RoleController, catalog.Controller
		}
		sp, err := reference.Start(context.WithoutCancel(ctx), cfg)
		if err != nil {
			return nil, fmt.Errorf("start the reference: %w", err)
		}
		return &refDUT{cfg: cfg, addr: sp.Addr().String(), role: r, sp: sp}, nil
	}
}

type refDUT struct {
	cfg  reference.Config // as started (Reconfigure compares with it)
	addr string           // the address it listens on
	role catalog.Role
	mu   sync.Mutex
	sp   *reference.Speaker
	hold uint16 // toggled by configuration changes
}

func (d *refDUT) speaker() *reference.Speaker {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.sp
}

func (d *refDUT) Target() Target {
	return Target{Addr: d.addr, Role: d.role, Control: d.control, Name: "reference (in-process, " + d.role.String() + ")"}
}

func (d *refDUT) Close() error { return d.speaker().Close() }

func (d *refDUT) control(ctx context.Context, a catalog.Action, peer netip.Addr) error {
	sp := d.speaker()
	switch a {
	case catalog.ActClear:
		return sp.Clear(peer.String())
	case catalog.ActShutdown:
		return sp.Shutdown(peer.String(), true)
	case catalog.ActCfgChange:
		d.mu.Lock()
		cfg := d.cfg
		if d.hold == 61 {
			d.hold = 60
		} else {
			d.hold = 61
		}
		h := d.hold
		d.mu.Unlock()
		cfg.HoldTime = &h
		return sp.Reconfigure(cfg)
	case catalog.ActTerminate:
		sp.Close()
		cfg := d.cfg
		cfg.Listen = []string{d.addr}
		nsp, err := reference.Start(context.WithoutCancel(ctx), cfg)
		if err != nil {
			return fmt.Errorf("restart the reference: %w", err)
		}
		d.mu.Lock()
		d.sp = nsp
		d.mu.Unlock()
		return nil
	}
	return catalog.ErrNoControl
}
