package reference

import (
	"fmt"
)

// State is a state of the session state machine (docs/fsm.md), after
// RFC 4271 section 8: Idle, Connect and Active belong to a neighbor the
// speaker dials; a connection is in HandshakeSent, HandshakeConfirm or
// Established.
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

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

// MarshalText prints states by name.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText parses a state name.
func (s *State) UnmarshalText(b []byte) error {
	for i, n := range stateNames {
		if n == string(b) {
			*s = State(i)
			return nil
		}
	}
	return fmt.Errorf("state %q is not one of %v", b, stateNames)
}
