package main

import (
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ompconform/ompconform/internal/testdut"
	"github.com/ompconform/ompconform/mutators"
	"github.com/ompconform/ompconform/netfuzz"
	"github.com/ompconform/ompconform/omp"
)

// Bad flags are usage errors: among them --workers and --max-mutations
// out of 1..64 (a billion mutations per input ran for minutes), an
// unknown --fault, and a --fault for a DUT that is not the in-process
// reference.
func TestFuzzUsage(t *testing.T) {
	for _, args := range [][]string{
		{"--target", "10.0.0.1:12346"},
		{"--target", "127.0.0.1"},
		{"--phase", "later"},
		{"--iterations", "0", "--duration", "0"},
		{"--max-mutations", "0"},
		{"--max-mutations", "65"},
		{"--max-mutations", "1000000000"},
		{"--hold-time", "2"},
		{"--role", "router"},
		{"--workers", "0"},
		{"--workers", "65"},
		{"--fault", "no-such-fault"},
		{"--fault", "alert-never", "--target", "127.0.0.1:12346"},
		{"extra"},
	} {
		if code, _, errs := runCmd(t, nil, append([]string{"fuzz"}, args...)...); code != ExitUsage || errs == "" {
			t.Errorf("%q: code %d, stderr %q", args, code, errs)
		}
	}
}

// The in-process reference given a fault (--fault) is caught
// (--fail-on-mismatch exits 1), with 4 workers (--workers) sending
// exactly the inputs asked for.
func TestFuzzWorkersAndFault(t *testing.T) {
	code, out, errs := runCmd(t, nil, "fuzz", "--iterations", "40", "--seed", "1", "--workers", "4", "--fault", "alert-subcode-zero",
		"--fail-on-mismatch", "--out", t.TempDir(), "--quiet")
	if code != ExitFailure || !strings.Contains(out, "4 workers") || !strings.Contains(out, "stopped (iterations) after 40 inputs") ||
		!strings.Contains(out, "FAILED:") {
		t.Fatalf("code %d\nstdout %s\nstderr %s", code, out, errs)
	}
}

func TestFuzzReference(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := runCmd(t, nil, "fuzz", "--iterations", "150", "--duration", "20s", "--seed", "7", "--out", dir, "--quiet")
	if code != ExitOK {
		t.Fatalf("code %d\nstdout %s\nstderr %s", code, out, errs)
	}
	for _, want := range []string{"seed 7", "stopped (iterations) after 150 inputs", "exec/s", "passed: no crash or hang", "agree-alert"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// --replay sends a saved finding again: a hand-made one, an UPDATE whose
// attribute has undefined flag bits, "observed" accepted by the DUT; the
// reference refuses it as the codec says, so the finding does not
// reproduce (exit 0). Reproduction itself is tested in netfuzz, against
// DUTs that misbehave on purpose.
func TestFuzzReplay(t *testing.T) {
	wire, err := omp.Encode(&omp.Update{Attributes: []omp.Attribute{{Flags: 0x01, Value: &omp.AttrPref{Preference: 1}}}})
	if err != nil {
		t.Fatal(err)
	}
	f := netfuzz.Finding{Kind: netfuzz.KindMismatch, Summary: "hand-made", InProcess: true, Role: "controller",
		SessionPhase: mutators.PhaseEstablished,
		Input: netfuzz.Input{Phase: mutators.PhaseEstablished, Seed: "hand-made", Hex: hex.EncodeToString(wire),
			Observed: netfuzz.Observation{Outcome: netfuzz.OutAccept}}}
	b, _ := json.Marshal(f)
	path := filepath.Join(t.TempDir(), "f.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCmd(t, nil, "fuzz", "--replay", path)
	if code != ExitOK || !strings.Contains(out, "not reproduced") || !strings.Contains(out, "OMP_SUB_ERR_UPDATE_FLAGS") {
		t.Fatalf("code %d\nstdout %s\nstderr %s", code, out, errs)
	}
	if code, _, _ := runCmd(t, nil, "fuzz", "--replay", filepath.Join(t.TempDir(), "none.json")); code != ExitUsage {
		t.Errorf("missing file: code %d", code)
	}
}

// --dut-cmd starts the DUT as a local program, as for `run`: here the
// reference daemon with a fault that crashes it. The fuzzer finds the
// crash, starts the program again and fuzzes on to its bound, and stops
// the program at the end.
func TestFuzzDUTCommand(t *testing.T) {
	addr := testdut.FreeAddr(t)
	t.Setenv("OMPCONFORM_TEST_AS_MAIN", "1")
	cmd := os.Args[0] + " reference --role controller --fault crash-on-unknown-inform-type --system-ip 192.0.2.9 --listen " + addr + " --state-api ''"
	code, out, errs := runCmd(t, nil, "fuzz", "--quiet", "--target", addr, "--dut-cmd", cmd, "--seed", "1", "--workers", "4",
		"--iterations", "300", "--duration", "60s", "--out", t.TempDir())
	// Four workers were sending: the program is started afresh to find
	// whose input crashes it alone.
	if code != ExitFailure || !strings.Contains(out, "stopped (iterations) after 300 inputs") || !strings.Contains(out, "crash: after") ||
		!strings.Contains(out, "crashes a fresh DUT alone") {
		t.Fatalf("code %d, want %d (a crash), and the run to its bound\n%s\n%s", code, ExitFailure, out, errs)
	}
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Error("the DUT program still listens after the run")
	}
	if code, _, errs := runCmd(t, nil, "fuzz", "--dut-cmd", "x"); code != ExitUsage || !strings.Contains(errs, "--target") {
		t.Errorf("--dut-cmd without --target: code %d, %q", code, errs)
	}
}

// The summary says how many findings it counted but did not keep, so
// the counts and the files listed agree.
func TestFuzzSummaryCountsWhatItDidNotKeep(t *testing.T) {
	rep := &netfuzz.Report{Counts: map[netfuzz.Kind]int{netfuzz.KindCrash: 10},
		Findings: []*netfuzz.Finding{{Summary: "a"}, {Summary: "b"}, {Summary: "c"}}, Duplicates: 1}
	var b strings.Builder
	if code := fuzzSummary(&b, io.Discard, rep, false); code != ExitFailure || !strings.Contains(b.String(), "6 more findings not kept") {
		t.Errorf("exit %d:\n%s", code, b.String())
	}
}

// An --out that cannot be made or written is a usage error before the
// first input (the run would lose every finding); nothing is fuzzed.
func TestFuzzOutNotWritable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCmd(t, nil, "fuzz", "--fault", "header-marker-unchecked", "--iterations", "300", "--quiet", "--out", filepath.Join(file, "findings"))
	if code != ExitUsage || !strings.Contains(errs, "--out") || strings.Contains(out, "findings to") || strings.Contains(out, "passed") {
		t.Errorf("code %d\nstdout %s\nstderr %s", code, out, errs)
	}
}

// A finding that could not be saved is an error on standard error, and
// the run fails, whatever it found: it never passes.
func TestFuzzSummaryFailsOnUnsavedFindings(t *testing.T) {
	rep := &netfuzz.Report{Counts: map[netfuzz.Kind]int{netfuzz.KindMismatch: 1},
		Findings: []*netfuzz.Finding{{Summary: "a"}}, SaveErrors: []string{"open f/mismatch-000001-00000000.json: no space left on device"}}
	var out, errs strings.Builder
	code := fuzzSummary(&out, &errs, rep, false)
	if code == ExitOK || strings.Contains(out.String(), "passed") || !strings.Contains(errs.String(), "no space left") || strings.Contains(out.String(), "no space left") {
		t.Errorf("exit %d\nstdout %s\nstderr %s", code, out.String(), errs.String())
	}
	// With a crash too, it still fails, and says both.
	rep.Counts[netfuzz.KindCrash] = 1
	out.Reset()
	if code := fuzzSummary(&out, io.Discard, rep, false); code == ExitOK || !strings.Contains(out.String(), "1 crashes") || !strings.Contains(out.String(), "1 errors") {
		t.Errorf("with a crash: exit %d\n%s", code, out.String())
	}
}

// A finding made on the in-process reference with --fault replays and
// minimises as found, without --fault again: the finding records the
// faults. fuzz minimize takes --fault too (it replaces the finding's).
func TestFuzzFaultFindingReplaysAsFound(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := runCmd(t, nil, "fuzz", "--fault", "header-marker-unchecked", "--iterations", "40", "--seed", "1", "--workers", "4",
		"--phase", "established", "--out", dir, "--quiet")
	if code != ExitOK {
		t.Fatalf("fuzz: code %d\n%s\n%s", code, out, errs)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "mismatch-*.json"))
	if len(files) == 0 {
		t.Fatalf("no mismatch found:\n%s", out)
	}
	f := files[0]
	if code, out, errs := runCmd(t, nil, "fuzz", "--replay", f); code != ExitFailure || !strings.Contains(out, "reproduced: mismatch") ||
		!strings.Contains(out, "header-marker-unchecked") {
		t.Errorf("replay: code %d\n%s\n%s", code, out, errs)
	}
	if code, out, errs := runCmd(t, nil, "fuzz", "minimize", "--tries", "6", f); code != ExitOK || !strings.Contains(out, "written to") {
		t.Errorf("minimize: code %d\n%s\n%s", code, out, errs)
	}
	m, err := netfuzz.Load(strings.TrimSuffix(f, ".json") + "-min.json")
	if err != nil || m.Minimized == nil || !m.Minimized.Reproduced || len(m.Faults) != 1 {
		t.Errorf("minimised finding: %v %+v", err, m)
	}
	min2 := filepath.Join(t.TempDir(), "new", "m.json")
	if code, out, errs := runCmd(t, nil, "fuzz", "minimize", "--fault", "header-marker-unchecked", "--tries", "2", "--out", min2, f); code != ExitOK {
		t.Errorf("minimize --fault: code %d\n%s\n%s", code, out, errs)
	}
	if code, _, errs := runCmd(t, nil, "fuzz", "minimize", "--fault", "no-such-fault", f); code != ExitUsage || !strings.Contains(errs, "no such fault") {
		t.Errorf("minimize --fault no-such-fault: code %d, %s", code, errs)
	}
}
