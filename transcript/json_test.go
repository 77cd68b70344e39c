package transcript

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// An entry's JSON carries its time since the start, its bytes, its
// message as the codec writes it, its error and its connection event,
// and reads back the same.
func TestEntryJSON(t *testing.T) {
	start := time.Date(2026, 12, 7, 4, 0, 0, 0, time.UTC)
	raw, err := omp.Encode(&omp.Hello{})
	if err != nil {
		t.Fatal(err)
	}
	e := Entry{Time: start.Add(1500 * time.Microsecond), Dir: Received, Peer: "peer0", Raw: raw, Message: &omp.Hello{},
		Err: errors.New("late"), Note: "n", Conn: ConnFinRemote}
	je := e.JSON(start)
	want, _ := omp.MessageJSON(&omp.Hello{})
	if je.AtMS != 1.5 || je.Dir != Received.String() || je.Hex != "ffffffffffffffffffffffffffffffff001304" ||
		string(je.Message) != string(want) || je.Error != "late" || je.Conn != "fin-remote" || !je.Time.Equal(e.Time) {
		t.Fatalf("%+v", je)
	}
	b, err := json.Marshal(je)
	if err != nil {
		t.Fatal(err)
	}
	var back JSONEntry
	if err := json.Unmarshal(b, &back); err != nil || back.Hex != je.Hex || back.Conn != je.Conn || back.AtMS != je.AtMS {
		t.Fatalf("read back %+v, %v", back, err)
	}
	if j := (&Entry{Time: start, Dir: Event}).JSON(start); j.Conn != "" || j.Hex != "" || j.Message != nil {
		t.Errorf("an empty event writes %+v", j)
	}
}
