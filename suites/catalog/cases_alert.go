package catalog

import (
	"fmt"

	"github.com/ompconform/ompconform/mutators"
	"github.com/ompconform/ompconform/omp"
)

// ALERT cases (section 3.1.4): every code and subcode of the table
// received by the DUT; malformed ALERTs; and the OPER ALERTs a DUT sends
// when its operator acts.

const reqAlertRecv = "If a NOTIFICATION message is received [...] the local system [...] drops the TCP connection [...] changes its state to Idle."

func alertCases() []Case {
	var cs []Case
	for i, a := range omp.AllAlerts() {
		cs = append(cs, Case{ID: fmt.Sprintf("ALR-%03d", 1+i), Title: "ALERT " + shortAlerts(a.String()) + " received: the DUT closes, without answering", Section: "3.1.4", Level: SHOULD, Basis: BGP, Source: "RFC 4271 6.4, 8.2.2",
			Requirement: reqAlertRecv,
			Reading:     "The draft does not say what a receiver of an ALERT does; as a BGP NOTIFICATION, an ALERT " + a.String() + " ends the session and is not answered.",
			Send:        AlertMessage(a.Code, a.Subcode), Expect: Closed()})
	}
	cs = append(cs,
		Case{ID: "ALR-040", Section: "3.1.4", Level: SHOULD, Basis: BGP, Source: "RFC 4271 6.4", Requirement: reqAlertRecv,
			Reading: "An ALERT of Code 7, which the draft does not define, still ends the session.",
			Send:    AlertMessage(7, 0), Expect: Closed()},
		Case{ID: "ALR-041", Section: "3.1.4", Level: SHOULD, Basis: BGP, Source: "RFC 4271 6.4", Requirement: reqAlertRecv,
			Reading: "An ALERT OMP_ERR_HEADER with Subcode 9, which the draft does not define, still ends the session.",
			Send:    AlertMessage(omp.ErrHeader, 9), Expect: Closed()},
		Case{ID: "ALR-042", Section: "3.1.4", Level: SHOULD, Basis: Draft, Requirement: "Code : 1 byte [...] Subcode : 1 byte [...] Data...",
			Reading: "An ALERT with 32 bytes of Data ends the session like any other.",
			Send:    AlertMessage(omp.ErrOper, omp.SubErrOperCfgChange).Mutate("alert.subcode", Extend(make([]byte, 32))),
			Expect:  Closed()},
		Case{ID: "ALR-043", Section: "3.1.4", Level: SHOULD, Basis: BGP, Source: "RFC 4271 6.4", Requirement: reqAlertRecv,
			Reading: "An ALERT on a connection whose HANDSHAKE has not been sent yet ends it too.",
			Phase:   mutators.PhaseOpening, Send: AlertMessage(omp.ErrOper, omp.SubErrOperShut), Expect: Closed()},
	)
	// The OPER ALERTs, which only the DUT's operator can cause.
	for i, o := range []struct {
		a   Action
		sub omp.Subcode
	}{{ActClear, omp.SubErrOperClear}, {ActShutdown, omp.SubErrOperShut}, {ActCfgChange, omp.SubErrOperCfgChange}, {ActTerminate, omp.SubErrOperTerm}} {
		cs = append(cs, Case{ID: fmt.Sprintf("OPR-%03d", 1+i), Section: "3.1.4", Level: SHOULD, Basis: BGP, Source: "RFC 4486 3",
			Requirement: "OPER: OMP_SUB_ERR_OPER_CLEAR = 1, OMP_SUB_ERR_OPER_SHUT = 2, OMP_SUB_ERR_OPER_HOLDTIME_EXP = 3, OMP_SUB_ERR_OPER_CFG_CHANGE = 4, OMP_SUB_ERR_OPER_TERM = 5",
			Reading:     "As BGP's Cease subcodes: when the operator performs " + o.a.String() + ", the DUT ends the session with ALERT OMP_ERR_OPER/" + omp.ErrOper.SubcodeName(o.sub) + ".",
			Needs:       []Need{NeedControl(o.a)}, Type: omp.TypeAlert, Exclusive: o.a == ActCfgChange || o.a == ActTerminate,
			Script: []Step{Open(0), Operator(o.a, 0), ExpectOn(0, Alert(omp.ErrOper, o.sub).ThenClose())}})
	}
	return cs
}
