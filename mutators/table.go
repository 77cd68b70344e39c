package mutators

import (
	"errors"

	"github.com/ompconform/ompconform/internal/enum"
	"github.com/ompconform/ompconform/omp"
)

// Phase says when a mutated message is sent.
type Phase uint8

const (
	// PhaseOpening: sent instead of the fake peer's HANDSHAKE, as the
	// first message of the session.
	PhaseOpening Phase = iota + 1
	// PhaseEstablished: sent on an established session.
	PhaseEstablished
)

var phaseNames = [...]string{PhaseOpening: "opening", PhaseEstablished: "established"}

func (p Phase) String() string { return enum.Name(phaseNames[:], p, "phase(%d)") }

// MarshalText writes the phase's name.
func (p Phase) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText reads a phase's name.
func (p *Phase) UnmarshalText(b []byte) (err error) {
	*p, err = enum.Parse[Phase](phaseNames[:], "mutators: phase", string(b))
	return err
}

// Frame is what a receiver that frames the stream by the header's Length
// (omp.FrameLength) takes as the first message of wire. A header that
// cannot frame a message (bad Marker, Length under 19 or over 4096) gives
// the 19 header bytes: the receiver judges the header alone. complete is
// false when the receiver would wait for more bytes (fewer than 19, or
// fewer than Length).
func Frame(wire []byte) (msg, rest []byte, complete bool) {
	n, err := omp.FrameLength(wire)
	switch {
	case errors.Is(err, omp.ErrTruncated):
		return wire, nil, false
	case err != nil:
		return wire[:omp.HeaderLen], wire[omp.HeaderLen:], true
	case n > len(wire):
		return wire, nil, false
	}
	return wire[:n], wire[n:], true
}
