package catalog

import (
	"slices"

	"github.com/ompconform/ompconform/dut/control"
	"github.com/ompconform/ompconform/mutators"
	"github.com/ompconform/ompconform/omp"
)

// ALERT cases (section 3.1.4): every code and subcode of the table
// received by the DUT; malformed ALERTs; and the OPER ALERTs a DUT sends
// when its operator acts.

const reqAlertRecv = "If a NOTIFICATION message is received [...] the local system [...] drops the TCP connection [...] changes its state to Idle."

// alertsReceived is every ALERT of the draft's table (omp.AllAlerts, in
// its order), with the case that sends it to the DUT.
var alertsReceived = []idv[omp.AlertID]{
	{"ALR-001", omp.AlertID{Code: omp.ErrInv, Subcode: omp.SubErrNone}},
	{"ALR-002", omp.AlertID{Code: omp.ErrHeader, Subcode: omp.SubErrHeaderUnsync}},
	{"ALR-003", omp.AlertID{Code: omp.ErrHeader, Subcode: omp.SubErrHeaderLength}},
	{"ALR-004", omp.AlertID{Code: omp.ErrHeader, Subcode: omp.SubErrHeaderType}},
	{"ALR-005", omp.AlertID{Code: omp.ErrHandshake, Subcode: omp.SubErrHandshakeVersion}},
	{"ALR-006", omp.AlertID{Code: omp.ErrHandshake, Subcode: omp.SubErrHandshakeOMPID}},
	{"ALR-007", omp.AlertID{Code: omp.ErrHandshake, Subcode: omp.SubErrHandshakeUnsupOpt}},
	{"ALR-008", omp.AlertID{Code: omp.ErrHandshake, Subcode: omp.SubErrHandshakeAuth}},
	{"ALR-009", omp.AlertID{Code: omp.ErrHandshake, Subcode: omp.SubErrHandshakeHoldtime}},
	{"ALR-010", omp.AlertID{Code: omp.ErrHandshake, Subcode: omp.SubErrHandshakeUnsupCap}},
	{"ALR-011", omp.AlertID{Code: omp.ErrHandshake, Subcode: omp.SubErrHandshakePersonalityMismatch}},
	{"ALR-012", omp.AlertID{Code: omp.ErrHandshake, Subcode: omp.SubErrHandshakeDomainMismatch}},
	{"ALR-013", omp.AlertID{Code: omp.ErrUpdate, Subcode: omp.SubErrUpdateAttrList}},
	{"ALR-014", omp.AlertID{Code: omp.ErrUpdate, Subcode: omp.SubErrUpdateUnknown}},
	{"ALR-015", omp.AlertID{Code: omp.ErrUpdate, Subcode: omp.SubErrUpdateMissing}},
	{"ALR-016", omp.AlertID{Code: omp.ErrUpdate, Subcode: omp.SubErrUpdateFlags}},
	{"ALR-017", omp.AlertID{Code: omp.ErrUpdate, Subcode: omp.SubErrUpdateLength}},
	{"ALR-018", omp.AlertID{Code: omp.ErrUpdate, Subcode: omp.SubErrUpdateNexthop}},
	{"ALR-019", omp.AlertID{Code: omp.ErrUpdate, Subcode: omp.SubErrUpdateOptAttr}},
	{"ALR-020", omp.AlertID{Code: omp.ErrUpdate, Subcode: omp.SubErrUpdateBadNet}},
	{"ALR-021", omp.AlertID{Code: omp.ErrHoldtime, Subcode: omp.SubErrNone}},
	{"ALR-022", omp.AlertID{Code: omp.ErrFSM, Subcode: omp.SubErrNone}},
	{"ALR-023", omp.AlertID{Code: omp.ErrOper, Subcode: omp.SubErrOperClear}},
	{"ALR-024", omp.AlertID{Code: omp.ErrOper, Subcode: omp.SubErrOperShut}},
	{"ALR-025", omp.AlertID{Code: omp.ErrOper, Subcode: omp.SubErrOperHoldtimeExp}},
	{"ALR-026", omp.AlertID{Code: omp.ErrOper, Subcode: omp.SubErrOperCfgChange}},
	{"ALR-027", omp.AlertID{Code: omp.ErrOper, Subcode: omp.SubErrOperTerm}},
}

func alertCases() []Case {
	var cs []Case
	for _, r := range alertsReceived {
		a := r.v
		cs = append(cs, Case{ID: r.id, Title: "ALERT " + shortAlerts(a.String()) + " received: the DUT closes, without answering", Section: "3.1.4", Level: SHOULD, Basis: BGP, Source: "RFC 4271 6.4, 8.2.2",
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
		Case{ID: "ALR-044", Section: "3.1.4", Level: SHOULD, Basis: BGP, Source: "RFC 4271 8.2.2", Requirement: reqAlertRecv,
			Reading: "An ALERT between the HANDSHAKE exchange and the harness's first HELLO (BGP's OpenConfirm) ends the session like any other, unanswered: a NOTIFICATION in OpenConfirm closes the connection (RFC 4271 8.2.2), it is not a message the state refuses with an FSM error.",
			Type:    omp.TypeAlert,
			Script: []Step{Connect(0), Send(0, Handshake()), ExpectOn(0, ExpectMessage(omp.TypeHandshake)),
				Send(0, AlertMessage(omp.ErrOper, omp.SubErrOperClear)), ExpectOn(0, Closed())}},
		Case{ID: "ALR-045", Section: "3.1.4", Level: SHOULD, Basis: BGP, Source: "RFC 4271 8.2.2",
			Requirement: "If the UPDATE message is malformed, the local system: sends a NOTIFICATION message with an Error Code of UPDATE Message Error, [...] releases all BGP resources, drops the TCP connection, [...] and changes its state to Idle.",
			Reading:     "A session the DUT ended with its own ALERT leaves nothing behind: after it refused peer0's UPDATE (Prefix length 33: UPDATE/BAD_NET) and closed, the same router (peer0's Router ID) opens a new session on a new connection once peer0 has closed its end too (a DUT may wait for that close before it lets the session go), and the DUT accepts it. OMPID is for a second session of a router that has one up (HS-022), not for one whose session is over.",
			Type:        omp.TypeHandshake, Needs: vroute,
			Script: []Step{Open(0), Send(0, RouteUpdate().Mutate("update.attr[1].value.nlri[0].prefix_length", Set(33))), ExpectOn(0, Alert(omp.ErrUpdate, omp.SubErrUpdateBadNet).ThenClose()), Close(0), Sleep(0.3),
				Connect(1), Send(1, HandshakeWith("peer0's Router ID", RouterIDOf(0))), ExpectOn(1, ExpectMessage(omp.TypeHandshake, HandshakeValid())), Send(1, Hello()), ExpectOn(1, Accept())}},
		Case{ID: "ALR-046", Section: "3.1.4", Level: SHOULD, Basis: BGP, Source: "RFC 4271 8.2.2", Requirement: reqAlertRecv,
			Reading: "A session the peer ended with its ALERT leaves nothing behind either (ALR-045 for the DUT's own): after peer0's ALERT OPER/CLEAR closed its session, the same router (peer0's Router ID) opens a new session on a new connection, and the DUT accepts it, not refusing it with OMPID as if the old session were still up.",
			Type:    omp.TypeHandshake,
			Script: []Step{Open(0), Send(0, AlertMessage(omp.ErrOper, omp.SubErrOperClear)), ExpectOn(0, Closed()), Close(0), Sleep(0.3),
				Connect(1), Send(1, HandshakeWith("peer0's Router ID", RouterIDOf(0))), ExpectOn(1, ExpectMessage(omp.TypeHandshake, HandshakeValid())), Send(1, Hello()), ExpectOn(1, Accept())}},
	)
	// The OPER ALERTs, which only the DUT's operator can cause.
	for _, o := range []struct {
		id  string
		a   control.Action
		sub omp.Subcode
	}{{"OPR-001", control.Clear, omp.SubErrOperClear}, {"OPR-002", control.Shutdown, omp.SubErrOperShut}, {"OPR-003", control.CfgChange, omp.SubErrOperCfgChange}, {"OPR-004", control.Terminate, omp.SubErrOperTerm}} {
		cs = append(cs, Case{ID: o.id, Section: "3.1.4", Level: SHOULD, Basis: BGP, Source: "RFC 4486 3",
			Requirement: "OPER: OMP_SUB_ERR_OPER_CLEAR = 1, OMP_SUB_ERR_OPER_SHUT = 2, OMP_SUB_ERR_OPER_HOLDTIME_EXP = 3, OMP_SUB_ERR_OPER_CFG_CHANGE = 4, OMP_SUB_ERR_OPER_TERM = 5",
			Reading:     "As BGP's Cease subcodes: when the operator performs " + o.a.String() + ", the DUT ends the session with ALERT OMP_ERR_OPER/" + omp.ErrOper.SubcodeName(o.sub) + ".",
			Needs:       []Need{NeedControl(o.a)}, Type: omp.TypeAlert, Exclusive: o.a == control.CfgChange || o.a == control.Terminate,
			Script: []Step{Open(0), Operator(o.a, 0), ExpectOn(0, Alert(omp.ErrOper, o.sub).ThenClose())}})
	}
	cs = append(cs, Case{ID: "OPR-005", Section: "3.1.4", Level: SHOULD, Basis: BGP, Source: "RFC 4486 3",
		Requirement: "OPER: OMP_SUB_ERR_OPER_CLEAR = 1, OMP_SUB_ERR_OPER_SHUT = 2, OMP_SUB_ERR_OPER_HOLDTIME_EXP = 3, OMP_SUB_ERR_OPER_CFG_CHANGE = 4, OMP_SUB_ERR_OPER_TERM = 5",
		Reading:     "A clear resets the session, it does not shut the peer down (BGP's Administrative Reset against Administrative Shutdown; docs/dut-control.md): after the operator's clear of peer0 (ALERT OMP_ERR_OPER/CLEAR), peer0 opens a new session with the same HANDSHAKE and the DUT accepts it.",
		Needs:       []Need{NeedControl(control.Clear)}, Type: omp.TypeHandshake,
		Script: slices.Concat([]Step{Open(0), Operator(control.Clear, 0), ExpectOn(0, Alert(omp.ErrOper, omp.SubErrOperClear).ThenClose()), Close(0), Sleep(0.3)}, handshakeAccepted(Handshake()))})
	cs = append(cs, Case{ID: "OPR-006", Section: "3.1.4", Level: SHOULD, Basis: BGP, Source: "RFC 4486 3",
		Requirement: "OPER: OMP_SUB_ERR_OPER_CLEAR = 1, OMP_SUB_ERR_OPER_SHUT = 2, OMP_SUB_ERR_OPER_HOLDTIME_EXP = 3, OMP_SUB_ERR_OPER_CFG_CHANGE = 4, OMP_SUB_ERR_OPER_TERM = 5",
		Reading:     "A clear acts on the session of the peer it names (docs/dut-control.md: clear and shutdown name a peer; config-change and terminate act on every session): after the operator's clear of peer0 (ALERT OMP_ERR_OPER/CLEAR), peer1's session stays up.",
		Needs:       []Need{NeedControl(control.Clear)}, Type: omp.TypeAlert,
		Script: []Step{Open(0), Open(1), Operator(control.Clear, 0), ExpectOn(0, Alert(omp.ErrOper, omp.SubErrOperClear).ThenClose()), ExpectOn(1, Accept())}})
	return cs
}
