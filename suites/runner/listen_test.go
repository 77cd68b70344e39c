package runner

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/ompconform/ompconform/dut"
	"github.com/ompconform/ompconform/internal/testdut"
	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/peers/reference"
	"github.com/ompconform/ompconform/suites/catalog"
)

// startDialingEdge starts the reference speaker as an edge that dials
// controller at addr (and listens on nothing), redialling quickly.
func startDialingEdge(t testing.TB, addr string, listen ...string) *reference.Speaker {
	t.Helper()
	own := dut.ReferenceConfig(omp.RoleEdge) // an SDN router's transport and route
	sp, err := reference.Start(context.Background(), reference.Config{
		Listen:           listen,
		Role:             omp.RoleEdge,
		RouterID:         netip.MustParseAddr("192.0.2.7"),
		SiteID:           7,
		DomainID:         1,
		Neighbors:        []reference.Neighbor{{Address: addr}},
		TLOCs:            own.TLOCs,
		Routes:           own.Routes,
		ConnectRetry:     20 * time.Millisecond,
		ConnectRetryMax:  100 * time.Millisecond,
		HandshakeTimeout: 10 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sp.Close() })
	return sp
}

// Listen mode against the reference as an edge that dials in: every case
// of a representative subset passes, or is SKIPPED or UNSUPPORTED (those
// that need a second fake peer, which an edge that only dials cannot
// give), none FAIL or ERROR; and they run one at a time.
func TestListenModeAgainstDialingEdge(t *testing.T) {
	addr := testdut.FreeAddr(t)
	startDialingEdge(t, addr)
	cases, err := catalog.Select(catalog.All(), "", []string{"HDR-*", "HS-0*", "UPD-01*"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	env := fastEnv()
	env.Answer = time.Second
	rep, err := Run(ctx, Config{
		Factory: dut.Remote(Target{Name: "reference edge"}), Env: env, Parallel: 4,
		Listen: addr, AcceptTimeout: 5 * time.Second,
	}, cases)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Role != catalog.Edge {
		t.Errorf("role %s, want edge from the IDENTITY", rep.Role)
	}
	if !strings.Contains(rep.Target, "dialling in to "+addr) {
		t.Errorf("target %q", rep.Target)
	}
	ReferenceBaseline().Apply(rep)
	counts := map[catalog.Grade]int{}
	for _, r := range rep.Results {
		counts[r.Grade]++
		switch r.Grade {
		case catalog.Pass, catalog.Info, catalog.Skipped, catalog.Unsupported:
		default:
			if r.Baseline != "" {
				continue
			}
			t.Errorf("%s: %s: expected %s; received %s (%s) liveness %q", r.ID, r.Grade, r.Expected, r.Received, r.Reason, r.Liveness)
		}
	}
	t.Logf("%d cases: %v", len(rep.Results), counts)
	for _, r := range rep.Results {
		if r.Grade == catalog.Unsupported {
			t.Logf("%s UNSUPPORTED: %s; %s", r.ID, r.Reason, r.Received)
			continue
		}
		if r.Grade != catalog.Pass {
			continue
		}
		accepted := false
		for _, e := range r.Transcript {
			accepted = accepted || e.Peer == "peer0" && strings.HasPrefix(e.Note, "accepted DUT")
		}
		if !accepted {
			t.Errorf("%s: peer0 did not accept the DUT's connection", r.ID)
		}
	}
	if counts[catalog.Pass] < len(rep.Results)/2 {
		t.Errorf("only %d of %d cases passed", counts[catalog.Pass], len(rep.Results))
	}
	// One at a time: no two cases overlap.
	for i := range rep.Results {
		for j := range rep.Results {
			a, b := &rep.Results[i], &rep.Results[j]
			if i != j && a.Grade != catalog.Skipped && b.Grade != catalog.Skipped &&
				a.Start.Before(b.Start) && b.Start.Before(a.Start.Add(a.Duration)) {
				t.Errorf("%s and %s ran at the same time", a.ID, b.ID)
			}
		}
	}
}

// Listen mode against a DUT that also listens: fake peer 0 takes the
// DUT's connection, peer 1 dials the DUT.
func TestListenModeSecondPeerDials(t *testing.T) {
	addr := testdut.FreeAddr(t)
	sp := startDialingEdge(t, addr, "127.0.0.1:0")
	cases, err := catalog.Select(catalog.All(), "", []string{"HS-022"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rep, err := Run(ctx, Config{Factory: dut.Remote(Target{Addr: sp.Addr().String()}), Env: fastEnv(), Listen: addr, AcceptTimeout: 5 * time.Second}, cases)
	if err != nil {
		t.Fatal(err)
	}
	r := rep.Results[0]
	if r.Grade != catalog.Pass {
		t.Fatalf("%s: %s (%s; received %s)", r.ID, r.Grade, r.Reason, r.Received)
	}
	seen := map[string]string{}
	for _, e := range r.Transcript {
		if seen[e.Peer] == "" && (strings.HasPrefix(e.Note, "accepted DUT") || strings.HasPrefix(e.Note, "connected to DUT")) {
			seen[e.Peer] = e.Note
		}
	}
	if !strings.HasPrefix(seen["peer0"], "accepted") || !strings.HasPrefix(seen["peer1"], "connected") {
		t.Errorf("peer0 %q, peer1 %q: want peer0 accepted, peer1 dialled", seen["peer0"], seen["peer1"])
	}
}

// Timer cases run in listen mode too, one at a time like the rest (real
// seconds: a hold time of 3 s is the least a DUT takes).
func TestListenModeTimerCases(t *testing.T) {
	if testing.Short() {
		t.Skip("timer cases wait on seconds")
	}
	addr := testdut.FreeAddr(t)
	startDialingEdge(t, addr)
	cases, err := catalog.Select(catalog.All(), "", []string{"HLD-003", "HLD-004"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	env := fastEnv()
	env.Answer, env.Tolerance = 1500*time.Millisecond, 500*time.Millisecond
	rep, err := Run(ctx, Config{Factory: dut.Remote(Target{}), Env: env, Listen: addr, AcceptTimeout: 5 * time.Second}, cases)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Results {
		if r.Grade != catalog.Pass {
			t.Errorf("%s: %s (%s; received %s)", r.ID, r.Grade, r.Reason, r.Received)
		}
	}
	a, b := rep.Results[0], rep.Results[1]
	if a.Start.Before(b.Start) && b.Start.Before(a.Start.Add(a.Duration)) || b.Start.Before(a.Start) && a.Start.Before(b.Start.Add(b.Duration)) {
		t.Errorf("the timer cases overlapped")
	}
}

// Listen mode with a DUT that never dials: the run stops before the
// first case with one error.
func TestListenModeDUTNeverDials(t *testing.T) {
	cases, err := catalog.Select(catalog.All(), "", []string{"HDR-00*"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	_, err = Run(ctx, Config{Factory: dut.Remote(Target{}), Env: fastEnv(), Listen: "127.0.0.1:0", AcceptTimeout: 300 * time.Millisecond}, cases)
	var ns *NoSessionError
	if !errors.As(err, &ns) || !strings.Contains(err.Error(), "dialling in to 127.0.0.1:") {
		t.Errorf("error %v, want a NoSessionError saying where the DUT should dial in", err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("took %s", d)
	}
}

// A listen address that is not IP:PORT is an error of the run, not a
// report.
func TestListenModeBadAddress(t *testing.T) {
	_, err := Run(context.Background(), Config{Factory: dut.Remote(Target{}), Listen: "localhost"}, nil)
	if err == nil {
		t.Fatal("no error")
	}
}
