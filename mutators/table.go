package mutators

import (
	"encoding/binary"
	"fmt"

	"github.com/ompconform/ompconform/omp"
)

// Outcome is what a DUT must do with a mutated message.
type Outcome uint8

const (
	// OutcomeAlert: the DUT answers with the ALERT Code/Subcode of Expect
	// (and, by the BGP reading, closes the session).
	OutcomeAlert Outcome = iota + 1
	// OutcomeAccept: the message is valid; the DUT takes it, no ALERT.
	OutcomeAccept
	// OutcomeIgnore: the DUT silently ignores the unknown part (an unknown
	// optional attribute, an unknown capability); no ALERT, session stays.
	OutcomeIgnore
)

func (o Outcome) String() string {
	switch o {
	case OutcomeAlert:
		return "alert"
	case OutcomeAccept:
		return "accept"
	case OutcomeIgnore:
		return "ignore"
	}
	return fmt.Sprintf("outcome(%d)", uint8(o))
}

// Expect is the required outcome, with the ALERT for OutcomeAlert.
type Expect struct {
	Outcome Outcome
	Code    omp.AlertCode
	Subcode omp.Subcode
}

// Alert is the expectation of an ALERT with code and subcode.
func Alert(code omp.AlertCode, sub omp.Subcode) Expect {
	return Expect{Outcome: OutcomeAlert, Code: code, Subcode: sub}
}

// Accept and Ignore are the expectations of no ALERT.
var (
	Accept = Expect{Outcome: OutcomeAccept}
	Ignore = Expect{Outcome: OutcomeIgnore}
)

// String: "ALERT OMP_ERR_UPDATE/OMP_SUB_ERR_UPDATE_LENGTH", "accept", "ignore".
func (e Expect) String() string {
	if e.Outcome == OutcomeAlert {
		return "ALERT " + e.Code.String() + "/" + e.Code.SubcodeName(e.Subcode)
	}
	return e.Outcome.String()
}

// BasisKind says how strong the ground of an expectation is.
type BasisKind uint8

const (
	// BasisDraft: the draft's own text requires it.
	BasisDraft BasisKind = iota + 1
	// BasisBGP: the draft is silent; this is the BGP procedure (RFC 4271,
	// 4760, 5492, 7606) the draft says OMP borrows from. Weaker.
	BasisBGP
	// BasisProject: the draft gives nothing to read; ompconform's own
	// documented choice (docs/wire-format.md). Weakest.
	BasisProject
)

func (k BasisKind) String() string {
	switch k {
	case BasisDraft:
		return "draft"
	case BasisBGP:
		return "BGP-derived reading"
	case BasisProject:
		return "ompconform choice"
	}
	return fmt.Sprintf("basis(%d)", uint8(k))
}

// Basis is the ground of an expectation: its kind and the text it rests on.
type Basis struct {
	Kind BasisKind
	Text string
}

// Phase says when a standard mutation is sent.
type Phase uint8

const (
	// PhaseOpening: sent instead of the fake peer's HANDSHAKE, as the
	// first message of the session.
	PhaseOpening Phase = iota + 1
	// PhaseEstablished: sent on an established session.
	PhaseEstablished
)

func (p Phase) String() string {
	switch p {
	case PhaseOpening:
		return "opening"
	case PhaseEstablished:
		return "established"
	}
	return fmt.Sprintf("phase(%d)", uint8(p))
}

// MarshalText writes the phase's name.
func (p Phase) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText reads a phase's name.
func (p *Phase) UnmarshalText(b []byte) error {
	switch string(b) {
	case "opening":
		*p = PhaseOpening
	case "established":
		*p = PhaseEstablished
	default:
		return fmt.Errorf("mutators: unknown phase %q", b)
	}
	return nil
}

// Standard is a standard mutation: a valid message, what to change in
// it, and what the DUT must answer.
type Standard struct {
	// Name is unique: "header/length-below-header".
	Name string
	// Phase is when to send it.
	Phase Phase
	// Target builds the valid message to mutate (fresh on each call).
	Target func() omp.Message
	// Mutations turn it into the test message.
	Mutations []Mutation
	// Expect is what the DUT must do.
	Expect Expect
	// Section is the draft section: "3.1.1".
	Section string
	// Basis is why.
	Basis Basis
}

// Wire is the mutated message's bytes.
func (s Standard) Wire() ([]byte, error) {
	return Message(s.Target(), s.Mutations...)
}

// Description reads well in a report: "UPDATE: set update.attr[1].type
// to 50 -> ALERT OMP_ERR_UPDATE/OMP_SUB_ERR_UPDATE_UNKNOWN".
func (s Standard) Description() string {
	return fmt.Sprintf("%s: %s -> %s", s.Target().Type(), Describe(s.Mutations), s.Expect)
}

// WantAlert is the ALERT the codec derives from the bytes the DUT frames
// (see Frame): Code, Subcode and Data, the offending bytes, as BGP's
// NOTIFICATION carries them. nil for an Accept or Ignore that decodes.
func (s Standard) WantAlert() (*omp.Alert, error) {
	wire, err := s.Wire()
	if err != nil {
		return nil, err
	}
	msg, _, complete := Frame(wire)
	if !complete {
		return nil, fmt.Errorf("mutators: %s: the DUT would wait for more bytes", s.Name)
	}
	if _, err := omp.Decode(msg); err != nil {
		if e, ok := omp.AsError(err); ok {
			return e.Alert(), nil
		}
		return nil, err
	}
	return nil, nil
}

// Frame is what a receiver that frames the stream by the header's Length
// takes as the first message of wire. A header that cannot frame a message
// (bad Marker, Length under 19 or over 4096) gives the 19 header bytes:
// the receiver judges the header alone. complete is false when the
// receiver would wait for more bytes (fewer than 19, or fewer than Length).
func Frame(wire []byte) (msg, rest []byte, complete bool) {
	if len(wire) < omp.HeaderLen {
		return wire, nil, false
	}
	n := int(binary.BigEndian.Uint16(wire[omp.MarkerLen:]))
	unsync := false
	for _, b := range wire[:omp.MarkerLen] {
		if b != 0xFF {
			unsync = true
		}
	}
	if unsync || n < omp.HeaderLen || n > omp.MaxMessageLen {
		return wire[:omp.HeaderLen], wire[omp.HeaderLen:], true
	}
	if n > len(wire) {
		return wire, nil, false
	}
	return wire[:n], wire[n:], true
}
