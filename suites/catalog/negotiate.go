package catalog

import (
	"fmt"
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
	for _, c := range h.Capabilities() {
		if g, ok := c.(*omp.CapGracefulRestart); ok {
			return g.GRInterval
		}
	}
	return 0
}

// Negotiated returns the timers of fake peer i's session, as its opening
// set them (zero if it has none).
func (x *Exec) Negotiated(i int) Negotiated { return x.neg[i] }
