package main

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ompconform/ompconform/mutators"
	"github.com/ompconform/ompconform/netfuzz"
	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/suites/catalog"
)

// finding is a hand-made finding: msg, mutated, sent on an established
// session, after a HELLO; the DUT answered with obs.
func finding(t *testing.T, dir string, msg omp.Message, obs *netfuzz.Alert, muts ...mutators.Mutation) string {
	t.Helper()
	b, err := mutators.Message(msg, muts...)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = netfuzz.Complete(b)
	hello, _ := omp.Encode(&omp.Hello{})
	in := netfuzz.Input{Phase: mutators.PhaseEstablished, Seed: "hand-made", Hex: hex.EncodeToString(b), Mutations: muts, Described: mutators.Describe(muts),
		Expected: netfuzz.Expect(mutators.PhaseEstablished, b), Observed: netfuzz.Observation{Outcome: netfuzz.OutAlert, Alert: obs}}
	fd := &netfuzz.Finding{Kind: netfuzz.KindMismatch, Summary: "hand-made", Time: time.Now(), Target: "127.0.0.1:1", InProcess: true, Role: "controller",
		SessionPhase: mutators.PhaseEstablished, History: []netfuzz.Input{{Phase: mutators.PhaseEstablished, Hex: hex.EncodeToString(hello)}}, Input: in}
	p := filepath.Join(dir, "f.json")
	if err := fd.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// A promoted finding is a scenario file that reads back, sits under the
// section of the ALERT the codec derives, and passes against the
// reference (which answers as the codec says).
func TestFuzzPromote(t *testing.T) {
	for _, tc := range []struct {
		name    string
		msg     omp.Message
		mut     mutators.Mutation
		section string
		alert   string
	}{
		{"header", &omp.Hello{}, mutators.On("header.length", mutators.Set(18)), "3.1.1", "OMP_ERR_HEADER/OMP_SUB_ERR_HEADER_LENGTH"},
		{"pref", &omp.Update{Attributes: []omp.Attribute{omp.Attr(&omp.AttrPref{Preference: 5})}}, mutators.On("update.attr[0].value", mutators.Truncate(1)), "3.1.3.4", "OMP_ERR_UPDATE/OMP_SUB_ERR_UPDATE_LENGTH"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			f := finding(t, dir, tc.msg, &netfuzz.Alert{Code: omp.ErrHeader, Subcode: omp.SubErrHeaderType, Name: "OMP_ERR_HEADER/OMP_SUB_ERR_HEADER_TYPE"}, tc.mut)
			// Its folder does not exist yet: promote makes it, as the
			// README's "--out my-scenarios/fuzz.yaml" needs.
			sc := filepath.Join(dir, "sc", "promoted.yaml")
			code, out, errs := runCmd(t, nil, "fuzz", "promote", "--out", sc, "--id", "FUZZ-T-001", f)
			if code != ExitOK {
				t.Fatalf("promote: code %d\n%s\n%s", code, out, errs)
			}
			y, _ := os.ReadFile(sc)
			for _, want := range []string{"section: \"" + tc.section + "\"", "alert: \"" + tc.alert + "\"", "then_close: true", "- open: 0", "send: {hex:"} {
				if !strings.Contains(string(y), want) {
					t.Errorf("the scenario lacks %q:\n%s", want, y)
				}
			}
			code, out, errs = runCmd(t, nil, "run", "--quiet", "--scenarios", filepath.Dir(sc), "FUZZ-T-001")
			if code != ExitOK || !strings.Contains(out, "1 PASS") {
				t.Errorf("the promoted scenario against the reference: code %d\n%s\n%s", code, out, errs)
			}
		})
	}
	if code, _, _ := runCmd(t, nil, "fuzz", "promote"); code != ExitUsage {
		t.Errorf("promote without a finding: code %d", code)
	}
}

// A finding file is not trusted: what it says goes into one-line
// comments and quoted scalars, so a target, role, summary, file name or
// ALERT name cannot add a scenario (a target of "...\n---\nid: EVIL-001"
// did, and the read-back took both), a key, or a control character.
func TestFuzzPromoteHostileFinding(t *testing.T) {
	dir := t.TempDir()
	evil := "\n---\nid: EVIL-001\ntitle: evil\nsection: \"3\"\nlevel: SHOULD\nbasis: Project\nrequirement: r\nreading: r\n" +
		"steps:\n  - open: 0\n  - expect: {accept: true}\n---\n#"
	fd, err := netfuzz.Load(finding(t, dir, &omp.Hello{}, &netfuzz.Alert{Name: "OMP_ERR_HEADER/OMP_SUB_ERR_HEADER_TYPE"}, mutators.On("header.length", mutators.Set(18))))
	if err != nil {
		t.Fatal(err)
	}
	fd.Target = "127.0.0.1:1" + evil
	one := func(from string) string {
		t.Helper()
		y, err := Promote(fd, "FUZZ-T-002", from)
		if err != nil {
			t.Fatal(err)
		}
		cs, _, errs := catalog.ParseScenarios("p.yaml", []byte(y))
		if len(errs) > 0 || len(cs) != 1 || cs[0].ID != "FUZZ-T-002" {
			t.Fatalf("%d scenarios read back (%v):\n%s", len(cs), errs, y)
		}
		return y
	}
	one("f.json")
	fd.Role = "controller\r" + evil
	fd.Summary = "\x1b[2Jsummary\u2028id: EVIL-002" + evil
	fd.Minimized = &netfuzz.MinStats{Reproduced: true, Note: evil}
	fd.History[0].Described = evil
	y := one(filepath.Join(dir, "f"+evil+".json"))
	for i, line := range strings.Split(strings.TrimSuffix(y, "\n"), "\n") {
		if strings.Contains(line, "EVIL") && !strings.HasPrefix(line, "#") && !strings.Contains(line, "   # ") {
			t.Errorf("line %d outside a comment: %q", i+1, line)
		}
		if strings.ContainsFunc(line, func(r rune) bool { return r < ' ' || r == 0x7f || r == 0x2028 }) {
			t.Errorf("line %d has a control character: %q", i+1, line)
		}
	}
	// An ALERT name is a quoted scalar: one that is not an ALERT is
	// refused, not written as YAML.
	fd.Input.Expected.Alert = &netfuzz.Alert{Name: "OMP_ERR_HEADER/OMP_SUB_ERR_HEADER_TYPE" + evil}
	if y, err := Promote(fd, "FUZZ-T-003", "f.json"); err == nil {
		t.Errorf("a hostile ALERT name was promoted:\n%s", y)
	}
}

// "fuzz minimize" of a finding the DUT does not reproduce (the
// reference answers as the codec says) writes nothing, says why on
// stderr, and fails: no -min.json that reads as a minimised finding.
func TestFuzzMinimizeNotReproduced(t *testing.T) {
	dir := t.TempDir()
	f := finding(t, dir, &omp.Hello{}, &netfuzz.Alert{Code: omp.ErrHeader, Subcode: omp.SubErrHeaderType, Name: "OMP_ERR_HEADER/OMP_SUB_ERR_HEADER_TYPE"}, mutators.On("header.length", mutators.Set(18)))
	code, out, errs := runCmd(t, nil, "fuzz", "minimize", "--tries", "4", f)
	if code != ExitFailure || !strings.Contains(errs, "did not reproduce") || !strings.Contains(errs, "nothing written") {
		t.Fatalf("code %d\n%s\n%s", code, out, errs)
	}
	if _, err := os.Stat(strings.TrimSuffix(f, ".json") + "-min.json"); !os.IsNotExist(err) {
		t.Errorf("a -min.json was written for a finding that did not reproduce (%v)", err)
	}
}
