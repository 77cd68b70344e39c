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
	"path/filepath"
	"strings"
	"testing"

	"github.com/ompconform/ompconform/suites/catalog"
)

var ctlPeer = netip.MustParseAddr("10.0.1.2")

// The HTTP adapter: 2xx is done, 501 is an action it lacks (ErrNoControl,
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
func checkControl(t *testing.T, ctl func(context.Context, catalog.Request) ([]byte, error), shutdownErr string) {
	t.Helper()
	ctx := context.Background()
	if _, err := ctl(ctx, catalog.Request{Action: catalog.ActClear, Peer: ctlPeer}); err != nil {
		t.Errorf("clear: %v", err)
	}
	if _, err := ctl(ctx, catalog.Request{Action: catalog.ActTerminate, Peer: ctlPeer}); !errors.Is(err, catalog.ErrNoControl) {
		t.Errorf("terminate: %v, want ErrNoControl", err)
	}
	if _, err := ctl(ctx, catalog.Request{Action: catalog.ActShutdown, Peer: ctlPeer}); err == nil || errors.Is(err, catalog.ErrNoControl) || !strings.Contains(err.Error(), shutdownErr) {
		t.Errorf("shutdown: %v, want the adapter's error", err)
	}
	if _, err := ctl(ctx, catalog.Request{Action: catalog.ActOriginate, VPN: 7, Prefix: netip.MustParsePrefix("10.9.0.0/24")}); err != nil {
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
	if out, err := ctl(context.Background(), catalog.Request{Action: catalog.ActRoutes, VPN: 7, Prefix: netip.MustParsePrefix("10.9.0.0/24")}); err != nil || string(out) != "{\"paths\":[]}\n" {
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
