package omp

import "fmt"

// AlertID names an ALERT (section 3.1.4): its Code and Subcode, without
// Data. It prints, marshals and parses by the draft's names,
// "OMP_ERR_HEADER/OMP_SUB_ERR_HEADER_LENGTH".
type AlertID struct {
	Code    AlertCode `json:"code"`
	Subcode Subcode   `json:"subcode"`
}

// String is "OMP_ERR_HEADER/OMP_SUB_ERR_HEADER_LENGTH".
func (a AlertID) String() string {
	return a.Code.String() + "/" + a.Code.SubcodeName(a.Subcode)
}

// MarshalText prints the ALERT by its draft names.
func (a AlertID) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText reads an ALERT by its draft names, as MarshalText writes it.
func (a *AlertID) UnmarshalText(b []byte) error {
	for c := AlertCode(0); c < 16; c++ {
		for s := 0; s < 16; s++ {
			if (AlertID{Code: c, Subcode: Subcode(s)}).String() == string(b) {
				*a = AlertID{Code: c, Subcode: Subcode(s)}
				return nil
			}
		}
	}
	return fmt.Errorf("ALERT %q: not CODE/SUBCODE by the draft's names", b)
}

// AllAlerts lists every Code/Subcode of the draft's ALERT table (section
// 3.1.4): each code with its subcodes, and the codes without subcodes
// (INV, HOLDTIME, FSM) with OMP_SUB_ERR_NONE.
func AllAlerts() []AlertID {
	var out []AlertID
	for _, c := range AlertCodes() {
		subs := c.Subcodes()
		if len(subs) == 0 {
			out = append(out, AlertID{Code: c, Subcode: SubErrNone})
		}
		for _, s := range subs {
			out = append(out, AlertID{Code: c, Subcode: s})
		}
	}
	return out
}

// ID is the ALERT message's Code and Subcode.
func (m *Alert) ID() AlertID { return AlertID{Code: m.Code, Subcode: m.Subcode} }

// ID is the Code and Subcode of the ALERT the receiver must send.
func (e *Error) ID() AlertID { return AlertID{Code: e.Code, Subcode: e.Subcode} }
