package catalog

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// A controller that passes a family on to a peer that did not negotiate
// it does so in the peer's initial advertisement, which the opening reads
// before any expectation: OnlyNegotiatedFamilies judges what the opening
// read too. An independent vSmart that sent another router's TLOC route
// (SAFI_TLOC) to a peer that listed only AFI_IPV4/SAFI_VROUTE passed
// NEG-002, whose REFRESH_REQUEST it answered with the vRoute family only.
func TestOnlyNegotiatedJudgesTheOpening(t *testing.T) {
	e := DefaultEnv(Controller)
	e.Answer = 200 * time.Millisecond
	tloc := &omp.Update{Attributes: []omp.Attribute{omp.Attr(&omp.AttrReachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC,
		TLOCs: []omp.TLOCNLRI{{Address: netip.MustParseAddr("100.64.1.1"), Color: 1, Encap: uint8(omp.EncapIPsec)}}}})}}
	eor := &omp.Inform{InformType: omp.InformEOR, AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}
	for _, tc := range []struct {
		initial []omp.Message
		want    Grade
	}{{[]omp.Message{eor}, Pass}, {[]omp.Message{tloc, eor}, Fail}} {
		x := newExec(t.Context(), &Case{ID: "T"}, e, nil)
		x.dut[0] = &omp.Handshake{Options: []omp.Option{&omp.CapabilitiesOption{Capabilities: []omp.Capability{&omp.CapRefresh{}}}}}
		x.fams[0] = []omp.Family{{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}}
		var evs []Event
		for _, m := range append(tc.initial, eor) {
			evs = append(evs, Event{Kind: EvMessage, Msg: m, At: time.Now()})
		}
		x.sess[0] = &queuedSession{evs: evs}
		// The opening reads the initial advertisement up to its EOR.
		x.await(0, e.Answer, "the EORs after the DUT's initial advertisement", func(ev Event) bool {
			_, _, ok := eorOf(ev.Msg)
			return ok
		})
		v := OnlyNegotiatedFamilies().check(x, 0)
		if v.Grade != tc.want || tc.want == Fail && !strings.Contains(v.Received, "SAFI_TLOC") {
			t.Errorf("initial advertisement of %d messages: %s (%s, %s), want %s", len(tc.initial), v.Grade, v.Received, v.Reason, tc.want)
		}
	}
}
