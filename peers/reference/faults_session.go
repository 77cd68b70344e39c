package reference

import (
	"context"
	"io"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// The session layer's side of the faults (faults.go): what the ALERT
// faults make of an ALERT, and the stand-ins some faults need.

// alertFaults change the ALERTs the speaker sends.
var alertFaults = faultsOf(fAlertNever, fAlertSubcodeZero, fAlertWrongSubcode)

// alertToSend is the ALERT a speaker with faults s sends instead of a:
// none (alert-never), or a with a wrong SubCode.
func (s faultSet) alertToSend(a *omp.Alert) *omp.Alert {
	if a == nil || !s.any(alertFaults) {
		return a
	}
	if s.has(fAlertNever) {
		return nil
	}
	b := *a
	switch {
	case s.has(fAlertSubcodeZero):
		b.Subcode = omp.SubErrNone
	case s.has(fAlertWrongSubcode):
		b.Subcode = wrongSubcode(a.Code, a.Subcode)
	}
	return &b
}

// restartsHold reports whether a message of type t restarts the hold
// timer of a speaker with faults s (the correct speaker: every message).
func (s faultSet) restartsHold(t omp.MsgType) bool {
	switch t {
	case omp.TypeHello:
		return !s.has(fHoldTimerIgnoresHello)
	case omp.TypeQuery:
		return !s.has(fHoldTimerHelloOnly) && !s.has(fHoldIgnoresQuery)
	case omp.TypePolicy:
		return !s.has(fHoldTimerHelloOnly) && !s.has(fHoldIgnoresPolicy)
	}
	return !s.has(fHoldTimerHelloOnly)
}

// wrongSubcode is the next SubCode the draft defines for code after sub
// (the last wraps to the first); a Code without SubCodes, or SubCode 0,
// is left alone.
func wrongSubcode(code omp.AlertCode, sub omp.Subcode) omp.Subcode {
	n := len(code.Subcodes())
	if sub == omp.SubErrNone || n < 2 {
		return sub
	}
	return omp.Subcode(int(sub)%n + 1)
}

// lingerForever is the close of a session with the alert-no-close fault:
// after its ALERT it neither half-closes nor closes, and keeps reading
// and dropping until the peer closes or the speaker stops.
func (s *session) lingerForever(ctx context.Context, readDone <-chan struct{}) {
	select {
	case <-readDone:
		// The reader stopped at what it could not frame past: the
		// connection still stays open, whatever comes is discarded,
		// until the peer closes it or the speaker stops.
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			select {
			case <-ctx.Done():
				s.conn.SetReadDeadline(time.Now())
			case <-stop:
			}
		}()
		s.conn.SetReadDeadline(time.Time{})
		io.Copy(io.Discard, s.conn)
	case <-ctx.Done():
		s.conn.SetReadDeadline(time.Now())
		<-readDone
	}
}

// detachedPeer is the routing half of a session the speaker should have
// refused (handshake-duplicate-routerid-accepted): the RIB holds the
// router ID for the first session, so this one takes nothing in and
// sends nothing.
type detachedPeer struct{}

func (detachedPeer) Receive(omp.Message) ([]byte, error) { return nil, nil }
func (detachedPeer) Ready() <-chan struct{}              { return nil }
func (detachedPeer) Next(dst []byte) ([]byte, bool)      { return dst, false }
func (detachedPeer) Down(bool)                           {}
