package omp

import (
	"errors"
	"fmt"
)

// Error is a decode failure. It carries the ALERT the receiver must send
// (Code and Subcode), the offending bytes, and where they are: the field's
// name in the field map and its byte offset from the start of the message.
type Error struct {
	Code    AlertCode
	Subcode Subcode
	Field   string // field map name, e.g. "update.attr[2].length"
	Offset  int    // byte offset of Field from the start of the message
	Data    []byte // the offending bytes (a copy)
	Reason  string // a sentence for humans
}

func (e *Error) Error() string {
	return fmt.Sprintf("omp: %s/%s at %s (offset %d): %s", e.Code, e.Code.SubcodeName(e.Subcode), e.Field, e.Offset, e.Reason)
}

// Alert is the ALERT message the receiver of the malformed message sends.
// Its Data is the offending bytes, as BGP's NOTIFICATION carries them.
// Data longer than an ALERT can carry is cut to MaxAlertData bytes.
func (e *Error) Alert() *Alert {
	d := e.Data
	if len(d) > MaxAlertData {
		d = d[:MaxAlertData]
	}
	return &Alert{Code: e.Code, Subcode: e.Subcode, Data: d}
}

// MaxAlertData is the most Data one ALERT carries: a 4096-byte message
// less the header, Code and SubCode.
const MaxAlertData = MaxMessageLen - HeaderLen - 2

// AsError returns the *Error in err's chain, if there is one.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// The ALERT each failure of the codec produces.
var (
	errHeaderUnsync = AlertID{ErrHeader, SubErrHeaderUnsync}
	errHeaderLength = AlertID{ErrHeader, SubErrHeaderLength}
	errHeaderType   = AlertID{ErrHeader, SubErrHeaderType}

	errHsVersion  = AlertID{ErrHandshake, SubErrHandshakeVersion}
	errHsOMPID    = AlertID{ErrHandshake, SubErrHandshakeOMPID}
	errHsUnsupOpt = AlertID{ErrHandshake, SubErrHandshakeUnsupOpt}
	errHsAuth     = AlertID{ErrHandshake, SubErrHandshakeAuth}
	errHsHoldtime = AlertID{ErrHandshake, SubErrHandshakeHoldtime}
	errHsUnsupCap = AlertID{ErrHandshake, SubErrHandshakeUnsupCap}

	errUpAttrList = AlertID{ErrUpdate, SubErrUpdateAttrList}
	errUpUnknown  = AlertID{ErrUpdate, SubErrUpdateUnknown}
	errUpMissing  = AlertID{ErrUpdate, SubErrUpdateMissing}
	errUpFlags    = AlertID{ErrUpdate, SubErrUpdateFlags}
	errUpLength   = AlertID{ErrUpdate, SubErrUpdateLength}
	errUpNexthop  = AlertID{ErrUpdate, SubErrUpdateNexthop}
	errUpOptAttr  = AlertID{ErrUpdate, SubErrUpdateOptAttr}
	errUpBadNet   = AlertID{ErrUpdate, SubErrUpdateBadNet}
)
