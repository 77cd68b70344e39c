package runner

import (
	"slices"
	"strings"
	"testing"

	"github.com/ompconform/ompconform/peers/reference"
	"github.com/ompconform/ompconform/suites/catalog"
)

// Verdicts that read what the DUT answers or holds: a QUERY's answer, a
// refresh's, the initial advertisement's end, a best path. Each test
// shows a DUT (a reference fault or a test DUT) that an earlier form of
// the check passed.

// A QUERY's answer is what the DUT sends before the EOR of a
// REFRESH_REQUEST for a family that cannot hold it: an edge that never
// answers a QUERY fails the cases read from QUERY answers, though its
// answer to a vRoute REFRESH_REQUEST would re-advertise the very route
// asked for (EBP-002 passed such a DUT on its refresh answer).
func TestQueryAnswerIsNotTheRefresh(t *testing.T) {
	for _, faults := range [][]reference.Fault{nil, {"query-ignored"}} {
		want := catalog.Pass
		if faults != nil {
			want = catalog.Fail
		}
		for _, r := range onReference(t, catalog.Edge, faults, "EBP-002", "EBP-003").Results {
			if r.Grade != want {
				t.Errorf("%s against the reference with faults %v: %s, received %q (%s)", r.ID, faults, r.Grade, r.Received, r.Reason)
			}
		}
	}
}

// A refresh re-advertises the DUT's own routes before the EOR, and the
// initial routing update holds them before its EOR: an EOR alone, or
// routes after it, fail (an independent vHub passed INF-010, INF-011
// and INF-013 doing so).
func TestEORClosesTheOwnRoutes(t *testing.T) {
	for _, c := range []struct {
		fault reference.Fault
		fail  []string
	}{
		{"", nil},
		{"refresh-eor-only", []string{"INF-010", "INF-011"}},
		{"eor-before-routes", []string{"INF-010", "INF-011", "INF-013"}},
	} {
		var faults []reference.Fault
		if c.fault != "" {
			faults = []reference.Fault{c.fault}
		}
		for _, r := range onReference(t, catalog.Edge, faults, "INF-010", "INF-011", "INF-013").Results {
			if want := map[bool]catalog.Grade{false: catalog.Pass, true: catalog.Fail}[slices.Contains(c.fail, r.ID)]; r.Grade != want {
				t.Errorf("%s against the reference with %q: %s, want %s (received %q; %s)", r.ID, c.fault, r.Grade, want, r.Received, r.Reason)
			}
		}
	}
}

// GR-007 records how the DUT sweeps: the reference sweeps by family, so
// its vRoute outlives the TLOC family's EOR and the refresh answer holds
// it (an independent vSmart that sweeps every family at the first EOR is
// recorded, not failed).
func TestGR007RecordsTheSweepByFamily(t *testing.T) {
	r := onReference(t, catalog.Controller, nil, "GR-007").Results[0]
	if r.Grade != catalog.Info || !strings.HasSuffix(r.Received, "REACHABLES AFI_IPV4/SAFI_VROUTE x1), then EOR") {
		t.Errorf("GR-007: %s, received %q; want INFO with the vRoute in the refresh answer", r.Grade, r.Received)
	}
}

// A refresh is answered for what it asked: the EOR of each negotiated
// family for every family (INF-011), of the family asked alone for one
// (INF-010); a DUT that answers for one family only, or for every family
// whatever was asked, fails.
func TestRefreshAnswersWhatWasAsked(t *testing.T) {
	for _, c := range []struct {
		b    behaviour
		name string
		want map[string]catalog.Grade
	}{
		{conform, "one EOR of every family", map[string]catalog.Grade{"INF-010": catalog.Pass, "INF-011": catalog.Pass}},
		{perFamily, "the EORs asked", map[string]catalog.Grade{"INF-010": catalog.Pass, "INF-011": catalog.Pass}},
		{everyFamily, "every family's EOR", map[string]catalog.Grade{"INF-010": catalog.Fail, "INF-011": catalog.Pass}},
		{oneFamily, "one family's EOR", map[string]catalog.Grade{"INF-011": catalog.Fail}},
	} {
		for id, g := range grades(runOn(t, c.b, "INF-010", "INF-011")) {
			if want, ok := c.want[id]; ok && g != want {
				t.Errorf("a DUT that answers with %s: %s %s, want %s", c.name, id, g, want)
			}
		}
	}
}

// A best path is judged by what the observing peer holds after every
// UPDATE of the case: a controller that never withdraws the path that
// stopped being best (no-withdraw-reflect) leaves it held, and fails
// BP-009, though nothing of it comes during the final wait (an
// independent vSmart that sent no withdrawal when its best path changed
// passed BP-003, BP-004 and BP-009).
func TestBestPathJudgesWhatIsHeld(t *testing.T) {
	for _, faults := range [][]reference.Fault{nil, {"no-withdraw-reflect"}} {
		want := catalog.Pass
		if faults != nil {
			want = catalog.Fail
		}
		for _, r := range onReference(t, catalog.Controller, faults, "BP-009").Results {
			if r.Grade != want {
				t.Errorf("%s against the reference with faults %v: %s, received %q (%s)", r.ID, faults, r.Grade, r.Received, r.Reason)
			}
		}
	}
}

// A refresh's answer is what the DUT sends after the request, for every
// negotiated family: a route reflected before the request and withdrawn
// since is not in it (RFL-018 passed a DUT that withdrew every path of
// the prefix), and a TLOC route is looked for in the TLOC family's answer
// (NEG-003 then passed a DUT that installed a family not negotiated).
func TestRefreshAnswerIsAfterTheRequest(t *testing.T) {
	for _, c := range []struct {
		fault reference.Fault
		id    string
	}{
		{"", "RFL-018"}, {"", "NEG-003"},
		{"update-withdraw-any-path-id", "RFL-018"}, {"unnegotiated-family-accepted", "NEG-003"},
	} {
		var faults []reference.Fault
		want := catalog.Pass
		if c.fault != "" {
			faults, want = []reference.Fault{c.fault}, catalog.Fail
		}
		for _, r := range onReference(t, catalog.Controller, faults, c.id).Results {
			if r.Grade != want {
				t.Errorf("%s against the reference with %q: %s, want %s (received %q; %s)", r.ID, c.fault, r.Grade, want, r.Received, r.Reason)
			}
		}
	}
}
