package catalog

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/ompconform/ompconform/omp"
)

// testEnv is an Env whose DUT is a controller that carries every family.
func testEnv() *Env {
	e := DefaultEnv(Controller)
	caps := []omp.Capability{&omp.CapIdentity{PeerType: omp.PeerTypeVSmart}, &omp.CapRefresh{}, &omp.CapGracefulRestart{GRInterval: 120}}
	for _, afi := range []omp.AFI{omp.AFIIPv4, omp.AFIIPv6} {
		for safi := omp.SAFIVRoute; safi <= omp.SAFICXP; safi++ {
			caps = append(caps, &omp.CapMP{AFI: afi, SAFI: safi})
		}
	}
	e.DUT = &omp.Handshake{Version: 1, DomainID: 7, HoldTime: 60, PeerRouterID: netip.MustParseAddr("192.0.2.100"),
		Options: []omp.Option{&omp.CapabilitiesOption{Capabilities: caps}}}
	return e
}

func TestCatalogIsWellFormed(t *testing.T) {
	cs := All()
	if len(cs) < 100 {
		t.Errorf("only %d cases", len(cs))
	}
	for _, c := range cs {
		for _, l := range c.Labels() {
			if strings.ContainsAny(l, "&|!,()/ ") {
				t.Errorf("%s: label %q is not a valid ginkgo label", c.ID, l)
			}
		}
		if SectionTitle(c.Section) == "" {
			t.Errorf("%s: section %q is not in Sections", c.ID, c.Section)
		}
		if c.MsgType() == 0 {
			t.Errorf("%s: no message type", c.ID)
		}
	}
}

// Every message every case sends builds, mutations included.
func TestEveryMessageBuilds(t *testing.T) {
	e := testEnv()
	for _, c := range All() {
		for _, s := range c.Steps() {
			if st, ok := s.(sendStep); ok {
				if _, err := st.msg.Build(e, st.peer); err != nil {
					t.Errorf("%s: %v", c.ID, err)
				}
			}
		}
	}
}

// Where a case sends one message the codec refuses, the codec's ALERT is
// one the case accepts (or shares its code, where the case asks for a
// check the codec cannot make), and where the case expects acceptance the
// codec decodes it. This keeps the catalogue and the codec's reading of
// the draft in step.
func TestCatalogAgreesWithCodec(t *testing.T) {
	e := testEnv()
	for _, c := range All() {
		if c.Send == nil {
			continue
		}
		w, err := c.Send.Build(e, 0)
		if err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
		_, derr := omp.Decode(w.Bytes)
		switch exp := c.Expect.(type) {
		case AlertExp:
			if derr == nil {
				continue // a check beyond decoding (domain, hold time, FSM)
			}
			oe, ok := omp.AsError(derr)
			if !ok {
				t.Errorf("%s: decode error %v is not an *omp.Error", c.ID, derr)
				continue
			}
			got := oe.ID()
			if !slices.Contains(exp.want, got) {
				t.Errorf("%s: the codec answers %s (%s); the case expects %s", c.ID, got, oe.Reason, exp)
			}
		case acceptExp:
			if derr != nil && c.MsgType() != omp.TypeHandshake {
				t.Errorf("%s: expects acceptance, but the codec refuses: %v", c.ID, derr)
			}
		}
	}
}

// Every code and subcode of the ALERT table is sent to the DUT by at
// least one case, and expected of the DUT by at least one, except
// OMP_ERR_INV, which names no error a DUT could report.
func TestEveryAlertIsCovered(t *testing.T) {
	cov := Coverage(All())
	for _, a := range omp.AllAlerts() {
		if len(cov.Sent[a]) == 0 {
			t.Errorf("no case sends %s", a)
		}
		if len(cov.Expected[a]) == 0 && a.Code != omp.ErrInv {
			t.Errorf("no case expects %s", a)
		}
	}
}

func TestSelect(t *testing.T) {
	cs := All()
	got, err := Select(cs, "MUST && HDR", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 {
		t.Fatal("MUST && HDR selects nothing")
	}
	for _, c := range got {
		if c.Level != MUST || !slices.Contains(c.Labels(), "HDR") {
			t.Errorf("%s selected by MUST && HDR", c.ID)
		}
	}
	got, err = Select(cs, "", []string{"HDR-002", "hs-0*"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) < 2 || got[0].ID != "HDR-002" || !strings.HasPrefix(got[1].ID, "HS-0") {
		t.Errorf("IDs select %v", ids(got))
	}
	if _, err := Select(cs, "", []string{"NOPE-1"}); err == nil {
		t.Error("an unknown ID selects without error")
	}
	if _, err := Select(cs, "MUST &&", nil); err == nil {
		t.Error("a bad label filter parses")
	}
}

func ids(cs []Case) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

// Levels, bases, grades and ALERTs read back what they write, so a
// result survives JSON (the ginkgo processes share results that way).
func TestTextRoundTrips(t *testing.T) {
	for _, a := range append(omp.AllAlerts(), omp.AlertID{Code: omp.ErrUpdate, Subcode: 9}, omp.AlertID{Code: 7, Subcode: 0}) {
		b, _ := a.MarshalText()
		var got omp.AlertID
		if err := got.UnmarshalText(b); err != nil || got != a {
			t.Errorf("%s: read back %v, %v", b, got, err)
		}
	}
	for _, l := range []Level{MUST, SHOULD, INFORMATIONAL} {
		b, _ := l.MarshalText()
		var got Level
		if err := got.UnmarshalText(b); err != nil || got != l {
			t.Errorf("%s: read back %v, %v", b, got, err)
		}
	}
	for _, x := range []Basis{Draft, BGP} {
		b, _ := x.MarshalText()
		var got Basis
		if err := got.UnmarshalText(b); err != nil || got != x {
			t.Errorf("%s: read back %v, %v", b, got, err)
		}
	}
	for _, g := range Grades() {
		b, _ := g.MarshalText()
		var got Grade
		if err := got.UnmarshalText(b); err != nil || got != g {
			t.Errorf("%s: read back %v, %v", b, got, err)
		}
	}
}

// An INFORMATIONAL case's judgement is an observation, graded INFO
// whatever the DUT did; the other levels keep their grade, and harness
// grades stay what they are.
func TestInformationalIsObserved(t *testing.T) {
	for _, g := range []Grade{Pass, NonStrict, Fail} {
		if v := observe(INFORMATIONAL, Verdict{Grade: g, Received: "x"}); v.Grade != Info || v.Received != "x" {
			t.Errorf("INFORMATIONAL %s: %+v, want INFO keeping what was received", g, v)
		}
		if v := observe(SHOULD, Verdict{Grade: g}); v.Grade != g {
			t.Errorf("SHOULD %s became %s", g, v.Grade)
		}
	}
	for _, g := range []Grade{Error, Unsupported, Skipped} {
		if v := observe(INFORMATIONAL, Verdict{Grade: g}); v.Grade != g {
			t.Errorf("INFORMATIONAL %s became %s", g, v.Grade)
		}
	}
	if Info.Gates(INFORMATIONAL, false) || Info.Gates(MUST, false) || !NonStrict.Gates(SHOULD, false) || NonStrict.Gates(MUST, true) {
		t.Error("Grade.Gates disagrees with the documented gate")
	}
}

func TestRoleText(t *testing.T) {
	for _, r := range []Role{Controller, Edge, Hub, Edges, AnyRole, Controller | Hub} {
		b, _ := r.MarshalText()
		var got Role
		if err := got.UnmarshalText(b); err != nil || got != r {
			t.Errorf("%s: read back %s, %v", b, got, err)
		}
	}
}

// Every case has a short title of its own: progress lines, JUnit names
// and reports tell the cases apart by it.
func TestTitlesAreShortAndDistinct(t *testing.T) {
	seen := map[string]string{}
	for i := range All() {
		c := &All()[i]
		h := c.Headline()
		if h == "" || len(h) > 160 {
			t.Errorf("%s: title %q", c.ID, h)
		}
		if prev, ok := seen[h]; ok {
			t.Errorf("%s and %s have the same title %q", prev, c.ID, h)
		}
		seen[h] = c.ID
	}
}

// A reflected UPDATE names its case run by its ORIGINATOR, or failing it
// by its next hop or its vRoute's VPN, even when it does not decode.
func TestOriginSeq(t *testing.T) {
	e := testEnv()
	e.Seq = 0x1234
	bad := func(m M) []byte {
		w, err := m.Build(e, 3)
		if err != nil {
			t.Fatal(err)
		}
		return w.Bytes
	}
	for name, raw := range map[string][]byte{
		"originator": bad(Update(Originator(), TLOC(), VRoutes(DefaultPrefix)).Mutate("update.attr[2].value.nlri[0].prefix_length", Set(33))),
		"tloc":       bad(RouteUpdate().Mutate("update.attr[1].value.nlri[0].prefix_length", Set(33))),
		"vpn":        bad(Update(WithdrawVRoutes(DefaultPrefix)).Mutate("update.attr[0].value.nlri[0].prefix_length", Set(33))),
	} {
		if seq, ok := originSeq(raw, netip.Addr{}); !ok || seq != 0x1234 {
			t.Errorf("%s: seq %#x, %v; want 0x1234", name, seq, ok)
		}
	}
	if _, ok := originSeq(bad(Hello()), netip.Addr{}); ok {
		t.Error("a HELLO named a case run")
	}
}

// A bad label filter is one plain line, without a terminal's colours.
func TestSelectBadFilterIsPlain(t *testing.T) {
	_, err := Select(All(), "MUST &&", nil)
	if err == nil || strings.ContainsAny(err.Error(), "\x1b\n") || !strings.Contains(err.Error(), `label filter "MUST &&"`) {
		t.Errorf("%q", err)
	}
}

// UPD-401's UPDATE (an IPv6 TLOC of its own, no ORIGINATOR), passed on
// as it came by a controller to INF-013's peer, is another case run's
// traffic, not a route of the DUT's own sent after its EOR.
func TestOwnUpdateIsNotUPD401sReflection(t *testing.T) {
	c, _ := Lookup("UPD-401")
	env := DefaultEnv(Controller)
	env.Seq = 7
	w, err := c.Send.Build(env, 0)
	if err != nil {
		t.Fatal(err)
	}
	x := newExec(context.Background(), c, DefaultEnv(Controller), nil)
	if ev := (Event{Kind: EvMessage, Msg: w.Message, Raw: w.Bytes}); x.ownUpdate(0, ev) {
		t.Errorf("INF-013 takes UPD-401's %s, reflected without ORIGINATOR, for a route of the DUT's own (otherRuns: %v)", omp.Describe(w.Message), x.otherRuns(ev))
	}
}
