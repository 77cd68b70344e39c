package netfuzz

import (
	"fmt"

	"github.com/ompconform/ompconform/mutators"
	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/peers/reference"
)

// Outcome names what the DUT must do, or did, with a message.
const (
	OutAlert   = "alert"   // an ALERT (then a close)
	OutAccept  = "accept"  // takes it: no ALERT, the session stays up
	OutClose   = "close"   // closes without an ALERT (after a valid ALERT)
	OutSilence = "silence" // (observed) nothing within the wait
)

// Alert is an ALERT's Code and Subcode (its omp.AlertID, kept as two
// JSON numbers), with names, and its Data.
type Alert struct {
	Code    omp.AlertCode `json:"code"`
	Subcode omp.Subcode   `json:"subcode"`
	Name    string        `json:"name"`
	Data    string        `json:"data,omitempty"` // hex
}

func alertOf(id omp.AlertID, data []byte) *Alert {
	return &Alert{Code: id.Code, Subcode: id.Subcode, Name: id.String(), Data: fmt.Sprintf("%x", data)}
}

// ID is the ALERT's Code and Subcode.
func (a *Alert) ID() omp.AlertID { return omp.AlertID{Code: a.Code, Subcode: a.Subcode} }

// Same reports whether a and b have the same Code and Subcode.
func (a *Alert) Same(b *Alert) bool {
	return a != nil && b != nil && a.ID() == b.ID()
}

// Expectation is what the codec (and, for messages it accepts, the state
// machine of docs/fsm.md) says the DUT must answer to some bytes.
type Expectation struct {
	// Outcome is OutAlert, OutAccept or OutClose.
	Outcome string `json:"outcome"`
	// Alert is the ALERT for OutAlert.
	Alert *Alert `json:"alert,omitempty"`
	// Source says where the ALERT comes from: "codec" (omp.Decode of the
	// frame gives an *omp.Error) or "fsm" (the frame decodes, and its
	// type is not allowed in the session's state).
	Source string `json:"source,omitempty"`
	// Field, Offset and Reason are the codec's error's.
	Field  string `json:"field,omitempty"`
	Offset int    `json:"offset,omitempty"`
	Reason string `json:"reason,omitempty"`
	// Frames is how many messages the DUT frames from the bytes, and
	// Frame the one (0-based) that decides the outcome.
	Frames int `json:"frames"`
	Frame  int `json:"frame"`
	// FSMFirst is the ALERT a DUT that checks the message type against
	// its state before decoding the body would send instead of the
	// codec's (the type is not allowed in the state): also accepted.
	FSMFirst *Alert `json:"fsm_first,omitempty"`
	// Refresh says a frame is a valid REFRESH_REQUEST (the DUT answers it
	// with End-of-RIB, which would confuse a later probe).
	Refresh bool `json:"refresh,omitempty"`
}

func (e Expectation) String() string {
	switch e.Outcome {
	case OutAlert:
		s := "ALERT " + e.Alert.Name + " (" + e.Source
		if e.Field != "" {
			s += " at " + e.Field
		}
		return s + ")"
	case OutClose:
		return "close without ALERT (a valid ALERT was sent)"
	}
	return "accept"
}

// Complete pads wire with zero bytes so that a receiver framing the
// stream by the header Length frames all of it: a trailing partial
// header is completed to 19 bytes, a trailing message shorter than its
// Length is completed to it. It returns the padded bytes and how many
// were added. Without it, the DUT would wait for the missing bytes and
// take the next message's as theirs.
func Complete(wire []byte) ([]byte, int) {
	out, pad := wire, 0
	for {
		rest := out
		for len(rest) > 0 {
			msg, r, complete := mutators.Frame(rest)
			if !complete {
				// Complete the header first; its Length may then ask
				// for more.
				need := omp.HeaderLen
				if len(msg) >= omp.HeaderLen {
					need, _ = omp.HeaderLength(msg)
				}
				n := need - len(msg)
				out = append(append(make([]byte, 0, len(out)+n), out...), make([]byte, n)...)
				pad += n
				break
			}
			rest = r
		}
		if len(rest) == 0 {
			return out, pad
		}
	}
}

// allowed is the reference's connection table (docs/fsm.md) for a
// decoded message of type t in state st: nil (taken; next is the new
// state), or the FSM ALERT; close says the message ends the session
// without an answer (an ALERT).
func allowed(st reference.State, t omp.MsgType) (next reference.State, fsm *Alert, close bool) {
	next, a, close := reference.MessageAllowed(st, t)
	if a != nil {
		fsm = alertOf(a.ID(), a.Data)
	}
	return next, fsm, close
}

// Expect derives what a DUT in phase must answer to wire, which Complete
// has padded: it frames wire as the DUT does (mutators.Frame), decodes
// each frame with omp.Decode, and runs the state machine of docs/fsm.md
// over the frames that decode. The first frame that fails to decode, or
// that its state does not allow, decides.
func Expect(phase mutators.Phase, wire []byte) Expectation {
	st := reference.StateEstablished
	if phase == mutators.PhaseOpening {
		st = reference.StateHandshakeSent
	}
	var e Expectation
	rest := wire
	for i := 0; len(rest) > 0; i++ {
		msg, r, complete := mutators.Frame(rest)
		e.Frames = i + 1
		if !complete {
			// Not padded: the DUT waits for more; nothing is due.
			break
		}
		rest = r
		m, err := omp.Decode(msg)
		if err != nil {
			oe, ok := omp.AsError(err)
			if !ok {
				oe = &omp.Error{Code: omp.ErrHeader, Subcode: omp.SubErrHeaderLength, Reason: err.Error()}
			}
			e.Outcome, e.Source, e.Frame = OutAlert, "codec", i
			e.Alert = alertOf(oe.ID(), oe.Alert().Data) // the ALERT the codec says to send
			e.Field, e.Offset, e.Reason = oe.Field, oe.Offset, oe.Reason
			if t, ok := omp.TypeOf(msg); ok && oe.Code != omp.ErrHeader {
				// The header framed a message of a known type: a DUT
				// may check the type against its state first.
				if _, fsm, _ := allowed(st, t); fsm != nil {
					e.FSMFirst = fsm
				}
			}
			return e
		}
		if in, ok := m.(*omp.Inform); ok && in.InformType == omp.InformRefreshRequest {
			e.Refresh = true
		}
		next, fsm, closes := allowed(st, m.Type())
		switch {
		case closes:
			e.Outcome, e.Frame = OutClose, i
			return e
		case fsm != nil:
			e.Outcome, e.Source, e.Frame, e.Alert = OutAlert, "fsm", i, fsm
			e.Reason = fmt.Sprintf("%s is not allowed in the state the session is in", m.Type())
			return e
		}
		st = next
		e.Frame = i
	}
	e.Outcome = OutAccept
	return e
}
