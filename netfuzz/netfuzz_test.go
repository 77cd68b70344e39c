package netfuzz

import (
	"bytes"
	"context"
	"encoding/hex"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ompconform/ompconform/internal/testdut"
	"github.com/ompconform/ompconform/mutators"
	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/transcript"
)

func TestExpect(t *testing.T) {
	hello := testdut.Encode(t, &omp.Hello{})
	hs := testdut.Encode(t, mutators.BaseHandshake())
	alert := testdut.Encode(t, mutators.BaseAlert())
	badMarker := append([]byte(nil), hello...)
	badMarker[0] = 0
	// A HELLO whose Type byte was dropped and whose Length says 23: the
	// DUT frames 23 bytes.
	short := append(bytes.Repeat([]byte{0xFF}, 16), 0, 23)
	cases := []struct {
		name    string
		phase   mutators.Phase
		wire    []byte
		outcome string
		alert   string // Name of the expected ALERT
		source  string
		frame   int
	}{
		{"hello established", mutators.PhaseEstablished, hello, OutAccept, "", "", 0},
		{"handshake opening", mutators.PhaseOpening, hs, OutAccept, "", "", 0},
		{"hello opening", mutators.PhaseOpening, hello, OutAlert, "OMP_ERR_FSM/OMP_SUB_ERR_NONE", "fsm", 0},
		{"handshake established", mutators.PhaseEstablished, hs, OutAlert, "OMP_ERR_FSM/OMP_SUB_ERR_NONE", "fsm", 0},
		{"handshake then hello", mutators.PhaseOpening, append(append([]byte(nil), hs...), hello...), OutAccept, "", "", 1},
		{"valid alert", mutators.PhaseEstablished, alert, OutClose, "", "", 0},
		{"bad marker", mutators.PhaseEstablished, badMarker, OutAlert, "OMP_ERR_HEADER/OMP_SUB_ERR_HEADER_UNSYNC", "codec", 0},
		{"hello then bad marker", mutators.PhaseEstablished, append(append([]byte(nil), hello...), badMarker...), OutAlert, "OMP_ERR_HEADER/OMP_SUB_ERR_HEADER_UNSYNC", "codec", 1},
		{"short header padded", mutators.PhaseEstablished, short, OutAlert, "OMP_ERR_HEADER/OMP_SUB_ERR_HEADER_TYPE", "codec", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wire, _ := Complete(c.wire)
			e := Expect(c.phase, wire)
			if e.Outcome != c.outcome || e.Source != c.source || e.Frame != c.frame {
				t.Fatalf("got %+v, want %s from %q at frame %d", e, c.outcome, c.source, c.frame)
			}
			if c.alert != "" && (e.Alert == nil || e.Alert.Name != c.alert) {
				t.Fatalf("alert %+v, want %s", e.Alert, c.alert)
			}
		})
	}
}

func TestComplete(t *testing.T) {
	short := append(bytes.Repeat([]byte{0xFF}, 16), 0, 23)
	got, pad := Complete(short)
	if len(got) != 23 || pad != 5 {
		t.Fatalf("%d bytes, pad %d; want 23 and 5", len(got), pad)
	}
	hello := testdut.Encode(t, &omp.Hello{})
	if got, pad := Complete(hello); pad != 0 || !bytes.Equal(got, hello) {
		t.Fatalf("a whole message was padded by %d", pad)
	}
	// A whole HELLO and 5 bytes of another header: completed to 19.
	two := append(append([]byte(nil), hello...), 0xFF, 0xFF, 0xFF, 0xFF, 0xFF)
	if got, pad := Complete(two); len(got) != 38 || pad != 14 {
		t.Fatalf("%d bytes, pad %d; want 38 and 14", len(got), pad)
	}
}

func TestMutateIsDeterministic(t *testing.T) {
	wire, fm, err := omp.EncodeFields(mutators.BaseUpdate())
	if err != nil {
		t.Fatal(err)
	}
	for seed := uint64(0); seed < 50; seed++ {
		m1, b1 := Mutate(context.Background(), rand.New(rand.NewPCG(7, seed)), wire, fm, 3)
		m2, b2 := Mutate(context.Background(), rand.New(rand.NewPCG(7, seed)), wire, fm, 3)
		if !bytes.Equal(b1, b2) || mutators.Describe(m1) != mutators.Describe(m2) {
			t.Fatalf("seed %d: two draws differ", seed)
		}
		if len(m1) > 0 {
			again, err := mutators.Apply(wire, fm, m1...)
			if err != nil || !bytes.Equal(again, b1) {
				t.Fatalf("seed %d: applying %s again gives other bytes (%v)", seed, mutators.Describe(m1), err)
			}
		}
	}
}

// Mutate draws at most MaxMutations, and none once its context has
// ended: a billion asked for ran for minutes, past --duration and
// SIGTERM. A run's Config refuses more than MaxMutations.
func TestMutateIsBounded(t *testing.T) {
	wire, fm, err := omp.EncodeFields(mutators.BaseUpdate())
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	muts, _ := Mutate(context.Background(), rand.New(rand.NewPCG(7, 1)), wire, fm, 1_000_000_000)
	if len(muts) > MaxMutations || time.Since(start) > 10*time.Second {
		t.Fatalf("%d mutations in %v", len(muts), time.Since(start))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if muts, b := Mutate(ctx, rand.New(rand.NewPCG(7, 1)), wire, fm, 5); len(muts) != 0 || !bytes.Equal(b, wire) {
		t.Fatalf("after the context ended: %d mutations", len(muts))
	}
	if _, err := (Config{MaxMutations: MaxMutations + 1}).withDefaults(); err == nil {
		t.Fatal("a Config with more than MaxMutations mutations per input was taken")
	}
	if _, err := (Config{MaxMutations: MaxMutations}).withDefaults(); err != nil {
		t.Fatal(err)
	}
}

func TestCheckLoopback(t *testing.T) {
	for _, ok := range []string{"127.0.0.1:12346", "127.3.2.1:1", "[::1]:5", "localhost:80"} {
		if err := CheckLoopback(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"10.0.0.1:12346", "192.0.2.1:1", "example.com:80", "127.0.0.1", "[2001:db8::1]:5"} {
		if err := CheckLoopback(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

// testConfig fuzzes a test DUT with short waits.
func testConfig(target string, iterations int) Config {
	return Config{
		Target: target, Seed: 42, Iterations: iterations, Duration: 20 * time.Second,
		Answer: 300 * time.Millisecond, Settle: 30 * time.Millisecond, Revive: 500 * time.Millisecond,
		TimeUnit: testUnit, HoldTime: 60,
	}
}

// findingConfig fuzzes, in the Established phase, a test DUT that
// behaves how, for iterations, writing its findings to a directory of
// the test's.
func findingConfig(t *testing.T, how behaviour, iterations int) (*testDUT, Config) {
	t.Helper()
	d := startTestDUT(t, how)
	cfg := testConfig(d.addr(), iterations)
	cfg.Phase = mutators.PhaseEstablished
	cfg.OutDir = t.TempDir()
	return d, cfg
}

func run(t *testing.T, cfg Config) *Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rep, err := Run(ctx, cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	t.Log(rep.Line(), "stopped:", rep.Stopped)
	for _, f := range rep.Findings {
		t.Log(f.Summary)
	}
	return rep
}

// A DUT that does exactly what the codec and the state machine say
// gives no finding: the fuzzer's expectations are the codec's.
func TestWellBehavedDUTHasNoFinding(t *testing.T) {
	d := startTestDUT(t, behaveWell)
	rep := run(t, testConfig(d.addr(), 300))
	if rep.Iterations != 300 {
		t.Errorf("%d iterations, want 300 (stopped: %s)", rep.Iterations, rep.Stopped)
	}
	if len(rep.Findings) > 0 {
		t.Errorf("%d findings from a DUT that follows the codec", len(rep.Findings))
	}
	for _, s := range []string{StatSemantic, StatFSMDiffers, StatEarlier, StatUnconfirmed, StatClosed} {
		if rep.Outcomes[s] > 0 {
			t.Errorf("%d inputs counted %s", rep.Outcomes[s], s)
		}
	}
	if rep.Outcomes[StatAgreeAlert] == 0 || rep.Outcomes[StatAgreeAccept] == 0 || !rep.Probe {
		t.Errorf("outcomes %v, probe %v: want ALERTs, acceptances and the probe", rep.Outcomes, rep.Probe)
	}
}

// loadOne reads the one finding of kind k saved in dir.
func loadOne(t *testing.T, dir string, k Kind) *Finding {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, string(k)+"-*.json"))
	if len(files) == 0 {
		t.Fatalf("no %s finding saved in %s", k, dir)
	}
	f, err := Load(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if f.Kind != k || f.Input.Hex == "" || len(f.Transcript) == 0 || f.Input.SeedHex == "" {
		t.Fatalf("finding %s: kind %s, %d transcript entries, input %+v", files[0], f.Kind, len(f.Transcript), f.Input)
	}
	// The saved mutations turn the saved seed into the saved bytes.
	seed, _ := hex.DecodeString(f.Input.SeedHex)
	_, fm, err := omp.DecodeFields(seed)
	if err != nil {
		t.Fatalf("seed %s does not decode: %v", f.Input.Seed, err)
	}
	out := seed
	if len(f.Input.Mutations) > 0 {
		if out, err = mutators.Apply(seed, fm, f.Input.Mutations...); err != nil {
			t.Fatal(err)
		}
	}
	out, _ = Complete(out)
	if hex.EncodeToString(out) != f.Input.Hex {
		t.Fatalf("the mutations of %s do not give its bytes", files[0])
	}
	return f
}

func replay(t *testing.T, cfg Config, f *Finding) *ReplayResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := Replay(ctx, cfg, f)
	if err != nil {
		t.Fatalf("Replay: %v", err)
	}
	t.Log("replay:", res)
	return res
}

func TestCrashFinding(t *testing.T) {
	_, cfg := findingConfig(t, behaveDie, 20)
	rep := run(t, cfg)
	if rep.Counts[KindCrash] != 1 || rep.Stopped != "DUT dead" || rep.Iterations > 2 {
		t.Fatalf("counts %v, stopped %q after %d iterations: want one crash at once", rep.Counts, rep.Stopped, rep.Iterations)
	}
	f := loadOne(t, cfg.OutDir, KindCrash)
	if !strings.Contains(f.Detail, "no session") {
		t.Errorf("detail %q", f.Detail)
	}
	// Replay on a fresh DUT that dies the same way.
	d2 := startTestDUT(t, behaveDie)
	rcfg := testConfig(d2.addr(), 0)
	if res := replay(t, rcfg, f); !res.Reproduced {
		t.Fatalf("not reproduced: %s", res)
	}
}

func TestHangFinding(t *testing.T) {
	d, cfg := findingConfig(t, behaveMute, 4)
	rep := run(t, cfg)
	if rep.Counts[KindHang] == 0 || rep.Counts[KindCrash] > 0 || rep.Counts[KindMismatch] > 0 {
		t.Fatalf("counts %v: want hangs only", rep.Counts)
	}
	f := loadOne(t, cfg.OutDir, KindHang)
	if f.Input.Observed.Outcome != OutSilence || f.Input.Observed.Hellos != 0 {
		t.Errorf("observed %+v", f.Input.Observed)
	}
	if res := replay(t, testConfig(d.addr(), 0), f); !res.Reproduced {
		t.Fatalf("not reproduced: %s", res)
	}
}

func TestMismatchFinding(t *testing.T) {
	d := startTestDUT(t, behaveWrongSubcode)
	cfg := testConfig(d.addr(), 60)
	cfg.OutDir = t.TempDir()
	rep := run(t, cfg)
	if rep.Counts[KindMismatch] == 0 || rep.Serious() > 0 {
		t.Fatalf("counts %v: want mismatches only", rep.Counts)
	}
	f := loadOne(t, cfg.OutDir, KindMismatch)
	exp, got := f.Input.Expected.Alert, f.Input.Observed.Alert
	if exp == nil || got == nil || got.Code != exp.Code || got.Subcode != exp.Subcode+1 {
		t.Fatalf("expected %+v, observed %+v: want the subcode after the codec's", exp, got)
	}
	res := replay(t, testConfig(d.addr(), 0), f)
	if !res.Reproduced || !res.Input.Observed.Alert.Same(got) {
		t.Fatalf("not reproduced: %s", res)
	}
	if len(res.Finding.Transcript) == 0 {
		t.Error("the replay's finding has no transcript")
	}
}

func TestAcceptedFinding(t *testing.T) {
	d, cfg := findingConfig(t, behaveLenient, 40)
	rep := run(t, cfg)
	if rep.Counts[KindAccepted] == 0 || rep.Serious() > 0 {
		t.Fatalf("counts %v: want accepted inputs", rep.Counts)
	}
	f := loadOne(t, cfg.OutDir, KindAccepted)
	if f.Input.Expected.Outcome != OutAlert || f.Input.Observed.Outcome != OutAccept || !f.Input.Probe {
		t.Fatalf("expected %s, observed %s, probe %v", f.Input.Expected, f.Input.Observed, f.Input.Probe)
	}
	if res := replay(t, testConfig(d.addr(), 0), f); !res.Reproduced {
		t.Fatalf("not reproduced: %s", res)
	}
}

// The reference speaker, fuzzed for a few hundred inputs, neither
// crashes nor hangs, and its ALERTs are the codec's.
func TestReference(t *testing.T) {
	cfg := Config{Seed: 1, Iterations: 400, Duration: 10 * time.Second, Answer: 2 * time.Second, Revive: 3 * time.Second, OutDir: t.TempDir()}
	if testing.Verbose() {
		cfg.Progress = os.Stderr
	}
	rep := run(t, cfg)
	if rep.Serious() > 0 {
		t.Errorf("crashes or hangs: %v", rep.Counts)
	}
	for _, f := range rep.Findings {
		t.Errorf("%s (saved in %s)", f.Summary, f.File)
	}
	if rep.Iterations < 200 {
		t.Errorf("only %d iterations in %s (stopped: %s)", rep.Iterations, rep.Elapsed, rep.Stopped)
	}
	if rep.Outcomes[StatAgreeAlert] == 0 || rep.Outcomes[StatAgreeAccept] == 0 || !rep.Probe {
		t.Errorf("outcomes %v, probe %v", rep.Outcomes, rep.Probe)
	}
}

// A POLICY of 4096 bytes, once a mismatch the fuzzer found (the codec
// took it, the reference refused it): the codec now refuses more than
// omp.MaxPolicyData bytes of data with the HEADER ALERT the reference
// sends, so replaying the finding no longer reproduces it.
func TestReplayReferencePolicyOversize(t *testing.T) {
	wire := testdut.Encode(t, &omp.Policy{PolicyType: omp.PolicyComplete, Data: bytes.Repeat([]byte{'a'}, omp.MaxMessageLen-20)})
	f := &Finding{Kind: KindMismatch, InProcess: true, Role: "controller", SessionPhase: mutators.PhaseEstablished,
		Input: Input{Phase: mutators.PhaseEstablished, Seed: "hand-made", Hex: hex.EncodeToString(wire),
			Observed: Observation{Outcome: OutAlert, Alert: alertOf(omp.AlertID{Code: omp.ErrHeader, Subcode: omp.SubErrHeaderLength}, nil)}}}
	res := replay(t, Config{}, f)
	if res.Reproduced {
		t.Fatalf("the codec and the reference disagree again: %s", res)
	}
}

// A finding's transcript keeps its last entries up to maxEntryBytes of
// message bytes, and says first what it did not keep.
func TestFindingTranscriptIsBounded(t *testing.T) {
	tr := &transcript.Transcript{}
	big := make([]byte, omp.MaxMessageLen)
	for range 100 {
		tr.Add(transcript.Entry{Time: time.Now(), Dir: transcript.Received, Peer: "fuzz", Raw: big})
	}
	es := entries(tr)
	size := 0
	for _, e := range es[1:] {
		size += len(e.Hex) / 2
	}
	if size > maxEntryBytes || len(es) < 2 || !strings.Contains(es[0].Note, "earlier entries") {
		t.Errorf("%d entries of %d message bytes, first %q", len(es), size, es[0].Note)
	}
}
