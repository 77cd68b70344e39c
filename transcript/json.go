package transcript

import (
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// JSONEntry is a transcript entry as JSON: the one shape the JSON report,
// a fuzzing finding and `ompconform show` write and read. A message
// carries its bytes (hex), its decoded form (omp.MessageJSON) or its
// decode error, and, in a report, its one-line summary and field map.
type JSONEntry struct {
	AtMS     float64         `json:"at_ms"`
	Time     time.Time       `json:"time"`
	Dir      string          `json:"dir"`
	Peer     string          `json:"peer,omitempty"`
	Local    string          `json:"local,omitempty"`
	Remote   string          `json:"remote,omitempty"`
	Note     string          `json:"note,omitempty"`
	Error    string          `json:"error,omitempty"`
	Summary  string          `json:"summary,omitempty"`
	Hex      string          `json:"hex,omitempty"`
	Cut      int             `json:"bytes_not_kept,omitempty"`
	Redacted [][2]int        `json:"redacted,omitempty"`
	Message  json.RawMessage `json:"message,omitempty"`
	Decode   string          `json:"decode_error,omitempty"`
	Fields   omp.FieldMap    `json:"fields,omitempty"`
	Conn     string          `json:"conn,omitempty"` // open, fin-local, rst-remote, ...
}

// MS is a duration in milliseconds, to the microsecond, as JSON entries
// give times.
func MS(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// JSON is e as JSON at its time since start: its bytes, its message as
// omp.MessageJSON writes it, its error, its connection event.
func (e *Entry) JSON(start time.Time) JSONEntry {
	je := JSONEntry{AtMS: MS(e.Time.Sub(start)), Time: e.Time, Dir: e.Dir.String(), Peer: e.Peer, Local: e.Local, Remote: e.Remote,
		Note: e.Note, Cut: e.Cut}
	if e.Err != nil {
		je.Error = e.Err.Error()
	}
	if len(e.Raw) > 0 {
		je.Hex = hex.EncodeToString(e.Raw)
	}
	if e.Message != nil {
		if b, err := omp.MessageJSON(e.Message); err == nil {
			je.Message = b
		}
	}
	if e.Conn != ConnNone {
		je.Conn = e.Conn.String()
	}
	return je
}
