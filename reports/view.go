// Package reports writes a conformance run (runner.Report) as JUnit XML,
// JSON (every case, grade, timings and transcript), a self-contained HTML
// page, a Markdown summary, and one pcapng capture per case.
//
// Every report renders messages from their bytes, through the codec's
// field map (omp.DecodeFields), after redaction: the keys carried in
// ATTR_TYPE_TLOC_ENCAP (AUTH_KEY, ENCRYPT_KEY) and ATTR_TYPE_SECURITY (AUTH,
// ENCRYPT) are zeroed unless Options.ShowKeys is set.
package reports

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/suites/runner"
	"github.com/ompconform/ompconform/transcript"
)

// Options change what reports show.
type Options struct {
	// ShowKeys keeps the key material of TLOC_ENCAP and SECURITY
	// attributes in reports and captures.
	ShowKeys bool
}

// Redact returns a copy of a message's bytes with its key material
// zeroed, and the byte ranges it zeroed ([offset, offset+length)). A
// message that does not decode is redacted as far as it decodes.
func Redact(raw []byte) ([]byte, [][2]int) {
	_, fm, _ := omp.DecodeFields(raw)
	out := append([]byte(nil), raw...)
	var ranges [][2]int
	for _, f := range fm {
		if f.Kind == omp.FieldGroup || !isKey(fm, f.Name) {
			continue
		}
		end := min(f.Offset+f.Length, len(out))
		for i := f.Offset; i < end; i++ {
			out[i] = 0
		}
		ranges = append(ranges, [2]int{f.Offset, end})
	}
	return out, ranges
}

// isKey tells whether field name is the value of a key-carrying sub-TLV:
// "update.attr[3].value.tlv[4].value" where attr[3] is TLOC_ENCAP and the
// sub-TLV's type is AUTH_KEY or ENCRYPT_KEY, or attr[3] is SECURITY and
// the type AUTH or ENCRYPT.
func isKey(fm omp.FieldMap, name string) bool {
	attr, rest, ok := strings.Cut(name, ".value.tlv[")
	if !ok || !strings.HasSuffix(rest, "].value") || !strings.Contains(attr, ".attr[") {
		return false
	}
	tlv := strings.TrimSuffix(name, ".value")
	at, ok1 := fm.Lookup(attr + ".type")
	tt, ok2 := fm.Lookup(tlv + ".type")
	if !ok1 || !ok2 {
		return false
	}
	t, err := strconv.Atoi(tt.Value)
	if err != nil {
		return false
	}
	switch at.Value {
	case omp.AttrTypeTLOCEncap.String():
		return uint8(t) == omp.EncapTLVAuthKey || uint8(t) == omp.EncapTLVEncryptKey
	case omp.AttrTypeSecurity.String():
		return uint8(t) == omp.SecTLVAuth || uint8(t) == omp.SecTLVEncryptKey
	}
	return false
}

// entry is a transcript entry as reports show it.
type entry struct {
	At       time.Duration // from the case's start
	Time     time.Time
	Dir      string
	Peer     string
	Local    string
	Remote   string
	Note     string
	Err      string
	Raw      []byte // redacted unless ShowKeys
	Redacted [][2]int
	Fields   omp.FieldMap
	Summary  string          // "ALERT OMP_ERR_HEADER/OMP_SUB_ERR_HEADER_LENGTH"
	JSON     json.RawMessage // omp.MessageJSON of the decoded bytes
	Decode   string          // the decode error, if the bytes do not decode
}

func entries(r *runner.Result, o Options) []entry {
	out := make([]entry, 0, len(r.Transcript))
	for _, e := range r.Transcript {
		out = append(out, view(e, r.Start, o))
	}
	return out
}

func view(e transcript.Entry, start time.Time, o Options) entry {
	v := entry{At: e.Time.Sub(start), Time: e.Time, Dir: e.Dir.String(), Peer: e.Peer, Local: e.Local, Remote: e.Remote, Note: e.Note}
	if e.Err != nil {
		v.Err = e.Err.Error()
	}
	if e.Dir == transcript.Event {
		v.Summary = e.Note
		return v
	}
	v.Raw = e.Raw
	if !o.ShowKeys {
		v.Raw, v.Redacted = Redact(e.Raw)
	}
	m, fm, err := omp.DecodeFields(v.Raw)
	v.Fields = fm
	if err != nil {
		v.Decode = err.Error()
		v.Summary = "undecodable " + typeOf(v.Raw)
		if oe, ok := omp.AsError(err); ok {
			v.Summary += fmt.Sprintf(" (calls for ALERT %s/%s)", oe.Code, oe.Code.SubcodeName(oe.Subcode))
		}
		return v
	}
	v.Summary = summary(m)
	if j, err := omp.MessageJSON(m); err == nil {
		v.JSON = j
	}
	return v
}

func typeOf(raw []byte) string {
	if len(raw) >= omp.HeaderLen {
		return omp.MsgType(raw[omp.HeaderLen-1]).String()
	}
	return fmt.Sprintf("%d bytes", len(raw))
}

func summary(m omp.Message) string {
	if a, ok := m.(*omp.Alert); ok {
		return "ALERT " + a.Code.String() + "/" + a.Code.SubcodeName(a.Subcode)
	}
	return m.Type().String()
}
