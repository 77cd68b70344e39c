package reference

import (
	"errors"

	"github.com/ompconform/ompconform/omp"
)

// The actions of connTable's rows (fsm.go). An action that refuses
// names the refusal event, with the ALERT and reason in in; one that
// finds the session over sets in.ended.

// typeEvents are the events of the message Types the state machine
// knows.
var typeEvents = [...]event{
	omp.TypeHandshake: evHandshake, omp.TypeHello: evHello, omp.TypeUpdate: evUpdate,
	omp.TypeQuery: evQuery, omp.TypePolicy: evPolicy, omp.TypeInform: evInform,
	omp.TypeAlert: evAlert, omp.TypeInvalid: evNone,
}

// typeEvent is the event of a message of header Type t; evNone for a
// Type the state machine does not know (the codec decodes none).
func typeEvent(t omp.MsgType) event {
	if int(t) < len(typeEvents) {
		return typeEvents[t]
	}
	return evNone
}

// messageEvent is the event of a decoded message.
func messageEvent(m omp.Message) event { return typeEvent(m.Type()) }

func ignore(*session, State, *input) event { return evNone }

// keepalive does nothing more: every message read restarts the hold
// timer (decodeOne).
func keepalive(*session, State, *input) event { return evNone }

// closeWith closes with the event's ALERT (none: no ALERT).
func closeWith(graceful bool) action {
	return func(s *session, _ State, in *input) event {
		s.fail(in.alert, in.reason, graceful)
		return evNone
	}
}

// closeOper closes with ALERT OMP_ERR_OPER/sub.
func closeOper(sub omp.Subcode, graceful bool) action {
	return func(s *session, _ State, in *input) event {
		s.fail(operAlert(sub), in.reason, graceful)
		return evNone
	}
}

// fsmError refuses a message the state does not allow: OMP_ERR_FSM,
// its Type as data.
func (s *session) fsmError(st State, in *input) event {
	m := in.m
	s.fail(fsmAlert(m.Type()), m.Type().String()+" in state "+st.String(), false)
	return evNone
}

// fsmAlert is the ALERT for a message of Type t that the state does not
// allow: OMP_ERR_FSM, the Type as data.
func fsmAlert(t omp.MsgType) *omp.Alert {
	return &omp.Alert{Code: omp.ErrFSM, Subcode: omp.SubErrNone, Data: []byte{byte(t)}}
}

func (s *session) holdExpired(st State, _ *input) event {
	a := &omp.Alert{Code: omp.ErrHoldtime}
	if s.set.faults.has(fHoldExpirySubcodeOne) {
		a.Subcode = 1
	}
	s.fail(a, "hold timer expired in "+st.String(), true)
	return evNone
}

// recordAlert files the ALERT received for the state API.
func (s *session) recordAlert(_ State, in *input) event {
	m := in.m.(*omp.Alert)
	rec := newAlertRecord(m, "received")
	s.mu.Lock()
	s.alertIn = rec
	s.mu.Unlock()
	s.logger().Info("ALERT received", "code", m.Code.String(), "subcode", m.Code.SubcodeName(m.Subcode))
	return evNone
}

// alertReceived records the ALERT and closes without answering;
// graceful restart applies after the ALERTs that expect the peer back.
func (s *session) alertReceived(st State, in *input) event {
	s.recordAlert(st, in)
	m := in.m.(*omp.Alert)
	s.fail(nil, "ALERT received: "+m.ID().String(), gracefulAlert(m) || s.set.faults.has(fAlertReceivedKeepsGR))
	return evNone
}

// acceptHandshake runs the HANDSHAKE checks (handshake.go), then the
// speaker's (register) and the routing half's (up); accepted, it
// answers HELLO.
func (s *session) acceptHandshake(_ State, in *input) event {
	m := in.m.(*omp.Handshake)
	s.mu.Lock()
	s.routerID = m.PeerRouterID
	s.mu.Unlock()
	neg, aerr := s.set.checkHandshake(m, in.raw)
	if aerr == nil {
		aerr = s.sp.register(s, neg)
	}
	if aerr == nil {
		aerr = s.up(neg)
	}
	if aerr != nil {
		in.alert, in.reason = aerr.alert, aerr.reason
		return evHandshakeRefused
	}
	s.logp.Store(s.logger().With("peer", m.PeerRouterID.String()))
	if !s.set.faults.has(fHelloWaitsForPeerHello) && !s.send(s.hello()) {
		in.ended = true
	}
	if s.set.faults.has(fRoutesBeforeEstablished) { // the initial advertisement starts now, not at Established
		s.startRoutes()
	}
	return evNone
}

// establish hands the routing half's output to the writer.
func (s *session) establish(_ State, in *input) event {
	if s.set.faults.has(fHelloWaitsForPeerHello) && !s.send(s.hello()) { // the HELLO it held back
		in.ended = true
		return evNone
	}
	s.sp.established(s)
	s.startRoutes()
	return evNone
}

// startRoutes hands the routing half's output to the writer: its
// initial advertisement starts.
func (s *session) startRoutes() {
	s.mu.Lock()
	pr := s.pr
	s.mu.Unlock()
	s.routes.Store(&peerRoutingBox{pr})
	notify(s.wake)
}

// route hands an UPDATE, QUERY, POLICY or INFORM to the routing half
// and queues its answer.
func (s *session) route(st State, in *input) event {
	m := in.m
	pr := s.routesFor(st)
	if s.set.faults.any(crashFaults) && s.crashOn(m) {
		in.ended = true
		return evNone
	}
	if i, ok := m.(*omp.Inform); ok {
		if s.set.faults.has(fInformIgnored) {
			return evNone
		}
		// RFC 2918 4: a speaker offers REFRESH to be sent REFRESH_REQUESTs.
		// One that did not ignores them; one that did answers them, whether
		// the peer offered REFRESH or not (that binds the peer's own
		// requests only).
		if i.InformType == omp.InformRefreshRequest && s.set.NoRefresh {
			s.logger().Info("REFRESH_REQUEST though this speaker offered no REFRESH capability: ignored")
			return evNone
		}
	}
	callingRouting("Receive")
	reply, err := pr.Receive(m)
	if err != nil {
		in.alert, in.reason = &omp.Alert{Code: omp.ErrUpdate}, err.Error()
		var ae alerter
		if errors.As(err, &ae) {
			in.alert = ae.Alert()
		}
		return evRoutingRefused
	}
	if len(reply) > 0 && !s.sendRaw(reply) {
		in.ended = true
	}
	return evNone
}

// routesFor is the routing half that takes the peer's UPDATE, QUERY,
// POLICY and INFORM in state st: Established's, or (in HandshakeConfirm,
// with the fsm-update-before-established fault) the one Up gave.
func (s *session) routesFor(st State) PeerRouting {
	if st == StateEstablished {
		if box := s.routes.Load(); box != nil {
			return box.PeerRouting
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pr
}
