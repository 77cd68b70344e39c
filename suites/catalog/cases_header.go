package catalog

import (
	"bytes"
	"fmt"

	"github.com/ompconform/ompconform/mutators"
	"github.com/ompconform/ompconform/omp"
)

// Header cases (section 3.1 and 3.1.1): the Marker, the Length and the
// Type of every message, on an established session.

const (
	reqMarker = "Marker : 16 bytes. MUST be set to all 1s."
	reqLength = "Length : 2 bytes. Packet length including header length of 19 bytes."
	reqSize   = "OMP messages are sent over TCP connections. [...] Minimum packet size 16 bytes, maximum packet size is 4096 bytes."
	reqType   = "Type : 1 byte. OMP packet type. INVALID = 0, HANDSHAKE = 1, UPDATE = 2, ALERT = 3, HELLO = 4, QUERY = 5, POLICY = 6, INFORM = 7"
)

func headerCases() []Case {
	unsync := Alert(omp.ErrHeader, omp.SubErrHeaderUnsync).ThenClose()
	badLen := Alert(omp.ErrHeader, omp.SubErrHeaderLength).ThenClose()
	badType := Alert(omp.ErrHeader, omp.SubErrHeaderType).ThenClose()
	marker := func(first byte, last byte) []byte {
		b := bytes.Repeat([]byte{0xFF}, omp.MarkerLen)
		b[0], b[omp.MarkerLen-1] = first, last
		return b
	}
	cs := []Case{
		{ID: "HDR-001", Section: "3.1.1", Level: MUST, Basis: Draft, Requirement: reqMarker,
			Send: Hello().Mutate("header.marker", Replace(marker(0xFE, 0xFF))), Expect: unsync},
		{ID: "HDR-002", Section: "3.1.1", Level: MUST, Basis: Draft, Requirement: reqLength,
			Send: Hello().Mutate("header.length", Set(18)), Expect: badLen},
		{ID: "HDR-003", Section: "3.1.1", Level: MUST, Basis: Draft, Requirement: reqMarker,
			Send: Hello().Mutate("header.marker", Zero()), Expect: unsync},
		{ID: "HDR-004", Section: "3.1.1", Level: MUST, Basis: Draft, Requirement: reqMarker,
			Send: Hello().Mutate("header.marker", Replace(marker(0xFF, 0xFE))), Expect: unsync},
		{ID: "HDR-005", Section: "3.1.1", Level: MUST, Basis: Draft, Requirement: reqLength,
			Send: Hello().Mutate("header.length", Set(0)), Expect: badLen},
		{ID: "HDR-006", Section: "3.1-format", Level: MUST, Basis: Draft, Requirement: reqSize,
			Send: Hello().Mutate("header.length", Set(omp.MaxMessageLen+1)), Expect: badLen},
		{ID: "HDR-007", Section: "3.1-format", Level: MUST, Basis: Draft, Requirement: reqSize,
			Send: Hello().Mutate("header.length", Set(0xFFFF)), Expect: badLen},
		{ID: "HDR-008", Section: "3.1-format", Level: MUST, Basis: Draft, Requirement: reqSize,
			Reading: "The draft's 16-byte minimum contradicts its own 19-byte header: a Length of 16 cannot frame a message, and the header's 19 bytes win.",
			Send:    Hello().Mutate("header.length", Set(16)), Expect: badLen},
		{ID: "HDR-009", Section: "3.1.1", Level: SHOULD, Basis: Project, Requirement: reqLength,
			Reading: "A Length one short of the message cuts its last TLV: the TLV's Length runs past the message. The draft gives a malformed HELLO no subcode; ompconform reads it as a HEADER length error (docs/wire-format.md), as HEL-007..010 do.",
			Send:    Hello(VSmarts("192.0.2.1")).Mutate("header.length", Dec()), Expect: badLen},
		{ID: "HDR-010", Section: "3.1-format", Level: MUST, Basis: Draft, Requirement: reqSize,
			Reading: "The shortest message, a HELLO without TLVs, is the 19-byte header alone.",
			Send:    Hello(), Expect: Accept()},
		{ID: "HDR-011", Section: "3.1-format", Level: MUST, Basis: Draft, Requirement: reqSize,
			Reading: "An UPDATE of exactly 4096 bytes, filled with an unknown ATTR_OPTIONAL attribute, is the largest message.",
			Send:    Padded(omp.MaxMessageLen, RouteUpdate()), Expect: Accept()},
		{ID: "HDR-012", Section: "3.1-format", Level: MUST, Basis: Draft, Requirement: reqSize,
			Send: Padded(omp.MaxMessageLen+1, RouteUpdate()), Expect: badLen},
	}
	// One case per Type the draft does not define.
	for _, t := range []idv[uint64]{{"HDR-020", 0}, {"HDR-021", 8}, {"HDR-022", 9}, {"HDR-023", 127}, {"HDR-024", 128}, {"HDR-025", 255}} {
		c := Case{ID: t.id, Section: "3.1.1", Level: MUST, Basis: Draft, Requirement: reqType,
			Send: Hello().Mutate("header.type", Set(t.v)), Expect: badType}
		if t.v == 0 {
			c.Reading = "Type 0 is named INVALID: no message has it."
		}
		cs = append(cs, c)
	}
	// One case per message type whose Length is too short for its fixed part.
	short := []struct {
		id   string
		t    omp.MsgType
		body []byte
		what string
	}{
		{"HDR-030", omp.TypeHandshake, make([]byte, 15), "HANDSHAKE: 16 fixed bytes (Version .. Options Length)"},
		{"HDR-031", omp.TypeUpdate, []byte{0}, "UPDATE: Attributes Length, 2 bytes"},
		{"HDR-032", omp.TypeAlert, []byte{byte(omp.ErrOper)}, "ALERT: Code and Subcode, 2 bytes"},
		{"HDR-033", omp.TypeQuery, []byte{0}, "QUERY: Attribute Length, 2 bytes"},
		{"HDR-034", omp.TypePolicy, nil, "POLICY: Type, 1 byte"},
		{"HDR-035", omp.TypeInform, []byte{byte(omp.InformEOR), 0}, "INFORM: Type and Length, 3 bytes"},
	}
	for _, s := range short {
		c := Case{ID: s.id, Section: "3.1.1", Level: MUST, Basis: BGP, Source: "RFC 4271 6.1",
			Requirement: "If the Length field of the message header is less than 19 or greater than 4096, or if the Length field of an OPEN message is less than the minimum length of the OPEN message, [...] the Error Subcode MUST be set to Bad Message Length.",
			Reading:     "OMP's fixed part of " + s.what + "; a shorter body is a bad message length, as in BGP.",
			Send:        Raw(s.t, s.body), Expect: badLen}
		switch s.t {
		case omp.TypeHandshake:
			c.Phase = mutators.PhaseOpening
		case omp.TypeAlert:
			// RFC 4271 6.4: a speaker answers no NOTIFICATION with one;
			// closing without a word is as right as the ALERT.
			c.Reading += " An ALERT is never answered with an ALERT (RFC 4271 6.4), so a close without one is right too."
			c.Expect = badLen.OrClose()
		}
		cs = append(cs, c)
	}
	return cs
}

// Padded fills m up to exactly size bytes with an unknown ATTR_OPTIONAL
// attribute (type 200, ATTR_EXTENDED) appended to its attributes.
func Padded(size int, m M) M {
	inner := m.make
	m.desc = fmt.Sprintf("%s padded to %d bytes", m.desc, size)
	m.make = func(e *Env, i int) omp.Message {
		msg := inner(e, i)
		u, ok := msg.(*omp.Update)
		if !ok {
			return msg
		}
		b, _, err := omp.AppendWith(nil, u, &omp.EncodeOptions{Oversize: true})
		if err != nil {
			return msg
		}
		n := size - len(b) - 4 // flags, type, 2-byte length
		if n < 0 {
			return msg
		}
		u.Attributes = append(u.Attributes, omp.Attribute{Flags: omp.AttrOptional | omp.AttrExtended, Value: &omp.RawAttr{AType: 200, Data: make([]byte, n)}})
		return u
	}
	return m
}
