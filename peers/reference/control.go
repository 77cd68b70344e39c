package reference

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"sync"

	"github.com/ompconform/ompconform/dut/control"
)

// The DUT control contract's DUT side (docs/dut-control.md, package
// dut/control): Control performs its actions on a speaker, for the
// daemon's endpoint (POST /control/ACTION beside its state API) and for
// the in-process DUT (package dut). clear, shutdown and config-change
// act on the speaker (ALERT OPER/CLEAR, OPER/SHUT, OPER/CFG_CHANGE to
// the peer); originate and withdraw change its local routes, routes
// reads its paths to a prefix (control.Readout); terminate stops the
// process (in a process that cannot, it answers 501, the contract's "no
// such action").

// withControl serves the control contract under /control/ and state
// everything else.
// terminate, if set, ends the daemon (as SIGTERM does: ALERT OPER/TERM
// to every peer, then exit); without it terminate answers 501.
func withControl(state http.Handler, sp *Speaker, terminate func()) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", state)
	var term func(context.Context) error
	if terminate != nil {
		term = func(context.Context) error { terminate(); return nil }
	}
	mux.HandleFunc("POST /control/{action}", NewControl(sp, term).serve)
	return mux
}

// Control performs the DUT control contract's actions on a speaker.
type Control struct {
	sp        *Speaker
	terminate func(context.Context) error
	mu        sync.Mutex
	toggled   bool   // config-change alternates the hold time
	before    uint16 // the hold time config-change goes back to
}

// NewControl is the Control of sp. terminate, if set, terminates the
// process (the daemon: as SIGTERM does; the in-process DUT: a new
// speaker in sp's place); without it terminate is
// control.ErrUnsupported.
func NewControl(sp *Speaker, terminate func(context.Context) error) *Control {
	return &Control{sp: sp, terminate: terminate}
}

// Do performs r: routes answers the contract's Readout as JSON, the
// other actions nothing. An action the speaker cannot perform is
// control.ErrUnsupported; one that fails (no such peer, route or TLOC; a
// policy that does not parse) is another error.
func (c *Control) Do(ctx context.Context, r control.Request) ([]byte, error) {
	sp := c.sp
	switch r.Action {
	case control.Routes:
		ro, err := sp.ReadRoutes(r.VPN, r.Prefix)
		if err != nil {
			return nil, err
		}
		return json.Marshal(ro)
	case control.Policy:
		return nil, sp.InstallPolicy([]byte(r.Policy))
	case control.OriginateTLOC:
		return nil, sp.OriginateTLOC(TLOCConfig{TLOCKey: TLOCKey{Address: r.TLOC.Address, Color: r.TLOC.Color, Encap: r.TLOC.Encap}})
	case control.WithdrawTLOC:
		return nil, sp.WithdrawTLOC(TLOCKey{Address: r.TLOC.Address, Color: r.TLOC.Color, Encap: r.TLOC.Encap})
	case control.Originate:
		return nil, sp.Originate(RouteConfig{VPN: r.VPN, Prefix: r.Prefix})
	case control.Withdraw:
		return nil, sp.WithdrawRoute(r.VPN, r.Prefix)
	case control.Clear:
		return nil, sp.Clear(r.Name())
	case control.Shutdown:
		return nil, sp.Shutdown(r.Name(), true)
	case control.CfgChange:
		return nil, c.configChange()
	case control.Terminate:
		if c.terminate == nil {
			return nil, fmt.Errorf("%w: terminate: send the process SIGTERM", control.ErrUnsupported)
		}
		return nil, c.terminate(ctx)
	}
	return nil, fmt.Errorf("%w: no action %v", control.ErrUnsupported, r.Action)
}

// serve is the contract's HTTP side: 204 for an action done (200 with
// routes' answer), 400 for a body without what the action needs, 409 for
// an action that failed, 501 for one there is not.
func (c *Control) serve(w http.ResponseWriter, r *http.Request) {
	req, err := control.Decode(r.PathValue("action"), r.Body)
	var bad *control.BadBody
	switch {
	case errors.As(err, &bad):
		http.Error(w, bad.Error(), http.StatusBadRequest)
		return
	case err != nil:
		http.Error(w, err.Error(), http.StatusNotImplemented)
		return
	case req.Action == control.Terminate && c.terminate != nil:
		// Answered first: the daemon's stop closes this server.
		w.WriteHeader(http.StatusAccepted)
		c.Do(r.Context(), req)
		return
	}
	answer, err := c.Do(r.Context(), req)
	switch {
	case errors.Is(err, control.ErrUnsupported):
		http.Error(w, err.Error(), http.StatusNotImplemented)
	case err != nil:
		http.Error(w, err.Error(), http.StatusConflict)
	case answer != nil:
		w.Header().Set("Content-Type", "application/json")
		w.Write(answer)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// configChange changes the configuration the way an operator would: the
// Hold Time offered goes one up (from 0, no HELLOs, to 3, the least
// offered; from 65535 one down), then back, so that every session's
// parameters change (OPER/CFG_CHANGE).
func (c *Control) configChange() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	cfg := c.sp.settings().Config
	if len(cfg.AuthKey) == 0 {
		cfg.AuthKeyID = 0 // a default of the settings, not a setting
	}
	h := c.sp.settings().holdTime
	switch {
	case c.toggled:
		h = c.before
	case h == 0:
		c.before, h = h, 3 // 1 and 2 are not hold times
	case h == math.MaxUint16:
		c.before, h = h, h-1
	default:
		c.before, h = h, h+1
	}
	cfg.HoldTime = &h
	if err := c.sp.Reconfigure(cfg); err != nil {
		return err
	}
	c.toggled = !c.toggled
	return nil
}
