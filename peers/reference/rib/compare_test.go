package rib

import (
	"fmt"
	"testing"

	"github.com/ompconform/ompconform/omp"
)

// stepValues gives, for each step, a winning and a losing setting of the
// field that step looks at.
var stepValues = map[Step][2]func(c *Candidate){
	StepValid:     {func(c *Candidate) { c.Valid = true }, func(c *Candidate) { c.Valid = false }},
	StepDistance:  {func(c *Candidate) { c.Distance = 1 }, func(c *Candidate) { c.Distance = DistanceOMP }},
	StepPref:      {func(c *Candidate) { c.Pref = 200 }, func(c *Candidate) { c.Pref = 100 }},
	StepTLOCPref:  {func(c *Candidate) { c.TLOCPref = 200 }, func(c *Candidate) { c.TLOCPref = 100 }},
	StepOrigin:    {func(c *Candidate) { c.Origin = omp.OriginConnected }, func(c *Candidate) { c.Origin = omp.OriginIBGP }},
	StepRouterID:  {func(c *Candidate) { c.RouterID = a("2.2.2.2") }, func(c *Candidate) { c.RouterID = a("1.1.1.1") }},
	StepPrivateIP: {func(c *Candidate) { c.PrivateIP = a("10.0.0.2") }, func(c *Candidate) { c.PrivateIP = a("10.0.0.1") }},
}

func base() Candidate {
	return Candidate{Valid: true, Distance: DistanceOMP, Pref: 100, TLOCPref: 100, Origin: omp.OriginStatic,
		RouterID: a("1.1.1.1"), PrivateIP: a("10.0.0.1"), SiteID: 1}
}

// pair returns a and b equal before step s, a winning at s, and b winning
// at every later step, so only step s can make a the better.
func pair(s Step) (Candidate, Candidate) {
	x, y := base(), base()
	stepValues[s][0](&x)
	stepValues[s][1](&y)
	for later := s + 1; later <= StepPrivateIP; later++ {
		stepValues[later][1](&x)
		stepValues[later][0](&y)
	}
	return x, y
}

func TestCompareEachStepEdge(t *testing.T) {
	for _, role := range []omp.Role{omp.RoleEdge, omp.RoleHub} {
		for s := StepValid; s <= StepPrivateIP; s++ {
			x, y := pair(s)
			if c, got := Compare(role, &x, &y); c != 1 || got != s {
				t.Errorf("%v step %v: Compare(a,b) = %d at %v", role, s, c, got)
			}
			if c, got := Compare(role, &y, &x); c != -1 || got != s {
				t.Errorf("%v step %v: Compare(b,a) = %d at %v", role, s, c, got)
			}
		}
		x := base()
		if c, s := Compare(role, &x, &x); c != 0 || s != StepNone {
			t.Errorf("equal: %d %v", c, s)
		}
	}
}

func TestCompareEachStepController(t *testing.T) {
	for s := StepValid; s <= StepPrivateIP; s++ {
		x, y := base(), base()
		stepValues[s][0](&x)
		stepValues[s][1](&y)
		want, wantStep := 1, s
		switch s {
		case StepTLOCPref, StepOrigin, StepPrivateIP:
			// Edge-only steps: a controller sees these paths as equal.
			want, wantStep = 0, StepNone
		}
		if c, got := Compare(omp.RoleController, &x, &y); c != want || got != wantStep {
			t.Errorf("step %v: Compare = %d at %v, want %d at %v", s, c, got, want, wantStep)
		}
		if s <= StepPref || s == StepRouterID {
			// And later steps cannot undo it.
			x2, y2 := pair(s)
			if c, got := Compare(omp.RoleController, &x2, &y2); c != 1 || got != s {
				t.Errorf("step %v with later steps against: %d at %v", s, c, got)
			}
		}
	}
	// Step 7 on a controller: paths of different sites equal through step
	// 3 are both best, whatever their router IDs.
	x, y := pair(StepRouterID)
	y.SiteID = 2
	if c, s := Compare(omp.RoleController, &x, &y); c != 0 || s != StepPrivateIP {
		t.Errorf("different sites: %d at %v", c, s)
	}
	// ... but not when an earlier step separates them.
	x.Pref = 300
	if c, s := Compare(omp.RoleController, &x, &y); c != 1 || s != StepPref {
		t.Errorf("different sites, different pref: %d at %v", c, s)
	}
}

func TestCompareOriginOrder(t *testing.T) {
	order := []uint8{omp.OriginConnected, omp.OriginStatic, omp.OriginEBGP, omp.OriginOSPFIntra,
		omp.OriginOSPFInter, omp.OriginOSPFExternal, omp.OriginIBGP, omp.OriginUnknown}
	for i := 0; i+1 < len(order); i++ {
		x, y := base(), base()
		x.Origin, y.Origin = order[i], order[i+1]
		if c, s := Compare(omp.RoleEdge, &x, &y); c != 1 || s != StepOrigin {
			t.Errorf("origin %d vs %d: %d at %v", order[i], order[i+1], c, s)
		}
	}
	for _, unknown := range []uint8{omp.OriginUnknown, omp.OriginEIGRP, 99, 255} {
		x, y := base(), base()
		x.Origin, y.Origin = unknown, omp.OriginUnknown
		if c, s := Compare(omp.RoleEdge, &x, &y); c != 0 {
			t.Errorf("unknown origins %d and 0 differ: %d at %v", unknown, c, s)
		}
	}
}

// TestEdgeSelectsEachStep drives the same steps through an edge's RIB: two
// paths learned from a controller, told apart at one step each, and the
// FIB follows the winner.
func TestEdgeSelectsEachStep(t *testing.T) {
	ta, tb := tlocN("192.0.2.10", 1, 2), tlocN("192.0.2.20", 1, 2)
	type side struct {
		orig string
		pref uint32
		tp   uint32
		org  uint8
		priv string
	}
	def := side{"1.1.1.1", 100, 100, omp.OriginStatic, "10.0.0.1"}
	cases := []struct {
		step Step
		x, y side // x must win
	}{
		{StepPref, side{"1.1.1.1", 200, 100, omp.OriginIBGP, "10.0.0.1"}, side{"2.2.2.2", 100, 200, omp.OriginConnected, "10.0.0.2"}},
		{StepTLOCPref, side{"1.1.1.1", 100, 200, omp.OriginIBGP, "10.0.0.1"}, side{"2.2.2.2", 100, 100, omp.OriginConnected, "10.0.0.2"}},
		{StepOrigin, side{"1.1.1.1", 100, 100, omp.OriginConnected, "10.0.0.1"}, side{"2.2.2.2", 100, 100, omp.OriginEBGP, "10.0.0.2"}},
		{StepRouterID, side{"2.2.2.2", 100, 100, omp.OriginStatic, "10.0.0.1"}, side{"1.1.1.1", 100, 100, omp.OriginStatic, "10.0.0.2"}},
		{StepPrivateIP, side{"1.1.1.1", 100, 100, omp.OriginStatic, "10.0.0.2"}, def},
	}
	for _, tc := range cases {
		for _, swap := range []bool{false, true} {
			t.Run(fmt.Sprintf("%v/%v", tc.step, swap), func(t *testing.T) {
				r := newRIB(t, omp.RoleEdge, "7.7.7.7", 7)
				ctl := peerUp(t, r, "10.0.0.100", 100, 0)
				x, y := tc.x, tc.y
				tx, ty := ta, tb
				if swap { // the winner on the other TLOC, advertised second
					tx, ty = tb, ta
				}
				for i, s := range []struct {
					sd side
					tl omp.TLOCNLRI
				}{{y, ty}, {x, tx}} {
					apply(t, r, ctl, advT([]omp.TLOCNLRI{s.tl}, &omp.AttrPref{Preference: s.sd.tp},
						&omp.AttrOriginator{Originator: a(s.sd.orig)},
						&omp.AttrTLOCV4Private{Address: a(s.sd.priv), Port: 12346}))
					apply(t, r, ctl, advV(s.tl, []omp.VRouteNLRI{vroute(1, "10.50.0.0/16", uint32(i), 1)},
						&omp.AttrPref{Preference: s.sd.pref}, &omp.AttrOrigin{Proto: s.sd.org},
						&omp.AttrOriginator{Originator: a(s.sd.orig)}))
				}
				fe, ok := r.Lookup(1, a("10.50.1.1"))
				if !ok || len(fe.NextHops) != 1 || fe.NextHops[0] != tx {
					t.Fatalf("FIB %+v, want next hop %v", fe, tx)
				}
				// Compare agrees on the step.
				var cs []Candidate // x first
				for _, rt := range r.Routes(VRoute4) {
					p := r.paths.at(r.findPath(r.findDest(&key{vpn: 1, lo: 10<<24 | 50<<16, plen: 16, fam: fVR4}), ctl, rt.PathID, addrU32(rt.Originator)))
					cs = append([]Candidate{r.candidate(p, fVR4)}, cs...)
				}
				if len(cs) != 2 {
					t.Fatalf("paths %d", len(cs))
				}
				if c, s := Compare(omp.RoleEdge, &cs[0], &cs[1]); c != 1 || s != tc.step {
					t.Fatalf("Compare = %d at %v, want 1 at %v", c, s, tc.step)
				}
			})
		}
	}
}
