package reference

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"sync"
)

// The DUT control contract's HTTP side (docs/dut-control.md), which the
// daemon serves beside its state API: POST /control/ACTION with
// {"peer": "ROUTER-ID"}. clear, shutdown and config-change act on the
// speaker (ALERT OPER/CLEAR, OPER/SHUT, OPER/CFG_CHANGE to the peer);
// originate and withdraw change its local routes, routes reads its paths
// to a prefix (Readout); terminate stops the
// daemon as SIGTERM does (in a process that is not the daemon it answers
// 501, the contract's "no such action").

// withControl serves the control contract under /control/ and state
// everything else.
// terminate, if set, ends the daemon (as SIGTERM does: ALERT OPER/TERM
// to every peer, then exit); without it terminate answers 501.
func withControl(state http.Handler, sp *Speaker, terminate func()) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", state)
	c := &controller{sp: sp, terminate: terminate}
	mux.HandleFunc("POST /control/{action}", c.serve)
	return mux
}

type controller struct {
	sp        *Speaker
	terminate func()
	mu        sync.Mutex
	toggled   bool // config-change alternates the hold time by one
}

func (c *controller) serve(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Peer   string       `json:"peer"`
		VPN    uint64       `json:"vpn"`
		Prefix netip.Prefix `json:"prefix"`
		Policy *string      `json:"policy"`
		TLOC   netip.Addr   `json:"tloc"`
		Color  uint8        `json:"color"`
		Encap  uint8        `json:"encap"`
	}
	a := r.PathValue("action")
	route := a == "originate" || a == "withdraw" || a == "routes"
	err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req)
	switch {
	case a == "policy" && (err != nil || req.Policy == nil):
		http.Error(w, `want {"policy": "TEXT"}`, http.StatusBadRequest)
		return
	case a == "policy":
	case (a == "originate-tloc" || a == "withdraw-tloc") && (err != nil || !req.TLOC.IsValid()):
		http.Error(w, `want {"tloc": "ADDRESS", "color": N, "encap": N}`, http.StatusBadRequest)
		return
	case a == "originate-tloc" || a == "withdraw-tloc":
	case route && (err != nil || !req.Prefix.IsValid()):
		http.Error(w, `want {"vpn": N, "prefix": "PREFIX"}`, http.StatusBadRequest)
		return
	case !route && (err != nil || req.Peer == ""):
		http.Error(w, `want {"peer": "ROUTER-ID"}`, http.StatusBadRequest)
		return
	}
	switch a {
	case "routes":
		ro, err := c.sp.ReadRoutes(req.VPN, req.Prefix)
		if err != nil {
			http.Error(w, err.Error(), http.StatusConflict)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(ro)
		return
	case "policy":
		err = c.sp.InstallPolicy([]byte(*req.Policy))
	case "originate-tloc":
		err = c.sp.OriginateTLOC(TLOCConfig{TLOCKey: TLOCKey{Address: req.TLOC, Color: req.Color, Encap: req.Encap}})
	case "withdraw-tloc":
		err = c.sp.WithdrawTLOC(TLOCKey{Address: req.TLOC, Color: req.Color, Encap: req.Encap})
	case "originate":
		err = c.sp.Originate(RouteConfig{VPN: req.VPN, Prefix: req.Prefix})
	case "withdraw":
		err = c.sp.WithdrawRoute(req.VPN, req.Prefix)
	case "clear":
		err = c.sp.Clear(req.Peer)
	case "shutdown":
		err = c.sp.Shutdown(req.Peer, true)
	case "config-change":
		err = c.configChange()
	case "terminate":
		if c.terminate == nil {
			http.Error(w, "terminate: send the process SIGTERM", http.StatusNotImplemented)
			return
		}
		// Answered first: the daemon's stop closes this server.
		w.WriteHeader(http.StatusAccepted)
		c.terminate()
		return
	default:
		http.Error(w, fmt.Sprintf("no action %q", a), http.StatusNotImplemented)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// configChange changes the configuration the way an operator would: the
// Hold Time offered goes one up, then back, so that every session's
// parameters change (OPER/CFG_CHANGE).
func (c *controller) configChange() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	cfg := c.sp.settings().Config
	if len(cfg.AuthKey) == 0 {
		cfg.AuthKeyID = 0 // a default of the settings, not a setting
	}
	h := c.sp.settings().holdTime
	if c.toggled {
		h--
	} else {
		h++
	}
	cfg.HoldTime = &h
	if err := c.sp.Reconfigure(cfg); err != nil {
		return err
	}
	c.toggled = !c.toggled
	return nil
}
