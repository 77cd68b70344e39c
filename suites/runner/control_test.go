package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ompconform/ompconform/dut/control"
	"github.com/ompconform/ompconform/omp"
)

var ctlPeer = netip.MustParseAddr("10.0.1.2")

// The HTTP adapter: 2xx is done, 501 is an action it lacks (ErrUnsupported,
// the case UNSUPPORTED), anything else an error.
func TestHTTPControl(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Peer, Prefix string
			VPN          uint64
		}
		json.NewDecoder(r.Body).Decode(&body)
		got = append(got, r.Method+" "+r.URL.Path+" "+body.Peer+body.Prefix+fmt.Sprint(body.VPN))
		switch {
		case strings.HasSuffix(r.URL.Path, "/terminate"):
			w.WriteHeader(http.StatusNotImplemented)
		case strings.HasSuffix(r.URL.Path, "/shutdown"):
			http.Error(w, "no such peer", http.StatusConflict)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	defer srv.Close()
	ctl, err := Control(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	checkControl(t, ctl, "no such peer")
	if got[0] != "POST /control/clear 10.0.1.20" || got[3] != "POST /control/originate 10.9.0.0/247" {
		t.Errorf("requests %q", got)
	}
}

// checkControl drives an adapter whose DUT can clear and originate, lacks
// terminate, and fails shutdown with an error that says shutdownErr.
func checkControl(t *testing.T, ctl func(context.Context, control.Request) ([]byte, error), shutdownErr string) {
	t.Helper()
	ctx := context.Background()
	if _, err := ctl(ctx, control.Request{Action: control.Clear, Peer: ctlPeer}); err != nil {
		t.Errorf("clear: %v", err)
	}
	if _, err := ctl(ctx, control.Request{Action: control.Terminate, Peer: ctlPeer}); !errors.Is(err, control.ErrUnsupported) {
		t.Errorf("terminate: %v, want ErrUnsupported", err)
	}
	if _, err := ctl(ctx, control.Request{Action: control.Shutdown, Peer: ctlPeer}); err == nil || errors.Is(err, control.ErrUnsupported) || !strings.Contains(err.Error(), shutdownErr) {
		t.Errorf("shutdown: %v, want the adapter's error", err)
	}
	if _, err := ctl(ctx, control.Request{Action: control.Originate, VPN: 7, Prefix: netip.MustParsePrefix("10.9.0.0/24")}); err != nil {
		t.Errorf("originate: %v", err)
	}
}

// The exec adapter: {action} and {peer} replaced, exit 0 done, 3 an
// action it lacks, other exits an error with the output.
func TestExecControl(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	script := filepath.Join(dir, "ctl.sh")
	os.WriteFile(script, []byte("#!/bin/sh\necho \"$1 $2 $3 $4\" >> "+log+"\ncase $1 in clear|originate) exit 0;; routes) echo '{\"paths\":[]}'; echo noise >&2; exit 0;; terminate) exit 3;; *) echo broken; exit 1;; esac\n"), 0o755)
	ctl, err := Control("exec:" + script + " {action} {peer} {vpn} {prefix}")
	if err != nil {
		t.Fatal(err)
	}
	checkControl(t, ctl, "broken")
	if out, err := ctl(context.Background(), control.Request{Action: control.Routes, VPN: 7, Prefix: netip.MustParsePrefix("10.9.0.0/24")}); err != nil || string(out) != "{\"paths\":[]}\n" {
		t.Errorf("routes: %q, %v: want the command's stdout", out, err)
	}
	if b, _ := os.ReadFile(log); !strings.HasPrefix(string(b), "clear 10.0.1.2 ") || !strings.Contains(string(b), "originate  7 10.9.0.0/24\n") {
		t.Errorf("the command saw %q", b)
	}
	for _, bad := range []string{"exec:", "ftp://x", ""} {
		if _, err := Control(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// What the harness sends is what the DUT's side reads: each action's
// request, sent by the HTTP adapter and by the exec adapter around
// docs/examples/dut-control.sh (curl), decodes at the endpoint
// (control.Decode, the reference's) into the same control.Request.
func TestControlRoundTrip(t *testing.T) {
	prefix := netip.MustParsePrefix("198.18.77.0/24")
	tloc := omp.TLOCNLRI{Address: netip.MustParseAddr("198.19.0.7"), Color: 1, Encap: 2}
	var reqs []control.Request
	for _, a := range []control.Action{control.Clear, control.Shutdown, control.CfgChange, control.Terminate} {
		reqs = append(reqs, control.Request{Action: a, Peer: ctlPeer})
	}
	for _, a := range []control.Action{control.Originate, control.Withdraw, control.Routes} {
		reqs = append(reqs, control.Request{Action: a, VPN: 10007, Prefix: prefix})
	}
	reqs = append(reqs, control.Request{Action: control.OriginateTLOC, TLOC: tloc}, control.Request{Action: control.WithdrawTLOC, TLOC: tloc},
		control.Request{Action: control.Policy, Policy: "rule 10 match vpn 10007 prefix 198.18.9.0/24 then reject\nrule 20 \"then\" accept \\"},
		control.Request{Action: control.Policy})
	var mu sync.Mutex
	var got []control.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := control.Decode(strings.TrimPrefix(r.URL.Path, "/control/"), r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		got = append(got, req)
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	adapters := []string{srv.URL}
	if _, err := exec.LookPath("curl"); err == nil {
		script, err := filepath.Abs("../../docs/examples/dut-control.sh")
		if err != nil {
			t.Fatal(err)
		}
		t.Setenv("OMP_STATE_API", srv.URL)
		adapters = append(adapters, "exec:"+script+" {action} {peer} {vpn} {prefix} {policy} {tloc} {color} {encap}")
	}
	for _, spec := range adapters {
		ctl, err := Control(spec)
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		got = nil
		mu.Unlock()
		for _, r := range reqs {
			if _, err := ctl(context.Background(), r); err != nil {
				t.Errorf("%s: %s: %v", spec, r.Action, err)
			}
		}
		mu.Lock()
		if !slices.Equal(got, reqs) {
			t.Errorf("%s: the endpoint read\n%+v\nwant\n%+v", spec, got, reqs)
		}
		mu.Unlock()
	}
}
