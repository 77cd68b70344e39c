package catalog

import (
	"net/netip"
	"testing"

	"github.com/ompconform/ompconform/omp"
)

// A case that lets the DUT take its flawed UPDATE lets it pass the UPDATE
// on as it came, except for an undefined flag bit (zero when sent) and a
// HEADER error (a message the DUT framed itself).
func TestMayPassOn(t *testing.T) {
	badNet := omp.AlertID{Code: omp.ErrUpdate, Subcode: omp.SubErrUpdateBadNet}
	flags := omp.AlertID{Code: omp.ErrUpdate, Subcode: omp.SubErrUpdateFlags}
	length := omp.AlertID{Code: omp.ErrHeader, Subcode: omp.SubErrHeaderLength}
	for _, c := range []struct {
		name string
		exp  Expectation
		id   omp.AlertID
		want bool
	}{
		{"the ALERT it names, or acceptance", Alert(badNet.Code, badNet.Subcode).OrAccept(), badNet, true},
		{"the ALERT alone", Alert(badNet.Code, badNet.Subcode), badNet, false},
		{"another ALERT, or acceptance", Alert(omp.ErrUpdate, omp.SubErrUpdateAttrList).OrAccept(), badNet, false},
		{"any ALERT, or acceptance", AnyAlert().OrAccept(), badNet, true},
		{"an undefined flag bit", Alert(flags.Code, flags.Subcode).OrAccept(), flags, false},
		{"a HEADER error", AnyAlert().OrAccept(), length, false},
	} {
		k := Case{ID: "T-1", Expect: c.exp}
		if got := k.MayPassOn(c.id); got != c.want {
			t.Errorf("%s, flaw %s: MayPassOn %v, want %v", c.name, c.id, got, c.want)
		}
	}
}

func TestRunOfOwnTLOC(t *testing.T) {
	for _, seq := range []int{0, 1, 2, 255, 256, 4660, 65535} {
		for _, own := range []func(*Env) omp.TLOCNLRI{OwnTLOC, OwnTLOCV6} {
			got, ok := RunOfOwnTLOC(own(&Env{Seq: seq}).Address)
			if seq == 0 {
				if ok {
					t.Errorf("run 0 has no TLOC of its own, got %d", got)
				}
				continue
			}
			if !ok || got != seq {
				t.Errorf("own TLOC of run %d read back as %d, %v", seq, got, ok)
			}
		}
	}
	for _, a := range []string{"198.18.0.1", "198.19.0.0", "10.0.0.1", "2001:db8::1", "2001:db8:19::", "2001:db8:19:1::1", "2001:db8:64:1::1"} {
		if s, ok := RunOfOwnTLOC(netip.MustParseAddr(a)); ok {
			t.Errorf("%s is no run's own TLOC, read as run %d", a, s)
		}
	}
}

// A withdrawal carries no ORIGINATOR: whose it is, is told by its NLRI,
// for each family the fake peers advertise (a vRoute's and a multicast
// route's VPN ID, a TLOC's IPv4 or IPv6 address).
func TestOriginOfAWithdrawal(t *testing.T) {
	e := DefaultEnv(Controller)
	e.Seq = 4660
	for _, tc := range []struct {
		name string
		r    omp.Reach
	}{
		{"vRoute", inVPN(e, omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute, VRoutes: []omp.VRouteNLRI{{PrefixLen: 24, Address: netip.MustParseAddr("192.168.1.0")}}})},
		{"IPv4 TLOC", omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC, TLOCs: []omp.TLOCNLRI{{Address: e.Peer(1).TLOC, Color: 1}}}},
		{"IPv6 TLOC", omp.Reach{AFI: omp.AFIIPv6, SAFI: omp.SAFITLOC, TLOCs: []omp.TLOCNLRI{{Address: e.Peer(1).TLOC6, Color: 1}}}},
		{"IPv6 multicast", inVPN(e, mcast(omp.AFIIPv6, mcastJoinSG6))},
	} {
		b, err := omp.Encode(&omp.Update{Attributes: []omp.Attribute{omp.Attr(&omp.AttrUnreachables{Reach: tc.r})}})
		if err != nil {
			t.Fatal(err)
		}
		if seq, ok := originSeq(b, netip.Addr{}); !ok || seq != e.Seq {
			t.Errorf("%s withdrawn: read as run %d (%v), want %d", tc.name, seq, ok, e.Seq)
		}
		x := newExec(t.Context(), &Case{ID: "T"}, DefaultEnv(Controller), nil)
		if !x.otherRuns(Event{Kind: EvMessage, Raw: b}) {
			t.Errorf("%s withdrawn by run %d: not another run's traffic to run %d", tc.name, e.Seq, x.Env.Seq)
		}
	}
}

// An UPDATE whose ORIGINATOR is the DUT's own Router ID is the DUT's own,
// though that Router ID looks like a fake peer's (10.s.s.n): a malformed
// UPDATE of its own is judged, not set aside as another case's.
func TestDUTsOwnOriginatorIsNoRun(t *testing.T) {
	dut := netip.MustParseAddr("10.1.2.3") // case run 258's peer2
	b, err := omp.Encode(&omp.Update{Attributes: []omp.Attribute{omp.Attr(&omp.AttrOriginator{Originator: dut})}})
	if err != nil {
		t.Fatal(err)
	}
	e := DefaultEnv(Edge)
	e.DUT = &omp.Handshake{PeerRouterID: dut}
	x := newExec(t.Context(), &Case{ID: "T"}, e, nil)
	if ev := (Event{Kind: EvBadMessage, Raw: b}); x.foreign(ev) || x.otherRuns(ev) {
		t.Errorf("the DUT's own UPDATE (ORIGINATOR %s) taken for case run 258's", dut)
	}
	if seq, ok := originSeq(b, netip.Addr{}); !ok || seq != 258 {
		t.Errorf("without the DUT's Router ID: run %d (%v), want 258", seq, ok)
	}
}

// The routes a DUT's operator originates for a case run (ORG-*, QRY-020)
// reach every session: they are that run's, by their NLRI (the run's VPN,
// its OwnTLOC or OwnTLOCV6), though their ORIGINATOR is the DUT's, so that
// a case that judges the first message (QRY-015) sets them aside.
func TestDUTOriginatedForARun(t *testing.T) {
	dut := netip.MustParseAddr("192.0.2.1")
	run := DefaultEnv(Edge)
	run.Seq = 4660
	orig := omp.Attr(&omp.AttrOriginator{Originator: dut})
	for _, tc := range []struct {
		name string
		m    *omp.Update
	}{
		{"vRoute", &omp.Update{Attributes: []omp.Attribute{omp.Attr(&omp.AttrTLOC{Address: netip.MustParseAddr("192.0.2.7"), Color: TLOCColor, Encap: TLOCEncap}), orig, omp.Attr(&omp.AttrReachables{Reach: inVPN(run, omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute,
			VRoutes: []omp.VRouteNLRI{{PrefixLen: 24, Address: netip.MustParseAddr("198.18.77.0")}}})})}}},
		{"IPv4 TLOC", &omp.Update{Attributes: []omp.Attribute{orig, omp.Attr(&omp.AttrReachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC, TLOCs: []omp.TLOCNLRI{OwnTLOC(run)}}})}}},
		{"IPv4 TLOC withdrawn", &omp.Update{Attributes: []omp.Attribute{orig, omp.Attr(&omp.AttrUnreachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC, TLOCs: []omp.TLOCNLRI{OwnTLOC(run)}}})}}},
		{"IPv6 TLOC withdrawn", &omp.Update{Attributes: []omp.Attribute{omp.Attr(&omp.AttrUnreachables{Reach: omp.Reach{AFI: omp.AFIIPv6, SAFI: omp.SAFITLOC, TLOCs: []omp.TLOCNLRI{OwnTLOCV6(run)}}})}}},
	} {
		b, err := omp.Encode(tc.m)
		if err != nil {
			t.Fatal(err)
		}
		e := DefaultEnv(Edge)
		e.DUT = &omp.Handshake{PeerRouterID: dut}
		x := newExec(t.Context(), &Case{ID: "T"}, e, nil)
		if seq, ok := originSeq(b, dut); !ok || seq != run.Seq {
			t.Errorf("%s the DUT originated for run %d: read as run %d (%v)", tc.name, run.Seq, seq, ok)
		}
		if !x.otherRuns(Event{Kind: EvMessage, Raw: b}) {
			t.Errorf("%s the DUT originated for run %d: not another run's traffic to run %d", tc.name, run.Seq, x.Env.Seq)
		}
	}
	// Routes of two runs packed in one UPDATE are neither's: each run
	// judges it.
	other := DefaultEnv(Edge)
	other.Seq = 4661
	b, err := omp.Encode(&omp.Update{Attributes: []omp.Attribute{orig, omp.Attr(&omp.AttrUnreachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC,
		TLOCs: []omp.TLOCNLRI{OwnTLOC(run), OwnTLOC(other)}}})}})
	if err != nil {
		t.Fatal(err)
	}
	if seq, ok := originSeq(b, dut); ok {
		t.Errorf("the withdrawal of runs %d's and %d's TLOCs read as run %d's", run.Seq, other.Seq, seq)
	}
	// Its own configured route (VPN 1) is no run's.
	b, err = omp.Encode(&omp.Update{Attributes: []omp.Attribute{omp.Attr(&omp.AttrTLOC{Address: netip.MustParseAddr("192.0.2.7"), Color: TLOCColor, Encap: TLOCEncap}), orig, omp.Attr(&omp.AttrReachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute,
		VRoutes: []omp.VRouteNLRI{{VPNID: 1, PrefixLen: 24, Address: netip.MustParseAddr("10.1.0.0")}}}})}})
	if err != nil {
		t.Fatal(err)
	}
	if seq, ok := originSeq(b, dut); ok {
		t.Errorf("the DUT's configured route read as run %d", seq)
	}
}
