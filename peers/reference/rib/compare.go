package rib

import (
	"net/netip"

	"github.com/ompconform/ompconform/internal/enum"
	"github.com/ompconform/ompconform/omp"
)

// Step is a step of the draft's best-path algorithm (section "OMP Path
// Selection Process"): the step at which Compare told two paths apart.
type Step uint8

const (
	StepNone      Step = 0 // equal through every step: both best (ECMP)
	StepValid     Step = 1 // 1: a valid path beats an invalid one
	StepDistance  Step = 2 // 2: lower administrative distance
	StepPref      Step = 3 // 3: higher OMP route preference (ATTR_TYPE_PREF)
	StepTLOCPref  Step = 4 // 4: edges: higher TLOC preference
	StepOrigin    Step = 5 // 5: edges: origin type order
	StepRouterID  Step = 6 // 6: higher router ID (originator)
	StepPrivateIP Step = 7 // 7: edges: higher private address; controller: multipath by site
)

var stepNames = [...]string{"equal", "valid", "distance", "preference", "tloc-preference", "origin", "router-id", "private-ip/site"}

func (s Step) String() string {
	if n, ok := enum.Lookup(stepNames[:], s); ok {
		return n
	}
	return "step?"
}

// Candidate is what best-path selection looks at in a path.
type Candidate struct {
	Valid     bool   // step 1
	Distance  uint8  // step 2 (DistanceOMP for learned paths)
	Pref      uint32 // step 3: ATTR_TYPE_PREF (0 when absent)
	TLOCPref  uint32 // step 4: ATTR_TYPE_PREF of the TLOC route
	Origin    uint8  // step 5: ATTR_TYPE_ORIGIN Proto (omp.Origin*)
	RouterID  netip.Addr
	PrivateIP netip.Addr // step 7 (edges)
	SiteID    uint32     // step 7 (controller)
	Metric    uint32     // ATTR_TYPE_ORIGIN metric: no step (QuirkOriginMetricStep)
}

// ospfOneRank gives the three OSPF origin types (ranks 4 to 6) the rank
// of intra-area: QuirkOSPFOneRank.
func ospfOneRank(r int) int {
	if r == int(omp.OriginOSPFInter) || r == int(omp.OriginOSPFExternal) {
		return int(omp.OriginOSPFIntra)
	}
	return r
}

// originRank orders origin types for step 5: connected, static, EBGP,
// OSPF intra, OSPF inter, OSPF external, IBGP, then unknown (anything
// else, including omp.OriginUnknown and omp.OriginEIGRP). Lower is better.
func originRank(o uint8) int {
	if o >= 1 && o <= 7 { // omp.OriginConnected .. omp.OriginIBGP
		return int(o)
	}
	return 8
}

func cmpHigher[T ~uint8 | ~uint32](a, b T) int {
	switch {
	case a > b:
		return 1
	case a < b:
		return -1
	}
	return 0
}

// Compare runs the best-path steps for role on a and b. It returns c > 0
// when a is preferred, c < 0 when b is, and the step that decided; c == 0
// means both are best: StepNone when they are equal through every step
// that applies, StepPrivateIP on a controller for paths of different
// sites that tie through step 3 (the draft's "chooses both of them").
//
// Steps 4 and 5 and the private-address half of step 7 apply to edges
// and hubs only. On a controller step 6 orders paths of one site only:
// paths from different sites always have different originators, so
// comparing router IDs across sites would leave the draft's multipath
// clause nothing to apply to.
func Compare(role omp.Role, a, b *Candidate) (int, Step) { return compare(0, role, a, b) }

// compare is Compare in a RIB with quirks q (zero: the draft's order).
func compare(q Quirks, role omp.Role, a, b *Candidate) (int, Step) {
	if a.Valid != b.Valid {
		if a.Valid {
			return 1, StepValid
		}
		return -1, StepValid
	}
	if c := cmpHigher(a.Distance, b.Distance); c != 0 {
		if q.has(QuirkDistanceReversed) {
			return c, StepDistance
		}
		return -c, StepDistance // lower is better
	}
	if c := cmpHigher(a.Pref, b.Pref); c != 0 {
		if q.has(QuirkPrefReversed) {
			return -c, StepPref
		}
		return c, StepPref
	}
	if role.Edge() {
		if c := cmpHigher(a.TLOCPref, b.TLOCPref); c != 0 {
			if q.has(QuirkTLOCPrefReversed) {
				return -c, StepTLOCPref
			}
			return c, StepTLOCPref
		}
		ra, rb := originRank(a.Origin), originRank(b.Origin)
		if q.has(QuirkOriginUnknownFirst) {
			ra, rb = ra%8, rb%8 // unknown (8) before connected (1)
		}
		if q.has(QuirkOSPFOneRank) {
			ra, rb = ospfOneRank(ra), ospfOneRank(rb)
		}
		if ra != rb {
			if (ra < rb) != q.has(QuirkOriginReversed) {
				return 1, StepOrigin
			}
			return -1, StepOrigin
		}
		if c := cmpHigher(a.Metric, b.Metric); c != 0 && q.has(QuirkOriginMetricStep) {
			return -c, StepOrigin // lower is better
		}
	} else if a.SiteID != b.SiteID && !q.has(QuirkStep7Skipped) {
		return 0, StepPrivateIP
	}
	if c := a.RouterID.Compare(b.RouterID); c != 0 {
		if q.has(QuirkRouterIDReversed) {
			return -c, StepRouterID
		}
		return c, StepRouterID
	}
	if role.Edge() && !q.has(QuirkStep7Skipped) {
		if c := a.PrivateIP.Compare(b.PrivateIP); c != 0 {
			return c, StepPrivateIP
		}
	}
	return 0, StepNone
}
