package catalog

import "testing"

func TestVerdictText(t *testing.T) {
	for _, c := range []struct {
		v          Verdict
		str, summa string
	}{
		{Verdict{Grade: Fail, Expected: "an ALERT", Received: "HELLO", Reason: "late"},
			"FAIL: expected an ALERT; received HELLO (late)", "expected an ALERT; received HELLO (late)"},
		{Verdict{Grade: Pass, Expected: "an ALERT"}, "PASS: expected an ALERT; received -", "expected an ALERT; received -"},
		{Verdict{Grade: Error, Reason: "no session"}, "ERROR (no session)", "expected -; received - (no session)"},
		{Verdict{Grade: Skipped}, "SKIPPED", "expected -; received -"},
	} {
		if got := c.v.String(); got != c.str {
			t.Errorf("String %q, want %q", got, c.str)
		}
		if got := c.v.Summary(); got != c.summa {
			t.Errorf("Summary %q, want %q", got, c.summa)
		}
	}
}
