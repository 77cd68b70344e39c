package omp

import "strconv"

func itoa(n int) string { return strconv.Itoa(n) }

// Alert is the ALERT message (section 3.1.4): Code, SubCode, Data.
type Alert struct {
	Code    AlertCode
	Subcode Subcode
	Data    []byte
}

func (*Alert) Type() MsgType { return TypeAlert }

func (m *Alert) walk(w *walker) {
	enumField(w, "code", &m.Code)
	w.u8("subcode", (*uint8)(&m.Subcode))
	note(w, subcodeName(m.ID()))
	w.bytes("data", &m.Data, -1)
}

// subcodeName is an ALERT's Subcode named under its Code, for the field
// map.
type subcodeName AlertID

func (s subcodeName) String() string { return s.Code.SubcodeName(s.Subcode) }

// Policy is the POLICY message (section 3.1.7): Type and policy data.
// The draft does not specify the policy data; the codec carries it as
// bytes and refuses more than MaxPolicyData of it (HEADER LENGTH).
// Fragment sequence rules (START, MORE..., END, DEL) belong to the session.
type Policy struct {
	PolicyType PolicyType
	Data       []byte
}

func (*Policy) Type() MsgType { return TypePolicy }

func (m *Policy) walk(w *walker) {
	enumField(w, "type", &m.PolicyType)
	// A POLICY message is at most 4000 bytes, so its data at most 3980
	// (section 3.1.7; docs/wire-format.md S25): a longer one has a
	// message length its type does not allow.
	if w.decode && w.ok() && w.remaining() > MaxPolicyData {
		w.failAt(errHeaderLength, "data", w.off, w.remaining(), "POLICY data of %d bytes exceeds the %d bytes a POLICY message may carry", w.remaining(), MaxPolicyData)
		return
	}
	w.bytes("data", &m.Data, -1)
}

// Inform is the INFORM message (the second section 3.1.7): one TLV of
// Type, Length and Data. For EOR and REFRESH_REQUEST, Data is AFI and
// SAFI (Length 3), or nothing (Length 0, "considered to be OMP_AF_MAX":
// every address family), which AllFamilies says. Other types carry Data.
type Inform struct {
	InformType  InformType
	AllFamilies bool
	AFI         AFI
	SAFI        SAFI
	Data        []byte // only for a Type the draft does not define
}

func (*Inform) Type() MsgType { return TypeInform }

func (m *Inform) walk(w *walker) {
	enumField(w, "type", &m.InformType)
	w.length2("length", "data", errHeaderLength, func() {
		if m.InformType != InformEOR && m.InformType != InformRefreshRequest {
			w.bytes("data", &m.Data, -1)
			return
		}
		if w.decode {
			switch w.remaining() {
			case 0:
				m.AllFamilies = true
				return
			case 3:
			default:
				w.failAt(errHeaderLength, "length", w.off-2, 2, "%s Length is %d; the draft allows 0 or 3", m.InformType, w.remaining())
				return
			}
		} else if m.AllFamilies {
			return
		}
		enumField(w, "afi", &m.AFI)
		enumField(w, "safi", &m.SAFI)
	})
}
