package reference

import (
	"fmt"
	"slices"

	"github.com/ompconform/ompconform/internal/enum"
	"github.com/ompconform/ompconform/omp"
)

// State is a state of the session state machine (docs/fsm.md), after
// RFC 4271 section 8: Idle, Connect and Active belong to a neighbor the
// speaker dials; a connection is in HandshakeSent, HandshakeConfirm or
// Established. The transitions are the tables below (connTable,
// neighborTable), which docs/fsm.md draws row for row.
type State uint8

const (
	StateIdle             State = iota // no connection; not trying
	StateConnect                       // dialling the neighbor
	StateActive                        // waiting to redial (backoff)
	StateHandshakeSent                 // connected, own HANDSHAKE sent
	StateHandshakeConfirm              // peer's HANDSHAKE accepted, HELLO sent
	StateEstablished                   // peer's first HELLO received
)

var stateNames = [...]string{"Idle", "Connect", "Active", "HandshakeSent", "HandshakeConfirm", "Established"}

func (s State) String() string { return enum.Name(stateNames[:], s, "State(%d)") }

// MarshalText prints states by name.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText parses a state name.
func (s *State) UnmarshalText(b []byte) (err error) {
	*s, err = enum.Parse[State](stateNames[:], "state", string(b))
	return err
}

// stay, as a row's next state, leaves the state as it is (fault rows).
const stay State = 255

// connected are the states of a connection until it closes.
var connected = []State{StateHandshakeSent, StateHandshakeConfirm, StateEstablished}

// event is what moves a state machine: a message read, an action's
// refusal, a timer, the connection, the operator, the dialler.
type event uint8

const (
	// A message read and decoded.
	evHandshake event = iota
	evHello
	evUpdate
	evQuery
	evPolicy
	evInform
	evAlert
	// What an action found.
	evHandshakeRefused
	evRoutingRefused
	// Timers, the connection, the operator.
	evHoldTimer
	evUndecodable
	evPeerClosed
	evWriteTimeout
	evWriteFailed
	evQueueFull
	evClear
	evShutdown
	evConfigChange
	evStop
	// The neighbor's dialler.
	evStart
	evUnshut
	evConnected
	evDialFailed
	evRetryTimer
	evPeerInSession
	evSessionEnded
	evRemoved

	numEvents
	evNone = numEvents // no event follows
)

// eventNames are as docs/fsm.md's Event columns name them.
var eventNames = [numEvents]string{
	evHandshake: "HANDSHAKE", evHello: "HELLO", evUpdate: "UPDATE", evQuery: "QUERY",
	evPolicy: "POLICY", evInform: "INFORM", evAlert: "ALERT",
	evHandshakeRefused: "HANDSHAKE refused",
	evRoutingRefused:   "routing half refuses a message",
	evHoldTimer:        "hold timer expires",
	evUndecodable:      "message that does not decode",
	evPeerClosed:       "peer closes or resets the connection",
	evWriteTimeout:     "a write does not complete within `WriteTimeout`",
	evWriteFailed:      "a write fails",
	evQueueFull:        "the send queue is full",
	evClear:            "administrative clear",
	evShutdown:         "administrative shutdown",
	evConfigChange:     "configuration change that affects sessions",
	evStop:             "speaker stops",
	evStart:            "start",
	evUnshut:           "administrative un-shut",
	evConnected:        "TCP up",
	evDialFailed:       "dial fails",
	evRetryTimer:       "retry timer",
	evPeerInSession:    "its router ID is in session",
	evSessionEnded:     "its connection ends",
	evRemoved:          "removed from the configuration",
}

func (e event) String() string { return enum.Name(eventNames[:], e, "event(%d)") }

// connEvents are the events of a connection.
var connEvents = eventRange(evHandshake, evStop)

func eventRange(from, to event) []event {
	var out []event
	for e := from; e <= to; e++ {
		out = append(out, e)
	}
	return out
}

// row is one line of a transition table: in any state of from, on any
// event of on, do runs and the state becomes to. doc is the row's
// Action cell in docs/fsm.md.
type row struct {
	from []State
	on   []event
	doc  string
	do   action
	to   State
}

// input is what an event carries to its action.
type input struct {
	m      omp.Message // the message read
	raw    []byte      // its bytes (HANDSHAKE: its MAC covers them)
	alert  *omp.Alert  // the ALERT to close with (refusals, the codec's)
	reason string      // why, for the log and the state API
	ended  bool        // the action found the session over
}

// action is a row's action on a session in state st. It returns the
// event that follows (a refusal), or evNone.
type action func(s *session, st State, in *input) event

func one(st ...State) []State { return st }
func on(ev ...event) []event  { return ev }

var routeMsgs = on(evUpdate, evQuery, evPolicy, evInform)

// fsmRefusal is the doc of the rows that refuse a message the state does
// not allow (fsmError).
const fsmRefusal = "ALERT OMP_ERR_FSM, close"

// connTable is a connection's state machine (docs/fsm.md, Events and
// transitions: the Connection table, row for row). A connection starts
// in HandshakeSent, its HANDSHAKE written, and ends in Idle. (Set by
// init: its actions lead back to the table.)
var connTable []row

func connRows() []row {
	return []row{
		{one(StateHandshakeSent), on(evHandshake),
			"the HANDSHAKE checks (below); passed: hand the peer to the routing half, send HELLO, start the hold timer and HELLO timer with the negotiated hold time; failed: HANDSHAKE refused",
			(*session).acceptHandshake, StateHandshakeConfirm},
		{one(StateHandshakeSent), append(on(evHello), routeMsgs...),
			fsmRefusal, (*session).fsmError, StateIdle},
		{one(StateHandshakeConfirm), on(evHello),
			"hand the peer's routes over; send the routing half's output", (*session).establish, StateEstablished},
		{one(StateHandshakeConfirm), append(on(evHandshake), routeMsgs...),
			fsmRefusal, (*session).fsmError, StateIdle},
		{one(StateEstablished), on(evHello),
			"restart the hold timer", keepalive, StateEstablished},
		{one(StateEstablished), routeMsgs,
			"restart the hold timer; to the routing half; refused: routing half refuses a message", (*session).route, StateEstablished},
		{one(StateEstablished), on(evHandshake),
			fsmRefusal, (*session).fsmError, StateIdle},
		{connected, on(evHandshakeRefused),
			"ALERT OMP_ERR_HANDSHAKE/subcode, or OMP_ERR_OPER/SHUT (HANDSHAKE checks, below), close", closeWith(false), StateIdle},
		{connected, on(evRoutingRefused),
			"its ALERT (OMP_ERR_UPDATE, or the POLICY fragment ALERT), close", closeWith(false), StateIdle},
		{connected, on(evHoldTimer),
			"ALERT OMP_ERR_HOLDTIME, close", (*session).holdExpired, StateIdle},
		{connected, on(evUndecodable),
			"the codec's ALERT (`(*omp.Error).Alert()`), close", closeWith(false), StateIdle},
		{connected, on(evAlert),
			"record it, close without answering", (*session).alertReceived, StateIdle},
		{connected, on(evPeerClosed, evWriteFailed),
			"close", closeWith(true), StateIdle},
		{connected, on(evWriteTimeout),
			"ALERT OMP_ERR_OPER/CLEAR after the rest of the message the write cut (best effort, within 1 s), close", closeOper(omp.SubErrOperClear, false), StateIdle},
		{connected, on(evQueueFull),
			"ALERT OMP_ERR_OPER/CLEAR (best effort), close", closeOper(omp.SubErrOperClear, false), StateIdle},
		{connected, on(evClear),
			"ALERT OMP_ERR_OPER/CLEAR, close", closeOper(omp.SubErrOperClear, false), StateIdle},
		{connected, on(evShutdown),
			"ALERT OMP_ERR_OPER/SHUT, close; neighbor not redialled", closeOper(omp.SubErrOperShut, false), StateIdle},
		{connected, on(evConfigChange),
			"ALERT OMP_ERR_OPER/CFG_CHANGE, close", closeOper(omp.SubErrOperCfgChange, true), StateIdle},
		{connected, on(evStop),
			"ALERT OMP_ERR_OPER/TERM, close", closeOper(omp.SubErrOperTerm, true), StateIdle},
		{one(StateIdle), connEvents,
			"none: the connection is over", ignore, StateIdle},
	}
}

// neighborTable is a configured neighbor's dialler (docs/fsm.md, the
// Neighbor table); dialLoop runs the actions, the table says where each
// event leads. While its connection runs, a neighbor is in that
// connection's state.
var neighborTable = []row{
	{one(StateIdle), on(evStart, evUnshut), "dial", nil, StateConnect},
	{one(StateActive), on(evRetryTimer), "dial", nil, StateConnect},
	{one(StateConnect), on(evConnected), "start a connection (TLS first, if configured)", nil, StateHandshakeSent},
	{one(StateConnect), on(evDialFailed), "start the retry timer (doubling)", nil, StateActive},
	{one(StateIdle, StateActive), on(evPeerInSession), "start the retry timer (the peer dialled in: one session per router ID)", nil, StateActive},
	{connected, on(evSessionEnded), "start the retry timer (back to `ConnectRetry` after Established, else doubling)", nil, StateActive},
	{one(StateIdle, StateActive), on(evShutdown), "wait for un-shut", nil, StateIdle},
	{one(StateIdle, StateActive), on(evRemoved), "stop", nil, StateIdle},
}

// transitions indexes a table by state and event.
type transitions [len(stateNames)][numEvents]*row

func index(table []row) *transitions {
	var t transitions
	for i := range table {
		r := &table[i]
		for _, st := range r.from {
			for _, ev := range r.on {
				if t[st][ev] != nil {
					panic(fmt.Sprintf("reference: two rows for %s on %s", st, ev))
				}
				t[st][ev] = r
			}
		}
	}
	return &t
}

var (
	connTransitions     *transitions
	neighborTransitions = index(neighborTable)
)

func init() {
	connTable, faultRows = connRows(), faultRowList()
	connTransitions = index(connTable)
}

// fsmFaults are the faults that change the connection table.
var fsmFaults = faultsOf(fAlertReceivedIgnored, fFSMHandshakeOnEstablishedIgnored,
	fFSMHelloBeforeHandshakeAccepted, fFSMUpdateBeforeEstablished, fErrorCloseKeepsGR, fAlertInConfirmAnswered)

// faultRows replace rows of connTable when their fault is on
// (docs/faults.md): the state machine as a broken speaker runs it.
var faultRows []faultRow

type faultRow struct {
	f fault
	row
}

func faultRowList() []faultRow {
	return []faultRow{
		{fAlertReceivedIgnored, row{connected, on(evAlert), "record it", (*session).recordAlert, stay}},
		{fFSMHandshakeOnEstablishedIgnored, row{one(StateEstablished), on(evHandshake), "none", ignore, stay}},
		{fFSMHelloBeforeHandshakeAccepted, row{one(StateHandshakeSent), on(evHello), "none", ignore, stay}},
		{fFSMUpdateBeforeEstablished, row{one(StateHandshakeSent), routeMsgs, "drop it (no routing half yet)", ignore, stay}},
		{fFSMUpdateBeforeEstablished, row{one(StateHandshakeConfirm), routeMsgs, "to the routing half", (*session).route, stay}},
		{fAlertInConfirmAnswered, row{one(StateHandshakeConfirm), on(evAlert), "answer it: ALERT OMP_ERR_FSM, close", (*session).fsmError, StateIdle}},
		{fErrorCloseKeepsGR, row{connected, on(evUndecodable), "the codec's ALERT, close as if the connection were lost (graceful restart applies)", closeWith(true), StateIdle}},
	}
}

// rowFor is the row the session runs for ev in state st.
func (s *session) rowFor(st State, ev event) *row {
	if s.set.faults.any(fsmFaults) {
		for i := range faultRows {
			fr := &faultRows[i]
			if s.set.faults.has(fr.f) && slices.Contains(fr.from, st) && slices.Contains(fr.on, ev) {
				return &fr.row
			}
		}
	}
	return connTransitions[st][ev]
}

// MessageAllowed is what the connection table, without faults, does with
// a decoded message of header Type t in state st, for a model of a
// session kept outside the speaker (the network fuzzer's): the state it
// leads to, or the OMP_ERR_FSM ALERT when st does not allow it; closes
// says it is an ALERT, which ends the session without an answer. A Type
// the table does not know leaves st as it is.
func MessageAllowed(st State, t omp.MsgType) (next State, fsm *omp.Alert, closes bool) {
	ev := typeEvent(t)
	if ev == evNone || !slices.Contains(connected, st) {
		return st, nil, false
	}
	r := connTransitions[st][ev]
	switch {
	case ev == evAlert:
		return StateIdle, nil, true
	case r.doc == fsmRefusal:
		return StateIdle, fsmAlert(t), false
	}
	return r.to, nil, false
}

// step runs the state machine on ev: the row for the session's state
// and ev runs its action; when the action refuses (a HANDSHAKE check,
// the routing half), the refusal is the next event, else the session
// enters the row's next state. A row into Idle closes the session
// (fail); it enters Idle once it is down (sessionDown), after the
// routing half was told, so that the state API shows Idle only then.
//
// Message events come from the handler only, one at a time, and only
// the handler moves a connection forward; the other events (timers,
// writer, operator) all close, which fail makes idempotent. step
// reports whether the session goes on: false after a row into Idle or
// an action that found it over.
func (s *session) step(ev event, in input) bool {
	for {
		st := s.getState()
		r := s.rowFor(st, ev)
		next := r.do(s, st, &in)
		if next != evNone {
			ev = next
			continue
		}
		if r.to != stay && r.to != StateIdle && r.to != st {
			s.setState(r.to)
		}
		return r.to != StateIdle && !in.ended
	}
}

// enter moves a neighbor on ev by neighborTable; s is its connection
// (entering HandshakeSent), err why it is not in session.
func (nb *neighbor) enter(ev event, s *session, err string) {
	nb.mu.Lock()
	st := nb.state
	nb.mu.Unlock()
	to := st
	if r := neighborTransitions[st][ev]; r != nil {
		to = r.to
	} else {
		nb.sp.log.Error("neighbor: no transition", "neighbor", nb.addr, "state", st.String(), "event", ev.String())
	}
	nb.set(to, s, err)
}
