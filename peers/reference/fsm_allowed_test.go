package reference

import (
	"reflect"
	"testing"

	"github.com/ompconform/ompconform/omp"
)

// MessageAllowed, the connection table as a model outside the speaker
// sees it, says what the table's rows do: a message Type maps to the
// event of its name, a row running fsmError gives the OMP_ERR_FSM ALERT
// with the Type as data, any other row its next state, and an ALERT
// closes.
func TestMessageAllowedIsTheTable(t *testing.T) {
	refuse := reflect.ValueOf((*session).fsmError).Pointer()
	for ty := omp.MsgType(0); ty < 255; ty++ {
		ev := typeEvent(ty)
		if ev == evNone {
			if ty >= omp.TypeHandshake && ty <= omp.TypeInform {
				t.Errorf("%s has no event", ty)
			}
			continue
		}
		if eventNames[ev] != ty.String() {
			t.Errorf("Type %s maps to event %s", ty, ev)
		}
		for _, st := range connected {
			next, fsm, closes := MessageAllowed(st, ty)
			r := connTransitions[st][ev]
			refuses := reflect.ValueOf(r.do).Pointer() == refuse
			switch {
			case ty == omp.TypeAlert:
				if !closes || fsm != nil || next != StateIdle {
					t.Errorf("ALERT in %s: next %s, fsm %v, closes %v", st, next, fsm, closes)
				}
			case refuses:
				if fsm == nil || fsm.ID() != (omp.AlertID{Code: omp.ErrFSM, Subcode: omp.SubErrNone}) || string(fsm.Data) != string([]byte{byte(ty)}) || closes {
					t.Errorf("%s in %s: the row refuses it, MessageAllowed gives %v", ty, st, fsm)
				}
			case fsm != nil || closes || next != r.to:
				t.Errorf("%s in %s: the row leads to %s, MessageAllowed gives %s, %v, %v", ty, st, r.to, next, fsm, closes)
			}
		}
	}
	if next, fsm, _ := MessageAllowed(StateHandshakeSent, omp.TypeHandshake); next != StateHandshakeConfirm || fsm != nil {
		t.Errorf("HANDSHAKE in HandshakeSent: %s, %v", next, fsm)
	}
	if _, fsm, _ := MessageAllowed(StateEstablished, omp.TypeHandshake); fsm == nil {
		t.Error("a HANDSHAKE on an established session is allowed")
	}
}
