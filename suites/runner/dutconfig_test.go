package runner

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/ompconform/ompconform/dut"
	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/suites/catalog"
)

// A DUT whose Router ID is one the fake peers would take (10.s.s.n: case
// run s's peer n-1) is never sent a peer of its own Router ID: every case
// opens its sessions, whichever of the first runs (the probes, the cases)
// it meets (a DUT configured as 10.1.1.1 failed case run 257 with OMPID).
func TestFakePeersAvoidTheDUTsRouterID(t *testing.T) {
	cases, err := catalog.Select(catalog.All(), "", []string{"HS-001", "UPD-001", "RFL-001"})
	if err != nil {
		t.Fatal(err)
	}
	for s := 1; s <= 8; s++ {
		cfg := dut.ReferenceConfig(omp.RoleController)
		cfg.RouterID = netip.AddrFrom4([4]byte{10, 0, byte(s), 1})
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		rep, err := Run(ctx, Config{Factory: dut.ReferenceFrom(cfg), Env: fastEnv()}, cases)
		cancel()
		if err != nil {
			t.Errorf("DUT %s: %v", cfg.RouterID, err)
			continue
		}
		for _, r := range rep.Results {
			if r.Grade != catalog.Pass {
				t.Errorf("DUT %s: %s %s (%s)", cfg.RouterID, r.ID, r.Grade, r.Reason)
			}
		}
	}
}

func TestClashes(t *testing.T) {
	dutHS := &omp.Handshake{PeerRouterID: netip.MustParseAddr("10.1.1.1"), SiteID: 100000 + 300*64 + 5}
	for _, c := range []struct {
		seq  int
		want bool
	}{{256, false}, {257, true}, {258, false}, {299, false}, {300, true}, {0x10000 + 257, true}} {
		e := catalog.Env{Seq: c.seq, DUT: dutHS}
		if got := e.Clashes(); got != c.want {
			t.Errorf("Seq %d: Clashes %v, want %v", c.seq, got, c.want)
		}
		if p := e.Peer(0); !c.want && (p.RouterID == dutHS.PeerRouterID || p.SiteID == dutHS.SiteID) {
			t.Errorf("Seq %d: peer0 %v takes the DUT's identity, and Clashes said no", c.seq, p)
		}
	}
	if (&catalog.Env{Seq: 257}).Clashes() {
		t.Error("a DUT not yet known clashes with nothing")
	}
}

// A DUT that offers no REFRESH still ends its initial advertisement with
// EOR; the opening takes it, so NEG-004 does not read it as an answer to
// the REFRESH_REQUEST it sends (the reference without REFRESH failed so).
func TestInitialEORWithoutRefresh(t *testing.T) {
	cfg := dut.ReferenceConfig(omp.RoleController)
	cfg.NoRefresh = true
	cases, err := catalog.Select(catalog.All(), "", []string{"NEG-004"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rep, err := Run(ctx, Config{Factory: dut.ReferenceFrom(cfg), Env: fastEnv()}, cases)
	if err != nil {
		t.Fatal(err)
	}
	// NEG-004 is INFORMATIONAL: INFO, and its expectation held.
	if r := rep.Results[0]; r.Grade != catalog.Info || strings.Contains(r.Reason, "would grade") {
		t.Errorf("NEG-004 against a DUT without REFRESH: %s, received %q (%s)", r.Grade, r.Received, r.Reason)
	}
}
