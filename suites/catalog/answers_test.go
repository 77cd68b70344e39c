package catalog

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// queuedSession holds events that arrived before any wait began, and
// hands them out in order; then nothing.
type queuedSession struct {
	stillSession
	evs []Event
}

func (s *queuedSession) Await(d time.Duration, _ string, stop func(Event) bool) (Event, []Event) {
	for len(s.evs) > 0 {
		ev := s.evs[0]
		s.evs = s.evs[1:]
		if stop(ev) {
			return ev, nil
		}
	}
	time.Sleep(d)
	return Event{Kind: EvTimeout, At: time.Now()}, nil
}

// A message that came before a no-message wait began (it waited in the
// queue through the steps before) says so, not "after -500ms".
func TestNoMessageBeforeTheWait(t *testing.T) {
	e := DefaultEnv(Controller)
	u := &omp.Update{Attributes: []omp.Attribute{omp.Attr(&omp.AttrUnreachables{Reach: inVPN(e, omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute,
		VRoutes: []omp.VRouteNLRI{{PrefixLen: 24, Address: netip.MustParseAddr("192.168.1.0")}}})})}}
	x := newExec(t.Context(), &Case{ID: "T"}, e, nil)
	x.sess[0] = &queuedSession{evs: []Event{{Kind: EvMessage, Msg: u, At: time.Now().Add(-500 * time.Millisecond)}}}
	v := NoMessage(omp.TypeUpdate, 0.1, WithdrawsVRoute(DefaultPrefix)).check(x, 0)
	if v.Grade != Fail || strings.Contains(v.Received, "-") || !strings.Contains(v.Received, "before the wait began") {
		t.Errorf("%s: %q", v.Grade, v.Received)
	}
}

// The answer to RefreshNotAnswered's QUERY is the UPDATE that withdraws
// the prefix asked about: a re-advertisement before it is not, and the
// EOR after the re-advertisement answers the REFRESH_REQUEST before it.
func TestRefreshNotAnsweredReadsTheQuerysAnswer(t *testing.T) {
	e := DefaultEnv(Controller)
	e.Answer, e.Settle = time.Second, 50*time.Millisecond
	update := func(v omp.AttrValue) *omp.Update { return &omp.Update{Attributes: []omp.Attribute{omp.Attr(v)}} }
	nlri := func(prefix string) omp.Reach {
		p := netip.MustParsePrefix(prefix)
		return inVPN(e, omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute, VRoutes: []omp.VRouteNLRI{{PrefixLen: uint8(p.Bits()), Address: p.Addr()}}})
	}
	readvert := update(&omp.AttrReachables{Reach: nlri(DefaultPrefix)})
	answer := update(&omp.AttrUnreachables{Reach: nlri(absentPrefix)})
	eor := &omp.Inform{InformType: omp.InformEOR, AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}
	x := newExec(t.Context(), &Case{ID: "T"}, e, nil)
	now := time.Now()
	x.sess[0] = &queuedSession{evs: []Event{{Kind: EvMessage, Msg: readvert, At: now}, {Kind: EvMessage, Msg: eor, At: now}, {Kind: EvMessage, Msg: answer, At: now}}}
	if v := RefreshNotAnswered().check(x, 0); v.Grade != Fail || !strings.Contains(v.Received, "before the QUERY's answer") {
		t.Errorf("%s: %q", v.Grade, v.Received)
	}
}

// ORG-002's withdrawal is judged by Path ID (RFC 7911 3): one under
// another Path ID than the advertisement's leaves the path held, and
// fails; one under the same passes.
func TestPathWithdrawnNamesTheAdvertisedPath(t *testing.T) {
	e := DefaultEnv(Edges)
	e.Answer = 100 * time.Millisecond
	p := netip.MustParsePrefix(originated)
	update := func(withdraw bool, pathID uint32) *omp.Update {
		r := inVPN(e, omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute, VRoutes: []omp.VRouteNLRI{{PathID: pathID, PrefixLen: uint8(p.Bits()), Address: p.Addr()}}})
		if withdraw {
			return &omp.Update{Attributes: []omp.Attribute{omp.Attr(&omp.AttrUnreachables{Reach: r})}}
		}
		return &omp.Update{Attributes: []omp.Attribute{omp.Attr(&omp.AttrReachables{Reach: r})}}
	}
	for _, tc := range []struct {
		withdrawn uint32
		want      Grade
	}{{103, Pass}, {0, Fail}} {
		x := newExec(t.Context(), &Case{ID: "T"}, e, nil)
		x.sess[0] = &queuedSession{evs: []Event{{Kind: EvMessage, Msg: update(false, 103), At: time.Now()}, {Kind: EvMessage, Msg: update(true, tc.withdrawn), At: time.Now()}}}
		if v := ExpectMessage(omp.TypeUpdate, HasVRoute(originated)).check(x, 0); v.Grade != Pass {
			t.Fatalf("the advertisement: %s %s", v.Grade, v.Received)
		}
		if v := PathWithdrawn(originated).check(x, 0); v.Grade != tc.want {
			t.Errorf("advertised as Path ID 103, withdrawn as %d: %s (%s, %s), want %s", tc.withdrawn, v.Grade, v.Received, v.Reason, tc.want)
		}
	}
}

// First is the first of the case run's own messages: another run's
// UPDATE, reflected by a controller just before (its ORIGINATOR names
// that run's fake peer), is not it. QRY-015 failed an independent vSmart
// so in a full run.
func TestFirstSkipsOtherRuns(t *testing.T) {
	e := DefaultEnv(Controller)
	e.Seq, e.Answer = 5, 100*time.Millisecond
	other := &omp.Update{Attributes: []omp.Attribute{omp.Attr(&omp.AttrOriginator{Originator: netip.MustParseAddr("10.0.6.1")}),
		omp.Attr(&omp.AttrReachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC, TLOCs: []omp.TLOCNLRI{{Address: netip.MustParseAddr("100.64.1.129"), Color: 1, Encap: uint8(omp.EncapIPsec)}}}})}}
	raw, err := omp.Encode(other)
	if err != nil {
		t.Fatal(err)
	}
	answer := &omp.Update{Attributes: []omp.Attribute{omp.Attr(&omp.AttrUnreachables{Reach: inVPN(e, omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute,
		VRoutes: []omp.VRouteNLRI{{PrefixLen: 24, Address: netip.MustParseAddr("192.168.9.0")}}})})}}
	x := newExec(t.Context(), &Case{ID: "T"}, e, nil)
	x.sess[0] = &queuedSession{evs: []Event{{Kind: EvMessage, Msg: other, Raw: raw, At: time.Now()}, {Kind: EvMessage, Msg: answer, At: time.Now()}}}
	if v := ExpectMessage(omp.TypeUpdate, WithdrawsVRoute("192.168.9.0/24")).First().check(x, 0); v.Grade != Pass {
		t.Errorf("another run's UPDATE, then the answer: %s (%s)", v.Grade, v.Received)
	}
}
