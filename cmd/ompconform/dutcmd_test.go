package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ompconform/ompconform/internal/testdut"
	"github.com/ompconform/ompconform/suites/catalog"
)

// TestMain lets the test binary play the ompconform command, so that
// --dut-cmd can start it as the DUT program.
func TestMain(m *testing.M) {
	if os.Getenv("OMPCONFORM_TEST_AS_MAIN") == "1" {
		os.Exit(run(os.Args[1:], &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}))
	}
	os.Exit(m.Run())
}

// --dut-cmd starts the DUT as a local program, waits for its port, runs
// the cases against it, keeps its output in the JSON report and stops it.
func TestRunDUTCommand(t *testing.T) {
	addr := testdut.FreeAddr(t)
	t.Setenv("OMPCONFORM_TEST_AS_MAIN", "1")
	cmd := os.Args[0] + " reference --role controller --system-ip 192.0.2.9 --listen " + addr + " --state-api ''"
	report := filepath.Join(t.TempDir(), "r.json")
	code, out, errs := runCmd(t, nil, "run", "--quiet", "--target", addr, "--dut-cmd", cmd, "--json", report, "HDR-00*")
	if code != ExitOK {
		t.Fatalf("code %d\n%s\n%s", code, out, errs)
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		DUTOutput string `json:"dut_output"`
	}
	if err := json.Unmarshal(b, &rep); err != nil || !strings.Contains(rep.DUTOutput, "listening on") {
		t.Errorf("the report does not keep the program's output: %q (%v)", rep.DUTOutput, err)
	}
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Error("the DUT program still listens after the run")
	}
	for _, bad := range [][]string{{"--dut-cmd", "x"}, {"--dut-cmd", "'unterminated", "--target", addr}} {
		if code, _, _ := runCmd(t, nil, append([]string{"run"}, bad...)...); code != ExitUsage {
			t.Errorf("%q: code %d, want a usage error", bad, code)
		}
	}
}

func TestSplitWords(t *testing.T) {
	got, err := splitWords(`prog -a 'b c' "d \"e\"" f\ g`)
	want := []string{"prog", "-a", "b c", `d "e"`, "f g"}
	if err != nil || strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("%q, %v; want %q", got, err, want)
	}
}

// The N shards of a selection cover each case exactly once.
func TestShards(t *testing.T) {
	cases := catalog.All()
	seen := map[string]int{}
	for i := 1; i <= 3; i++ {
		part, err := shardOf(cases, fmt.Sprintf("%d/3", i))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range part {
			seen[c.ID]++
		}
	}
	for _, c := range cases {
		if seen[c.ID] != 1 {
			t.Errorf("%s in %d shards", c.ID, seen[c.ID])
		}
	}
	for _, bad := range []string{"0/3", "4/3", "1/0", "x", "1/3/4"} {
		if _, err := shardOf(cases, bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// Shards of one run merge into one column holding every case; a second
// implementation makes a second column.
func TestReportMerge(t *testing.T) {
	dir := t.TempDir()
	parts := runShards(t, dir, 2, "HDR-00*")
	faulty := filepath.Join(dir, "faulty.json")
	runCmd(t, nil, "run", "--quiet", "--fault", "alert-subcode-zero", "--json", faulty, "HDR-00*")
	html, js := filepath.Join(dir, "m.html"), filepath.Join(dir, "m.json")
	code, _, errs := runCmd(t, nil, append([]string{"report", "merge", "--html", html, "--json", js}, append(parts, "faulty="+faulty)...)...)
	if code != ExitFailure || !strings.Contains(errs, "gate: FAILED: faulty (") || strings.Contains(errs, "ref (") {
		t.Fatalf("merge of a passing and a failing column: %d %s", code, errs)
	}
	if code, _, errs := runCmd(t, nil, append([]string{"report", "merge"}, parts...)...); code != ExitOK {
		t.Fatalf("merge of a passing run's shards: %d %s", code, errs)
	}
	var m struct {
		Columns []struct {
			Name   string            `json:"name"`
			Grades map[string]string `json:"grades"`
			Gating map[string]bool   `json:"gating"`
		} `json:"columns"`
		Cases []string `json:"cases"`
	}
	b, _ := os.ReadFile(js)
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Columns) != 2 || m.Columns[0].Name != "ref" || len(m.Columns[0].Grades) != len(m.Cases) || len(m.Columns[0].Gating) != 0 || len(m.Columns[1].Gating) == 0 {
		t.Errorf("matrix: %+v", m)
	}
	if h, _ := os.ReadFile(html); !strings.Contains(string(h), "faulty") || !strings.Contains(string(h), "HDR-002") {
		t.Error("the HTML lacks a column or a case")
	}
	// One shard of the two: the column is marked incomplete and the
	// merge fails, instead of showing half the catalogue as "0 failing".
	code, out, errs := runCmd(t, nil, "report", "merge", parts[0])
	if code != ExitFailure || !strings.Contains(errs, "incomplete: ref: shard 2/2") || !strings.Contains(out, "| missing shards | 2/2 |") {
		t.Errorf("merge of one shard: code %d, stderr %q\n%s", code, errs, out)
	}
}

// The example exec adapter (docs/examples/dut-control.sh, curl around the
// daemon's control endpoint) drives every operator case against the
// reference daemon as an edge, started by --dut-cmd: none UNSUPPORTED.
func TestExampleControlScript(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("the example adapter needs curl")
	}
	addr, api := testdut.FreeAddr(t), testdut.FreeAddr(t)
	dir := t.TempDir()
	conf := filepath.Join(dir, "edge.yaml")
	os.WriteFile(conf, []byte("tlocs:\n  - {address: 198.51.100.9, color: 1, encap: 2}\nroutes:\n  - {vpn: 1, prefix: 10.254.0.0/24, origin: static}\n"), 0o644)
	t.Setenv("OMPCONFORM_TEST_AS_MAIN", "1")
	t.Setenv("OMP_STATE_API", "http://"+api)
	script, err := filepath.Abs("../../docs/examples/dut-control.sh")
	if err != nil {
		t.Fatal(err)
	}
	// The DUT's words reach the harness: the answer on stdout, an error's
	// body on stderr; 501 is exit 3 (UNSUPPORTED), another error exit 1.
	dut := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/control/routes":
			w.Write([]byte(`{"paths": []}`))
		case "/control/originate":
			http.Error(w, "no TLOC to originate over", http.StatusConflict)
		default:
			http.Error(w, "no such action here", http.StatusNotImplemented)
		}
	}))
	defer dut.Close()
	for _, c := range []struct {
		action         string
		code           int
		stdout, stderr string
	}{
		{"routes", 0, `{"paths": []}`, ""},
		{"originate", 1, "", "HTTP 409: no TLOC to originate over\n"},
		{"policy", 3, "", "no such action here\n"},
	} {
		cmd := exec.Command(script, c.action, "", "10007", "198.18.77.0/24", "", "", "0", "0")
		cmd.Env = append(os.Environ(), "OMP_STATE_API="+dut.URL)
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		cmd.Run()
		if code := cmd.ProcessState.ExitCode(); code != c.code || stdout.String() != c.stdout || stderr.String() != c.stderr {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want %d, %q, %q", c.action, code, stdout.String(), stderr.String(), c.code, c.stdout, c.stderr)
		}
	}
	for _, c := range []struct {
		role, config string
		cases        []string
	}{
		{"edge", "--config " + conf + " ", []string{"OPR-*", "ORG-*", "EPL-*", "RDO-*"}},
		{"controller", "", []string{"PLA-*", "PLD-*", "RDO-*"}},
	} {
		selected, err := catalog.Select(catalog.All(), "", c.cases)
		if err != nil {
			t.Fatal(err)
		}
		cmd := os.Args[0] + " reference " + c.config + "--role " + c.role + " --system-ip 192.0.2.9 --listen " + addr + " --state-api " + api
		report := filepath.Join(dir, c.role+".json")
		code, out, errs := runCmd(t, nil, append([]string{"run", "--quiet", "--role", c.role, "--target", addr, "--dut-cmd", cmd,
			"--dut-control", "exec:" + script + " {action} {peer} {vpn} {prefix} {policy} {tloc} {color} {encap}", "--json", report}, c.cases...)...)
		if code != ExitOK {
			t.Fatalf("%s: code %d\n%s\n%s", c.role, code, out, errs)
		}
		b, err := os.ReadFile(report)
		if err != nil {
			t.Fatal(err)
		}
		var rep struct {
			Results []struct{ ID, Grade string }
		}
		if err := json.Unmarshal(b, &rep); err != nil {
			t.Fatal(err)
		}
		if len(rep.Results) != len(selected) {
			t.Errorf("%s: %d results of %v, want one for each of the %d cases", c.role, len(rep.Results), c.cases, len(selected))
		}
		for _, r := range rep.Results {
			if r.Grade != "PASS" && !(r.Grade == "SKIPPED" && r.ID == "RDO-00"+map[string]string{"edge": "1", "controller": "2"}[c.role]) {
				t.Errorf("%s: %s", r.ID, r.Grade)
			}
		}
	}
}

// A shard the selection leaves empty still writes its report (no case),
// so that the merge of all the run's shards is complete.
func TestEmptyShardWritesItsReport(t *testing.T) {
	parts := runShards(t, t.TempDir(), 3, "HDR-001")
	if code, out, errs := runCmd(t, nil, append([]string{"report", "merge"}, parts...)...); code != ExitOK || strings.Contains(out, "missing") {
		t.Errorf("merge: %d %s\n%s", code, errs, out)
	}
	if code, _, errs := runCmd(t, nil, "run", "--quiet", "NOPE-*"); code != ExitUsage || !strings.Contains(errs, "no case") {
		t.Errorf("a selection of nothing: %d %q", code, errs)
	}
}

// runShards runs the cases ids as n shards against the in-process
// reference, each with its JSON report in dir, and returns the reports
// as report merge takes them: "ref=PATH".
func runShards(t *testing.T, dir string, n int, ids ...string) []string {
	t.Helper()
	var parts []string
	for i := 1; i <= n; i++ {
		p := filepath.Join(dir, fmt.Sprintf("s%d.json", i))
		args := append([]string{"run", "--quiet", "--shard", fmt.Sprintf("%d/%d", i, n), "--json", p}, ids...)
		if code, out, errs := runCmd(t, nil, args...); code != ExitOK {
			t.Fatalf("shard %d/%d: %d\n%s\n%s", i, n, code, out, errs)
		}
		parts = append(parts, "ref="+p)
	}
	return parts
}
