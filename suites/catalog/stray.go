package catalog

import (
	"bytes"

	"github.com/ompconform/ompconform/omp"
)

// strayExp judges a POLICY fragment sent outside a sequence (MORE or END
// without START). The draft names no ALERT for it: the DUT may refuse it
// with any ALERT, or drop it. What it must not do is take it as the start
// of a sequence, and that shows next: a DUT that stayed silent is sent a
// whole policy (one OMP_PKT_POL_COMPLETE), which is valid only outside a
// sequence, and must take it.
type strayExp struct{}

// StrayFragment expects a stray POLICY fragment refused with an ALERT, or
// dropped, as strayExp says.
func StrayFragment() Expectation { return strayExp{} }

func (strayExp) String() string {
	return "any ALERT, or the fragment dropped: a whole policy (OMP_PKT_POL_COMPLETE) sent after it accepted"
}

func (strayExp) Alerts() []omp.AlertID { return nil }

// strayFollowUp is the whole policy sent after a fragment the DUT did not
// refuse.
var strayFollowUp = Policy(omp.PolicyComplete, bytes.Repeat([]byte("policy;"), 15))

func (s strayExp) check(x *Exec, peer int) Verdict {
	// The answer time, not the settle time: a wait of Env.Settle took an
	// ALERT for the fragment, late behind a slow link, for the refusal of
	// the whole policy sent next. No barrier: a REFRESH_REQUEST inside
	// what the DUT may take for a sequence is not the question asked.
	refusal := AnyAlert()
	ev, skipped := x.await(peer, x.Env.Answer, s.String(), func(ev Event) bool { _, ok := ev.Alert(); return ok })
	if ev.Kind != EvTimeout {
		v := refusal.judge(x, peer, ev, skipped)
		v.Expected = s.String()
		return v
	}
	// Silent: the fragment was dropped, or it opened a sequence.
	notDropped := func(ev Event, skipped string) Verdict {
		v := x.refused(s, ev, skipped)
		v.Reason = "the fragment was not dropped: the whole policy sent after it was refused, as inside a sequence the fragment opened"
		return v
	}
	if err := x.send(peer, strayFollowUp); err != nil {
		return x.ended(peer, s, err, notDropped)
	}
	v := x.barrierOr(peer, s, x.Env.Answer, notDropped)
	if v.Grade == Pass {
		v.Received = "no ALERT; then " + strayFollowUp.String() + " was accepted: " + v.Received
		v.Reason = "the fragment was dropped"
	}
	return v
}
