package main

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ompconform/ompconform/internal/testdut"
	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/suites/catalog"
	"github.com/ompconform/ompconform/suites/runner"
)

func TestListPrintsEveryCase(t *testing.T) {
	code, out, _ := runCmd(t, nil, "list")
	if code != ExitOK || !strings.Contains(out, "HDR-002") || !strings.Contains(out, "3.1.1") {
		t.Fatalf("list: code %d, output %.300q", code, out)
	}
	code, out, _ = runCmd(t, nil, "list", "--json", "--label-filter", "MUST && HDR")
	var cases []struct {
		ID, Level, Requirement string
	}
	if code != ExitOK || json.Unmarshal([]byte(out), &cases) != nil || len(cases) == 0 {
		t.Fatalf("list --json: code %d, %d cases", code, len(cases))
	}
	for _, c := range cases {
		if c.Level != "MUST" || !strings.HasPrefix(c.ID, "HDR-") || c.Requirement == "" {
			t.Errorf("list --json 'MUST && HDR' gives %+v", c)
		}
	}
	if code, _, errs := runCmd(t, nil, "list", "NOPE-9"); code != ExitUsage || !strings.Contains(errs, "NOPE-9") {
		t.Errorf("list NOPE-9: code %d, stderr %q", code, errs)
	}
}

func TestListCoverage(t *testing.T) {
	code, out, _ := runCmd(t, nil, "list", "--coverage")
	for _, want := range []string{"3.1.3.12", "OMP_ERR_UPDATE/OMP_SUB_ERR_UPDATE_BAD_NET", "expected: UPD-", "sent:     ALR-"} {
		if !strings.Contains(out, want) {
			t.Errorf("list --coverage lacks %q", want)
		}
	}
	if code != ExitOK {
		t.Errorf("code %d", code)
	}
	// A selection that leaves sections and ALERTs uncovered says so.
	_, out, _ = runCmd(t, nil, "list", "--coverage", "HDR-002")
	if !strings.Contains(out, "NONE") {
		t.Error("coverage of one case marks nothing uncovered")
	}
	code, out, _ = runCmd(t, nil, "list", "--coverage", "--json")
	var cov struct {
		Sections []struct{ Key string }
		Alerts   []struct {
			Expected []string `json:"expected_by"`
		}
	}
	if code != ExitOK || json.Unmarshal([]byte(out), &cov) != nil || len(cov.Sections) == 0 || len(cov.Alerts) != len(omp.AllAlerts()) {
		t.Errorf("list --coverage --json: code %d, %d sections, %d alerts", code, len(cov.Sections), len(cov.Alerts))
	}
}

// run against the in-process reference, writing every report.
func TestRunAgainstTheReference(t *testing.T) {
	dir := t.TempDir()
	out := func(n string) string { return filepath.Join(dir, n) }
	code, stdout, stderr := runCmd(t, nil, "run", "--parallel", "2", "--junit", out("r.xml"), "--json", out("r.json"), "--html", out("r.html"),
		"--markdown", out("r.md"), "--pcap-dir", out("pcap"), "HDR-002", "UPD-105", "HS-001")
	if code != ExitOK {
		t.Fatalf("run: code %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "[1/3] PASS") || !strings.Contains(stdout, "gate: passed") {
		t.Errorf("run output:\n%s", stdout)
	}
	for _, f := range []string{"r.xml", "r.json", "r.html", "r.md", "pcap/HDR-002.pcapng"} {
		if st, err := os.Stat(out(f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	b, _ := os.ReadFile(out("r.xml"))
	if err := xml.Unmarshal(b, new(struct{})); err != nil {
		t.Errorf("JUnit: %v", err)
	}
}

// --tolerance is the slack on the timers the DUT runs: the hold timer's
// measurement is judged against it.
func TestRunTolerance(t *testing.T) {
	code, stdout, stderr := runCmd(t, nil, "run", "--role", "edge", "--tolerance", "250ms", "HLD-003")
	if code != ExitOK || !strings.Contains(stdout, "(3s ± 250ms)") {
		t.Errorf("run --tolerance 250ms HLD-003: code %d\n%s\n%s", code, stdout, stderr)
	}
	for _, bad := range []string{"0", "-5s"} {
		if code, _, stderr := runCmd(t, nil, "run", "--tolerance", bad, "HLD-003"); code != ExitUsage || !strings.Contains(stderr, "must be positive") {
			t.Errorf("--tolerance %s: code %d, stderr %q", bad, code, stderr)
		}
	}
}

// A run that ends without reports (the DUT opens no session) leaves none
// where they would be: not an empty file, nor an earlier run's.
func TestRunWithoutASessionLeavesNoStaleReport(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, "report.json")
	if err := os.WriteFile(stale, []byte(`{"target":"earlier run","results":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCmd(t, nil, "run", "--target", testdut.FreeAddr(t), "--timeout", "200ms", "--report-dir", dir, "HDR-002")
	if code != ExitUsage {
		t.Fatalf("run against nothing: code %d, stderr %q", code, stderr)
	}
	for _, name := range []string{"report.json", "report.xml", "report.html", "report.md"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("%s left behind", name)
		}
	}
}

// A report path that is a link (/dev/stdout is one) is written through,
// never removed; a usage error leaves an earlier run's reports alone.
func TestRunWritesThroughALink(t *testing.T) {
	dir := t.TempDir()
	target, link := filepath.Join(dir, "target.json"), filepath.Join(dir, "link.json")
	if err := os.WriteFile(target, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCmd(t, nil, "run", "--json", link, "HDR-002"); code != ExitOK {
		t.Fatalf("run --json LINK: code %d, %s", code, stderr)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v, %v", st.Mode(), err)
	}
	if b, _ := os.ReadFile(target); !strings.Contains(string(b), `"HDR-002"`) {
		t.Errorf("the report did not go through the link: %.80q", b)
	}
	if code, _, _ := runCmd(t, nil, "run", "--json", target, "--baseline", filepath.Join(dir, "missing.yaml"), "HDR-002"); code != ExitUsage {
		t.Errorf("a missing baseline: code %d", code)
	}
	if b, _ := os.ReadFile(target); !strings.Contains(string(b), `"HDR-002"`) {
		t.Error("a usage error removed the earlier run's report")
	}
}

// A baseline entry whose case passes fails the gate.
func TestRunBaselineEntryThatPassesFailsTheGate(t *testing.T) {
	base := filepath.Join(t.TempDir(), "baseline.yaml")
	os.WriteFile(base, []byte("- id: HDR-002\n  reason: thought broken\n"), 0o644)
	md := filepath.Join(t.TempDir(), "r.md")
	code, stdout, _ := runCmd(t, nil, "run", "--quiet", "--baseline", base, "--markdown", md, "HDR-002")
	if code != ExitFailure || !strings.Contains(stdout, "baseline entry passed, remove it: HDR-002") {
		t.Errorf("code %d, output:\n%s", code, stdout)
	}
	// One case is "1 case", in the summary and the Markdown report.
	if b, _ := os.ReadFile(md); !strings.Contains(stdout, ": 1 case in ") || !strings.Contains(string(b), " · 1 case in ") {
		t.Errorf("not '1 case':\n%s\n%s", stdout, b)
	}
	os.WriteFile(base, []byte("- id: HDR-002\n"), 0o644)
	if code, _, errs := runCmd(t, nil, "run", "--baseline", base, "HDR-002"); code != ExitUsage || !strings.Contains(errs, "reason") {
		t.Errorf("a baseline entry without a reason: code %d, %q", code, errs)
	}
}

// A DUT that opens sessions and then ignores everything fails MUST
// cases: the gate fails, and a baseline entry covering it passes the gate.
func TestRunAgainstADeafDUT(t *testing.T) {
	addr := deafDUT(t)
	code, stdout, _ := runCmd(t, nil, "run", "--target", addr, "--timeout", "300ms", "HDR-002")
	if code != ExitFailure || !strings.Contains(stdout, "FAIL") || !strings.Contains(stdout, "gate: FAILED") {
		t.Errorf("code %d, output:\n%s", code, stdout)
	}
	base := filepath.Join(t.TempDir(), "baseline.yaml")
	os.WriteFile(base, []byte("- id: HDR-002\n  reason: known deaf\n"), 0o644)
	if code, stdout, _ := runCmd(t, nil, "run", "--target", addr, "--timeout", "300ms", "--baseline", base, "HDR-002"); code != ExitOK {
		t.Errorf("baselined failure: code %d, output:\n%s", code, stdout)
	}
	if code, _, errs := runCmd(t, nil, "run", "--target", addr, "--tls-cert", "x.pem", "HDR-002"); code != ExitUsage {
		t.Errorf("--tls-cert without --tls-key: code %d, %q", code, errs)
	}
}

// deafDUT answers the opening (HANDSHAKE, HELLO) and then reads and
// ignores everything.
func deafDUT(t *testing.T) string {
	return testdut.Start(t, func(c net.Conn) {
		r := omp.NewReader(c)
		if _, _, err := r.ReadMessage(); err != nil {
			return
		}
		hs := &omp.Handshake{Version: 1, DomainID: 1, HoldTime: 90, PeerRouterID: netip.MustParseAddr("192.0.2.9"),
			Options: []omp.Option{&omp.CapabilitiesOption{Capabilities: []omp.Capability{&omp.CapIdentity{PeerType: omp.PeerTypeVSmart}}}}}
		for _, m := range []omp.Message{hs, &omp.Hello{}} {
			b, _ := omp.Encode(m)
			c.Write(b)
		}
		io.Copy(io.Discard, c)
	}).Addr()
}

// A target that opens no session (nothing listening, a silent DUT) gets
// one line on stderr and exit 2, before any case; report paths are
// checked before the run, and --report-dir writes every report.
func TestRunPreflightAndReportDir(t *testing.T) {
	dead := testdut.FreeAddr(t)
	code, stdout, stderr := runCmd(t, nil, "run", "--target", dead, "--quiet")
	if code != ExitUsage || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, dead) {
		t.Errorf("nothing listening: code %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	blocked := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocked, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ = runCmd(t, nil, "run", "--quiet", "--junit", filepath.Join(blocked, "junit.xml"), "HDR-002")
	if code != ExitUsage || stdout != "" {
		t.Errorf("an unwritable report path: code %d, stdout %q; want exit 2 before any case", code, stdout)
	}
	dir := filepath.Join(t.TempDir(), "a", "b")
	code, stdout, _ = runCmd(t, nil, "run", "--quiet", "--report-dir", dir, "HDR-002")
	if code != ExitOK {
		t.Fatalf("--report-dir: code %d\n%s", code, stdout)
	}
	for _, name := range []string{"report.xml", "report.json", "report.html", "report.md", "pcap"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("--report-dir did not write %s: %v", name, err)
		}
		if !strings.Contains(stdout, filepath.Join(dir, name)) {
			t.Errorf("the last lines do not say where %s is:\n%s", name, stdout)
		}
	}
}

// show prints a case and, from a JSON report, its result and transcript.
func TestShow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.json")
	if code, out, _ := runCmd(t, nil, "run", "--quiet", "--json", path, "HDR-002"); code != ExitOK {
		t.Fatalf("run: %d\n%s", code, out)
	}
	code, out, errs := runCmd(t, nil, "show", "--report", path, "HDR-002")
	if code != ExitOK || !strings.Contains(out, "HEADER/LENGTH, then close") || !strings.Contains(out, "requirement: Length : 2 bytes") ||
		!strings.Contains(out, "result against") || !strings.Contains(out, "sent") {
		t.Errorf("show: code %d, stderr %q\n%s", code, errs, out)
	}
	if code, _, _ := runCmd(t, nil, "show", "NOPE-1"); code != ExitUsage {
		t.Errorf("show of an unknown case: code %d", code)
	}
	// A scenario's case and its result, with the folder run was given.
	dir := filepath.Join("..", "..", "fixtures", "scenarios")
	if code, out, _ := runCmd(t, nil, "run", "--quiet", "--scenarios", dir, "--json", path, "VND-HDR-001"); code != ExitOK {
		t.Fatalf("run the scenario: %d\n%s", code, out)
	}
	if code, out, errs := runCmd(t, nil, "show", "--scenarios", dir, "--report", path, "VND-HDR-001"); code != ExitOK || !strings.Contains(out, "VND-HDR-001") || !strings.Contains(out, "result against") {
		t.Errorf("show a scenario: code %d, stderr %q\n%s", code, errs, out)
	}
	if code, _, errs := runCmd(t, nil, "show", "VND-HDR-001"); code != ExitUsage || !strings.Contains(errs, "--scenarios") {
		t.Errorf("show a scenario without --scenarios: code %d, %q", code, errs)
	}
}

// The section summary counts PASS and INFO apart: an INFORMATIONAL
// observation is not a pass.
func TestSectionSummaryCountsInfoApart(t *testing.T) {
	rep := &runner.Report{}
	for _, g := range []catalog.Grade{catalog.Pass, catalog.Info, catalog.Info, catalog.Fail, catalog.Skipped} {
		rep.Results = append(rep.Results, runner.Result{Identity: catalog.Identity{ID: "X", Section: "3.1.2", Level: catalog.MUST}, Grade: g})
	}
	var b strings.Builder
	sectionSummary(&b, rep)
	if f := strings.Fields(b.String()); !slices.Equal(f[:6], []string{"SECTION", "TITLE", "PASS", "INFO", "FAILED", "OTHER"}) || !slices.Equal(f[len(f)-4:], []string{"1", "2", "1", "1"}) {
		t.Errorf("summary:\n%s", b.String())
	}
}

// Mistakes a new user makes are usage errors that say what to do, before
// anything connects.
func TestRunUsageMistakes(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--target", "127.0.0.1", "HDR-002"}, `--target "127.0.0.1": want HOST:PORT`},
		{[]string{"run", "--target", "127.0.0.1:1", "--container-port", "5", "HDR-002"}, "go with --target container:IMAGE"},
		{[]string{"run", "HDR-00"}, `a prefix ends in "*", as in "HDR-00*"`},
		{[]string{"show", "--report", filepath.Join(t.TempDir(), "none.json"), "HDR-002"}, "none.json"},
	} {
		code, out, errs := runCmd(t, nil, c.args...)
		if code != ExitUsage || !strings.Contains(errs, c.want) || out != "" {
			t.Errorf("%q: code %d, stderr %q, stdout %.80q; want a usage error saying %q and nothing printed", c.args, code, errs, out, c.want)
		}
	}
	if code, out, _ := runCmd(t, nil, "show", "hdr-002"); code != ExitOK || !strings.HasPrefix(out, "HDR-002") {
		t.Errorf("show hdr-002 (as run takes it): code %d, %.80q", code, out)
	}
}

// An INFO case's progress line says what the DUT was seen to do.
func TestProgressShowsTheObservation(t *testing.T) {
	r := &runner.Result{Identity: catalog.Identity{ID: "X", Title: "records whether the DUT sends its HANDSHAKE first"}, Grade: catalog.Info, Received: "HANDSHAKE first"}
	if got := progressText(r); !strings.HasSuffix(got, ": HANDSHAKE first") {
		t.Errorf("INFO progress: %q", got)
	}
}

// --timeout, --settle and --tolerance are at most a day: the runner adds
// and multiplies them (--timeout 1000000h overflowed the liveness
// probe's wait).
func TestRunWaitsBounded(t *testing.T) {
	for _, flag := range []string{"--timeout", "--settle", "--tolerance"} {
		for _, bad := range []string{"25h", "1000000h"} {
			code, _, stderr := runCmd(t, nil, "run", "--target", testdut.FreeAddr(t), flag, bad, "HDR-002")
			if code != ExitUsage || !strings.Contains(stderr, "at most 24h0m0s") {
				t.Errorf("%s %s: code %d, stderr %q", flag, bad, code, stderr)
			}
		}
	}
}
