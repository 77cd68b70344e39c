package reference

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
)

// The DUT control contract's HTTP side (docs/dut-control.md), which the
// daemon serves beside its state API: POST /control/ACTION with
// {"peer": "ROUTER-ID"}. clear, shutdown and config-change act on the
// speaker (ALERT OPER/CLEAR, OPER/SHUT, OPER/CFG_CHANGE to the peer);
// terminate is the process's own (SIGTERM) and answers 501, the
// contract's "no such action".

// withControl serves the control contract under /control/ and state
// everything else.
func withControl(state http.Handler, sp *Speaker) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", state)
	c := &controller{sp: sp}
	mux.HandleFunc("POST /control/{action}", c.serve)
	return mux
}

type controller struct {
	sp      *Speaker
	mu      sync.Mutex
	toggled bool // config-change alternates the hold time by one
}

func (c *controller) serve(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Peer string `json:"peer"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&req); err != nil || req.Peer == "" {
		http.Error(w, `want {"peer": "ROUTER-ID"}`, http.StatusBadRequest)
		return
	}
	var err error
	switch a := r.PathValue("action"); a {
	case "clear":
		err = c.sp.Clear(req.Peer)
	case "shutdown":
		err = c.sp.Shutdown(req.Peer, true)
	case "config-change":
		err = c.configChange()
	case "terminate":
		http.Error(w, "terminate: send the daemon SIGTERM", http.StatusNotImplemented)
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
