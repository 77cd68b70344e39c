package reference

import (
	"time"

	"github.com/ompconform/ompconform/omp"
)

// gracefulAlert says whether an ALERT leaves the peer's routes to
// graceful restart: hold time expiry and the OPER subcodes that do not
// ask for the routes to go (docs/fsm.md).
func gracefulAlert(a *omp.Alert) bool {
	switch a.Code {
	case omp.ErrHoldtime:
		return true
	case omp.ErrOper:
		return a.Subcode != omp.SubErrOperClear && a.Subcode != omp.SubErrOperShut
	}
	return false
}

func (s *session) hello() *omp.Hello {
	h := &omp.Hello{}
	if len(s.set.HelloVSmarts) > 0 {
		h.TLVs = []omp.HelloTLV{{TLVType: omp.HelloTLVVSmarts, VSmarts: s.set.HelloVSmarts}}
	}
	return h
}

// timerLoop runs the hold timer and the HELLO cadence. Before the
// HANDSHAKE exchange, and while waiting for the first HELLO with a hold
// time of 0, HandshakeTimeout stands in for the hold time.
func (s *session) timerLoop() {
	hold := time.NewTimer(s.set.HandshakeTimeout)
	defer hold.Stop()
	var helloT *time.Ticker
	var helloC <-chan time.Time
	defer func() {
		if helloT != nil {
			helloT.Stop()
		}
	}()
	limit := s.set.HandshakeTimeout
	negotiated := false // limit is the negotiated hold time
	for {
		select {
		case <-s.stop:
			return
		case <-s.kick:
			s.mu.Lock()
			st, neg := s.state, s.neg
			s.mu.Unlock()
			if neg == nil {
				continue
			}
			if st == StateHandshakeConfirm && s.set.faults.has(fHoldTimerNotInConfirm) {
				hold.Stop()
				continue
			}
			if neg.Hold > 0 {
				limit, negotiated = neg.Hold, true
				if helloT == nil && !s.set.faults.has(fHelloOnce) {
					helloT = time.NewTicker(s.helloInterval(neg))
					helloC = helloT.C
				}
			} else {
				if helloT == nil && s.set.faults.has(fHelloWithZeroHoldTime) {
					// Every time unit: a third of the smallest hold time.
					helloT = time.NewTicker(s.set.units(1))
					helloC = helloT.C
				}
				if st == StateEstablished {
					limit = 0
					hold.Stop()
					continue
				}
			}
			s.resetHold(hold, limit)
		case <-helloC:
			if s.set.faults.has(fHelloWaitsForPeerHello) && s.getState() == StateHandshakeConfirm {
				continue // no HELLO before the peer's
			}
			s.send(s.hello())
		case <-hold.C:
			if limit == 0 {
				continue
			}
			if !s.resetHold(hold, limit) {
				if negotiated && s.set.faults.has(fHoldTimerNeverExpires) {
					continue // not re-armed: it never fires again
				}
				s.step(evHoldTimer, input{})
				return
			}
		}
	}
}

// helloInterval is the HELLO cadence: a third of the negotiated hold
// time (the hold time itself with the hello-at-hold-time fault; a tenth
// of the third, at most 100 ms, with hello-too-often).
func (s *session) helloInterval(neg *negotiated) time.Duration {
	d := neg.Hello
	switch {
	case s.set.faults.has(fHelloAtHoldTime):
		d = neg.Hold
	case s.set.faults.has(fHelloTooOften):
		d = min(d/10, 100*time.Millisecond)
	}
	// A Hold Time of 1 (handshake-hold-time-1-2-accepted) in a short
	// TimeUnit gives a third of nothing; a ticker needs a period.
	return max(d, time.Millisecond)
}

// resetHold arms the hold timer for what remains of limit since the last
// message read; false means nothing remains: the timer expired.
func (s *session) resetHold(t *time.Timer, limit time.Duration) bool {
	left := limit - time.Since(time.Unix(0, s.lastRecv.Load()))
	if left <= 0 {
		return false
	}
	t.Reset(left)
	return true
}
