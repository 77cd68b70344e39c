package omp

import "github.com/ompconform/ompconform/internal/enum"

// AlertCode is the ALERT Code field (section 3.1.4).
type AlertCode uint8

const (
	ErrInv       AlertCode = 0 // OMP_ERR_INV
	ErrHeader    AlertCode = 1 // OMP_ERR_HEADER
	ErrHandshake AlertCode = 2 // OMP_ERR_HANDSHAKE
	ErrUpdate    AlertCode = 3 // OMP_ERR_UPDATE
	ErrHoldtime  AlertCode = 4 // OMP_ERR_HOLDTIME
	ErrFSM       AlertCode = 5 // OMP_ERR_FSM
	ErrOper      AlertCode = 6 // OMP_ERR_OPER
)

// Subcode is the ALERT SubCode field; its meaning depends on the Code.
type Subcode uint8

// SubErrNone is "Subcode of 0 means OMP_SUB_ERR_NONE".
const SubErrNone Subcode = 0

// HEADER subcodes.
const (
	SubErrHeaderUnsync Subcode = 1 // OMP_SUB_ERR_HEADER_UNSYNC
	SubErrHeaderLength Subcode = 2 // OMP_SUB_ERR_HEADER_LENGTH
	SubErrHeaderType   Subcode = 3 // OMP_SUB_ERR_HEADER_TYPE
)

// HANDSHAKE subcodes.
const (
	SubErrHandshakeVersion             Subcode = 1 // OMP_SUB_ERR_HANDSHAKE_VERSION
	SubErrHandshakeOMPID               Subcode = 2 // OMP_SUB_ERR_HANDSHAKE_OMPID
	SubErrHandshakeUnsupOpt            Subcode = 3 // OMP_SUB_ERR_HANDSHAKE_UNSUP_OPT
	SubErrHandshakeAuth                Subcode = 4 // OMP_SUB_ERR_HANDSHAKE_AUTH
	SubErrHandshakeHoldtime            Subcode = 5 // OMP_SUB_ERR_HANDSHAKE_HOLDTIME
	SubErrHandshakeUnsupCap            Subcode = 6 // OMP_SUB_ERR_HANDSHAKE_UNSUP_CAP
	SubErrHandshakePersonalityMismatch Subcode = 7 // OMP_SUB_ERR_HANDSHAKE_PERSONALITY_MISMATCH
	SubErrHandshakeDomainMismatch      Subcode = 8 // OMP_SUB_ERR_HANDSHAKE_DOMAIN_MISMATCH
)

// UPDATE subcodes.
const (
	SubErrUpdateAttrList Subcode = 1 // OMP_SUB_ERR_UPDATE_ATTR_LIST
	SubErrUpdateUnknown  Subcode = 2 // OMP_SUB_ERR_UPDATE_UNKNOWN
	SubErrUpdateMissing  Subcode = 3 // OMP_SUB_ERR_UPDATE_MISSING
	SubErrUpdateFlags    Subcode = 4 // OMP_SUB_ERR_UPDATE_FLAGS
	SubErrUpdateLength   Subcode = 5 // OMP_SUB_ERR_UPDATE_LENGTH
	SubErrUpdateNexthop  Subcode = 6 // OMP_SUB_ERR_UPDATE_NEXTHOP
	SubErrUpdateOptAttr  Subcode = 7 // OMP_SUB_ERR_UPDATE_OPT_ATTR
	SubErrUpdateBadNet   Subcode = 8 // OMP_SUB_ERR_UPDATE_BAD_NET
)

// OPER subcodes.
const (
	SubErrOperClear       Subcode = 1 // OMP_SUB_ERR_OPER_CLEAR
	SubErrOperShut        Subcode = 2 // OMP_SUB_ERR_OPER_SHUT
	SubErrOperHoldtimeExp Subcode = 3 // OMP_SUB_ERR_OPER_HOLDTIME_EXP
	SubErrOperCfgChange   Subcode = 4 // OMP_SUB_ERR_OPER_CFG_CHANGE
	SubErrOperTerm        Subcode = 5 // OMP_SUB_ERR_OPER_TERM
)

var codeNames = [...]string{"OMP_ERR_INV", "OMP_ERR_HEADER", "OMP_ERR_HANDSHAKE", "OMP_ERR_UPDATE", "OMP_ERR_HOLDTIME", "OMP_ERR_FSM", "OMP_ERR_OPER"}

var subcodeNames = map[AlertCode][]string{
	ErrHeader:    {"", "OMP_SUB_ERR_HEADER_UNSYNC", "OMP_SUB_ERR_HEADER_LENGTH", "OMP_SUB_ERR_HEADER_TYPE"},
	ErrHandshake: {"", "OMP_SUB_ERR_HANDSHAKE_VERSION", "OMP_SUB_ERR_HANDSHAKE_OMPID", "OMP_SUB_ERR_HANDSHAKE_UNSUP_OPT", "OMP_SUB_ERR_HANDSHAKE_AUTH", "OMP_SUB_ERR_HANDSHAKE_HOLDTIME", "OMP_SUB_ERR_HANDSHAKE_UNSUP_CAP", "OMP_SUB_ERR_HANDSHAKE_PERSONALITY_MISMATCH", "OMP_SUB_ERR_HANDSHAKE_DOMAIN_MISMATCH"},
	ErrUpdate:    {"", "OMP_SUB_ERR_UPDATE_ATTR_LIST", "OMP_SUB_ERR_UPDATE_UNKNOWN", "OMP_SUB_ERR_UPDATE_MISSING", "OMP_SUB_ERR_UPDATE_FLAGS", "OMP_SUB_ERR_UPDATE_LENGTH", "OMP_SUB_ERR_UPDATE_NEXTHOP", "OMP_SUB_ERR_UPDATE_OPT_ATTR", "OMP_SUB_ERR_UPDATE_BAD_NET"},
	ErrOper:      {"", "OMP_SUB_ERR_OPER_CLEAR", "OMP_SUB_ERR_OPER_SHUT", "OMP_SUB_ERR_OPER_HOLDTIME_EXP", "OMP_SUB_ERR_OPER_CFG_CHANGE", "OMP_SUB_ERR_OPER_TERM"},
}

func (c AlertCode) String() string { return enum.Name(codeNames[:], c, "OMP_ERR_%d") }

// SubcodeName is the draft's name of subcode s under code c.
func (c AlertCode) SubcodeName(s Subcode) string {
	if s == SubErrNone {
		return "OMP_SUB_ERR_NONE"
	}
	return enum.Name(subcodeNames[c], s, "SUBCODE_%d")
}

// Subcodes lists the subcodes the draft defines for c (without NONE).
func (c AlertCode) Subcodes() []Subcode {
	names := subcodeNames[c]
	out := make([]Subcode, 0, len(names))
	for i := 1; i < len(names); i++ {
		out = append(out, Subcode(i))
	}
	return out
}

// AlertCodes lists every Code of the draft's table.
func AlertCodes() []AlertCode {
	return []AlertCode{ErrInv, ErrHeader, ErrHandshake, ErrUpdate, ErrHoldtime, ErrFSM, ErrOper}
}
