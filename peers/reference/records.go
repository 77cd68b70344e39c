package reference

import (
	"encoding/hex"
	"sync/atomic"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// AlertRecord is an ALERT a session sent or received: its omp.AlertID
// as numbers and names, its Data, and why.
type AlertRecord struct {
	Time        time.Time `json:"time"`
	Code        uint8     `json:"code"`
	Subcode     uint8     `json:"subcode"`
	CodeName    string    `json:"code_name"`
	SubcodeName string    `json:"subcode_name"`
	Data        string    `json:"data,omitempty"` // hex
	Reason      string    `json:"reason,omitempty"`
	Written     bool      `json:"written,omitempty"` // sent: it reached the socket
}

func newAlertRecord(a *omp.Alert, reason string) *AlertRecord {
	return &AlertRecord{
		Time: time.Now(), Code: uint8(a.Code), Subcode: uint8(a.Subcode),
		CodeName: a.Code.String(), SubcodeName: a.Code.SubcodeName(a.Subcode),
		Data: hex.EncodeToString(a.Data), Reason: reason,
	}
}

// ID is the recorded ALERT's Code and Subcode.
func (r *AlertRecord) ID() omp.AlertID {
	return omp.AlertID{Code: omp.AlertCode(r.Code), Subcode: omp.Subcode(r.Subcode)}
}

// Is reports whether the record is the ALERT code/subcode.
func (r *AlertRecord) Is(code omp.AlertCode, sub omp.Subcode) bool {
	return r != nil && r.ID() == omp.AlertID{Code: code, Subcode: sub}
}

// numTypes counts message types 0..7, and one slot for any other.
const numTypes = int(omp.TypeInform) + 2

// counters are per message type, in and out.
type counters struct {
	in, out [numTypes]atomic.Uint64
}

func typeSlot(t omp.MsgType) int {
	if int(t) < numTypes-1 {
		return int(t)
	}
	return numTypes - 1
}

func (c *counters) countIn(t omp.MsgType)  { c.in[typeSlot(t)].Add(1) }
func (c *counters) countOut(t omp.MsgType) { c.out[typeSlot(t)].Add(1) }

// Counters are message counts by type name ("UPDATE", ..., "OTHER").
type Counters struct {
	In  map[string]uint64 `json:"in"`
	Out map[string]uint64 `json:"out"`
}

func slotName(i int) string {
	if i == numTypes-1 {
		return "OTHER"
	}
	return omp.MsgType(i).String()
}

// snapshot adds c to the totals in t.
func (c *counters) addTo(t *counterTotals) {
	for i := range numTypes {
		t.in[i] += c.in[i].Load()
		t.out[i] += c.out[i].Load()
	}
}

type counterTotals struct{ in, out [numTypes]uint64 }

func (t counterTotals) export() Counters {
	out := Counters{In: map[string]uint64{}, Out: map[string]uint64{}}
	for i := range numTypes {
		if t.in[i] > 0 {
			out.In[slotName(i)] = t.in[i]
		}
		if t.out[i] > 0 {
			out.Out[slotName(i)] = t.out[i]
		}
	}
	return out
}
