package catalog

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A broken scenario file gets an error that names its file, line and
// column, and says what is wrong there.
func TestScenarioErrorsArePrecise(t *testing.T) {
	head := "id: T-ERR-001\nsection: \"3.1.1\"\nlevel: MUST\nbasis: Draft\nrequirement: r\n"
	for _, tc := range []struct {
		name, src, want string
	}{
		{"unknown key", head + "stepz: []\n", "x.yaml:6:1: scenario: unknown key \"stepz\""},
		{"missing steps", head, "x.yaml:1:1: scenario: no \"steps\""},
		{"bad level", strings.Replace(head, "MUST", "MAY", 1) + "steps: [{expect: {accept: true}}]\n", "x.yaml:3:8: level \"MAY\""},
		{"bad section", strings.Replace(head, "3.1.1", "9.9", 1) + "steps: [{expect: {accept: true}}]\n", "x.yaml:2:10: section \"9.9\": not a section"},
		{"bad alert", head + "steps:\n  - open: 0\n  - expect:\n      alert: OMP_ERR_HEADER/OMP_SUB_ERR_HEADER_LEN\n",
			"x.yaml:9:14: alert \"OMP_ERR_HEADER/OMP_SUB_ERR_HEADER_LEN\": want one of OMP_ERR_HEADER/OMP_SUB_ERR_HEADER_UNSYNC"},
		{"bad field", head + "steps:\n  - open: 0\n  - send:\n      message: {type: HELLO}\n      mutate:\n        - {field: header.lenght, op: set, value: 18}\n  - expect: {accept: true}\n",
			"x.yaml:11:11: send: mutators: set header.lenght to 18: no field \"header.lenght\""},
		{"bad op", head + "steps:\n  - send:\n      message: {type: HELLO}\n      mutate:\n        - {field: header.length, op: explode}\n  - expect: {accept: true}\n",
			"x.yaml:10:38: mutators: op \"explode\": want set"},
		{"op needs value", head + "steps:\n  - send:\n      message: {type: HELLO}\n      mutate:\n        - {field: header.length, op: set}\n  - expect: {accept: true}\n",
			"x.yaml:10:11: mutate: op set needs value"},
		{"bad step", head + "steps:\n  - open: 0\n  - sned: {}\n  - expect: {accept: true}\n", "x.yaml:8:5: step \"sned\""},
		{"bad peer", head + "steps:\n  - open: 64\n  - expect: {accept: true}\n", "x.yaml:7:11: open: peer 64"},
		{"two expectations", head + "steps:\n  - expect: {accept: true, closed: true}\n", "x.yaml:7:13: expect: want exactly one of"},
		{"nothing expected", head + "steps:\n  - open: 0\n", "x.yaml:7:3: steps: nothing is expected"},
		{"bad message type", head + "steps:\n  - send: {message: {type: HELO}}\n  - expect: {accept: true}\n", "x.yaml:7:28: message type \"HELO\""},
		{"bad hex", head + "steps:\n  - send: {hex: \"fffz\"}\n  - expect: {accept: true}\n", "x.yaml:7:17: send.hex: not hex"},
		{"catalogue ID", strings.Replace(head, "T-ERR-001", "HDR-002", 1) + "steps: [{expect: {accept: true}}]\n", "x.yaml:1:5: id HDR-002: the built-in catalogue has a case of that ID"},
		{"BGP without source", strings.Replace(head, "Draft", "BGP", 1) + "steps: [{expect: {accept: true}}]\n", "x.yaml:1:1: basis BGP: give the RFC"},
		{"Project MUST", strings.Replace(head, "Draft", "Project", 1) + "reading: x\nsteps: [{expect: {accept: true}}]\n", "x.yaml:3:8: basis Project is never MUST"},
		{"YAML syntax", head + "steps:\n  - send: {message: {type: HELLO}\n", "x.yaml:7:3: YAML: did not find expected ',' or '}'"},
		{"tab", head + "steps:\n\t- open: 0\n", "x.yaml:7:1: YAML: found character that cannot start any token"},
		{"bad family", head + "needs: [{family: AFI_IPV4/SAFI_NOPE}]\nsteps: [{expect: {accept: true}}]\n", "x.yaml:6:18: family \"AFI_IPV4/SAFI_NOPE\": SAFI \"SAFI_NOPE\": want SAFI_VROUTE, "},
		{"bad capability", head + "needs: [{capability: MPX}]\nsteps: [{expect: {accept: true}}]\n", "x.yaml:6:22: capability \"MPX\": want MP, IDENTITY, GRACEFUL RESTART, REFRESH, SECURITY or OVERLAY ID"},
		{"bad inform", head + "steps:\n  - send: {message: {type: INFORM, inform: EOR, all_families: true}}\n  - expect: {accept: true}\n", "x.yaml:7:44: inform \"EOR\": want OMP_INFORM_EOR or OMP_INFORM_REFRESH_REQUEST"},
		{"bad policy", head + "steps:\n  - send: {message: {type: POLICY, policy: START}}\n  - expect: {accept: true}\n", "x.yaml:7:44: policy \"START\": want OMP_PKT_POL_COMPLETE, OMP_PKT_POL_START, "},
		{"handshake override", head + "steps:\n  - open: {peer: 0, handshake: {hold_tim: 3}}\n  - expect: {accept: true}\n", "x.yaml:7:33: handshake: unknown key \"hold_tim\""},
		{"wait past a day", head + "steps:\n  - open: 0\n  - wait: 1e300\n  - expect: {accept: true}\n", "x.yaml:8:11: wait: 1e300 seconds: want 0..86400 (one day)"},
		{"wait a day and a second", head + "steps:\n  - open: 0\n  - wait: 86401\n  - expect: {accept: true}\n", "x.yaml:8:11: wait: 86401 seconds: want 0..86400 (one day)"},
		{"wait negative", head + "steps:\n  - open: 0\n  - wait: -1\n  - expect: {accept: true}\n", "x.yaml:8:11: wait: -1 seconds: want 0..86400"},
		{"wait NaN", head + "steps:\n  - open: 0\n  - wait: NaN\n  - expect: {accept: true}\n", "x.yaml:8:11: wait: want a number of seconds, got \"NaN\""},
		{"wait .nan", head + "steps:\n  - open: 0\n  - wait: .nan\n  - expect: {accept: true}\n", "x.yaml:8:11: wait: want a number of seconds, got \".nan\""},
		{"within past a day", head + "steps:\n  - open: 0\n  - expect: {any_alert: true, within: 1e300}\n", "x.yaml:8:39: within: 1e300 seconds: want 0..86400 (one day)"},
		{"within past float64", head + "steps:\n  - open: 0\n  - expect: {any_alert: true, within: 1e400}\n", "x.yaml:8:39: within: 1e400 seconds: want 0..86400"},
		{"within Inf", head + "steps:\n  - open: 0\n  - expect: {message: HELLO, within: +Inf}\n", "x.yaml:8:38: within: +Inf seconds: want 0..86400"},
		{"within not a number", head + "steps:\n  - open: 0\n  - expect: {any_alert: true, within: [1]}\n", "x.yaml:8:39: within: want a number of seconds, got a list"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, errs := ParseScenarios("x.yaml", []byte(tc.src))
			if len(errs) == 0 {
				t.Fatalf("no error; want %q", tc.want)
			}
			if !strings.Contains(errs.Error(), tc.want) {
				t.Errorf("got\n%s\nwant it to contain\n%s", errs.Error(), tc.want)
			}
		})
	}
}

// A duration up to MaxScenarioSeconds is taken as it is written; past
// it, Env.Seconds saturates rather than wrapping to a negative duration
// (which a wait would skip and a FAIL would print as "-2562047h...").
func TestScenarioSeconds(t *testing.T) {
	head := "id: T-SEC-001\nsection: \"3.1.1\"\nlevel: MUST\nbasis: Draft\nrequirement: r\n"
	src := head + "steps:\n  - open: 0\n  - wait: 86400\n  - expect: {any_alert: true, within: 0.25}\n"
	cs, _, errs := ParseScenarios("x.yaml", []byte(src))
	if len(errs) > 0 || len(cs) != 1 {
		t.Fatalf("a day and a quarter second: %v", errs)
	}
	if got := cs[0].Script[1].String(); !strings.Contains(got, "86400") {
		t.Errorf("wait: 86400 is %q", got)
	}
	const maxDur = time.Duration(1<<63 - 1)
	for _, tc := range []struct {
		s, scale float64
		want     time.Duration
	}{
		{1.5, 1, 1500 * time.Millisecond},
		{MaxScenarioSeconds, 1, 24 * time.Hour},
		{MaxScenarioSeconds, 100, 2400 * time.Hour},
		{0.1, 0, 100 * time.Millisecond}, // no scale: 1
		{1e300, 1, maxDur},
		{9.3e9, 1, maxDur},
		{1e9, 10, maxDur},
		{math.Inf(1), 1, maxDur},
		{-1e300, 1, -maxDur - 1},
		{math.NaN(), 1, 0},
	} {
		e := DefaultEnv(Controller)
		e.Scale = tc.scale
		if got := e.Seconds(tc.s); got != tc.want {
			t.Errorf("Seconds(%g) at scale %g = %s, want %s", tc.s, tc.scale, got, tc.want)
		}
	}
}

// LoadScenarios reads a folder, names the file of each error, and
// refuses an ID two files declare.
func TestLoadScenariosFolder(t *testing.T) {
	dir := t.TempDir()
	sc := "id: T-DUP-001\nsection: \"3.1.5\"\nlevel: MUST\nbasis: Draft\nrequirement: r\nsteps:\n  - open: 0\n  - send: {message: {type: HELLO}}\n  - expect: {accept: true}\n"
	os.WriteFile(filepath.Join(dir, "a.yaml"), []byte(sc), 0o644)
	cs, err := LoadScenarios(dir)
	if err != nil || len(cs) != 1 || cs[0].ID != "T-DUP-001" {
		t.Fatalf("one scenario: %v, %d cases", err, len(cs))
	}
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "sub", "b.yml"), []byte("# again\n"+sc), 0o644)
	_, err = LoadScenarios(dir)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "sub", "b.yml")+":2:5: id T-DUP-001: already declared at "+filepath.Join(dir, "a.yaml")+":1") {
		t.Errorf("duplicate ID: %v", err)
	}
	if _, err := LoadScenarios(t.TempDir()); err == nil {
		t.Error("an empty folder is accepted")
	}
}

// A scenario is the catalogue's own machinery: written as the built-in
// HDR-002 is, it sends and expects the same, in the same words.
func TestScenarioMapsOntoCatalogue(t *testing.T) {
	src := `id: T-HDR-002
section: "3.1.1"
level: MUST
basis: Draft
requirement: "Length : 2 bytes. Packet length including header length of 19 bytes."
steps:
  - open: 0
  - send:
      message: {type: HELLO}
      mutate:
        - {field: header.length, op: set, value: 18}
  - expect:
      alert: OMP_ERR_HEADER/OMP_SUB_ERR_HEADER_LENGTH
      then_close: true
`
	cs, _, errs := ParseScenarios("hdr.yaml", []byte(src))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	got := cs[0]
	want, _ := Lookup("HDR-002")
	if got.Sent() != want.Sent() || got.Expected() != want.Expected() || got.MsgType() != want.MsgType() {
		t.Errorf("scenario: sends %q, expects %q (%s)\nHDR-002:  sends %q, expects %q (%s)", got.Sent(), got.Expected(), got.MsgType(), want.Sent(), want.Expected(), want.MsgType())
	}
	if err := got.Validate(); err != nil {
		t.Error(err)
	}
	e := DefaultEnv(Controller)
	a, err1 := got.Script[1].(sendStep).msg.Build(e, 0)
	b, err2 := want.Steps()[1].(sendStep).msg.Build(e, 0)
	if err1 != nil || err2 != nil || string(a.Bytes) != string(b.Bytes) {
		t.Errorf("bytes differ: %x (%v) vs %x (%v)", a.Bytes, err1, b.Bytes, err2)
	}
}

// Every shipped example parses, has a distinct ID, and at least one
// of them uses two fake peers.
func TestShippedScenariosParse(t *testing.T) {
	cs, err := LoadScenarios("../../fixtures/scenarios")
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) < 12 {
		t.Errorf("%d examples, want at least 12", len(cs))
	}
	multi := false
	for _, c := range cs {
		if err := c.Validate(); err != nil {
			t.Error(err)
		}
		if strings.Contains(c.Sent(), "peer1") || strings.Contains(c.Expected(), "peer1") {
			multi = true
		}
		for _, s := range c.Script {
			if strings.HasPrefix(s.String(), "peer1") {
				multi = true
			}
		}
	}
	if !multi {
		t.Error("no multi-peer example")
	}
	if err := RegisterScenarios(cs); err != nil {
		t.Fatal(err)
	}
	defer RegisterScenarios(nil)
	if c, ok := Lookup(strings.ToLower(cs[0].ID)); !ok || c.ID != cs[0].ID {
		t.Errorf("Lookup does not find the registered scenario %s", cs[0].ID)
	}
}

// A scenario file over MaxScenarioFile (1 MiB) is an error naming it and
// the limit, never read on (internal/filein): a 15 MiB file took 1.2 GB
// to read.
func TestLoadScenariosBounded(t *testing.T) {
	dir := t.TempDir()
	sc := "id: T-BIG-001\nsection: \"3.1.5\"\nlevel: MUST\nbasis: Draft\nrequirement: r\nsteps:\n  - open: 0\n  - send: {message: {type: HELLO}}\n  - expect: {accept: true}\n"
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, []byte(sc+strings.Repeat("\n", MaxScenarioFile)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadScenarios(dir)
	if err == nil || !strings.Contains(err.Error(), big) || !strings.Contains(err.Error(), "over the limit of 1 MiB") {
		t.Fatalf("a scenario file over 1 MiB: %v", err)
	}
}

// The errors of broken scenarios are listed up to MaxScenarioErrors, the
// rest counted, and no further document or file is read past it: a
// 15 MiB file of wrong steps gave 1.4 million lines of errors (167 MB).
func TestScenarioErrorsBounded(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("id: T-ERR-001\nsection: \"3.1.5\"\nlevel: MUST\nbasis: Draft\nrequirement: r\nsteps:\n")
	for range 150 {
		b.WriteString("  - {bogus: 1}\n")
	}
	for i := range 1000 { // more documents, each wrong too: not read
		fmt.Fprintf(&b, "---\nid: T-ERR-%d\nstepz: []\n", i+2)
	}
	os.WriteFile(filepath.Join(dir, "a.yaml"), []byte(b.String()), 0o644)
	os.WriteFile(filepath.Join(dir, "b.yaml"), []byte("id: T-ERR-9999\nstepz: []\n"), 0o644)
	_, err := LoadScenarios(dir)
	var es ScenarioErrors
	if !errors.As(err, &es) {
		t.Fatalf("want ScenarioErrors, got %v", err)
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != MaxScenarioErrors+1 || !strings.HasPrefix(lines[MaxScenarioErrors], "... and ") || !strings.HasSuffix(lines[MaxScenarioErrors], " more errors") {
		t.Errorf("%d lines of errors, the last %q; want %d and a count of the rest", len(lines), lines[len(lines)-1], MaxScenarioErrors+1)
	}
	if len(es) > 2*MaxScenarioErrors || strings.Contains(err.Error(), "b.yaml") {
		t.Errorf("%d errors collected (b.yaml read: %v): reading went on past %d", len(es), strings.Contains(err.Error(), "b.yaml"), MaxScenarioErrors)
	}
}

// A scenario "file" that is a link to a device (/dev/zero took 2.9 GB)
// or a FIFO is refused, naming it.
func TestLoadScenariosRefusesDevices(t *testing.T) {
	dir := t.TempDir()
	z := filepath.Join(dir, "z.yaml")
	if err := os.Symlink("/dev/zero", z); err != nil {
		t.Fatal(err)
	}
	_, err := LoadScenarios(dir)
	if err == nil || !strings.Contains(err.Error(), z) || !strings.Contains(err.Error(), "not a regular file (a device)") {
		t.Fatalf("a link to /dev/zero: %v", err)
	}
}
