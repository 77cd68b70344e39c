package runner

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/ompconform/ompconform/dut"
	"github.com/ompconform/ompconform/internal/testdut"
	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/suites/catalog"
	"github.com/ompconform/ompconform/transcript"
)

// routeOf is an UPDATE as a controller reflects fake peer i of case run s
// (catalog.Env.Peer): ORIGINATOR and SITE_ID (unless site is 0), a vRoute
// in its VPN.
func routeOf(s, i int, site uint32, withOrig bool) *omp.Update {
	env := catalog.Env{Seq: s}
	id := env.Peer(i)
	u := &omp.Update{}
	if site != 0 {
		u.Attributes = append(u.Attributes, omp.Attr(&omp.AttrSiteID{SiteID: site}))
	}
	if withOrig {
		u.Attributes = append(u.Attributes, omp.Attr(&omp.AttrOriginator{Originator: id.RouterID}))
	}
	u.Attributes = append(u.Attributes, omp.Attr(&omp.AttrTLOC{Address: id.TLOC, Color: 1, Encap: 2}),
		omp.Attribute{Flags: omp.AttrExtended, Value: &omp.AttrReachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute,
			VRoutes: []omp.VRouteNLRI{{VPNID: env.VPN(), PathID: 1, Label: 1000, PrefixLen: 24, Address: netip.MustParseAddr("192.168.1.0")}}}}})
	return u
}

// A case's transcript leaves out what other case runs' fake peers
// originated and keeps its own, its liveness check's and the DUT's.
func TestRecordingLeavesOutOtherRuns(t *testing.T) {
	r := &run{}
	r.base.DUT = &omp.Handshake{PeerRouterID: netip.MustParseAddr("10.0.9.1")} // looks like case run 9's peer 0
	r.seq.Store(20)
	rec := r.newRecording(7)
	rec.addOwn(8) // its liveness check
	site := func(s, i int) uint32 { return (&catalog.Env{Seq: s}).Peer(i).SiteID }
	for _, tc := range []struct {
		what string
		m    omp.Message
		omit bool
	}{
		{"another run's route", routeOf(5, 0, site(5, 0), true), true},
		{"another run's route, peer 2", routeOf(12, 2, 0, true), true},
		{"this case's route", routeOf(7, 1, site(7, 1), true), false},
		{"the liveness check's", routeOf(8, 0, 0, true), false},
		{"a run not issued yet, no Site ID", routeOf(300, 0, 0, true), false},
		{"another process's run: its Site ID", routeOf(300, 1, site(300, 1), true), true},
		{"another process's run: a Site ID that is not its", routeOf(300, 1, 42, true), false},
		{"the DUT's own route", func() *omp.Update {
			u := routeOf(9, 0, site(9, 0), true)
			u.Attributes[1] = omp.Attr(&omp.AttrOriginator{Originator: r.base.DUT.PeerRouterID})
			return u
		}(), false},
		{"a withdrawal in another run's VPN", &omp.Update{Attributes: []omp.Attribute{{Flags: omp.AttrExtended, Value: &omp.AttrUnreachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute,
			VRoutes: []omp.VRouteNLRI{{VPNID: 10005, PathID: 1, PrefixLen: 24, Address: netip.MustParseAddr("192.168.1.0")}}}}}}}, true},
		{"a withdrawal in this case's VPN", &omp.Update{Attributes: []omp.Attribute{{Flags: omp.AttrExtended, Value: &omp.AttrUnreachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute,
			VRoutes: []omp.VRouteNLRI{{VPNID: 10007, PathID: 1, PrefixLen: 24, Address: netip.MustParseAddr("192.168.1.0")}}}}}}}, false},
		{"a route without ORIGINATOR in another run's VPN", routeOf(5, 0, 0, false), true},
		{"a HELLO", &omp.Hello{}, false},
	} {
		raw := testdut.Encode(t, tc.m)
		for _, dir := range []transcript.Direction{transcript.Received, transcript.Sent} {
			got := rec.otherRun(&transcript.Entry{Dir: dir, Raw: raw, Message: tc.m})
			if want := tc.omit && dir == transcript.Received; got != want {
				t.Errorf("%s, %s: left out %v, want %v", tc.what, dir, got, want)
			}
		}
	}
	// By the framing alone: a reflected UPDATE that does not decode.
	raw := testdut.Encode(t, routeOf(5, 0, site(5, 0), true))
	raw = append(raw, 0xEE) // a byte the header does not count: no longer decodes
	raw[omp.MarkerLen+1]++
	if !rec.otherRun(&transcript.Entry{Dir: transcript.Received, Raw: raw}) {
		t.Error("an undecodable UPDATE of another run is kept")
	}
}

// Against a controller that reflects every case's routes to every peer,
// two cases that run at once each record their own traffic only, with
// the count of what they left out, and their verdicts are unchanged; the
// liveness check after each case is in its transcript, marked as such,
// from the connection's opening to its close.
func TestCaseRecordsOnlyItsOwnTraffic(t *testing.T) {
	script := []catalog.Step{catalog.Open(0), catalog.Send(0, catalog.Update(catalog.TLOCRoutes())), catalog.Send(0, catalog.RouteUpdate()),
		catalog.Sleep(0.6), catalog.ExpectOn(0, catalog.Accept())}
	cases := []catalog.Case{{ID: "X-A", Script: script}, {ID: "X-B", Script: script}}
	for i := range cases {
		cases[i].Section, cases[i].Level, cases[i].Basis, cases[i].Requirement = "3.1.3", catalog.MUST, catalog.Draft, "isolation"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rep, err := Run(ctx, Config{Factory: dut.Reference(catalog.Controller, nil), Env: fastEnv(), Parallel: 2}, cases)
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range rep.Results {
		if res.Grade != catalog.Pass {
			t.Errorf("%s: %s (%s; received %s)", res.ID, res.Grade, res.Reason, res.Received)
		}
		if res.OtherRuns == nil || res.OtherRuns.Entries == 0 {
			t.Errorf("%s: left out nothing of the other case's reflected routes", res.ID)
		}
		own := map[int]bool{}
		var live []transcript.Conn
		liveHS := false
		for _, e := range res.Transcript {
			if e.Dir == transcript.Sent {
				if hs, ok := e.Message.(*omp.Handshake); ok {
					s, _, _ := catalog.RunOfRouterID(hs.PeerRouterID)
					own[s] = true
				}
			}
			if e.Peer == LivenessPeer {
				if e.Conn != transcript.ConnNone {
					live = append(live, e.Conn)
				}
				if _, ok := e.Message.(*omp.Handshake); ok && e.Dir == transcript.Received {
					liveHS = true
				}
			}
		}
		for _, e := range res.Transcript {
			if u, ok := e.Message.(*omp.Update); ok && e.Dir == transcript.Received {
				if v, ok := u.Find(omp.AttrTypeOriginator); ok {
					if s, _, ok := catalog.RunOfRouterID(v.(*omp.AttrOriginator).Originator); ok && !own[s] {
						t.Errorf("%s: the transcript holds case run %d's UPDATE", res.ID, s)
					}
				}
			}
		}
		if len(own) != 2 {
			t.Errorf("%s: the transcript has the HANDSHAKEs of %d case runs, want the case's and its liveness check's", res.ID, len(own))
		}
		if !liveHS || len(live) != 2 || live[0] != transcript.ConnOpen || !live[1].Closes() {
			t.Errorf("%s: the liveness session in the transcript: DUT's HANDSHAKE %v, connection events %v", res.ID, liveHS, live)
		}
	}
}
