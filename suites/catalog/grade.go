package catalog

import (
	"fmt"
	"time"

	"github.com/ompconform/ompconform/internal/enum"
	"github.com/ompconform/ompconform/omp"
)

// Grade is a case's outcome. The grades are kept apart: only FAIL (and,
// for the strict, NON-STRICT) is the DUT's failure; ERROR is never the
// DUT's fault.
type Grade uint8

const (
	// Pass: the DUT answered as the requirement says.
	Pass Grade = iota + 1
	// NonStrict: the DUT saw the error but reported it imperfectly: the
	// right ALERT code with the wrong subcode, the right ALERT without
	// closing, or a close without the ALERT.
	NonStrict
	// Fail: the DUT did not answer as the requirement says.
	Fail
	// Unsupported: the DUT did not negotiate what the case needs.
	Unsupported
	// Error: a setup or harness problem; says nothing about the DUT.
	Error
	// Skipped: the case does not apply to the DUT's role, or was not run.
	Skipped
	// Info: an INFORMATIONAL case's observation (what the DUT does where
	// the draft leaves a choice). It never fails anything.
	Info
)

var gradeNames = [...]string{"", "PASS", "NON-STRICT", "FAIL", "UNSUPPORTED", "ERROR", "SKIPPED", "INFO"}

func (g Grade) String() string { return enum.Name(gradeNames[:], g, "GRADE_%d") }

// MarshalText prints the grade by name.
func (g Grade) MarshalText() ([]byte, error) { return []byte(g.String()), nil }

// UnmarshalText reads a grade by name.
func (g *Grade) UnmarshalText(b []byte) (err error) {
	*g, err = enum.ParseFold[Grade](gradeNames[:], "grade", string(b))
	return err
}

// Grades lists every grade in report order.
func Grades() []Grade { return []Grade{Pass, Info, NonStrict, Fail, Unsupported, Error, Skipped} }

// Gates reports whether a result of grade g fails the conformance gate
// (before any baseline): in the strict gate, every FAIL, NON-STRICT and
// ERROR; in the lenient gate (the old behaviour, --gate lenient), only a
// MUST case's FAIL or ERROR. INFO, PASS, UNSUPPORTED and SKIPPED never
// fail it.
func (g Grade) Gates(l Level, lenient bool) bool {
	if lenient {
		return l == MUST && (g == Fail || g == Error)
	}
	return g == Fail || g == NonStrict || g == Error
}

// severity orders grades for combining: the worst wins.
func (g Grade) severity() int {
	switch g {
	case Pass, Info:
		return 0
	case NonStrict:
		return 1
	case Skipped:
		return 2
	case Unsupported:
		return 3
	case Fail:
		return 4
	case Error:
		return 5
	}
	return 6
}

// Worse reports whether g is worse than h.
func (g Grade) Worse(h Grade) bool { return g.severity() > h.severity() }

// Measurement is a value a timer case measured.
type Measurement struct {
	Name  string        `json:"name"`  // "hold timer expiry", "largest HELLO interval"
	Value time.Duration `json:"value"` // what was measured
	Limit string        `json:"limit"` // what it was held against, in words
}

func (m Measurement) String() string {
	return fmt.Sprintf("%s %s (%s)", m.Name, m.Value.Round(time.Millisecond), m.Limit)
}

// Verdict is the judgement of one expectation, or of a whole case.
type Verdict struct {
	Grade    Grade
	Expected string // what the requirement asks for, in words
	Received string // what the DUT did, in words
	Reason   string // why this grade, when Expected against Received does not say it all
	Measured []Measurement
	// Alert is the ALERT the DUT sent, if the judgement turned on one.
	Alert *omp.AlertID
}

// String is "GRADE: expected X; received Y (reason)", or "GRADE
// (reason)" when the verdict expected and received nothing.
func (v Verdict) String() string {
	if v.Expected != "" || v.Received != "" {
		return v.Grade.String() + ": " + v.Summary()
	}
	if v.Reason != "" {
		return v.Grade.String() + " (" + v.Reason + ")"
	}
	return v.Grade.String()
}

// Summary is "expected X; received Y (reason)", "-" for what is empty.
func (v Verdict) Summary() string {
	s := "expected " + orDash(v.Expected) + "; received " + orDash(v.Received)
	if v.Reason != "" {
		s += " (" + v.Reason + ")"
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// combine folds w into v: the worse grade's texts win, measurements add up.
func (v *Verdict) combine(w Verdict) {
	if v.Grade == 0 || w.Grade.Worse(v.Grade) {
		m := append(v.Measured, w.Measured...)
		*v = w
		v.Measured = m
		return
	}
	v.Measured = append(v.Measured, w.Measured...)
	if v.Alert == nil {
		v.Alert = w.Alert
	}
}

func verdict(g Grade, exp Expectation, received, reason string) Verdict {
	e := ""
	if exp != nil {
		e = exp.String()
	}
	return Verdict{Grade: g, Expected: e, Received: received, Reason: reason}
}
