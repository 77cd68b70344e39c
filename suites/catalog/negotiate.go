package catalog

import (
	"fmt"
	"slices"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// Negotiated are the timers of one session, as both HANDSHAKEs set them:
// every timer a case judges comes from here, never from a constant.
type Negotiated struct {
	// Hold is the negotiated hold time: the smaller of the two Hold Times
	// offered (RFC 4271 4.2); 0 when either side offered 0 (no HELLOs, no
	// hold timer).
	Hold time.Duration
	// GR is the GR Interval that applies when a side restarts: the
	// smaller of the two GRACEFUL RESTART capabilities' intervals; 0 when
	// either side sent none (no graceful restart).
	GR time.Duration
}

// Negotiate derives a session's timers from the HANDSHAKE the harness
// sent (ours) and the DUT's (theirs); unit is one second of Hold Time and
// GR Interval (scaled in tests of the harness).
func Negotiate(ours, theirs *omp.Handshake, unit time.Duration) Negotiated {
	if ours == nil || theirs == nil {
		return Negotiated{}
	}
	n := Negotiated{Hold: time.Duration(min(ours.HoldTime, theirs.HoldTime)) * unit}
	if a, b := grInterval(ours), grInterval(theirs); a > 0 && b > 0 {
		n.GR = time.Duration(min(a, b)) * unit
	}
	return n
}

// HelloEvery is how often a side sends HELLO: a third of the hold time
// (RFC 4271 4.4; the smallest hold time, 3 s, gives once per second); 0
// when the hold time is 0.
func (n Negotiated) HelloEvery() time.Duration { return n.Hold / 3 }

func (n Negotiated) String() string {
	return fmt.Sprintf("hold time %s, GR interval %s", n.Hold, n.GR)
}

func grInterval(h *omp.Handshake) uint32 {
	if g, ok := omp.CapOf[*omp.CapGracefulRestart](h); ok {
		return g.GRInterval
	}
	return 0
}

// Negotiated returns the timers of fake peer i's session, as its opening
// set them (zero if it has none).
func (x *Exec) Negotiated(i int) Negotiated { return x.neg[i] }

// Families are the MP families both HANDSHAKEs carry (RFC 4760: a family
// is exchanged only when both sides announce it). A side that sends no
// MP capability is taken to carry every family, as MissingNeeds does;
// nil when neither names one.
func Families(ours, theirs *omp.Handshake) []omp.Family {
	if ours == nil || theirs == nil {
		return nil
	}
	a, b := ours.Families(), theirs.Families()
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	var out []omp.Family
	for _, f := range a {
		if slices.Contains(b, f) {
			out = append(out, f)
		}
	}
	return out
}

// eorOf reports whether m is an OMP_INFORM_EOR, and for which family
// (all: Length 0, every family).
func eorOf(m omp.Message) (f omp.Family, all, ok bool) {
	i, isInform := m.(*omp.Inform)
	if !isInform || i.InformType != omp.InformEOR {
		return omp.Family{}, false, false
	}
	return omp.Family{AFI: i.AFI, SAFI: i.SAFI}, i.AllFamilies, true
}

// eorSet waits for the EORs of a set of families: done once each has its
// EOR, or one EOR for every family came; with no families, the first EOR
// ends it.
type eorSet struct {
	want []omp.Family
	done bool
}

func newEORSet(fams []omp.Family) *eorSet { return &eorSet{want: slices.Clone(fams)} }

// see takes a message and reports whether the set is complete.
func (s *eorSet) see(m omp.Message) bool {
	f, all, ok := eorOf(m)
	if !ok || s.done {
		return s.done
	}
	if i := slices.Index(s.want, f); i >= 0 {
		s.want = slices.Delete(s.want, i, i+1)
	}
	s.done = all || len(s.want) == 0
	return s.done
}

// refreshFamily is the family a barrier asks a REFRESH_REQUEST for:
// AFI_IPV4/SAFI_VROUTE if negotiated, else the first negotiated family;
// ok false when no family is known (then every family is asked and the
// first EOR ends the answer).
func (x *Exec) refreshFamily(i int) (omp.Family, bool) {
	fams := x.fams[i]
	if slices.Contains(fams, omp.Family{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}) {
		return omp.Family{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}, true
	}
	if len(fams) > 0 {
		return fams[0], true
	}
	return omp.Family{}, false
}

// refreshRequest is the REFRESH_REQUEST a barrier sends on peer i's
// session, and the EORs that end its answer.
func (x *Exec) refreshRequest(i int) (Msg, *eorSet) {
	if f, ok := x.refreshFamily(i); ok {
		return Inform(omp.InformRefreshRequest, f.AFI, f.SAFI), newEORSet([]omp.Family{f})
	}
	return InformAll(omp.InformRefreshRequest), newEORSet(nil)
}
